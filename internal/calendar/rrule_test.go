package calendar

import (
	"slices"
	"testing"
	"time"

	"github.com/teambition/rrule-go"

	"todo/internal/recur"
	"todo/internal/task"
)

// dues are the next n dues of a task from due, done occurrences done, as the app moves it:
// each one done an hour before it is due.
func dues(r recur.Rule, due task.Due, done, n int, loc *time.Location) []time.Time {
	var out []time.Time
	for len(out) < n {
		if due.AllDay() {
			out = append(out, time.Date(due.Date.Year, due.Date.Month, due.Date.Day, 0, 0, 0, 0, time.UTC))
		} else {
			out = append(out, due.At.In(loc))
		}
		next, ok := r.Next(due, done+1, due.Key(loc).Add(-time.Hour), loc)
		if !ok {
			break
		}
		due, done = next, done+1
	}
	return out
}

// expand is the first n occurrences of an RFC 5545 RRULE from dtstart, by rrule-go.
func expand(t *testing.T, value string, dtstart time.Time, n int) []time.Time {
	t.Helper()
	o, err := rrule.StrToROption(value)
	if err != nil {
		t.Fatalf("RRULE %s: %v", value, err)
	}
	o.Dtstart = dtstart
	r, err := rrule.NewRRule(*o)
	if err != nil {
		t.Fatalf("RRULE %s: %v", value, err)
	}
	var out []time.Time
	next := r.Iterator()
	for len(out) < n {
		v, ok := next()
		if !ok {
			break
		}
		out = append(out, v)
	}
	return out
}

func TestRRuleRepeatsAsTheApp(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	newYork, _ := time.LoadLocation("America/New_York")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	day := func(y int, m time.Month, d int) task.Due { return task.Due{Date: task.Date{Year: y, Month: m, Day: d}} }
	at := func(y int, m time.Month, d, hh, mm int, loc *time.Location) task.Due {
		return task.DueAt(task.Date{Year: y, Month: m, Day: d}, hh, mm, loc)
	}
	cases := []struct {
		name string
		rule string
		due  task.Due
		done int
		loc  *time.Location
		want string // the RRULE
	}{
		{"weekdays", "FREQ=WEEKLY;BYDAY=MO,TH", day(2027, time.March, 1), 0, paris, "FREQ=WEEKLY;BYDAY=MO,TH"},
		{"every 2 weeks", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", day(2027, time.March, 4), 0, paris, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"},
		{"the 31st", "FREQ=MONTHLY;BYMONTHDAY=31", day(2027, time.January, 31), 0, paris, "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"},
		{"the 30th at 09:30 across summer time", "FREQ=MONTHLY;BYMONTHDAY=30", at(2027, time.January, 30, 9, 30, paris), 0, paris,
			"FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1"},
		{"the 29th every 3 months", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=29", day(2027, time.November, 29), 0, paris,
			"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=28,29;BYSETPOS=-1"},
		{"the last day", "FREQ=MONTHLY;BYMONTHDAY=-1", day(2027, time.January, 31), 0, paris, "FREQ=MONTHLY;BYMONTHDAY=-1"},
		{"the last Friday", "FREQ=MONTHLY;BYDAY=-1FR", day(2027, time.January, 29), 0, paris, "FREQ=MONTHLY;BYDAY=-1FR"},
		{"29 February", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", day(2028, time.February, 29), 0, paris,
			"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"},
		{"Christmas Eve", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", day(2027, time.December, 24), 0, paris, "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24"},
		{"5 times, 2 done", "FREQ=DAILY;COUNT=5", day(2027, time.May, 3), 2, paris, "FREQ=DAILY;COUNT=3"},
		{"until a date", "FREQ=DAILY;INTERVAL=2;UNTIL=20270510", day(2027, time.May, 1), 0, paris, "FREQ=DAILY;INTERVAL=2;UNTIL=20270510"},
		// The last one is at 23:30 in New York on the 10th: 04:30 UTC on the 11th, before the end
		// of the 10th there, 04:59:59.
		{"until a date, at a time", "FREQ=DAILY;UNTIL=20270310", at(2027, time.March, 5, 23, 30, newYork), 0, newYork,
			"FREQ=DAILY;UNTIL=20270311T045959Z"},
		// 08:00 on Monday in Tokyo is Sunday in UTC: the rule counts in the user's zone.
		{"weekly at a time east of UTC", "FREQ=WEEKLY", at(2027, time.March, 1, 8, 0, tokyo), 0, tokyo, "FREQ=WEEKLY"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := recur.Parse(c.rule)
			if err != nil {
				t.Fatal(err)
			}
			got := rruleOf(task.Task{Repeat: r, Due: &c.due, RepeatDone: c.done}, c.loc)
			if got != c.want {
				t.Fatalf("RRULE %s, want %s", got, c.want)
			}
			want := dues(r, c.due, c.done, 12, c.loc)
			dtstart := want[0]
			if occurrences := expand(t, got, dtstart, 12); !slices.EqualFunc(occurrences, want, time.Time.Equal) {
				t.Errorf("RRULE:%s from %v is on\n%v\nthe app's dues are\n%v", got, dtstart, occurrences, want)
			}
		})
	}
}

func TestNoRRuleWhereTheFeedCannotShowTheOccurrences(t *testing.T) {
	wednesday := task.Due{Date: task.Date{Year: 2027, Month: time.March, Day: 3}}
	cases := []struct {
		name string
		rule string
		t    task.Task
	}{
		{"from completion", "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3", task.Task{}},
		{"completed for good", "FREQ=DAILY;COUNT=2", task.Task{Completed: true, RepeatDone: 2}},
		{"a due off the pattern", "FREQ=WEEKLY;BYDAY=MO", task.Task{}},
		{"past its last date", "FREQ=DAILY;UNTIL=20270301", task.Task{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := recur.Parse(c.rule)
			if err != nil {
				t.Fatal(err)
			}
			c.t.Repeat, c.t.Due = r, &wednesday
			if got := rruleOf(c.t, time.UTC); got != "" {
				t.Errorf("RRULE %s, want none", got)
			}
		})
	}
}
