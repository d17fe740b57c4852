package recur_test

import (
	"testing"
	"time"

	"todo/internal/recur"
	"todo/internal/task"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := task.LoadTimeZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustParse(t testing.TB, s string) recur.Rule {
	t.Helper()
	r, err := recur.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return r
}

// The cases write a due as a date, all day ("2027-01-31"), or as a date and a clock time in
// the case's zone ("2027-03-13 09:00", or with seconds); a result carries the zone's
// abbreviation as well, so that a change of clocks shows ("2027-03-14 09:00 EDT").
const (
	dateLayout          = time.DateOnly
	clockLayout         = "2006-01-02 15:04"
	secondsLayout       = "2006-01-02 15:04:05"
	resultLayout        = "2006-01-02 15:04 MST"
	resultSecondsLayout = "2006-01-02 15:04:05 MST"
)

func instant(t testing.TB, s string, loc *time.Location) time.Time {
	t.Helper()
	for _, layout := range []string{clockLayout, secondsLayout} {
		if at, err := time.ParseInLocation(layout, s, loc); err == nil {
			return at
		}
	}
	t.Fatalf("%q is neither %q nor %q", s, clockLayout, secondsLayout)
	return time.Time{}
}

func dueOf(t testing.TB, s string, loc *time.Location) task.Due {
	t.Helper()
	if len(s) == len(dateLayout) {
		d, err := task.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return task.Due{Date: d}
	}
	return task.Due{At: instant(t, s, loc).UTC()}
}

func format(d task.Due, ok bool, loc *time.Location) string {
	switch {
	case !ok:
		return "none"
	case d.AllDay():
		return d.Date.String()
	case d.At.Second() != 0:
		return d.At.In(loc).Format(resultSecondsLayout)
	}
	return d.At.In(loc).Format(resultLayout)
}

type nextCase struct {
	name      string
	rule      string
	due       string
	done      int    // occurrences done, this one included; 1 when 0
	completed string // when it was done: a date is at noon; "" is on the day of the due, at noon
	want      string // the next due, or "none"
}

func runNext(t *testing.T, loc *time.Location, cases []nextCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rule := mustParse(t, c.rule)
			due := dueOf(t, c.due, loc)
			completed := c.completed
			if completed == "" {
				completed = c.due[:len(dateLayout)]
			}
			if len(completed) == len(dateLayout) {
				completed += " 12:00"
			}
			done := max(c.done, 1)
			got, ok := rule.Next(due, done, instant(t, completed, loc), loc)
			if s := format(got, ok, loc); s != c.want {
				t.Errorf("%s: Next(%s, done %d, completed %s) = %s, want %s", c.rule, c.due, done, completed, s, c.want)
			}
			if ok && got.AllDay() != due.AllDay() {
				t.Errorf("Next of %+v is %+v: all day and timed must not mix", due, got)
			}
		})
	}
}

func TestNextFromTheDueOnDates(t *testing.T) {
	runNext(t, time.UTC, []nextCase{
		{name: "daily", rule: "RRULE:FREQ=DAILY", due: "2026-12-09", want: "2026-12-10"},
		{name: "every 3 days", rule: "RRULE:FREQ=DAILY;INTERVAL=3", due: "2026-12-09", want: "2026-12-12"},
		{name: "daily across the year end", rule: "RRULE:FREQ=DAILY", due: "2026-12-31", want: "2027-01-01"},
		{name: "weekly on the due's weekday", rule: "RRULE:FREQ=WEEKLY", due: "2026-12-09", want: "2026-12-16"},
		{name: "every 2 weeks, Monday to Thursday", rule: "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", due: "2026-12-07", want: "2026-12-10"},
		{name: "every 2 weeks, Thursday to Monday", rule: "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", due: "2026-12-10", want: "2026-12-21"},
		{name: "every weekday, Friday to Monday", rule: "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", due: "2026-12-11", want: "2026-12-14"},
		{name: "a due moved off its weekdays comes back to them", rule: "RRULE:FREQ=WEEKLY;BYDAY=MO", due: "2026-12-09", want: "2026-12-14"},
		{name: "monthly on the 1st, every 3 months", rule: "RRULE:FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1", due: "2026-12-01", want: "2027-03-01"},
		{name: "monthly on the last Friday", rule: "RRULE:FREQ=MONTHLY;BYDAY=-1FR", due: "2026-12-25", want: "2027-01-29"},
		{name: "monthly on the 2nd Tuesday", rule: "RRULE:FREQ=MONTHLY;BYDAY=2TU", due: "2026-12-08", want: "2027-01-12"},
		{name: "monthly on the first Monday from a due that is not one", rule: "RRULE:FREQ=MONTHLY;BYDAY=1MO", due: "2026-12-09", want: "2027-01-04"},
		{name: "yearly on 24 December, every 2 years", rule: "RRULE:FREQ=YEARLY;INTERVAL=2;BYMONTH=12;BYMONTHDAY=24", due: "2026-12-24", want: "2028-12-24"},
	})
}

func TestNextAtTheEndOfMonths(t *testing.T) {
	// A day that a month lacks is its last day; the rule keeps its day for the months after.
	const on31 = "RRULE:FREQ=MONTHLY;BYMONTHDAY=31"
	runNext(t, time.UTC, []nextCase{
		{name: "31st to 28 February", rule: on31, due: "2027-01-31", want: "2027-02-28"},
		{name: "28 February back to the 31st", rule: on31, due: "2027-02-28", want: "2027-03-31"},
		{name: "31st to 30 April", rule: on31, due: "2027-03-31", want: "2027-04-30"},
		{name: "31st to 29 February in a leap year", rule: on31, due: "2028-01-31", want: "2028-02-29"},
		{name: "31st, every 2 months", rule: "RRULE:FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31", due: "2027-07-31", want: "2027-09-30"},
		{name: "30th to 28 February", rule: "RRULE:FREQ=MONTHLY;BYMONTHDAY=30", due: "2027-01-30", want: "2027-02-28"},
		{name: "30th after February", rule: "RRULE:FREQ=MONTHLY;BYMONTHDAY=30", due: "2027-02-28", want: "2027-03-30"},
		{name: "29th in a common year", rule: "RRULE:FREQ=MONTHLY;BYMONTHDAY=29", due: "2027-01-29", want: "2027-02-28"},
		{name: "29th in a leap year", rule: "RRULE:FREQ=MONTHLY;BYMONTHDAY=29", due: "2028-01-29", want: "2028-02-29"},
		{name: "last day, January", rule: "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1", due: "2027-01-31", want: "2027-02-28"},
		{name: "last day, February", rule: "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1", due: "2027-02-28", want: "2027-03-31"},
		{name: "last day, March", rule: "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1", due: "2027-03-31", want: "2027-04-30"},
		{name: "29 February to 28 February", rule: "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", due: "2028-02-29", want: "2029-02-28"},
		{name: "28 February of a common year stays", rule: "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", due: "2029-02-28", want: "2030-02-28"},
		{name: "back to 29 February in a leap year", rule: "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", due: "2031-02-28", want: "2032-02-29"},
		{name: "28 February yearly stays on the 28th", rule: "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28", due: "2027-02-28", want: "2028-02-28"},
	})
}

func TestNextWhenDoneLateOrEarly(t *testing.T) {
	runNext(t, time.UTC, []nextCase{
		// Every Monday stays on Mondays; the Mondays that passed are not owed.
		{name: "done on a Thursday, 10 days late", rule: "RRULE:FREQ=WEEKLY;BYDAY=MO", due: "2026-11-30", completed: "2026-12-10", want: "2026-12-14"},
		{name: "done on a later Monday: that Monday counts as done", rule: "RRULE:FREQ=WEEKLY;BYDAY=MO", due: "2026-11-30", completed: "2026-12-07", want: "2026-12-14"},
		{name: "done early: the occurrence after the due", rule: "RRULE:FREQ=WEEKLY;BYDAY=MO", due: "2026-12-14", completed: "2026-12-09", want: "2026-12-21"},
		{name: "daily, 3 days late: tomorrow", rule: "RRULE:FREQ=DAILY", due: "2026-12-06", completed: "2026-12-09", want: "2026-12-10"},
		// The intervals still count from the due: every third day from 1 January 2000.
		{name: "every 3 days, 26 years late", rule: "RRULE:FREQ=DAILY;INTERVAL=3", due: "2000-01-01", completed: "2026-12-09", want: "2026-12-10"},
		{name: "every 2 weeks, 26 years late", rule: "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", due: "2000-01-03", completed: "2026-12-09", want: "2026-12-14"},
		{name: "monthly on the 31st, late into April", rule: "RRULE:FREQ=MONTHLY;BYMONTHDAY=31", due: "2026-01-31", completed: "2026-04-15", want: "2026-04-30"},
		{name: "every 3 months, a year late", rule: "RRULE:FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15", due: "2025-11-15", completed: "2026-12-09", want: "2027-02-15"},
		{name: "yearly, 3 years late", rule: "RRULE:FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=5", due: "2023-03-05", completed: "2026-12-09", want: "2027-03-05"},
		{name: "every 4 years on 29 February, late", rule: "RRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", due: "2020-02-29", completed: "2026-12-09", want: "2028-02-29"},
	})
}

func TestNextCountAndUntil(t *testing.T) {
	runNext(t, time.UTC, []nextCase{
		{name: "first of 3", rule: "RRULE:FREQ=DAILY;COUNT=3", due: "2026-12-09", done: 1, want: "2026-12-10"},
		{name: "second of 3", rule: "RRULE:FREQ=DAILY;COUNT=3", due: "2026-12-10", done: 2, want: "2026-12-11"},
		{name: "third of 3 is the last", rule: "RRULE:FREQ=DAILY;COUNT=3", due: "2026-12-11", done: 3, want: "none"},
		{name: "once", rule: "RRULE:FREQ=WEEKLY;COUNT=1", due: "2026-12-11", done: 1, want: "none"},
		{name: "skipped occurrences do not count", rule: "RRULE:FREQ=DAILY;COUNT=3", due: "2026-12-01", done: 2, completed: "2026-12-09", want: "2026-12-10"},
		{name: "until: the day before", rule: "RRULE:FREQ=DAILY;UNTIL=20261224", due: "2026-12-23", want: "2026-12-24"},
		{name: "until: on the day", rule: "RRULE:FREQ=DAILY;UNTIL=20261224", due: "2026-12-24", want: "none"},
		{name: "until: the next falls after it", rule: "RRULE:FREQ=WEEKLY;UNTIL=20261224", due: "2026-12-18", want: "none"},
		{name: "until: done late past it", rule: "RRULE:FREQ=DAILY;UNTIL=20261224", due: "2026-12-20", completed: "2026-12-24", want: "none"},
		{name: "until, from completion", rule: "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3;UNTIL=20261224", due: "2026-12-20", completed: "2026-12-22", want: "none"},
		{name: "count, from completion", rule: "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;COUNT=2", due: "2026-12-20", done: 2, want: "none"},
		{name: "the calendar ends in 9999", rule: "RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", due: "9999-12-24", want: "none"},
	})
}

func TestNextFromCompletion(t *testing.T) {
	const every3Days = "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3"
	runNext(t, time.UTC, []nextCase{
		{name: "3 days after it was done late", rule: every3Days, due: "2026-12-01", completed: "2026-12-09", want: "2026-12-12"},
		{name: "3 days after it was done early", rule: every3Days, due: "2026-12-09", completed: "2026-12-02", want: "2026-12-05"},
		{name: "a week after", rule: "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=WEEKLY", due: "2026-12-07", completed: "2026-12-09", want: "2026-12-16"},
		{name: "2 weeks after", rule: "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=WEEKLY;INTERVAL=2", due: "2026-12-07", completed: "2026-12-09", want: "2026-12-23"},
		{name: "a month after the 31st", rule: "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=MONTHLY", due: "2027-01-20", completed: "2027-01-31", want: "2027-02-28"},
		{name: "a month after 28 February", rule: "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=MONTHLY", due: "2027-02-20", completed: "2027-02-28", want: "2027-03-28"},
		{name: "a year after 29 February", rule: "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=YEARLY", due: "2028-02-20", completed: "2028-02-29", want: "2029-02-28"},
		{name: "4 years after 29 February", rule: "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=YEARLY;INTERVAL=4", due: "2028-02-20", completed: "2028-02-29", want: "2032-02-29"},
	})
}

func TestNextKeepsTheClockTimeAcrossDST(t *testing.T) {
	for _, c := range []struct {
		zone  string
		cases []nextCase
	}{
		{"America/New_York", []nextCase{
			{name: "09:00 into summer time", rule: "RRULE:FREQ=DAILY", due: "2027-03-13 09:00", completed: "2027-03-13 09:30", want: "2027-03-14 09:00 EDT"},
			{name: "09:00 out of summer time", rule: "RRULE:FREQ=DAILY", due: "2027-11-06 09:00", completed: "2027-11-06 09:30", want: "2027-11-07 09:00 EST"},
			{name: "weekly across the change", rule: "RRULE:FREQ=WEEKLY;BYDAY=SA", due: "2027-03-06 09:00", completed: "2027-03-06 10:00", want: "2027-03-13 09:00 EST"},
			{name: "weekly after the change", rule: "RRULE:FREQ=WEEKLY;BYDAY=SA", due: "2027-03-13 09:00", completed: "2027-03-13 10:00", want: "2027-03-20 09:00 EDT"},
			{name: "monthly on the 31st across the change", rule: "RRULE:FREQ=MONTHLY;BYMONTHDAY=31", due: "2027-01-31 18:45", completed: "2027-01-31 19:00", want: "2027-02-28 18:45 EST"},
			{name: "monthly across the change", rule: "RRULE:FREQ=MONTHLY;BYMONTHDAY=31", due: "2027-02-28 18:45", completed: "2027-02-28 19:00", want: "2027-03-31 18:45 EDT"},
			// 02:30 does not exist on 14 March 2027: it moves forward by the change.
			{name: "a time that summer time skips moves forward", rule: "RRULE:FREQ=DAILY", due: "2027-03-13 02:30", completed: "2027-03-13 03:00", want: "2027-03-14 03:30 EDT"},
			// 01:30 happens twice on 7 November 2027: the first, in summer time, as time.Date reads it.
			{name: "a time that happens twice is the first", rule: "RRULE:FREQ=DAILY", due: "2027-11-06 01:30", completed: "2027-11-06 02:00", want: "2027-11-07 01:30 EDT"},
			{name: "from completion across the change", rule: "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3", due: "2027-03-10 09:00", completed: "2027-03-12 20:00", want: "2027-03-15 09:00 EDT"},
			// The day it was done is the user's: 23:30 in New York is already the next day in UTC.
			{name: "from completion late in the evening", rule: "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3", due: "2026-12-01 09:00", completed: "2026-12-09 23:30", want: "2026-12-12 09:00 EST"},
			{name: "all day across the change", rule: "RRULE:FREQ=DAILY", due: "2027-03-13", completed: "2027-03-13 23:00", want: "2027-03-14"},
			{name: "seconds are kept", rule: "RRULE:FREQ=DAILY", due: "2027-03-13 09:00:30", completed: "2027-03-13 09:30", want: "2027-03-14 09:00:30 EDT"},
		}},
		{"Europe/Berlin", []nextCase{
			{name: "09:00 into summer time", rule: "RRULE:FREQ=DAILY", due: "2027-03-27 09:00", completed: "2027-03-27 09:30", want: "2027-03-28 09:00 CEST"},
			{name: "09:00 out of summer time", rule: "RRULE:FREQ=DAILY", due: "2027-10-30 09:00", completed: "2027-10-30 09:30", want: "2027-10-31 09:00 CET"},
			{name: "a time that summer time skips moves forward", rule: "RRULE:FREQ=DAILY", due: "2027-03-27 02:15", completed: "2027-03-27 03:00", want: "2027-03-28 03:15 CEST"},
			{name: "every 2 weeks across the change", rule: "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", due: "2027-03-25 07:00", completed: "2027-03-25 08:00", want: "2027-04-05 07:00 CEST"},
			{name: "yearly on 29 February at noon", rule: "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", due: "2028-02-29 12:00", completed: "2028-02-29 13:00", want: "2029-02-28 12:00 CET"},
		}},
	} {
		t.Run(c.zone, func(t *testing.T) { runNext(t, zone(t, c.zone), c.cases) })
	}
}

func TestNextOfATimedDueDoneLate(t *testing.T) {
	runNext(t, zone(t, "Europe/Berlin"), []nextCase{
		// The occurrences up to the instant it was done are skipped; a later one that day is not.
		{name: "done the next morning, before that evening's", rule: "RRULE:FREQ=DAILY", due: "2026-12-07 21:00", completed: "2026-12-08 07:00", want: "2026-12-08 21:00 CET"},
		{name: "done days later, before that day's", rule: "RRULE:FREQ=DAILY", due: "2026-12-07 09:00", completed: "2026-12-10 08:00", want: "2026-12-10 09:00 CET"},
		{name: "done days later, after that day's", rule: "RRULE:FREQ=DAILY", due: "2026-12-07 09:00", completed: "2026-12-10 10:00", want: "2026-12-11 09:00 CET"},
		{name: "done at the very time of a later one", rule: "RRULE:FREQ=DAILY", due: "2026-12-07 09:00", completed: "2026-12-10 09:00", want: "2026-12-11 09:00 CET"},
		{name: "weekly, done on the next Monday before 09:00", rule: "RRULE:FREQ=WEEKLY;BYDAY=MO", due: "2026-11-30 09:00", completed: "2026-12-07 08:00", want: "2026-12-07 09:00 CET"},
		{name: "weekly, done on the next Monday after 09:00", rule: "RRULE:FREQ=WEEKLY;BYDAY=MO", due: "2026-11-30 09:00", completed: "2026-12-07 10:00", want: "2026-12-14 09:00 CET"},
		{name: "done early the day before", rule: "RRULE:FREQ=DAILY", due: "2026-12-10 09:00", completed: "2026-12-09 22:00", want: "2026-12-11 09:00 CET"},
		{name: "done late the same day", rule: "RRULE:FREQ=DAILY", due: "2026-12-10 09:00", completed: "2026-12-10 23:00", want: "2026-12-11 09:00 CET"},
	})
}

func TestNextInTheUsersZone(t *testing.T) {
	// A due set at 09:00 in Berlin is 03:00 in New York: after a move, the task repeats at the
	// clock time its instant has in the zone the user is in now.
	berlin, newYork := zone(t, "Europe/Berlin"), zone(t, "America/New_York")
	due := dueOf(t, "2026-12-09 09:00", berlin)
	got, ok := mustParse(t, "FREQ=DAILY").Next(due, 1, due.At, newYork)
	if s := format(got, ok, newYork); s != "2026-12-10 03:00 EST" {
		t.Errorf("next in New York of 09:00 in Berlin: %s", s)
	}
	// Without a zone, UTC.
	got, ok = mustParse(t, "FREQ=DAILY").Next(due, 1, due.At, nil)
	if s := format(got, ok, time.UTC); s != "2026-12-10 08:00 UTC" {
		t.Errorf("next in UTC of 09:00 in Berlin: %s", s)
	}
}

func TestNextOfAnInvalidRuleIsNone(t *testing.T) {
	due := task.Due{Date: task.Date{Year: 2026, Month: time.December, Day: 9}}
	for _, r := range []recur.Rule{
		{},
		{Freq: recur.Daily},
		{Freq: recur.Monthly, Interval: 1, MonthDay: 40},
	} {
		if got, ok := r.Next(due, 1, due.Date.In(time.UTC), time.UTC); ok {
			t.Errorf("%+v.Next = %+v, want none", r, got)
		}
		if got, ok := r.First(due.Date); ok {
			t.Errorf("%+v.First = %v, want none", r, got)
		}
	}
}

func TestFirst(t *testing.T) {
	wednesday := task.Date{Year: 2026, Month: time.December, Day: 9}
	for _, c := range []struct {
		rule string
		from task.Date
		want string
	}{
		{"FREQ=DAILY", wednesday, "2026-12-09"},
		{"FREQ=DAILY;INTERVAL=3", wednesday, "2026-12-09"},
		{"FREQ=WEEKLY", wednesday, "2026-12-09"},
		{"FREQ=WEEKLY;BYDAY=MO,TH", wednesday, "2026-12-10"},
		{"FREQ=WEEKLY;BYDAY=WE", wednesday, "2026-12-09"},
		{"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", task.Date{Year: 2026, Month: time.December, Day: 12}, "2026-12-14"},
		{"FREQ=MONTHLY;BYMONTHDAY=1", wednesday, "2027-01-01"},
		{"FREQ=MONTHLY;BYMONTHDAY=31", task.Date{Year: 2027, Month: time.February, Day: 1}, "2027-02-28"},
		{"FREQ=MONTHLY;BYDAY=-1FR", wednesday, "2026-12-25"},
		{"FREQ=MONTHLY;BYDAY=-1FR", task.Date{Year: 2026, Month: time.December, Day: 26}, "2027-01-29"},
		{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", wednesday, "2027-02-28"},
		{"FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=9", wednesday, "2026-12-09"},
		{"RRULE;X-REPEAT-FROM=COMPLETION:FREQ=MONTHLY", wednesday, "2026-12-09"},
		{"FREQ=DAILY;UNTIL=20261209", wednesday, "2026-12-09"},
		{"FREQ=DAILY;UNTIL=20261208", wednesday, "none"},
		{"FREQ=MONTHLY;BYMONTHDAY=1;UNTIL=20261231", wednesday, "none"},
	} {
		got, ok := mustParse(t, c.rule).First(c.from)
		if s := format(task.Due{Date: got}, ok, time.UTC); s != c.want {
			t.Errorf("%s: First(%v) = %s, want %s", c.rule, c.from, s, c.want)
		}
	}
}

func BenchmarkNext(b *testing.B) {
	r := mustParse(b, "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH")
	berlin := zone(b, "Europe/Berlin")
	due := dueOf(b, "2026-12-07 09:00", berlin)
	for b.Loop() {
		r.Next(due, 1, due.At, berlin)
	}
}

func BenchmarkNextYearsLate(b *testing.B) {
	r := mustParse(b, "RRULE:FREQ=DAILY;INTERVAL=3")
	due := dueOf(b, "1900-01-01", time.UTC)
	done := time.Date(2026, 12, 9, 12, 0, 0, 0, time.UTC)
	for b.Loop() {
		r.Next(due, 1, done, time.UTC)
	}
}

func TestAnchored(t *testing.T) {
	wednesday := task.Date{Year: 2026, Month: time.December, Day: 9}
	for _, c := range []struct{ rule, want string }{
		{"FREQ=DAILY;INTERVAL=2", "RRULE:FREQ=DAILY;INTERVAL=2"},
		{"FREQ=WEEKLY", "RRULE:FREQ=WEEKLY;BYDAY=WE"},
		{"FREQ=WEEKLY;BYDAY=MO", "RRULE:FREQ=WEEKLY;BYDAY=MO"},
		{"RRULE;X-REPEAT-FROM=COMPLETION:FREQ=MONTHLY", "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=MONTHLY;BYMONTHDAY=9"},
		{"FREQ=MONTHLY;BYDAY=-1FR", "RRULE:FREQ=MONTHLY;BYDAY=-1FR"},
		{"FREQ=MONTHLY;BYMONTHDAY=-1", "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1"},
		{"RRULE;X-REPEAT-FROM=COMPLETION:FREQ=YEARLY;COUNT=3", "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=YEARLY;COUNT=3;BYMONTH=12;BYMONTHDAY=9"},
		{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"},
	} {
		if got := mustParse(t, c.rule).Anchored(wednesday).String(); got != c.want {
			t.Errorf("%s anchored on %v = %s, want %s", c.rule, wednesday, got, c.want)
		}
	}
}
