package remind

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"todo/internal/task"
)

func TestOccurrence(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	timed := &task.Due{At: time.Date(2026, 12, 24, 13, 30, 0, 0, time.UTC)}
	allDay := &task.Due{Date: task.Date{Year: 2026, Month: 3, Day: 29}} // summer time starts in Paris at 02:00
	at := time.Date(2026, 5, 1, 6, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		r    Reminder
		due  *task.Due
		want time.Time
		ok   bool
	}{
		{"at a timed due", Reminder{Kind: AtDue}, timed, timed.At, true},
		{"30 minutes before", Reminder{Kind: BeforeDue, Before: 30 * time.Minute}, timed, timed.At.Add(-30 * time.Minute), true},
		{"an all-day due is 09:00 in the user's zone", Reminder{Kind: AtDue}, allDay, time.Date(2026, 3, 29, 9, 0, 0, 0, paris), true},
		{"a day before an all-day due, across the change to summer time", Reminder{Kind: BeforeDue, Before: 24 * time.Hour}, allDay,
			time.Date(2026, 3, 29, 9, 0, 0, 0, paris).Add(-24 * time.Hour), true},
		{"at an instant, whatever the due", Reminder{Kind: AtTime, At: at}, nil, at, true},
		{"relative to no due", Reminder{Kind: AtDue}, nil, time.Time{}, false},
	} {
		got, ok := c.r.Occurrence(c.due, paris)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("%s: got %v %v, want %v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestFiresAtOnlyCurrentTimes(t *testing.T) {
	due := &task.Due{At: time.Date(2026, 12, 24, 13, 30, 0, 0, time.UTC)}
	snoozed := due.At.Add(time.Hour)
	r := Reminder{ID: uuid.New(), Kind: AtDue, SnoozedUntil: &snoozed}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{{due.At, true}, {snoozed, true}, {due.At.Add(-time.Minute), false}} {
		if got := r.firesAt(c.at, due, time.UTC); got != c.want {
			t.Errorf("fires at %v: %v, want %v", c.at, got, c.want)
		}
	}
}

func TestQuietHoursUntil(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	night := QuietHours{Start: 22 * 60, End: 7 * 60}
	day := QuietHours{Start: 12 * 60, End: 14 * 60}
	local := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris) }
	for _, c := range []struct {
		name string
		q    QuietHours
		at   time.Time
		want time.Time
	}{
		{"before midnight: the end is tomorrow", night, local(2026, 6, 1, 23, 15), local(2026, 6, 2, 7, 0)},
		{"after midnight: the end is today", night, local(2026, 6, 2, 3, 0), local(2026, 6, 2, 7, 0)},
		{"outside: at once", night, local(2026, 6, 2, 7, 0), local(2026, 6, 2, 7, 0)},
		{"a range within the day", day, local(2026, 6, 2, 12, 30), local(2026, 6, 2, 14, 0)},
		{"across the change to summer time", night, local(2026, 3, 28, 23, 0), local(2026, 3, 29, 7, 0)},
	} {
		if got := c.q.Until(c.at, paris); !got.Equal(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got.In(paris), c.want)
		}
	}
}

func TestOffsets(t *testing.T) {
	for s, want := range map[string]time.Duration{"0m": 0, "30m": 30 * time.Minute, "90m": 90 * time.Minute, "2h": 2 * time.Hour, "1d": 24 * time.Hour, "30d": MaxBefore} {
		got, ok := ParseOffset(s)
		if !ok || got != want {
			t.Errorf("ParseOffset(%q) = %v %v, want %v", s, got, ok, want)
		}
	}
	for _, bad := range []string{"", "5", "5s", "1w", "-1h", "31d", "1h30m", " 1h"} {
		if _, ok := ParseOffset(bad); ok {
			t.Errorf("ParseOffset(%q) took it", bad)
		}
	}
	for d, want := range map[time.Duration]string{0: "0m", 90 * time.Minute: "90m", 2 * time.Hour: "2h", 48 * time.Hour: "2d"} {
		if got := FormatOffset(d); got != want {
			t.Errorf("FormatOffset(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSnoozeTokens(t *testing.T) {
	k := tokens{derivedKey("secret", "snooze token")}
	now := time.Now()
	r := Reminder{ID: uuid.New(), UserID: "ada"}
	tok := k.sign(r, now)
	if user, err := k.verify(tok, r.ID, now.Add(time.Hour)); err != nil || user != "ada" {
		t.Fatalf("a fresh token: %q %v", user, err)
	}
	for name, check := range map[string]func() error{
		"expired":          func() error { _, err := k.verify(tok, r.ID, now.Add(SnoozeTokenLifetime+time.Second)); return err },
		"another reminder": func() error { _, err := k.verify(tok, uuid.New(), now); return err },
		"another secret": func() error {
			_, err := tokens{derivedKey("other", "snooze token")}.verify(tok, r.ID, now)
			return err
		},
		"tampered": func() error { _, err := k.verify("x"+tok, r.ID, now); return err },
	} {
		if err := check(); err != ErrBadSnoozeToken {
			t.Errorf("%s token: got %v, want ErrBadSnoozeToken", name, err)
		}
	}
}
