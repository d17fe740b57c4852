package web

import (
	"fmt"
	"time"

	"todo/internal/task"
)

// dueLabel is a due as its user reads it, on the server, in their time zone: the browser's
// zone plays no part, so that "today" on the page is the "today" of the Today view.
type dueLabel struct {
	Text    string // "Tomorrow 14:30", "Friday", "Fri 12 Dec", "Overdue by 2 days"
	Full    string // the whole date, for a tooltip: "Friday 12 December 2026, 14:30"
	Machine string // the datetime attribute: "2026-12-12", or the instant in RFC 3339
	Overdue bool   // open and past due, as the Today view and the due=overdue filter say
}

// describeDue says when d is, for a task that is completed or not, at now in loc. An open task
// past its due is overdue: an all-day due from the day after, a timed one from its instant.
func describeDue(d task.Due, completed bool, now time.Time, loc *time.Location) dueLabel {
	today := task.DateOf(now.In(loc))
	day := d.DayIn(loc)
	l := dueLabel{Text: dayName(day, today), Full: fullDate(day), Machine: day.String()}
	clock := ""
	if !d.AllDay() {
		clock = d.At.In(loc).Format("15:04")
		l.Text += " " + clock
		l.Full += ", " + clock
		l.Machine = d.At.UTC().Format(time.RFC3339)
	}
	if completed {
		return l
	}
	late := daysBetween(day, today)
	switch {
	case late > 0:
		l.Overdue = true
		l.Text = fmt.Sprintf("Overdue by %d %s", late, plural(int64(late), "day", "days"))
	case !d.AllDay() && d.At.Before(now):
		l.Overdue = true
		l.Text = "Overdue since " + clock
	}
	return l
}

// dayName names day as seen on today: "Today", "Tomorrow", "Yesterday", the weekday within
// the six days ahead, else "Fri 12 Dec", with the year when it is not this year's.
func dayName(day, today task.Date) string {
	switch ahead := daysBetween(today, day); {
	case ahead == 0:
		return "Today"
	case ahead == 1:
		return "Tomorrow"
	case ahead == -1:
		return "Yesterday"
	case ahead > 1 && ahead < 7:
		return day.Weekday().String()
	}
	return shortDate(day, today)
}

// dayHeading is the heading of a day of the Upcoming view: "Today", "Tomorrow", "Fri 12 Dec".
func dayHeading(day, today task.Date) string {
	switch daysBetween(today, day) {
	case 0:
		return "Today"
	case 1:
		return "Tomorrow"
	}
	return shortDate(day, today)
}

func shortDate(day, today task.Date) string {
	s := day.Weekday().String()[:3] + " " + fmt.Sprint(day.Day) + " " + day.Month.String()[:3]
	if day.Year != today.Year {
		s += " " + fmt.Sprint(day.Year)
	}
	return s
}

func fullDate(day task.Date) string {
	return fmt.Sprintf("%s %d %s %d", day.Weekday(), day.Day, day.Month, day.Year)
}

// daysBetween is the number of calendar days from a to b (negative when b comes first),
// counted on the calendar rather than in hours, which a change of clocks would skew.
func daysBetween(a, b task.Date) int {
	utc := func(d task.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }
	return int(utc(b).Sub(utc(a)) / (24 * time.Hour))
}
