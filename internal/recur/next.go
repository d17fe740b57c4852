package recur

import (
	"time"

	"github.com/teambition/rrule-go"

	"todo/internal/task"
)

// Next is when the task is due once the occurrence at due is done: done is how many
// occurrences have been done, this one included; completedAt is when it was done; loc is the
// user's time zone (UTC when nil), in which a timed due keeps its clock time and "the day it
// was done" is counted. The next due is all day when due is, and timed when due is.
//
// ok is false when the rule has no more occurrences: COUNT of them are done, the next one
// would fall after UNTIL (or after the year 9999), or r is not valid. The task is then done
// for good.
func (r Rule) Next(due task.Due, done int, completedAt time.Time, loc *time.Location) (next task.Due, ok bool) {
	if r.Validate() != nil || (r.Count > 0 && done >= r.Count) {
		return task.Due{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	day, doneOn := due.DayIn(loc), task.DateOf(completedAt.In(loc))
	var date task.Date
	switch r.Kind {
	case FromCompletion:
		date, ok = r.after(doneOn, doneOn)
	case FromDue:
		// Occurrences that came before the task was done are skipped: for an all-day due
		// they are the days up to the day it was done, for a timed one the times up to the
		// instant.
		after := day
		if day.Before(doneOn) {
			after = doneOn
			if !due.AllDay() {
				after = doneOn.AddDays(-1)
			}
		}
		date, ok = r.after(day, after)
		if ok && !due.AllDay() && date == doneOn && !at(due, date, loc).After(completedAt) {
			date, ok = r.after(day, date)
		}
	}
	if !ok || !r.allows(date) {
		return task.Due{}, false
	}
	if due.AllDay() {
		return task.Due{Date: date}, true
	}
	return task.Due{At: at(due, date, loc)}, true
}

// First is the first occurrence on or after from: the due of a task that gets a rule and had
// no due. ok is false when it would fall after UNTIL, or r is not valid.
func (r Rule) First(from task.Date) (first task.Date, ok bool) {
	if r.Validate() != nil {
		return task.Date{}, false
	}
	first, ok = r.after(from, from.AddDays(-1))
	return first, ok && r.allows(first)
}

// allows tells whether UNTIL lets an occurrence fall on date.
func (r Rule) allows(date task.Date) bool {
	return r.Until.IsZero() || !r.Until.Before(date)
}

// at is the instant on date at the clock time that due shows in loc (its seconds included).
// A clock time that summer time skips on date moves forward by the change.
func at(due task.Due, date task.Date, loc *time.Location) time.Time {
	local := due.At.In(loc)
	t := task.DueAt(date, local.Hour(), local.Minute(), loc).At
	return t.Add(time.Duration(local.Second())*time.Second + time.Duration(local.Nanosecond())).Truncate(time.Microsecond)
}

// after is the first occurrence of r after the date after, for the rule's pattern and phase
// taken from anchor (where the parts r does not name, and the count of its intervals, come
// from). after is at least the day before anchor.
func (r Rule) after(anchor, after task.Date) (task.Date, bool) {
	if !exists(anchor) || !exists(after) {
		return task.Date{}, false
	}
	rule, err := rrule.NewRRule(r.Anchored(anchor).option(r.start(anchor, after)))
	if err != nil {
		return task.Date{}, false // Validate keeps the options within RFC 5545's bounds
	}
	t := rule.After(midnight(after), false)
	if t.IsZero() {
		return task.Date{}, false
	}
	return task.DateOf(t), true
}

// Anchored is r with the parts it leaves to its start named from the date it starts on: the
// weekday of a weekly rule, the day of a monthly one, the date of a yearly one. A rule from
// the due names them once, when it is set (every month, set on the 31st, is every month on
// the 31st); a rule from completion takes them from each day the task is done, and is not
// valid with them named.
func (r Rule) Anchored(anchor task.Date) Rule {
	switch {
	case r.Freq == Weekly && r.Days == 0:
		r.Days = On(anchor.Weekday())
	case r.Freq == Monthly && r.Days == 0 && r.MonthDay == 0:
		r.MonthDay = anchor.Day
	case r.Freq == Yearly && r.Month == 0:
		r.Month, r.MonthDay = anchor.Month, anchor.Day
	}
	return r
}

// start is where the iteration of r begins to find an occurrence after the date after: anchor,
// moved on by as many whole intervals as fit before after, so that a task done years late does
// not go through every occurrence it missed, and the intervals still count from anchor.
func (r Rule) start(anchor, after task.Date) task.Date {
	if !anchor.Before(after) {
		return anchor
	}
	switch r.Freq {
	case Daily, Weekly:
		period := r.Interval
		if r.Freq == Weekly {
			period *= 7
		}
		days := int((midnight(after).Unix() - midnight(anchor).Unix()) / (24 * 60 * 60))
		return anchor.AddDays(days / period * period)
	case Monthly:
		months := (after.Year-anchor.Year)*12 + int(after.Month-anchor.Month)
		if months = months / r.Interval * r.Interval; months > 0 {
			return task.DateOf(time.Date(anchor.Year, anchor.Month+time.Month(months), 1, 12, 0, 0, 0, time.UTC))
		}
	case Yearly:
		if years := (after.Year - anchor.Year) / r.Interval * r.Interval; years > 0 {
			return task.Date{Year: anchor.Year + years, Month: time.January, Day: 1}
		}
	}
	return anchor
}

// option is r for rrule-go, counting in dates from start. COUNT and UNTIL are left out: Next
// counts the occurrences done, and UNTIL is a date in the user's zone.
//
// A day of the month that a month lacks becomes that month's last day with RFC 5545's own
// means: BYMONTHDAY=29,30,31 with BYSETPOS=-1 is the 31st, or the last of the three that the
// month has (and 28 February with 28 in the list).
func (r Rule) option(start task.Date) rrule.ROption {
	o := rrule.ROption{
		Freq:     rruleFreqs[r.Freq],
		Dtstart:  midnight(start),
		Interval: r.Interval,
		Wkst:     rrule.MO,
	}
	if r.Month != 0 {
		o.Bymonth = []int{int(r.Month)}
	}
	switch {
	case r.MonthDay > 28:
		for d := 28; d <= r.MonthDay; d++ {
			o.Bymonthday = append(o.Bymonthday, d)
		}
		o.Bysetpos = []int{-1}
	case r.MonthDay != 0:
		o.Bymonthday = []int{r.MonthDay}
	}
	for _, d := range r.Days.List() {
		wd := rruleWeekdays[d]
		if r.Nth != 0 {
			wd = wd.Nth(r.Nth)
		}
		o.Byweekday = append(o.Byweekday, wd)
	}
	return o
}

// rruleFreqs are rrule-go's frequencies, by Freq.
var rruleFreqs = [...]rrule.Frequency{Daily: rrule.DAILY, Weekly: rrule.WEEKLY, Monthly: rrule.MONTHLY, Yearly: rrule.YEARLY}

// rruleWeekdays are rrule-go's days, by time.Weekday.
var rruleWeekdays = [...]rrule.Weekday{rrule.SU, rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA}

// midnight is the start of date in UTC: rrule-go counts in these, which no change of
// clocks moves.
func midnight(date task.Date) time.Time {
	return time.Date(date.Year, date.Month, date.Day, 0, 0, 0, 0, time.UTC)
}
