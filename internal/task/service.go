package task

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Store keeps tasks. Every method that touches a task takes the owner's user id and applies it
// inside the query, so that no caller can reach another user's task by mistake.
type Store interface {
	// List returns one page of the user's tasks matching f, newest first (created_at, then id,
	// descending), and the user's counts.
	List(ctx context.Context, userID string, f Filter) ([]Task, Counts, error)
	Insert(ctx context.Context, t Task) error
	Get(ctx context.Context, userID string, id uuid.UUID) (Task, error)
	// Update applies p and sets updated_at in one statement.
	Update(ctx context.Context, userID string, id uuid.UUID, p Patch, at time.Time) (Task, error)
	Toggle(ctx context.Context, userID string, id uuid.UUID, at time.Time) (Task, error)
	Delete(ctx context.Context, userID string, id uuid.UUID) error
	// SetAllCompleted marks every task of the user completed (or not) and returns how many changed.
	SetAllCompleted(ctx context.Context, userID string, completed bool, at time.Time) (int64, error)
	// DeleteCompleted removes the user's completed tasks and returns how many there were.
	DeleteCompleted(ctx context.Context, userID string) (int64, error)
}

// The columns of a task as both stores read them. description may be NULL in the
// specification's schema (rows written by other tools); a task always shows a string.
const (
	taskColumns = "id, title, coalesce(description, '') AS description, completed, created_at, updated_at"
	// pageColumns are the counts of the user's task_counts row (c) and the columns of each task
	// (t) of a page.
	pageColumns = "c.total, c.completed, t.id, t.title, coalesce(t.description, ''), t.completed, t.created_at, t.updated_at"
)

// Service applies the task rules (trimming, lengths, ownership, timestamps); the JSON API and
// the web UI both go through it.
type Service struct {
	store Store
	now   func() time.Time
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
	tasks, counts, err := s.store.List(ctx, userID, f)
	if err != nil {
		return Page{}, err
	}
	total := counts.Total
	if f.Completed != nil {
		total = counts.Completed
		if !*f.Completed {
			total = counts.Active()
		}
	}
	return Page{Tasks: tasks, Total: total, Counts: counts}, nil
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
	if err := s.store.Insert(ctx, t); err != nil {
		return Task{}, err
	}
	return t, nil
}

// Get returns the user's task.
func (s *Service) Get(ctx context.Context, userID string, id uuid.UUID) (Task, error) {
	return s.store.Get(ctx, userID, id)
}

// Update changes the fields the patch carries, trimmed and validated, and always sets
// updated_at, even for an empty patch.
func (s *Service) Update(ctx context.Context, userID string, id uuid.UUID, p Patch) (Task, error) {
	if p.Title != nil {
		title, err := cleanTitle(*p.Title)
		if err != nil {
			return Task{}, err
		}
		p.Title = &title
	}
	if p.Description != nil {
		description, err := cleanDescription(*p.Description)
		if err != nil {
			return Task{}, err
		}
		p.Description = &description
	}
	return s.store.Update(ctx, userID, id, p, s.timestamp())
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
