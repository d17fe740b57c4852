// Package recur is how a task repeats: a rule (every day, every 2 weeks on Monday and
// Thursday, every month on the last Friday, every year, …, until a date or for a number of
// times) and when the task is due next once an occurrence is done. It does no I/O.
//
// A rule is stored as an RFC 5545 RRULE content line, which Parse reads and Rule.String
// writes:
//
//	RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH
//	RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=5
//	RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3
//
// The X-REPEAT-FROM parameter (an RFC 5545 x-param, which other readers ignore) says which
// kind of rule it is, as in Todoist:
//
//   - from the due date (the default): the task stays on its pattern. Every Monday stays on
//     Mondays even when it is done late. A task done after some of its occurrences have come
//     is not owed them: it moves to the first occurrence that has not come yet (for an all-day
//     due, the first day after the day it was done; for a timed due, the first time after the
//     instant it was done). A task done early moves to the occurrence after its due.
//   - from completion: the next due is INTERVAL days, weeks, months or years after the day it
//     was done (water the plants 3 days after the last time). Such a rule names no weekday
//     or day of the month.
//
// A rule holds no time zone and no time of day: it counts in days. A due on a date (all day)
// recurs on dates, the same wherever the user is. A timed due recurs at the same clock time
// in the user's zone, given to Next, across changes to and from summer time; on a day when
// that time does not exist it moves forward by the change, as task.DueAt reads such times,
// and the occurrences after it keep the later time, which is the one the due then holds.
//
// Where RFC 5545 skips a month that lacks the day (FREQ=MONTHLY;BYMONTHDAY=31 has no
// occurrence in April), a rule here falls on the last day of that month, as Todoist and
// calendar apps do for tasks: a bill due on the 31st is due on 30 April, not in May. So
// 29 February, yearly, is 28 February in common years. BYMONTHDAY=-1 is the last day of
// every month.
//
// UNTIL is a date (UNTIL=20261224): the last day, in the user's zone, on which the task may
// be due. COUNT is how many times the task is due in all; occurrences that a late task skips
// do not count. Weeks start on Monday (WKST=MO), which matters only to a rule every 2 or
// more weeks on several days.
package recur

import (
	"errors"
	"fmt"
	"math/bits"
	"time"

	"todo/internal/task"
)

// Freq is how often a rule repeats: RRULE's FREQ. Rules more frequent than daily are not
// tasks' rules.
type Freq int

const (
	Daily Freq = iota + 1
	Weekly
	Monthly
	Yearly
)

// freqs are the FREQ values, and the English units of Describe, by Freq.
var freqs = [...]struct{ rrule, unit string }{
	Daily:   {"DAILY", "day"},
	Weekly:  {"WEEKLY", "week"},
	Monthly: {"MONTHLY", "month"},
	Yearly:  {"YEARLY", "year"},
}

func (f Freq) valid() bool { return f >= Daily && f <= Yearly }

// String is the FREQ value.
func (f Freq) String() string {
	if !f.valid() {
		return fmt.Sprintf("Freq(%d)", int(f))
	}
	return freqs[f].rrule
}

// Kind is what the next due is counted from.
type Kind int

const (
	// FromDue keeps the task on its pattern: the next due follows the current one.
	FromDue Kind = iota
	// FromCompletion counts the interval from the day the task was done.
	FromCompletion
)

// Weekdays is a set of days of the week: BYDAY.
type Weekdays uint8

// On is the set of the given days.
func On(days ...time.Weekday) Weekdays {
	var s Weekdays
	for _, d := range days {
		s |= 1 << (d % 7)
	}
	return s
}

// Has tells whether d is in s.
func (s Weekdays) Has(d time.Weekday) bool { return s&(1<<(d%7)) != 0 }

// List is the days of s, Monday first.
func (s Weekdays) List() []time.Weekday {
	var days []time.Weekday
	for i := range 7 {
		if d := time.Weekday((i + 1) % 7); s.Has(d) {
			days = append(days, d)
		}
	}
	return days
}

// WorkWeek is Monday to Friday.
const WorkWeek Weekdays = 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday

const everyDay Weekdays = 1<<7 - 1

// Limits of a rule.
const (
	MaxInterval = 999
	// Nth is 1 to MaxNth, or -1 for the last: every month has a fourth and a last Friday, but
	// not a fifth.
	MaxNth = 4
)

// Rule is a recurrence: every Interval days, weeks, months or years, on the parts it names,
// until a date or for a number of times. The zero Rule is not valid: Freq and Interval are
// required. Rules are comparable with ==.
type Rule struct {
	Freq Freq
	// Interval is every how many days, weeks, months or years: 1 to MaxInterval.
	Interval int
	// Kind is what the next due is counted from.
	Kind Kind

	// Days, in a weekly rule, are the days of the week it falls on; none is the weekday of the
	// due. In a monthly rule with Nth, it is the one weekday of "the last Friday".
	Days Weekdays
	// Nth is which of the month's Days a monthly rule falls on: 1 to MaxNth, or -1 for the
	// last. 0 when the rule does not name a weekday of the month.
	Nth int
	// MonthDay is the day of the month of a monthly rule (1 to 31, or -1 for the last day) or
	// of a yearly one (with Month); 0 when not named.
	MonthDay int
	// Month is the month of a yearly rule; 0 when not named.
	Month time.Month

	// Count is how many times the task is due in all; 0 for no limit.
	Count int
	// Until is the last date an occurrence may fall on; zero for no end.
	Until task.Date
}

// Validate tells what is wrong with r, in the terms of RRULE, or nil.
func (r Rule) Validate() error {
	if !r.Freq.valid() {
		return errors.New("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
	}
	if r.Interval < 1 || r.Interval > MaxInterval {
		return fmt.Errorf("INTERVAL must be 1 to %d, not %d", MaxInterval, r.Interval)
	}
	if r.Kind != FromDue && r.Kind != FromCompletion {
		return fmt.Errorf("unknown kind of rule %d", r.Kind)
	}
	if r.Count < 0 {
		return fmt.Errorf("COUNT must be at least 1, not %d", r.Count)
	}
	if r.Count > 0 && !r.Until.IsZero() {
		return errors.New("COUNT and UNTIL cannot be used together: a rule ends either after a number of times or on a date")
	}
	if !r.Until.IsZero() && !exists(r.Until) {
		return fmt.Errorf("UNTIL %v is not a date", r.Until)
	}
	if r.Days&^everyDay != 0 {
		return fmt.Errorf("BYDAY holds unknown days (%#x)", uint8(r.Days))
	}
	if r.Kind == FromCompletion && (r.Days != 0 || r.Nth != 0 || r.MonthDay != 0 || r.Month != 0) {
		return errors.New("a rule from completion repeats a number of days, weeks, months or years after the task is done: it cannot also name BYDAY, BYMONTHDAY or BYMONTH")
	}
	name := r.Freq.String()
	if r.Month != 0 && r.Freq != Yearly {
		return fmt.Errorf("BYMONTH does not fit FREQ=%s: only a yearly rule names a month", name)
	}
	if r.MonthDay != 0 && r.Freq != Monthly && r.Freq != Yearly {
		return fmt.Errorf("BYMONTHDAY does not fit FREQ=%s: only monthly and yearly rules name a day of the month", name)
	}
	switch r.Freq {
	case Daily:
		if r.Days != 0 || r.Nth != 0 {
			return errors.New("BYDAY does not fit FREQ=DAILY; for chosen weekdays use FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
		}
	case Weekly:
		if r.Nth != 0 {
			return errors.New("BYDAY in a weekly rule takes plain weekdays such as MO,TH, without a position such as -1")
		}
	case Monthly:
		return r.validateMonthly()
	case Yearly:
		return r.validateYearly()
	}
	return nil
}

func (r Rule) validateMonthly() error {
	switch {
	case r.Days != 0 && r.MonthDay != 0:
		return errors.New("a monthly rule falls on a day of the month (BYMONTHDAY) or on a weekday of the month (BYDAY), not both")
	case r.Days != 0 && r.Nth == 0:
		return errors.New("BYDAY in a monthly rule needs a position: 1MO is the first Monday, -1FR the last Friday")
	case r.Nth != 0 && bits.OnesCount8(uint8(r.Days)) != 1:
		return errors.New("a monthly rule falls on one weekday of the month, such as BYDAY=-1FR (the last Friday)")
	case r.Nth != 0 && (r.Nth < -1 || r.Nth > MaxNth):
		return fmt.Errorf("the position of a weekday in the month must be 1 to %d, or -1 for the last, not %d", MaxNth, r.Nth)
	case r.MonthDay != 0 && (r.MonthDay < -1 || r.MonthDay > 31):
		return fmt.Errorf("BYMONTHDAY must be 1 to 31, or -1 for the last day, not %d", r.MonthDay)
	case r.Kind == FromDue && r.Days == 0 && r.MonthDay == 0:
		// Taking the day from the due would drift: after the 31st fell on 30 April, the due
		// would say the 30th.
		return errors.New("a monthly rule names its day: BYMONTHDAY=1 (the 1st), BYMONTHDAY=-1 (the last day) or BYDAY=-1FR (the last Friday)")
	}
	return nil
}

func (r Rule) validateYearly() error {
	switch {
	case r.Days != 0 || r.Nth != 0:
		return errors.New("BYDAY does not fit FREQ=YEARLY: a yearly rule falls on a date, BYMONTH=12;BYMONTHDAY=24")
	case (r.Month == 0) != (r.MonthDay == 0):
		return errors.New("a yearly rule names both the month and the day, BYMONTH=12;BYMONTHDAY=24")
	case r.Month == 0 && r.Kind == FromDue:
		return errors.New("a yearly rule names its date: BYMONTH=12;BYMONTHDAY=24")
	case r.Month < 0 || r.Month > 12:
		return fmt.Errorf("BYMONTH must be 1 to 12, not %d", r.Month)
	case r.Month != 0 && (r.MonthDay < 1 || r.MonthDay > daysIn(2028, r.Month)):
		return fmt.Errorf("%s has no day %d", r.Month, r.MonthDay)
	}
	return nil
}

// daysIn is the number of days of month in year.
func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// exists tells whether d is a date of the calendar (not 30 February), in years 1 to 9999.
func exists(d task.Date) bool {
	return d.Year >= 1 && d.Year <= 9999 && d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}
