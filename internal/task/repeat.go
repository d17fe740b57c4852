package task

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Repeat is the rule by which a task repeats: internal/recur's Rule, which the doors parse
// and the stores read back from its RRULE.
type Repeat interface {
	// Next is the due after the occurrence at due is done (done occurrences in all, this
	// one included, at completedAt), in the user's zone loc; false when there is none.
	Next(due Due, done int, completedAt time.Time, loc *time.Location) (Due, bool)
	// First is the first occurrence on or after from, for a task that had no due.
	First(from Date) (Date, bool)
	// String is the rule as stored: an RFC 5545 RRULE.
	String() string
	// Describe is the rule in words ("Every 2 weeks on Mon, Thu").
	Describe() string
}

// Completion is one occurrence of a repeating task that was done: when it was due, and when
// it was done.
type Completion struct {
	Due         Due
	CompletedAt time.Time
}

// completeOccurrence completes t at at, a repeating task with a due: the occurrence is kept as
// a Completion and the task moves to its next due, or, after its last occurrence, is done for
// good.
func completeOccurrence(t *Task, at time.Time, loc *time.Location) *Completion {
	done := &Completion{Due: *t.Due, CompletedAt: at}
	next, ok := t.Repeat.Next(*t.Due, t.RepeatDone+1, at, loc)
	t.RepeatDone++
	if !ok {
		t.Completed, t.CompletedAt = true, &at
		return done
	}
	t.Due = &next
	return done
}

// repeats tells whether completing t moves it to its next due.
func repeats(t Task) bool { return t.Repeat != nil && t.Due != nil }

// withFirstDue gives a repeating task without a due its first occurrence, from today in loc.
func withFirstDue(t *Task, now time.Time, loc *time.Location) error {
	if t.Repeat == nil || t.Due != nil {
		return nil
	}
	first, ok := t.Repeat.First(DateOf(now.In(loc)))
	if !ok {
		return invalid("repeat", "has no occurrence from today on")
	}
	t.Due = &Due{Date: first}
	return nil
}

// History is the occurrences of the user's repeating task that were done, the latest first.
func (s *Service) History(ctx context.Context, userID string, id uuid.UUID) ([]Completion, error) {
	if _, err := s.store.Get(ctx, userID, id); err != nil {
		return nil, err
	}
	return s.store.History(ctx, userID, id)
}
