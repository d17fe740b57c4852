// Package remind is reminders of tasks: when each fires (at the due, some time before it, or
// at an instant), how it reaches its user (Web Push to each subscribed browser, email through
// the outbox, a notification the open page lists), and the durable scheduler that fires each
// occurrence once: a job of internal/jobs (River) at the occurrence's time, which re-reads the
// reminder and its task when it runs, so that a completed or deleted task, or a due that
// moved, never fires an old time. A change of a due records, before it is saved, the moves it
// owes the task's reminders, so that a crash right after the save does not lose them.
package remind

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/google/uuid"

	"todo/internal/apperr"
	"todo/internal/task"
)

// Kind is what a reminder's time counts from.
type Kind uint8

const (
	AtDue     Kind = iota // at the task's due
	BeforeDue             // Before ahead of the task's due
	AtTime                // at the instant At, whatever the due
)

var kindNames = [...]string{"due", "before", "at"}

func (k Kind) String() string { return kindNames[k] }

// ParseKind reads a kind's name.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), true
		}
	}
	return 0, false
}

// Reminder is one reminder of a user's task.
type Reminder struct {
	ID     uuid.UUID
	UserID string
	TaskID uuid.UUID
	Kind   Kind
	// Before is how long before the due a BeforeDue reminder fires.
	Before time.Duration
	// At is when an AtTime reminder fires.
	At time.Time
	// SnoozedUntil is when a snoozed reminder fires again (once), if it was snoozed.
	SnoozedUntil *time.Time
	CreatedAt    time.Time
}

// AllDayHour is the local hour at which an all-day due falls for its reminders: a reminder
// "at the due" of a task due on 24 December fires at 09:00 that day in the user's zone, one
// "1 hour before" at 08:00.
const AllDayHour = 9

// DueInstant is the instant a due falls at for reminders in the user's zone loc: a timed due's
// instant, or AllDayHour on an all-day due's date.
func DueInstant(d task.Due, loc *time.Location) time.Time {
	if d.AllDay() {
		return task.DueAt(d.Date, AllDayHour, 0, loc).At
	}
	return d.At
}

// Occurrence is when the reminder fires for a task due at due (nil: no due), in the user's
// zone loc; false when it has no time (a reminder relative to a due the task does not have).
// A snooze is an occurrence of its own (see Next).
func (r Reminder) Occurrence(due *task.Due, loc *time.Location) (time.Time, bool) {
	switch {
	case r.Kind == AtTime:
		return r.At, true
	case due == nil:
		return time.Time{}, false
	}
	return fireTime(DueInstant(*due, loc).Add(-r.Before)), true
}

// Next is the reminder's next time after now: its occurrence or the end of its snooze,
// whichever comes first of those still ahead; false when neither is.
func (r Reminder) Next(due *task.Due, loc *time.Location, now time.Time) (time.Time, bool) {
	var next time.Time
	if at, ok := r.Occurrence(due, loc); ok && at.After(now) {
		next = at
	}
	if s := r.SnoozedUntil; s != nil && s.After(now) && (next.IsZero() || s.Before(next)) {
		next = *s
	}
	return next, !next.IsZero()
}

// firesAt tells whether at is one of the reminder's times: its occurrence for the task's
// current due, or the end of its snooze. A job made for a time that is neither (the due
// moved, the reminder was snoozed again) does nothing.
func (r Reminder) firesAt(at time.Time, due *task.Due, loc *time.Location) bool {
	if o, ok := r.Occurrence(due, loc); ok && o.Equal(at) {
		return true
	}
	return r.SnoozedUntil != nil && r.SnoozedUntil.Equal(at)
}

// fireTime is an instant as the databases keep it (to the microsecond), so that a time read
// back compares equal to the time computed.
func fireTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Draft is a reminder to add to a task.
type Draft struct {
	Kind   Kind
	Before time.Duration
	At     time.Time
}

// Limits of reminders.
const (
	MaxPerTask = 10
	MaxBefore  = 30 * 24 * time.Hour
)

func (d Draft) check() error {
	switch d.Kind {
	case AtDue:
		if d.Before != 0 || !d.At.IsZero() {
			return invalid("kind", "a reminder at the due takes neither before nor at")
		}
	case BeforeDue:
		if d.Before <= 0 || d.Before > MaxBefore || d.Before%time.Minute != 0 {
			return invalid("before", "must be whole minutes, hours or days from 1m to 30d, such as 30m, 2h or 1d")
		}
		if !d.At.IsZero() {
			return invalid("at", "is only for a reminder of kind at")
		}
	case AtTime:
		if d.At.IsZero() {
			return invalid("at", "is required for a reminder of kind at (an RFC 3339 instant)")
		}
		if d.Before != 0 {
			return invalid("before", "is only for a reminder of kind before")
		}
	default:
		return invalid("kind", "must be one of due, before, at")
	}
	return nil
}

var offsetPattern = regexp.MustCompile(`^([0-9]{1,5})([mhd])$`)

// ParseOffset reads a time before a due as people write it: 30m, 2h, 1d (0m is the due
// itself).
func ParseOffset(s string) (time.Duration, bool) {
	m := offsetPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[2]]
	d := time.Duration(n) * unit
	return d, d <= MaxBefore
}

// FormatOffset writes d as ParseOffset reads it, in the largest unit that divides it.
func FormatOffset(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0 && d > 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d%time.Hour == 0 && d > 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
}

// Settings are a user's choices of how reminders reach them.
type Settings struct {
	Push, Email, InPage bool
	// Quiet, when set, holds push and email back while it lasts.
	Quiet *QuietHours
	// DefaultBefore, when set, is the reminder a task gets when it is given a timed due and
	// has none (0: at the due).
	DefaultBefore *time.Duration
}

// DefaultSettings are the settings of a user who has saved none: push and the page, no
// email, no quiet hours, no default reminder.
var DefaultSettings = Settings{Push: true, InPage: true}

func (s Settings) check() error {
	if q := s.Quiet; q != nil {
		if q.Start < 0 || q.Start >= minutesPerDay || q.End < 0 || q.End >= minutesPerDay {
			return invalid("quiet_hours", "start and end must be times of day, HH:MM")
		}
		if q.Start == q.End {
			return invalid("quiet_hours", "must not start and end at the same time")
		}
	}
	if d := s.DefaultBefore; d != nil && (*d < 0 || *d > MaxBefore || *d%time.Minute != 0) {
		return invalid("default_reminder", "must be whole minutes, hours or days from 0m to 30d")
	}
	return nil
}

const minutesPerDay = 24 * 60

// QuietHours is a range of the day in the user's zone, in minutes after midnight; it passes
// midnight when Start is after End (22:00 to 07:00).
type QuietHours struct {
	Start, End int
}

// ParseClock reads HH:MM as minutes after midnight.
func ParseClock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// FormatClock writes minutes after midnight as HH:MM.
func FormatClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// Until is when quiet hours that contain t end, in loc; t itself when they do not contain it.
func (q QuietHours) Until(t time.Time, loc *time.Location) time.Time {
	local := t.In(loc)
	m := local.Hour()*60 + local.Minute()
	var inside bool
	if q.Start < q.End {
		inside = m >= q.Start && m < q.End
	} else {
		inside = m >= q.Start || m < q.End
	}
	if !inside {
		return t
	}
	day := task.DateOf(local)
	if m >= q.End {
		day = day.AddDays(1) // after the start, before midnight: they end tomorrow
	}
	return task.DueAt(day, q.End/60, q.End%60, loc).At
}

// Snooze is how long a reminder is put off.
type Snooze string

const (
	Snooze10m      Snooze = "10m"
	Snooze1h       Snooze = "1h"
	SnoozeTomorrow Snooze = "tomorrow"
)

// until is when a reminder snoozed at now fires again: 10 minutes or an hour later, or
// tomorrow at AllDayHour in the user's zone.
func (s Snooze) until(now time.Time, loc *time.Location) (time.Time, error) {
	switch s {
	case Snooze10m:
		return fireTime(now.Add(10 * time.Minute)), nil
	case Snooze1h:
		return fireTime(now.Add(time.Hour)), nil
	case SnoozeTomorrow:
		return task.DueAt(task.DateOf(now.In(loc)).AddDays(1), AllDayHour, 0, loc).At, nil
	}
	return time.Time{}, invalid("for", "must be one of 10m, 1h, tomorrow")
}

var invalid = apperr.Invalidf

// ErrNotFound is the answer for a reminder that does not exist or is someone else's.
var ErrNotFound = &apperr.Error{Kind: apperr.NotFound, Code: "REMINDER_NOT_FOUND", Message: "Reminder not found"}

// ErrPushOff is the answer about Web Push when the server has no VAPID identity.
var ErrPushOff = &apperr.Error{Kind: apperr.NotFound, Code: "PUSH_OFF",
	Message: "Web Push is off on this server: it needs VAPID_SUBJECT in production"}

// State is what became of an occurrence.
type State uint8

const (
	Fired  State = iota // sent to the user's channels
	Missed              // its time passed while no instance ran, by more than the missed window
)

func (s State) String() string { return [...]string{"fired", "missed"}[s] }

// Notification is an occurrence of a reminder that fired or was missed.
type Notification struct {
	ID         int64
	ReminderID uuid.UUID
	TaskID     uuid.UUID
	TaskTitle  string
	FireAt     time.Time
	State      State
	CreatedAt  time.Time
}
