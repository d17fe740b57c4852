package task

import (
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the zones of users, also on a machine without a zone database
	"unicode/utf8"
)

// Priority is how much a task matters: none (the default), low, medium or high. Its order is
// the order of the numbers, so that sorting by priority is sorting the numbers.
type Priority int8

const (
	PriorityNone Priority = iota
	PriorityLow
	PriorityMedium
	PriorityHigh
)

var priorityNames = [...]string{"none", "low", "medium", "high"}

func (p Priority) String() string {
	if p < PriorityNone || p > PriorityHigh {
		return fmt.Sprintf("Priority(%d)", int8(p))
	}
	return priorityNames[p]
}

// ParsePriority reads a priority's name, in any case.
func ParsePriority(s string) (Priority, bool) {
	for i, name := range priorityNames {
		if strings.EqualFold(s, name) {
			return Priority(i), true
		}
	}
	return PriorityNone, false
}

// Date is a calendar date with no time zone: an all-day due is on the same day wherever its
// user is.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a date as YYYY-MM-DD and refuses dates that do not exist (2026-02-30).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf is the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// IsZero tells whether d is the zero Date, which is no date.
func (d Date) IsZero() bool { return d == Date{} }

// In is the instant the date starts in loc (its first instant, even on a day that a DST change
// makes begin at 01:00).
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays is the date n days later (earlier for a negative n).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Before tells whether d comes before e.
func (d Date) Before(e Date) bool { return d.String() < e.String() }

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Due is when a task is due: on a date (all day, in whatever zone its user is), or at an
// instant (a date and a time in the user's zone when it was set, which stays the same instant
// when the user moves).
type Due struct {
	// Date is the day of an all-day due; zero for a due at an instant.
	Date Date
	// At is the instant of a timed due; zero for an all-day due.
	At time.Time
}

// AllDay tells whether the due is a date with no time.
func (d Due) AllDay() bool { return d.At.IsZero() }

// DayIn is the date the due falls on in loc.
func (d Due) DayIn(loc *time.Location) Date {
	if d.AllDay() {
		return d.Date
	}
	return DateOf(d.At.In(loc))
}

// Key is the instant by which dues sort and compare: the instant of a timed due, the start of
// the day in loc for an all-day one, so that a date sorts before the times of that day.
func (d Due) Key(loc *time.Location) time.Time {
	if d.AllDay() {
		return d.Date.In(loc).UTC()
	}
	return d.At
}

// DueAt is the due at clock time hh:mm of date in loc. A time that a change to summer time
// skips (02:30 on the night clocks go from 02:00 to 03:00) moves forward by the change, to
// 03:30, as RFC 5545 reads such times; time.Date alone may move it back.
func DueAt(date Date, hour, minute int, loc *time.Location) Due {
	t := time.Date(date.Year, date.Month, date.Day, hour, minute, 0, 0, loc)
	if t.Hour() != hour || t.Minute() != minute {
		// The clock time read with the offset in force before the gap is the instant the
		// same time after the gap has moved to.
		_, before := t.Add(-6 * time.Hour).Zone()
		t = time.Date(date.Year, date.Month, date.Day, hour, minute, 0, 0, time.FixedZone("", before))
	}
	return Due{At: t.UTC().Truncate(time.Microsecond)}
}

// Limits of tags.
const (
	MaxTagLength   = 32
	MaxTagsPerTask = 20
)

// CleanTag applies the tag rules: trimmed, 1 to 32 characters, no NUL and no control
// characters, and no comma (the separator of tag lists in forms and queries).
func CleanTag(raw string) (string, error) {
	name := strip(raw)
	if err := checkText("tags", name, 1, MaxTagLength); err != nil {
		return "", err
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == ',' {
			return "", invalid("tags", "a tag must not contain commas or control characters: %q", name)
		}
	}
	return name, nil
}

// TagKey is what makes two tag names the same tag: they are compared without regard to case.
func TagKey(name string) string { return fold(name) }

// cleanTags applies CleanTag to each name, drops repeats (the first spelling wins) and refuses
// more than MaxTagsPerTask.
func cleanTags(raw []string) ([]string, error) {
	out := make([]string, 0, len(raw))
	seen := make(map[string]bool, len(raw))
	for _, r := range raw {
		name, err := CleanTag(r)
		if err != nil {
			return nil, err
		}
		if key := TagKey(name); !seen[key] {
			seen[key] = true
			out = append(out, name)
		}
	}
	if len(out) > MaxTagsPerTask {
		return nil, invalid("tags", "a task may have at most %d tags, got %d", MaxTagsPerTask, len(out))
	}
	return out, nil
}

// Prefs are a user's planning settings: the time zone in which "today" and "overdue" are
// computed and dates are shown, and the first day of their week.
type Prefs struct {
	TimeZone  *time.Location
	WeekStart time.Weekday
}

// DefaultPrefs are the settings of a user who has saved none.
var DefaultPrefs = Prefs{TimeZone: time.UTC, WeekStart: time.Monday}

// LoadTimeZone reads an IANA time zone name (Europe/Paris). "Local" is refused: it would be
// the server's zone, not the user's.
func LoadTimeZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || !utf8.ValidString(name) || len(name) > 64 {
		return nil, invalid("time_zone", "must be an IANA time zone name such as Europe/Paris")
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, invalid("time_zone", "unknown time zone %q; use an IANA name such as Europe/Paris", name)
	}
	zones.Store(name, loc)
	return loc, nil
}

// zones keeps the zones loaded: loading one reads and parses its file, and every list of a
// user needs theirs.
var zones sync.Map
