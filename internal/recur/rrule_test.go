package recur_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"todo/internal/recur"
	"todo/internal/task"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		input string
		want  recur.Rule
	}{
		{"RRULE:FREQ=DAILY", recur.Rule{Freq: recur.Daily, Interval: 1}},
		{"FREQ=DAILY", recur.Rule{Freq: recur.Daily, Interval: 1}},
		{"  rrule:freq=daily;interval=3  ", recur.Rule{Freq: recur.Daily, Interval: 3}},
		{"RRULE:FREQ=WEEKLY;BYDAY=MO,TH;INTERVAL=2", recur.Rule{Freq: recur.Weekly, Interval: 2, Days: recur.On(time.Monday, time.Thursday)}},
		{"RRULE:FREQ=WEEKLY;BYDAY=TH,MO", recur.Rule{Freq: recur.Weekly, Interval: 1, Days: recur.On(time.Monday, time.Thursday)}},
		{"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", recur.Rule{Freq: recur.Weekly, Interval: 1, Days: recur.WorkWeek}},
		{"RRULE:FREQ=WEEKLY;WKST=MO;BYDAY=SU", recur.Rule{Freq: recur.Weekly, Interval: 1, Days: recur.On(time.Sunday)}},
		{"RRULE:FREQ=MONTHLY;BYMONTHDAY=31", recur.Rule{Freq: recur.Monthly, Interval: 1, MonthDay: 31}},
		{"RRULE:FREQ=MONTHLY;BYMONTHDAY=-1", recur.Rule{Freq: recur.Monthly, Interval: 1, MonthDay: -1}},
		{"RRULE:FREQ=MONTHLY;BYMONTHDAY=+1", recur.Rule{Freq: recur.Monthly, Interval: 1, MonthDay: 1}},
		{"RRULE:FREQ=MONTHLY;BYDAY=-1FR", recur.Rule{Freq: recur.Monthly, Interval: 1, Days: recur.On(time.Friday), Nth: -1}},
		{"RRULE:FREQ=MONTHLY;BYDAY=+2TU", recur.Rule{Freq: recur.Monthly, Interval: 1, Days: recur.On(time.Tuesday), Nth: 2}},
		{"RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", recur.Rule{Freq: recur.Yearly, Interval: 1, Month: time.February, MonthDay: 29}},
		{"RRULE:FREQ=DAILY;COUNT=5", recur.Rule{Freq: recur.Daily, Interval: 1, Count: 5}},
		{"RRULE:FREQ=DAILY;UNTIL=20261224", recur.Rule{Freq: recur.Daily, Interval: 1, Until: task.Date{Year: 2026, Month: time.December, Day: 24}}},
		{"RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3", recur.Rule{Freq: recur.Daily, Interval: 3, Kind: recur.FromCompletion}},
		{"rrule;x-repeat-from=completion:freq=yearly", recur.Rule{Freq: recur.Yearly, Interval: 1, Kind: recur.FromCompletion}},
		{"RRULE;X-REPEAT-FROM=DUE:FREQ=WEEKLY", recur.Rule{Freq: recur.Weekly, Interval: 1}},
	} {
		got, err := recur.Parse(c.input)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", c.input, got, err, c.want)
		}
	}
}

func TestString(t *testing.T) {
	for _, c := range []struct {
		rule recur.Rule
		want string
	}{
		{recur.Rule{Freq: recur.Daily, Interval: 1}, "RRULE:FREQ=DAILY"},
		{recur.Rule{Freq: recur.Weekly, Interval: 2, Days: recur.On(time.Thursday, time.Monday)}, "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"},
		{recur.Rule{Freq: recur.Weekly, Interval: 1, Days: recur.On(time.Sunday, time.Saturday)}, "RRULE:FREQ=WEEKLY;BYDAY=SA,SU"},
		{recur.Rule{Freq: recur.Monthly, Interval: 1, Days: recur.On(time.Friday), Nth: -1, Count: 5}, "RRULE:FREQ=MONTHLY;COUNT=5;BYDAY=-1FR"},
		{recur.Rule{Freq: recur.Monthly, Interval: 3, MonthDay: 31}, "RRULE:FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=31"},
		{recur.Rule{Freq: recur.Yearly, Interval: 1, Month: time.February, MonthDay: 29, Until: task.Date{Year: 2040, Month: time.January, Day: 2}}, "RRULE:FREQ=YEARLY;UNTIL=20400102;BYMONTH=2;BYMONTHDAY=29"},
		{recur.Rule{Freq: recur.Daily, Interval: 3, Kind: recur.FromCompletion}, "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3"},
		// An invalid rule is written as it is, without panicking.
		{recur.Rule{}, "RRULE:FREQ=Freq(0);INTERVAL=0"},
	} {
		if got := c.rule.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.rule, got, c.want)
		}
		if c.rule.Validate() == nil {
			if back, err := recur.Parse(c.rule.String()); err != nil || back != c.rule {
				t.Errorf("Parse(%q) = %+v, %v; want %+v", c.rule.String(), back, err, c.rule)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		input string
		want  string // a part of the error
	}{
		{"", "needs at least FREQ"},
		{"   ", "needs at least FREQ"},
		{strings.Repeat("FREQ=DAILY;", 30), "at most 200 characters"},
		{"RRULE:", "is not a rule part"},
		{"RRULE;X-REPEAT-FROM=COMPLETION", `must be followed by ":"`},
		{"RRULE;TZID=Europe/Paris:FREQ=DAILY", `unknown RRULE parameter "TZID"`},
		{"RRULE;X-REPEAT-FROM=LATER:FREQ=DAILY", "must be DUE or COMPLETION"},
		{"INTERVAL=2", "needs FREQ"},
		{"FREQ=FORTNIGHTLY", `unknown FREQ "FORTNIGHTLY"`},
		{"FREQ=HOURLY", "too frequent"},
		{"FREQ=MINUTELY", "too frequent"},
		{"FREQ=SECONDLY", "too frequent"},
		{"FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"},
		{"FREQ=DAILY;", `"" is not a rule part`},
		{"FREQ=DAILY;;COUNT=2", `"" is not a rule part`},
		{"FREQ", `"FREQ" is not a rule part`},
		{"FREQ=", `"FREQ=" is not a rule part`},
		{"FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number from 1 to 999"},
		{"FREQ=DAILY;INTERVAL=1000", "INTERVAL must be a whole number from 1 to 999"},
		{"FREQ=DAILY;INTERVAL=-2", "INTERVAL must be"},
		{"FREQ=DAILY;INTERVAL=two", "INTERVAL must be"},
		{"FREQ=DAILY;COUNT=0", "COUNT must be a whole number of at least 1"},
		{"FREQ=DAILY;COUNT=9999999999", "COUNT must be"},
		{"FREQ=DAILY;COUNT=3;UNTIL=20261224", "COUNT and UNTIL cannot be used together"},
		{"FREQ=DAILY;UNTIL=20261224T000000Z", "UNTIL must be a date such as 20261224"},
		{"FREQ=DAILY;UNTIL=20260230", "UNTIL must be a date"},
		{"FREQ=DAILY;UNTIL=00000101", "is not a date"},
		{"FREQ=DAILY;BYDAY=MO", "BYDAY does not fit FREQ=DAILY"},
		{"FREQ=WEEKLY;BYDAY=-1FR", "plain weekdays"},
		{"FREQ=WEEKLY;BYDAY=MO,MO", "MO is given twice"},
		{"FREQ=WEEKLY;BYDAY=MON", `unknown weekday "MON"`},
		{"FREQ=WEEKLY;BYDAY=M", "BYDAY takes weekdays"},
		{"FREQ=WEEKLY;BYDAY=MO,", "BYDAY takes weekdays"},
		{"FREQ=MONTHLY", "a monthly rule names its day"},
		{"FREQ=MONTHLY;BYDAY=FR", "needs a position"},
		{"FREQ=MONTHLY;BYDAY=5FR", "must be 1 to 4, or -1"},
		{"FREQ=MONTHLY;BYDAY=-2FR", "must be 1 to 4, or -1"},
		{"FREQ=MONTHLY;BYDAY=0FR", "must be 1 to 4, or -1"},
		{"FREQ=MONTHLY;BYDAY=10FR", "must be 1 to 4, or -1"},
		{"FREQ=MONTHLY;BYDAY=1MO,1TU", "one weekday of the month"},
		{"FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=1", "not both"},
		{"FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY must be 1 to 31"},
		{"FREQ=MONTHLY;BYMONTHDAY=-2", "BYMONTHDAY must be 1 to 31"},
		{"FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY must be one day"},
		{"FREQ=MONTHLY;BYMONTHDAY=1,15", "BYMONTHDAY must be one day"},
		{"FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY does not fit FREQ=WEEKLY"},
		{"FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=1", "BYMONTH does not fit FREQ=MONTHLY"},
		{"FREQ=YEARLY", "a yearly rule names its date"},
		{"FREQ=YEARLY;BYMONTH=12", "names both the month and the day"},
		{"FREQ=YEARLY;BYMONTHDAY=24", "names both the month and the day"},
		{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "February has no day 30"},
		{"FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31", "April has no day 31"},
		{"FREQ=YEARLY;BYMONTH=13;BYMONTHDAY=1", "BYMONTH must be one month"},
		{"FREQ=YEARLY;BYMONTH=12;BYDAY=4TH", "BYDAY does not fit FREQ=YEARLY"},
		{"FREQ=WEEKLY;WKST=SU", "WKST may only be MO"},
		{"FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1", "BYMONTHDAY must be one day"},
		{"FREQ=MONTHLY;BYSETPOS=-1", "BYSETPOS is not supported"},
		{"FREQ=DAILY;BYHOUR=9", "BYHOUR is not supported"},
		{"FREQ=DAILY;DTSTART=20261224", `unknown rule part "DTSTART"`},
		{"RRULE;X-REPEAT-FROM=COMPLETION:FREQ=WEEKLY;BYDAY=MO", "cannot also name BYDAY"},
		{"RRULE;X-REPEAT-FROM=COMPLETION:FREQ=MONTHLY;BYMONTHDAY=1", "cannot also name BYDAY, BYMONTHDAY"},
		{"RRULE:RRULE:FREQ=DAILY", `unknown rule part "RRULE:FREQ"`},
	} {
		r, err := recur.Parse(c.input)
		if err == nil {
			t.Errorf("Parse(%q) = %+v, want an error saying %q", c.input, r, c.want)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q): %q, want it to say %q", c.input, err, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		rule recur.Rule
		want string
	}{
		{recur.Rule{Interval: 1}, "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY"},
		{recur.Rule{Freq: recur.Daily}, "INTERVAL must be 1 to 999, not 0"},
		{recur.Rule{Freq: recur.Daily, Interval: 1, Kind: 7}, "unknown kind"},
		{recur.Rule{Freq: recur.Daily, Interval: 1, Count: -1}, "COUNT must be at least 1"},
		{recur.Rule{Freq: recur.Daily, Interval: 1, Until: task.Date{Year: 2026, Month: time.February, Day: 30}}, "is not a date"},
		{recur.Rule{Freq: recur.Weekly, Interval: 1, Days: 1 << 7}, "unknown days"},
		{recur.Rule{Freq: recur.Monthly, Interval: 1, Nth: 1}, "one weekday of the month"},
		{recur.Rule{Freq: recur.Yearly, Interval: 1, Month: -1, MonthDay: 1}, "BYMONTH must be 1 to 12"},
	} {
		if err := c.rule.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v.Validate() = %v, want it to say %q", c.rule, err, c.want)
		}
	}
}

func TestWeekdays(t *testing.T) {
	s := recur.On(time.Sunday, time.Wednesday, time.Monday, time.Wednesday)
	if got, want := s.List(), []time.Weekday{time.Monday, time.Wednesday, time.Sunday}; !slices.Equal(got, want) {
		t.Errorf("List() = %v, want %v (Monday first, each once)", got, want)
	}
	if !s.Has(time.Sunday) || s.Has(time.Tuesday) {
		t.Errorf("Has: %v", s.List())
	}
	if got := recur.WorkWeek.List(); len(got) != 5 || got[0] != time.Monday || got[4] != time.Friday {
		t.Errorf("WorkWeek is %v", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"RRULE:FREQ=WEEKLY;BYDAY=MO,TH;INTERVAL=2", "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=5",
		"RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;UNTIL=20401231",
		"freq=weekly;wkst=mo;byday=+1su", "FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=HOURLY", "RRULE;X-REPEAT-FROM=DUE:FREQ=DAILY",
		"", "RRULE:", "FREQ=DAILY;;", "ǅFREQ=DAILY", "FREQ=DAILY;COUNT=1;UNTIL=20260101",
	} {
		f.Add(s)
	}
	due := task.Date{Year: 2026, Month: time.December, Day: 9}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := recur.Parse(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("Parse(%q): an empty error", s)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("Parse(%q) = %+v, which Validate refuses: %v", s, r, err)
		}
		back, err := recur.Parse(r.String())
		if err != nil || back != r {
			t.Fatalf("Parse(%q) = %+v, written %q, which reads as %+v, %v", s, r, r.String(), back, err)
		}
		if r.Describe() == "" {
			t.Fatalf("%+v has no description", r)
		}
		// The next due of a valid rule is after the due, or after the day it was done.
		next, ok := r.Next(task.Due{Date: due}, 1, due.In(time.UTC).Add(12*time.Hour), time.UTC)
		if ok && !due.Before(next.Date) {
			t.Fatalf("%s: Next(%v) = %v", r, due, next.Date)
		}
		if first, ok := r.First(due); ok && first.Before(due) {
			t.Fatalf("%s: First(%v) = %v", r, due, first)
		}
	})
}
