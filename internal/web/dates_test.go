package web

import (
	"testing"
	"time"

	"todo/internal/task"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := task.LoadTimeZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func date(y int, m time.Month, d int) task.Date { return task.Date{Year: y, Month: m, Day: d} }

func TestDescribeDue(t *testing.T) {
	auckland, angeles, london := zone(t, "Pacific/Auckland"), zone(t, "America/Los_Angeles"), zone(t, "Europe/London")
	// 11:30 UTC on Friday 11 December 2026 is 00:30 on Saturday the 12th in Auckland and
	// 03:30 on Friday the 11th in Los Angeles.
	instant := time.Date(2026, 12, 11, 11, 30, 0, 0, time.UTC)
	allDay := func(d task.Date) task.Due { return task.Due{Date: d} }
	at := func(loc *time.Location, y int, m time.Month, d, hh, mm int) task.Due {
		return task.DueAt(date(y, m, d), hh, mm, loc)
	}
	for _, tt := range []struct {
		name      string
		due       task.Due
		completed bool
		now       time.Time
		loc       *time.Location
		text      string
		full      string
		overdue   bool
	}{
		{"today in Auckland", allDay(date(2026, 12, 12)), false, instant, auckland, "Today", "Saturday 12 December 2026", false},
		{"the same date is tomorrow in Los Angeles", allDay(date(2026, 12, 12)), false, instant, angeles, "Tomorrow", "Saturday 12 December 2026", false},
		{"yesterday's all-day due is overdue", allDay(date(2026, 12, 11)), false, instant, auckland, "Overdue by 1 day", "Friday 11 December 2026", true},
		{"done, it is just yesterday", allDay(date(2026, 12, 11)), true, instant, auckland, "Yesterday", "Friday 11 December 2026", false},
		{"a weekday within the week", allDay(date(2026, 12, 16)), false, instant, angeles, "Wednesday", "Wednesday 16 December 2026", false},
		{"a week ahead is a date", allDay(date(2026, 12, 18)), false, instant, angeles, "Fri 18 Dec", "Friday 18 December 2026", false},
		{"a date long past, completed", allDay(date(2026, 11, 2)), true, instant, angeles, "Mon 2 Nov", "Monday 2 November 2026", false},
		{"overdue by days", allDay(date(2026, 12, 8)), false, instant, angeles, "Overdue by 3 days", "Tuesday 8 December 2026", true},
		{"a time tomorrow", at(angeles, 2026, 12, 12, 14, 30), false, instant, angeles, "Tomorrow 14:30", "Saturday 12 December 2026, 14:30", false},
		{"the same instant in Auckland", at(angeles, 2026, 12, 12, 14, 30), false, instant, auckland, "Tomorrow 11:30", "Sunday 13 December 2026, 11:30", false},
		{"a time later today", at(angeles, 2026, 12, 11, 9, 0), false, instant, angeles, "Today 09:00", "Friday 11 December 2026, 09:00", false},
		{"a time passed today", at(angeles, 2026, 12, 11, 3, 0), false, instant, angeles, "Overdue since 03:00", "Friday 11 December 2026, 03:00", true},
		{"a time passed today, completed", at(angeles, 2026, 12, 11, 3, 0), true, instant, angeles, "Today 03:00", "Friday 11 December 2026, 03:00", false},
		{"a time on an earlier day", at(angeles, 2026, 12, 9, 18, 0), false, instant, angeles, "Overdue by 2 days", "Wednesday 9 December 2026, 18:00", true},

		// Year end: 30 December 2026 is a Wednesday.
		{"next year within the week: a weekday", allDay(date(2027, 1, 2)), false, time.Date(2026, 12, 30, 12, 0, 0, 0, london), london, "Saturday", "Saturday 2 January 2027", false},
		{"next year beyond the week: with the year", allDay(date(2027, 1, 9)), false, time.Date(2026, 12, 30, 12, 0, 0, 0, london), london, "Sat 9 Jan 2027", "Saturday 9 January 2027", false},
		{"tomorrow across new year", allDay(date(2027, 1, 1)), false, time.Date(2026, 12, 31, 23, 59, 0, 0, london), london, "Tomorrow", "Friday 1 January 2027", false},
		{"overdue across new year", allDay(date(2026, 12, 31)), false, time.Date(2027, 1, 1, 0, 1, 0, 0, london), london, "Overdue by 1 day", "Thursday 31 December 2026", true},
		{"last year's date", allDay(date(2026, 12, 20)), true, time.Date(2027, 1, 1, 10, 0, 0, 0, london), london, "Sun 20 Dec 2026", "Sunday 20 December 2026", false},

		// DST: London's clocks go forward at 01:00 UTC on Sunday 29 March 2026, and back at
		// 01:00 UTC on Sunday 25 October 2026.
		{"overdue days across the spring change", allDay(date(2026, 3, 28)), false, time.Date(2026, 3, 30, 0, 30, 0, 0, london), london, "Overdue by 2 days", "Saturday 28 March 2026", true},
		{"overdue days across the autumn change", allDay(date(2026, 10, 24)), false, time.Date(2026, 10, 25, 23, 30, 0, 0, london), london, "Overdue by 1 day", "Saturday 24 October 2026", true},
		{"a time after the spring change, seen before it", at(london, 2026, 3, 29, 12, 0), false, time.Date(2026, 3, 28, 23, 30, 0, 0, london), london, "Tomorrow 12:00", "Sunday 29 March 2026, 12:00", false},
		{"a time the spring change skips reads as the clock shows it", at(london, 2026, 3, 29, 1, 30), false, time.Date(2026, 3, 28, 12, 0, 0, 0, london), london, "Tomorrow 02:30", "Sunday 29 March 2026, 02:30", false},
		{"just before midnight, a time after it is tomorrow", at(auckland, 2026, 4, 5, 0, 15), false, time.Date(2026, 4, 4, 23, 50, 0, 0, auckland), auckland, "Tomorrow 00:15", "Sunday 5 April 2026, 00:15", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := describeDue(tt.due, tt.completed, tt.now, tt.loc)
			if got.Text != tt.text || got.Full != tt.full || got.Overdue != tt.overdue {
				t.Errorf("got %q (%q, overdue %v), want %q (%q, overdue %v)", got.Text, got.Full, got.Overdue, tt.text, tt.full, tt.overdue)
			}
		})
	}
}

func TestDueMachineForm(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	now := time.Date(2026, 12, 11, 12, 0, 0, 0, time.UTC)
	if got := describeDue(task.Due{Date: date(2026, 12, 24)}, false, now, paris).Machine; got != "2026-12-24" {
		t.Errorf("all day: datetime %q, want the date", got)
	}
	if got := describeDue(task.DueAt(date(2026, 12, 24), 14, 30, paris), false, now, paris).Machine; got != "2026-12-24T13:30:00Z" {
		t.Errorf("timed: datetime %q, want the instant in UTC", got)
	}
}

func TestDayHeading(t *testing.T) {
	today := date(2026, 12, 30)
	for _, tt := range []struct {
		day  task.Date
		want string
	}{
		{today, "Today"},
		{date(2026, 12, 31), "Tomorrow"},
		{date(2027, 1, 1), "Fri 1 Jan 2027"},
		{date(2027, 1, 5), "Tue 5 Jan 2027"},
	} {
		if got := dayHeading(tt.day, today); got != tt.want {
			t.Errorf("dayHeading(%s): got %q, want %q", tt.day, got, tt.want)
		}
	}
	if got := dayHeading(date(2026, 12, 12), date(2026, 12, 10)); got != "Sat 12 Dec" {
		t.Errorf("this year's day: got %q", got)
	}
}
