package task

import (
	"context"
	"slices"
	"sync"
)

// Observer hears of a change the service has saved: a task created (before nil), changed
// (both set) or deleted (after nil). For a change or delete made without reading the task
// first (a plain change the store makes in one step, Delete without If-Match), before carries
// only the task's ID and UserID.
//
// Observers run after the change is stored, in the caller's goroutine and context; what they
// do cannot undo it, so they report their own failures. The service's bulk changes that work
// in SQL alone report no task: marking all tasks open or completed (the repeating tasks that
// complete-all moves to their next due are reported one by one), clearing the completed tasks
// and removing a deleted user's data. What depends on a task and must go with it is removed
// with its row by the database (ON DELETE CASCADE).
type Observer func(ctx context.Context, userID string, before, after *Task)

// Intent hears of the changes that give a task a due or move it (creates and changes, not
// deletes), before the service saves them: what is scheduled by the due follows them. An
// observer's work can be lost to a crash between the save and the observer; what must survive
// that records, here and durably, the follow-up it owes, and takes it back once its observer
// has done the work. An error refuses the changes: they are not saved.
type Intent func(ctx context.Context, userID string, changes []Pending) error

// Pending is a change about to be saved: Before is nil for a task being created.
type Pending struct {
	Before, After *Task
}

// movesDue tells whether the change gives the task a due or moves it.
func (c Pending) movesDue() bool {
	a := c.After.Due
	if a == nil {
		return false
	}
	b := (*Due)(nil)
	if c.Before != nil {
		b = c.Before.Due
	}
	return b == nil || b.Date != a.Date || !b.At.Equal(a.At)
}

// observers are the service's Observers and Intents; a Service without any pays one read of
// an empty slice per change.
type observers struct {
	mu      sync.RWMutex
	list    []Observer
	intents []Intent
}

// OnChange adds f to the observers of the service's changes. It is meant for wiring, before
// the service serves requests.
func (s *Service) OnChange(f Observer) {
	s.observers.mu.Lock()
	defer s.observers.mu.Unlock()
	s.observers.list = append(s.observers.list, f)
}

// BeforeChange adds f to the intents heard before each save. It is meant for wiring, before
// the service serves requests.
func (s *Service) BeforeChange(f Intent) {
	s.observers.mu.Lock()
	defer s.observers.mu.Unlock()
	s.observers.intents = append(s.observers.intents, f)
}

// changed tells the observers of one saved change.
func (s *Service) changed(ctx context.Context, userID string, before, after *Task) {
	s.observers.mu.RLock()
	list := s.observers.list
	s.observers.mu.RUnlock()
	for _, f := range list {
		f(ctx, userID, before, after)
	}
}

// intend tells the intents of those changes about to be saved that give a task a due or move
// it; build makes the changes, and is called only when there are intents to tell.
func (s *Service) intend(ctx context.Context, userID string, build func() []Pending) error {
	s.observers.mu.RLock()
	intents := s.observers.intents
	s.observers.mu.RUnlock()
	if len(intents) == 0 {
		return nil
	}
	changes := slices.DeleteFunc(build(), func(c Pending) bool { return !c.movesDue() })
	if len(changes) == 0 {
		return nil
	}
	for _, f := range intents {
		if err := f(ctx, userID, changes); err != nil {
			return err
		}
	}
	return nil
}
