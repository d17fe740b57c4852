package calendar

import (
	"strconv"
	"strings"
	"time"

	"todo/internal/recur"
	"todo/internal/task"
)

// rruleOf is the RFC 5545 RRULE value (without "RRULE:") of the occurrences of t from its
// current due on, for a DTSTART at that due, or "" when t's occurrences cannot be shown ahead:
//
//   - a rule from completion has no dates until the task is done;
//   - a completed task repeats no more (its last occurrence is done);
//   - a due that is not on the rule's pattern (moved by hand to a Wednesday of a rule on
//     Mondays) is a DTSTART that RFC 5545 leaves undefined with its rule.
//
// Two parts are written differently from the app's own rule, so that they mean the same:
//
//   - COUNT: the app counts every occurrence, done ones included; the feed starts at the
//     current due, so it counts those still to come.
//   - BYMONTHDAY 29 to 31: the app falls on the last day of a month that lacks the day, RFC
//     5545 skips such a month. "The 30th or the last day" is, in RFC 5545, the last of days
//     28 to 30 that the month has: BYMONTHDAY=28,29,30;BYSETPOS=-1.
//
// UNTIL, a date in the app, stays a date for an all-day due; with a timed one RFC 5545 wants
// a UTC instant, the last second of that day in loc.
func rruleOf(t task.Task, loc *time.Location) string {
	if t.Repeat == nil || t.Due == nil || t.Completed {
		return ""
	}
	r, err := recur.Parse(t.Repeat.String())
	if err != nil || r.Kind != recur.FromDue {
		return ""
	}
	day := t.Due.DayIn(loc)
	if first, ok := r.First(day); !ok || first != day {
		return ""
	}
	if r.Count > 0 {
		r.Count -= t.RepeatDone
		if r.Count < 1 {
			return ""
		}
	}
	var extra []string
	if !t.Due.AllDay() && !r.Until.IsZero() {
		last := r.Until.AddDays(1).In(loc).Add(-time.Second)
		extra = append(extra, "UNTIL="+last.UTC().Format(utcFormat))
		r.Until = task.Date{}
	}
	if r.MonthDay > 28 {
		days := make([]string, 0, 4)
		for d := 28; d <= r.MonthDay; d++ {
			days = append(days, strconv.Itoa(d))
		}
		extra = append(extra, "BYMONTHDAY="+strings.Join(days, ","), "BYSETPOS=-1")
		r.MonthDay = 0
	}
	// The rest is RFC 5545's already, as recur writes it.
	return strings.Join(append([]string{strings.TrimPrefix(r.String(), "RRULE:")}, extra...), ";")
}

// utcFormat is RFC 5545's form of a UTC instant.
const utcFormat = "20060102T150405Z"
