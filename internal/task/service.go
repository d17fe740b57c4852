package task

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"todo/internal/apperr"
)

// Store keeps tasks. Every method that touches a task takes the owner's user id and applies it
// inside the query, so that no caller can reach another user's task by mistake.
type Store interface {
	// List returns one page of the user's tasks matching f, newest first (created_at, then id,
	// descending), with the number of tasks matching f and the user's counts.
	List(ctx context.Context, userID string, f Filter) (Page, error)
	// Insert stores t unless its user already has maxTasks tasks or more (by their counts
	// row), in one statement; it reports whether it did. maxTasks 0 is no limit.
	Insert(ctx context.Context, t Task, maxTasks int64) (bool, error)
	Get(ctx context.Context, userID string, id uuid.UUID) (Task, error)
	// Update applies p and sets updated_at in one statement.
	Update(ctx context.Context, userID string, id uuid.UUID, p Patch, at time.Time) (Task, error)
	Toggle(ctx context.Context, userID string, id uuid.UUID, at time.Time) (Task, error)
	Delete(ctx context.Context, userID string, id uuid.UUID) error
	// SetAllCompleted marks every task of the user completed (or not) and returns how many changed.
	SetAllCompleted(ctx context.Context, userID string, completed bool, at time.Time) (int64, error)
	// DeleteCompleted removes the user's completed tasks and returns how many there were.
	DeleteCompleted(ctx context.Context, userID string) (int64, error)
	// DeleteAll removes every task of the user and what is kept about them (their counts).
	DeleteAll(ctx context.Context, userID string) error
}

// Service applies the task rules (trimming, lengths, ownership, timestamps); the JSON API and
// the web UI both go through it.
type Service struct {
	store Store
	now   func() time.Time
	// MaxTasks is how many tasks one user may keep (QUOTA_TASKS); 0 is no limit. Concurrent
	// creates by one user on PostgreSQL may overshoot it by the number in flight: each checks
	// the counts its statement sees.
	MaxTasks int64
}

// NewService returns a Service over store.
func NewService(store Store) *Service {
	return &Service{store: store, now: time.Now}
}

// timestamp is the current time as the databases keep it: UTC, to the microsecond.
func (s *Service) timestamp() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// List returns a page of the user's tasks. Limit and Offset must already be in range.
func (s *Service) List(ctx context.Context, userID string, f Filter) (Page, error) {
	if f.Limit < 0 || f.Limit > MaxPageSize {
		return Page{}, invalid("limit", "must be from 0 to %d", MaxPageSize)
	}
	if f.Offset < 0 {
		return Page{}, invalid("offset", "must be 0 or more")
	}
	return s.store.List(ctx, userID, f)
}

// Create validates and trims the draft and stores it as a new, open task of the user.
func (s *Service) Create(ctx context.Context, userID string, d Draft) (Task, error) {
	title, err := cleanTitle(d.Title)
	if err != nil {
		return Task{}, err
	}
	description, err := cleanDescription(d.Description)
	if err != nil {
		return Task{}, err
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return Task{}, err
	}
	t := Task{
		ID:          id,
		UserID:      userID,
		Title:       title,
		Description: description,
		CreatedAt:   s.timestamp(),
	}
	inserted, err := s.store.Insert(ctx, t, s.MaxTasks)
	if err != nil {
		return Task{}, err
	}
	if !inserted {
		return Task{}, quotaReached(s.MaxTasks)
	}
	return t, nil
}

// ErrQuota is the refusal of a task over the user's quota (any limit, for errors.Is).
var ErrQuota = &apperr.Error{Kind: apperr.Conflict, Code: "TASK_QUOTA_REACHED"}

// quotaReached says the limit and what to do. It is a conflict (409): the request is valid
// and the caller allowed, but the state of their list refuses it until they change it.
func quotaReached(limit int64) *apperr.Error {
	e := *ErrQuota
	e.Message = fmt.Sprintf("Task limit reached: an account may keep at most %d tasks; delete some (e.g. clear completed ones) to add more", limit)
	return &e
}

// Get returns the user's task.
func (s *Service) Get(ctx context.Context, userID string, id uuid.UUID) (Task, error) {
	return s.store.Get(ctx, userID, id)
}

// Update changes the fields the patch carries, trimmed and validated, and always sets
// updated_at, even for an empty patch, as the specification's API does.
func (s *Service) Update(ctx context.Context, userID string, id uuid.UUID, p Patch) (Task, error) {
	p, err := cleanPatch(p)
	if err != nil {
		return Task{}, err
	}
	return s.store.Update(ctx, userID, id, p, s.timestamp())
}

// Edit is Update for a person saving an edit form: the same rules, but a patch that would
// change nothing, once trimmed, leaves the task as it is, updated_at included.
func (s *Service) Edit(ctx context.Context, userID string, id uuid.UUID, p Patch) (Task, error) {
	p, err := cleanPatch(p)
	if err != nil {
		return Task{}, err
	}
	t, err := s.store.Get(ctx, userID, id)
	if err != nil || !changes(t, p) {
		return t, err
	}
	return s.store.Update(ctx, userID, id, p, s.timestamp())
}

func cleanPatch(p Patch) (Patch, error) {
	if p.Title != nil {
		title, err := cleanTitle(*p.Title)
		if err != nil {
			return Patch{}, err
		}
		p.Title = &title
	}
	if p.Description != nil {
		description, err := cleanDescription(*p.Description)
		if err != nil {
			return Patch{}, err
		}
		p.Description = &description
	}
	return p, nil
}

// changes tells whether p would change t.
func changes(t Task, p Patch) bool {
	return (p.Title != nil && *p.Title != t.Title) ||
		(p.Description != nil && *p.Description != t.Description) ||
		(p.Completed != nil && *p.Completed != t.Completed)
}

// Toggle flips the task's completion.
func (s *Service) Toggle(ctx context.Context, userID string, id uuid.UUID) (Task, error) {
	return s.store.Toggle(ctx, userID, id, s.timestamp())
}

// Delete removes the user's task.
func (s *Service) Delete(ctx context.Context, userID string, id uuid.UUID) error {
	return s.store.Delete(ctx, userID, id)
}

// SetAllCompleted marks all of the user's tasks completed, or all open.
func (s *Service) SetAllCompleted(ctx context.Context, userID string, completed bool) (int64, error) {
	return s.store.SetAllCompleted(ctx, userID, completed, s.timestamp())
}

// DeleteCompleted removes the user's completed tasks.
func (s *Service) DeleteCompleted(ctx context.Context, userID string) (int64, error) {
	return s.store.DeleteCompleted(ctx, userID)
}

// BatchSize is how many tasks one statement of a bulk change (mark all, clear completed)
// changes: each batch is a short transaction of its own, so other users' writes come between.
const BatchSize = 500

// InBatches runs batch with BatchSize until it changes fewer rows, and returns how many it
// changed in all: the stores' loop of bulk changes.
func InBatches(batch func(limit int) (int64, error)) (int64, error) {
	var total int64
	for {
		n, err := batch(BatchSize)
		total += n
		if err != nil || n < BatchSize {
			return total, err
		}
	}
}

// DeleteUserData removes everything the task domain keeps for the user: the auth service
// calls it when the user deletes their account.
func (s *Service) DeleteUserData(ctx context.Context, userID string) error {
	return s.store.DeleteAll(ctx, userID)
}
