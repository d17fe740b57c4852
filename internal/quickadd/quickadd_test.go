package quickadd_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"todo/internal/quickadd"
	"todo/internal/task"
)

// wednesday is the instant most cases are typed at: Wednesday 9 December 2026, 10:00 UTC.
var wednesday = time.Date(2026, 12, 9, 10, 0, 0, 0, time.UTC)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// outcome is a Result in a form that reads well in a table: the due as a date (all day) or an
// RFC 3339 instant in UTC, the recurrence as its RRULE, and each token as kind:text.
type outcome struct {
	title    string
	tags     []string
	priority task.Priority
	due      string
	repeat   string
	tokens   []string
}

func outcomeOf(r quickadd.Result) outcome {
	o := outcome{title: r.Title, tags: r.Tags, priority: r.Priority}
	if r.Recurrence != nil {
		o.repeat = r.Recurrence.String()
	}
	switch {
	case r.Due == nil:
	case r.Due.AllDay():
		o.due = r.Due.Date.String()
	default:
		o.due = r.Due.At.UTC().Format(time.RFC3339)
	}
	for _, tok := range r.Tokens {
		o.tokens = append(o.tokens, tok.Kind.String()+":"+tok.Text)
	}
	return o
}

func (o outcome) String() string {
	return fmt.Sprintf("title %q, tags %q, priority %v, due %q, repeat %q, tokens %q", o.title, o.tags, o.priority, o.due, o.repeat, o.tokens)
}

func (o outcome) equal(p outcome) bool {
	return o.title == p.title && slices.Equal(o.tags, p.tags) && o.priority == p.priority &&
		o.due == p.due && o.repeat == p.repeat && slices.Equal(o.tokens, p.tokens)
}

// text is the outcome of an input in which nothing is recognised.
func text(title string) outcome { return outcome{title: title} }

type parseCase struct {
	input string
	want  outcome
}

func runCases(t *testing.T, now time.Time, prefs task.Prefs, cases []parseCase) {
	t.Helper()
	for _, c := range cases {
		r := quickadd.Parse(c.input, now, prefs)
		checkInvariants(t, c.input, now, r)
		if got := outcomeOf(r); !got.equal(c.want) {
			t.Errorf("Parse(%q)\n got  %v\n want %v", c.input, got, c.want)
		}
	}
}

func TestTags(t *testing.T) {
	runCases(t, wednesday, task.DefaultPrefs, []parseCase{
		{"Buy milk #home", outcome{title: "Buy milk", tags: []string{"home"}, tokens: []string{"tag:#home"}}},
		{"#work Write report #urgent", outcome{title: "Write report", tags: []string{"work", "urgent"}, tokens: []string{"tag:#work", "tag:#urgent"}}},
		{"Plan #Work #work #WORK trip", outcome{title: "Plan trip", tags: []string{"Work"}, tokens: []string{"tag:#Work", "tag:#work", "tag:#WORK"}}},
		{"Call #mom, then dad", outcome{title: "Call, then dad", tags: []string{"mom"}, tokens: []string{"tag:#mom"}}},
		{"Read #books.", outcome{title: "Read.", tags: []string{"books"}, tokens: []string{"tag:#books"}}},
		{"#日本語 の本を読む", outcome{title: "の本を読む", tags: []string{"日本語"}, tokens: []string{"tag:#日本語"}}},
		{"Order #café beans", outcome{title: "Order beans", tags: []string{"café"}, tokens: []string{"tag:#café"}}},
		{"Order #cafe\u0301 beans", outcome{title: "Order beans", tags: []string{"cafe\u0301"}, tokens: []string{"tag:#cafe\u0301"}}},
		{"File #work/2026 #to-do #a_b", outcome{title: "File", tags: []string{"work/2026", "to-do", "a_b"}, tokens: []string{"tag:#work/2026", "tag:#to-do", "tag:#a_b"}}},
		{"#1 fan", outcome{title: "fan", tags: []string{"1"}, tokens: []string{"tag:#1"}}},
		{"#" + strings.Repeat("x", 32) + " long", outcome{title: "long", tags: []string{strings.Repeat("x", 32)}, tokens: []string{"tag:#" + strings.Repeat("x", 32)}}},
		{"#" + strings.Repeat("x", 33) + " too long", text("#" + strings.Repeat("x", 33) + " too long")},
		{"Learn C# today", outcome{title: "Learn C#", due: "2026-12-09", tokens: []string{"date:today"}}},
		{"# heading", text("# heading")},
		{"#", text("#")},
		{"Fix #- and #_/ now", text("Fix #- and #_/ now")},
		{"##double", text("##double")},
		{"#c++ tips", text("#c++ tips")},
		{"#tag's", text("#tag's")},
		{"mail a#b", text("mail a#b")},
	})
}

func TestPriority(t *testing.T) {
	runCases(t, wednesday, task.DefaultPrefs, []parseCase{
		{"!high Fix the bug", outcome{title: "Fix the bug", priority: task.PriorityHigh, tokens: []string{"priority:!high"}}},
		{"Fix the bug !HIGH", outcome{title: "Fix the bug", priority: task.PriorityHigh, tokens: []string{"priority:!HIGH"}}},
		{"Water plants !Medium", outcome{title: "Water plants", priority: task.PriorityMedium, tokens: []string{"priority:!Medium"}}},
		{"Dust !low shelves", outcome{title: "Dust shelves", priority: task.PriorityLow, tokens: []string{"priority:!low"}}},
		{"Pay rent !high!", outcome{title: "Pay rent!", priority: task.PriorityHigh, tokens: []string{"priority:!high"}}},
		// The first priority counts; a later one is text.
		{"Ship !low then !high", outcome{title: "Ship then !high", priority: task.PriorityLow, tokens: []string{"priority:!low"}}},
		{"Alert !highest", text("Alert !highest")},
		{"Alert !urgent !1 !none", text("Alert !urgent !1 !none")},
		{"Wow! high", text("Wow! high")},
		{"a!high", text("a!high")},
	})
}

func TestDates(t *testing.T) {
	// wednesday is Wednesday 2026-12-09.
	date := func(title, due, token string) outcome {
		return outcome{title: title, due: due, tokens: []string{"date:" + token}}
	}
	runCases(t, wednesday, task.DefaultPrefs, []parseCase{
		{"Call mom today", date("Call mom", "2026-12-09", "today")},
		{"Call mom TODAY", date("Call mom", "2026-12-09", "TODAY")},
		{"Tomorrow buy milk", date("buy milk", "2026-12-10", "Tomorrow")},
		{"Call mom today, then dad", date("Call mom, then dad", "2026-12-09", "today")},
		{"today: call mom", date("call mom", "2026-12-09", "today")},
		{"Fix it today!", date("Fix it!", "2026-12-09", "today")},
		// Weekday names are the next such day; on a Wednesday, "wednesday" is a week ahead.
		{"Gym thu", date("Gym", "2026-12-10", "thu")},
		{"Gym thurs", date("Gym", "2026-12-10", "thurs")},
		{"Gym fri", date("Gym", "2026-12-11", "fri")},
		{"Gym Friday", date("Gym", "2026-12-11", "Friday")},
		{"Gym sat", date("Gym", "2026-12-12", "sat")},
		{"Gym SUNDAY", date("Gym", "2026-12-13", "SUNDAY")},
		{"Gym mon", date("Gym", "2026-12-14", "mon")},
		{"Gym tues", date("Gym", "2026-12-15", "tues")},
		{"Gym wednesday", date("Gym", "2026-12-16", "wednesday")},
		{"Gym wed", date("Gym", "2026-12-16", "wed")},
		{"Dentist on friday", date("Dentist", "2026-12-11", "on friday")},
		{"Review next week", date("Review", "2026-12-14", "next week")},
		{"Review NEXT  WEEK", date("Review", "2026-12-14", "NEXT  WEEK")},
		{"Renew in 3 days", date("Renew", "2026-12-12", "in 3 days")},
		{"Renew in 1 day", date("Renew", "2026-12-10", "in 1 day")},
		{"Renew in 0 days", date("Renew", "2026-12-09", "in 0 days")},
		{"Renew in 2 weeks", date("Renew", "2026-12-23", "in 2 weeks")},
		{"Renew in 1 week.", date("Renew.", "2026-12-16", "in 1 week")},
		{"Renew in 999 days", date("Renew", "2029-09-03", "in 999 days")},
		{"Gift 24 dec", date("Gift", "2026-12-24", "24 dec")},
		{"Gift dec 24", date("Gift", "2026-12-24", "dec 24")},
		{"Gift 24 December", date("Gift", "2026-12-24", "24 December")},
		{"Gift December 24th", date("Gift", "2026-12-24", "December 24th")},
		{"Gift on 24 dec", date("Gift", "2026-12-24", "on 24 dec")},
		{"Party 1st jan", date("Party", "2027-01-01", "1st jan")},
		{"Party sept 3", date("Party", "2027-09-03", "sept 3")},
		// A date without a year is the next such date: today counts, yesterday is next year's.
		{"Review 9 dec", date("Review", "2026-12-09", "9 dec")},
		{"Review 8 dec", date("Review", "2027-12-08", "8 dec")},
		{"Leap 29 feb", date("Leap", "2028-02-29", "29 feb")},
		{"Gift 24 dec 2027", date("Gift", "2027-12-24", "24 dec 2027")},
		{"Gift dec 24 2027", date("Gift", "2027-12-24", "dec 24 2027")},
		{"History 24 dec 1999", date("History", "1999-12-24", "24 dec 1999")},
		{"Gift 24 dec, 2027", date("Gift, 2027", "2026-12-24", "24 dec")},
		{"Gift 2026-12-24", date("Gift", "2026-12-24", "2026-12-24")},
		{"Gift on 2027-01-31", date("Gift", "2027-01-31", "on 2027-01-31")},
		// The first date counts; a later one is text.
		{"Start today, finish tomorrow", date("Start, finish tomorrow", "2026-12-09", "today")},
		{"Call about friday on monday", date("Call about on monday", "2026-12-11", "friday")},
		// Word boundaries.
		{"today's plan", text("today's plan")},
		{"tomorrowland tickets", text("tomorrowland tickets")},
		{"email@today.com", text("email@today.com")},
		{"visit today.com", text("visit today.com")},
		{"(tomorrow) maybe", text("(tomorrow) maybe")},
		{"Gym ſat", text("Gym ſat")},
		{"Gym ｔｏｄａｙ", text("Gym ｔｏｄａｙ")},
		{"next steps", text("next steps")},
		{"next week's plan", text("next week's plan")},
		{"next, week", text("next, week")},
		{"in three days", text("in three days")},
		{"in 3, days", text("in 3, days")},
		{"in 1000 days", text("in 1000 days")},
		{"in 3 months", text("in 3 months")},
		{"put on hat", text("put on hat")},
		{"May I help", text("May I help")},
		{"No 31 apr", text("No 31 apr")},
		{"No 30 feb", text("No 30 feb")},
		{"No 29 feb 2027", text("No 29 feb 2027")},
		{"No 0 jan", text("No 0 jan")},
		{"No 2026-02-30", text("No 2026-02-30")},
		{"No 2026-12-24T10:00", text("No 2026-12-24T10:00")},
		{"No 2026-1-2", text("No 2026-1-2")},
	})
}

func TestDateAcrossTheYearEnd(t *testing.T) {
	// Wednesday 30 December 2026.
	now := time.Date(2026, 12, 30, 12, 0, 0, 0, time.UTC)
	runCases(t, now, task.DefaultPrefs, []parseCase{
		{"Plan 2 jan", outcome{title: "Plan", due: "2027-01-02", tokens: []string{"date:2 jan"}}},
		{"Plan dec 31", outcome{title: "Plan", due: "2026-12-31", tokens: []string{"date:dec 31"}}},
		{"Plan dec 29", outcome{title: "Plan", due: "2027-12-29", tokens: []string{"date:dec 29"}}},
		{"Plan in 3 days", outcome{title: "Plan", due: "2027-01-02", tokens: []string{"date:in 3 days"}}},
		{"Plan fri", outcome{title: "Plan", due: "2027-01-01", tokens: []string{"date:fri"}}},
		{"Plan tomorrow", outcome{title: "Plan", due: "2026-12-31", tokens: []string{"date:tomorrow"}}},
	})
}

func TestNextWeekFollowsTheWeekStart(t *testing.T) {
	for _, c := range []struct {
		today     time.Time
		weekStart time.Weekday
		want      string
	}{
		{wednesday, time.Monday, "2026-12-14"},
		{wednesday, time.Sunday, "2026-12-13"},
		{wednesday, time.Saturday, "2026-12-12"},
		// On the first day of a week, next week starts in seven days.
		{time.Date(2026, 12, 14, 8, 0, 0, 0, time.UTC), time.Monday, "2026-12-21"},
		{time.Date(2026, 12, 13, 8, 0, 0, 0, time.UTC), time.Sunday, "2026-12-20"},
		// On the last day of a week, tomorrow.
		{time.Date(2026, 12, 13, 8, 0, 0, 0, time.UTC), time.Monday, "2026-12-14"},
		{time.Date(2026, 12, 12, 8, 0, 0, 0, time.UTC), time.Sunday, "2026-12-13"},
	} {
		prefs := task.Prefs{TimeZone: time.UTC, WeekStart: c.weekStart}
		t.Run(fmt.Sprintf("%s week from %s", c.weekStart, c.today.Weekday()), func(t *testing.T) {
			runCases(t, c.today, prefs, []parseCase{
				{"Review next week", outcome{title: "Review", due: c.want, tokens: []string{"date:next week"}}},
			})
		})
	}
}

func TestTimes(t *testing.T) {
	// At 10:00 on Wednesday 2026-12-09 (UTC): a time alone is today when still ahead,
	// tomorrow when it has passed or is now.
	timed := func(title, due string, tokens ...string) outcome {
		return outcome{title: title, due: due, tokens: tokens}
	}
	runCases(t, wednesday, task.DefaultPrefs, []parseCase{
		{"Standup at 9", timed("Standup", "2026-12-10T09:00:00Z", "time:at 9")},
		{"Standup at 11", timed("Standup", "2026-12-09T11:00:00Z", "time:at 11")},
		{"Standup at 9am", timed("Standup", "2026-12-10T09:00:00Z", "time:at 9am")},
		{"Standup at 9 AM", timed("Standup", "2026-12-10T09:00:00Z", "time:at 9 AM")},
		{"Call at 9:30pm", timed("Call", "2026-12-09T21:30:00Z", "time:at 9:30pm")},
		{"Call at 9:30 pm", timed("Call", "2026-12-09T21:30:00Z", "time:at 9:30 pm")},
		{"Call 14:30", timed("Call", "2026-12-09T14:30:00Z", "time:14:30")},
		{"Call at 14:30", timed("Call", "2026-12-09T14:30:00Z", "time:at 14:30")},
		{"Call 09:05", timed("Call", "2026-12-10T09:05:00Z", "time:09:05")},
		{"Call 9pm", timed("Call", "2026-12-09T21:00:00Z", "time:9pm")},
		{"Call 9 PM", timed("Call", "2026-12-09T21:00:00Z", "time:9 PM")},
		{"Call 10am", timed("Call", "2026-12-10T10:00:00Z", "time:10am")},
		{"Call 10:01", timed("Call", "2026-12-09T10:01:00Z", "time:10:01")},
		{"Call 12am", timed("Call", "2026-12-10T00:00:00Z", "time:12am")},
		{"Call 12:30am", timed("Call", "2026-12-10T00:30:00Z", "time:12:30am")},
		{"Call 12pm", timed("Call", "2026-12-09T12:00:00Z", "time:12pm")},
		{"Call 12:59pm", timed("Call", "2026-12-09T12:59:00Z", "time:12:59pm")},
		{"Call 1am", timed("Call", "2026-12-10T01:00:00Z", "time:1am")},
		{"Call 11pm", timed("Call", "2026-12-09T23:00:00Z", "time:11pm")},
		{"Call at 12", timed("Call", "2026-12-09T12:00:00Z", "time:at 12")},
		{"Call at 0", timed("Call", "2026-12-10T00:00:00Z", "time:at 0")},
		{"Call 0:30", timed("Call", "2026-12-10T00:30:00Z", "time:0:30")},
		{"Call 23:59.", timed("Call.", "2026-12-09T23:59:00Z", "time:23:59")},
		// With a date, the time is on that date, even today when it has passed.
		{"Standup tomorrow at 9", timed("Standup", "2026-12-10T09:00:00Z", "date:tomorrow", "time:at 9")},
		{"Standup at 9 tomorrow", timed("Standup", "2026-12-10T09:00:00Z", "time:at 9", "date:tomorrow")},
		{"Standup today at 9", timed("Standup", "2026-12-09T09:00:00Z", "date:today", "time:at 9")},
		{"Gift 24 dec 14:30", timed("Gift", "2026-12-24T14:30:00Z", "date:24 dec", "time:14:30")},
		{"Gym 9pm fri", timed("Gym", "2026-12-11T21:00:00Z", "time:9pm", "date:fri")},
		{"Gym 2026-12-24 at 7:15am", timed("Gym", "2026-12-24T07:15:00Z", "date:2026-12-24", "time:at 7:15am")},
		// The first time counts; a later one is text.
		{"Call at 9 or at 10", timed("Call or at 10", "2026-12-10T09:00:00Z", "time:at 9")},
		{"Call 13pm", text("Call 13pm")},
		{"Call 0am", text("Call 0am")},
		{"Call 24:00", text("Call 24:00")},
		{"Call 9:5", text("Call 9:5")},
		{"Call 9:60", text("Call 9:60")},
		{"Call 9:300", text("Call 9:300")},
		{"Call at 25", text("Call at 25")},
		{"Call at home", text("Call at home")},
		{"Call at, 9", text("Call at, 9")},
		{"Call 9", text("Call 9")},
		{"Call 911", text("Call 911")},
		{"Call pm", text("Call pm")},
		{"Call 9 o'clock", text("Call 9 o'clock")},
	})
}

func TestEverythingAtOnce(t *testing.T) {
	runCases(t, wednesday, task.DefaultPrefs, []parseCase{
		{"Submit report #work !high tomorrow at 9:30am #q4", outcome{
			title:    "Submit report",
			tags:     []string{"work", "q4"},
			priority: task.PriorityHigh,
			due:      "2026-12-10T09:30:00Z",
			tokens:   []string{"tag:#work", "priority:!high", "date:tomorrow", "time:at 9:30am", "tag:#q4"},
		}},
	})
}

func TestTokenOffsets(t *testing.T) {
	input := "Café #thé tomorrow at 9"
	r := quickadd.Parse(input, wednesday, task.DefaultPrefs)
	want := []quickadd.Token{
		{Kind: quickadd.Tag, Text: "#thé", Start: 6, End: 11},
		{Kind: quickadd.Date, Text: "tomorrow", Start: 12, End: 20},
		{Kind: quickadd.Time, Text: "at 9", Start: 21, End: 25},
	}
	if !slices.Equal(r.Tokens, want) {
		t.Errorf("tokens of %q:\n got  %+v\n want %+v", input, r.Tokens, want)
	}
}

func TestEscapes(t *testing.T) {
	runCases(t, wednesday, task.DefaultPrefs, []parseCase{
		{`\today`, text("today")},
		{`\#1 fan`, text("#1 fan")},
		{`\!high jump`, text("!high jump")},
		{`Plan \next week`, text("Plan next week")},
		{`\24 dec gift`, text("24 dec gift")},
		{`Stay \in 3 days`, text("Stay in 3 days")},
		{`Look \at 9 options`, text("Look at 9 options")},
		{`Put \on friday`, text("Put on friday")},
		{`Buy \sun cream`, text("Buy sun cream")},
		{`Read \today, now`, text("Read today, now")},
		// Only the escaped phrase is text.
		{`\today today`, outcome{title: "today", due: "2026-12-09", tokens: []string{"date:today"}}},
		{`today \#1 fan`, outcome{title: "#1 fan", due: "2026-12-09", tokens: []string{"date:today"}}},
		{`a #x \#y b`, outcome{title: "a #y b", tags: []string{"x"}, tokens: []string{"tag:#x"}}},
		// A backslash before anything else is text.
		{`back\slash C:\today`, text(`back\slash C:\today`)},
		{`\o/ yay`, text(`\o/ yay`)},
		{`\ alone`, text(`\ alone`)},
		{`\\today`, text(`\\today`)},
	})
}

func TestTitleOfOnlyPhrasesIsKeptAsTyped(t *testing.T) {
	runCases(t, wednesday, task.DefaultPrefs, []parseCase{
		{"today", text("today")},
		{"  Tomorrow  ", text("Tomorrow")},
		{"#work", text("#work")},
		{"!high today #x at 9", text("!high today #x at 9")},
		{"today.", text("today.")},
		{"today, !high", text("today, !high")},
		{"", text("")},
		{"   ", text("")},
	})
}

func TestSpaces(t *testing.T) {
	runCases(t, wednesday, task.DefaultPrefs, []parseCase{
		{"a  #x  b", outcome{title: "a b", tags: []string{"x"}, tokens: []string{"tag:#x"}}},
		{"Buy  milk #x", outcome{title: "Buy  milk", tags: []string{"x"}, tokens: []string{"tag:#x"}}},
		{"call\tmom\ntoday", outcome{title: "call\tmom", due: "2026-12-09", tokens: []string{"date:today"}}},
		{"a\u00a0#x\u3000b", outcome{title: "a b", tags: []string{"x"}, tokens: []string{"tag:#x"}}},
		{"Buy milk", text("Buy milk")},
		{"  Buy milk  ", text("Buy milk")},
	})
}

func TestInvalidUTF8IsLeftToTheTaskRules(t *testing.T) {
	input := "today #x \xff"
	r := quickadd.Parse(input, wednesday, task.DefaultPrefs)
	if got := outcomeOf(r); !got.equal(text(input)) {
		t.Errorf("Parse(%q) = %v, want the input as the title and nothing recognised", input, got)
	}
}

func TestTodayIsTheUsersDay(t *testing.T) {
	auckland := task.Prefs{TimeZone: zone(t, "Pacific/Auckland"), WeekStart: time.Monday}
	losAngeles := task.Prefs{TimeZone: zone(t, "America/Los_Angeles"), WeekStart: time.Monday}
	for _, c := range []struct {
		name  string
		now   time.Time
		prefs task.Prefs
		cases []parseCase
	}{
		{"Auckland one minute before midnight", time.Date(2026, 12, 9, 10, 59, 0, 0, time.UTC), auckland, []parseCase{
			{"x today", outcome{title: "x", due: "2026-12-09", tokens: []string{"date:today"}}},
			{"x tomorrow", outcome{title: "x", due: "2026-12-10", tokens: []string{"date:tomorrow"}}},
			{"x at 23:59", outcome{title: "x", due: "2026-12-10T10:59:00Z", tokens: []string{"time:at 23:59"}}},
			{"x at 9", outcome{title: "x", due: "2026-12-09T20:00:00Z", tokens: []string{"time:at 9"}}},
		}},
		{"Auckland one minute after midnight", time.Date(2026, 12, 9, 11, 1, 0, 0, time.UTC), auckland, []parseCase{
			{"x today", outcome{title: "x", due: "2026-12-10", tokens: []string{"date:today"}}},
			{"x tomorrow", outcome{title: "x", due: "2026-12-11", tokens: []string{"date:tomorrow"}}},
			{"x at 23:59", outcome{title: "x", due: "2026-12-10T10:59:00Z", tokens: []string{"time:at 23:59"}}},
			{"x at 0:00", outcome{title: "x", due: "2026-12-10T11:00:00Z", tokens: []string{"time:at 0:00"}}},
		}},
		{"Los Angeles one minute before midnight", time.Date(2026, 12, 10, 7, 59, 0, 0, time.UTC), losAngeles, []parseCase{
			{"x today", outcome{title: "x", due: "2026-12-09", tokens: []string{"date:today"}}},
			{"x thu", outcome{title: "x", due: "2026-12-10", tokens: []string{"date:thu"}}},
			{"x 9 dec", outcome{title: "x", due: "2026-12-09", tokens: []string{"date:9 dec"}}},
			{"x at 9", outcome{title: "x", due: "2026-12-10T17:00:00Z", tokens: []string{"time:at 9"}}},
		}},
		{"Los Angeles one minute after midnight", time.Date(2026, 12, 10, 8, 1, 0, 0, time.UTC), losAngeles, []parseCase{
			{"x today", outcome{title: "x", due: "2026-12-10", tokens: []string{"date:today"}}},
			{"x thu", outcome{title: "x", due: "2026-12-17", tokens: []string{"date:thu"}}},
			{"x 9 dec", outcome{title: "x", due: "2027-12-09", tokens: []string{"date:9 dec"}}},
			{"x at 0:00", outcome{title: "x", due: "2026-12-11T08:00:00Z", tokens: []string{"time:at 0:00"}}},
		}},
	} {
		t.Run(c.name, func(t *testing.T) { runCases(t, c.now, c.prefs, c.cases) })
	}
}

func TestTimeThatDSTSkips(t *testing.T) {
	newYork := task.Prefs{TimeZone: zone(t, "America/New_York"), WeekStart: time.Sunday}
	// Clocks in New York go from 02:00 EST to 03:00 EDT on 14 March 2027: 2:30 does not exist
	// that day, and the task rules decide which instant it is.
	skipped := task.DueAt(task.Date{Year: 2027, Month: time.March, Day: 14}, 2, 30, newYork.TimeZone)

	r := quickadd.Parse("Backup 2027-03-14 at 2:30", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), newYork)
	checkInvariants(t, "Backup 2027-03-14 at 2:30", time.Time{}, r)
	if r.Due == nil || *r.Due != skipped {
		t.Errorf("2027-03-14 at 2:30: got %v, want %v", r.Due, skipped)
	}
	if got := r.Due.DayIn(newYork.TimeZone); got != (task.Date{Year: 2027, Month: time.March, Day: 14}) {
		t.Errorf("2027-03-14 at 2:30 falls on %v in New York", got)
	}

	// A time alone on that day: at midnight it is still ahead; at 03:45 EDT it has passed and is
	// tomorrow's 2:30, which exists.
	midnight := time.Date(2027, 3, 14, 5, 0, 0, 0, time.UTC)
	if r := quickadd.Parse("Backup at 2:30", midnight, newYork); r.Due == nil || *r.Due != skipped {
		t.Errorf("at 2:30 from midnight: got %v, want %v", r.Due, skipped)
	}
	runCases(t, time.Date(2027, 3, 14, 7, 45, 0, 0, time.UTC), newYork, []parseCase{
		{"Backup at 2:30", outcome{title: "Backup", due: "2027-03-15T06:30:00Z", tokens: []string{"time:at 2:30"}}},
		// A date alone does not move with the clocks.
		{"Backup today", outcome{title: "Backup", due: "2027-03-14", tokens: []string{"date:today"}}},
	})
}

func TestKindNames(t *testing.T) {
	for k, want := range map[quickadd.Kind]string{
		quickadd.Tag: "tag", quickadd.Priority: "priority", quickadd.Date: "date", quickadd.Time: "time",
		quickadd.Recurrence: "recurrence", 0: "Kind(0)", 99: "Kind(99)",
	} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

// checkInvariants are what holds of every Result, whatever was typed.
func checkInvariants(t testing.TB, input string, now time.Time, r quickadd.Result) {
	t.Helper()
	count := map[quickadd.Kind]int{}
	prevEnd := 0
	for _, tok := range r.Tokens {
		if tok.Start < prevEnd || tok.End <= tok.Start || tok.End > len(input) {
			t.Fatalf("Parse(%q): token %+v is outside the input or overlaps the one before (ending at %d)", input, tok, prevEnd)
		}
		if input[tok.Start:tok.End] != tok.Text {
			t.Fatalf("Parse(%q): token %+v is not the text at its offsets, %q", input, tok, input[tok.Start:tok.End])
		}
		prevEnd = tok.End
		count[tok.Kind]++
	}
	for k, n := range count {
		if k != quickadd.Tag && n > 1 {
			t.Fatalf("Parse(%q): %d tokens of kind %v", input, n, k)
		}
	}
	if utf8.ValidString(input) && !utf8.ValidString(r.Title) {
		t.Fatalf("Parse(%q): title %q is not valid UTF-8", input, r.Title)
	}
	if r.Title != strings.TrimSpace(r.Title) {
		t.Fatalf("Parse(%q): title %q is not trimmed", input, r.Title)
	}
	if (r.Title == "") != (strings.TrimSpace(input) == "") {
		t.Fatalf("Parse(%q): title %q", input, r.Title)
	}
	seen := map[string]bool{}
	for _, tag := range r.Tags {
		if clean, err := task.CleanTag(tag); err != nil || clean != tag {
			t.Fatalf("Parse(%q): tag %q does not pass the tag rules: %v", input, tag, err)
		}
		if seen[task.TagKey(tag)] {
			t.Fatalf("Parse(%q): tag %q twice in %q", input, tag, r.Tags)
		}
		seen[task.TagKey(tag)] = true
	}
	if len(r.Tags) > count[quickadd.Tag] {
		t.Fatalf("Parse(%q): tags %q from %d tag tokens", input, r.Tags, count[quickadd.Tag])
	}
	if (r.Priority != task.PriorityNone) != (count[quickadd.Priority] == 1) {
		t.Fatalf("Parse(%q): priority %v from %d priority tokens", input, r.Priority, count[quickadd.Priority])
	}
	dated, timed, repeats := count[quickadd.Date] == 1, count[quickadd.Time] == 1, count[quickadd.Recurrence] == 1
	switch {
	case r.Due == nil:
		if dated || timed || repeats {
			t.Fatalf("Parse(%q): no due from a date, time or recurrence token", input)
		}
	case r.Due.AllDay() != !timed || (!dated && !timed && !repeats):
		t.Fatalf("Parse(%q): due %+v from date %v, time %v, recurrence %v", input, *r.Due, dated, timed, repeats)
	case timed && !dated && !now.IsZero() && !r.Due.At.After(now):
		t.Fatalf("Parse(%q): a time alone is %v, not after %v", input, r.Due.At, now)
	}
	if (r.Recurrence != nil) != repeats {
		t.Fatalf("Parse(%q): recurrence %v from %d recurrence tokens", input, r.Recurrence, count[quickadd.Recurrence])
	}
	if r.Recurrence != nil {
		if err := r.Recurrence.Validate(); err != nil {
			t.Fatalf("Parse(%q): recurrence %v is not valid: %v", input, r.Recurrence, err)
		}
		// An all-day due is the rule's first occurrence from that day.
		if r.Due.AllDay() {
			if first, ok := r.Recurrence.First(r.Due.Date); !ok || first != r.Due.Date {
				t.Fatalf("Parse(%q): due %v is not an occurrence of %v", input, r.Due.Date, r.Recurrence)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"Submit report #work !high tomorrow at 9:30am #q4", `\#1 fan \today`, "today", "#日本語 の本",
		"Gift 24 dec 2027 14:30", "in 3 days", "next week", "on fri at 12am", "29 feb", "2026-12-24",
		"today, buy", "a  #x  b", "email@today.com", "C#", "#tag,", "9 pm", "\xff today",
		"Gym every 2 weeks on mon, thu at 7", "Rent every month on the 1st", "every last friday x", "x every! 3 days",
		"x every 3 days after completion", "x every mon,wed and fri", "x every 29 feb", "x every other week",
	} {
		f.Add(s, wednesday.Unix(), uint8(0), uint8(1))
	}
	zones := []*time.Location{time.UTC, zone(f, "Pacific/Auckland"), zone(f, "America/Los_Angeles"), zone(f, "America/New_York")}
	f.Fuzz(func(t *testing.T, input string, unix int64, zoneIndex, weekStart uint8) {
		// Any instant from 1970 to 2200.
		const span = 230 * 365 * 24 * 3600
		now := time.Unix((unix%span+span)%span, 0)
		prefs := task.Prefs{TimeZone: zones[int(zoneIndex)%len(zones)], WeekStart: time.Weekday(weekStart % 7)}
		checkInvariants(t, input, now, quickadd.Parse(input, now, prefs))
	})
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		quickadd.Parse("Submit report #work !high tomorrow at 9:30am #q4", wednesday, task.DefaultPrefs)
	}
}
