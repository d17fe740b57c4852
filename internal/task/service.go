package task

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"todo/internal/apperr"
)

// Store keeps tasks. Every method that touches a task takes the owner's user id and applies it
// inside the query, so that no caller can reach another user's task by mistake. Tasks come
// back with every field (their tags included), except from List.
type Store interface {
	// List returns one page of the user's tasks matching f, newest first (created_at, then id,
	// descending), with the number of tasks matching f and the user's counts. Its tasks carry
	// the specification's fields only: it is the list of the doors that show no more.
	List(ctx context.Context, userID string, f Filter) (Page, error)
	// Query returns the page of the user's tasks that p selects, in its order, with the
	// number of tasks it selects across pages and the user's counts.
	Query(ctx context.Context, userID string, p Plan) (Page, error)
	// Insert stores t unless its user already has maxTasks tasks or more (by their counts
	// row), and reports whether it did. maxTasks 0 is no limit. loc is the user's time zone,
	// which places an all-day due among timed ones.
	Insert(ctx context.Context, t Task, maxTasks int64, loc *time.Location) (bool, error)
	Get(ctx context.Context, userID string, id uuid.UUID) (Task, error)
	// Change makes c to the user's task in one step, on the task as the changes before it
	// left it, and returns the task after it with changed true. A task that repeats
	// (completing it moves its due), or whose search terms are kept when c changes its text
	// (the store cannot make them), it leaves as it is and returns as it read it, with
	// changed false: the service then changes it as it does other changes.
	Change(ctx context.Context, userID string, id uuid.UUID, c Plain) (t Task, changed bool, err error)
	// GetMany returns those of the tasks ids that exist and are the user's.
	GetMany(ctx context.Context, userID string, ids []uuid.UUID) ([]Task, error)
	// Save stores new states of tasks read earlier, in one transaction: each must still be
	// as it was read (its Version and UpdatedAt as in prev), or nothing is saved and Save
	// reports false.
	Save(ctx context.Context, userID string, changes []Change, loc *time.Location) (bool, error)
	// Delete removes the user's task; with prev, only while it is still as it was read
	// (ErrChanged otherwise).
	Delete(ctx context.Context, userID string, id uuid.UUID, prev *Task) error
	// DeleteMany removes those of the tasks ids that are the user's, in one transaction.
	DeleteMany(ctx context.Context, userID string, ids []uuid.UUID) (int64, error)
	// SetAllCompleted marks every task of the user completed (or not) and returns how many
	// changed; it does not complete repeating tasks with a due, which move to their next due.
	SetAllCompleted(ctx context.Context, userID string, completed bool, at time.Time) (int64, error)
	// DeleteCompleted removes the user's completed tasks and returns how many there were.
	DeleteCompleted(ctx context.Context, userID string) (int64, error)
	// DeleteAll removes every task of the user and what is kept about them (counts, tags,
	// settings).
	DeleteAll(ctx context.Context, userID string) error
	// Tags are the user's tags that some task carries, by name, with their numbers of tasks.
	Tags(ctx context.Context, userID string) ([]Tag, error)
	// RenameTag gives the tag named from (by TagKey) the name to on every task of the user
	// (each task's version moves, as its tags are part of it);
	// where to is a tag already, the two become one. It reports whether from existed.
	RenameTag(ctx context.Context, userID, from, to string) (bool, error)
	// DeleteTag removes the tag from every task of the user; it reports whether it existed.
	DeleteTag(ctx context.Context, userID, name string) (bool, error)
	// Prefs are the user's settings (DefaultPrefs until they save some).
	Prefs(ctx context.Context, userID string) (Prefs, error)
	// SavePrefs stores the settings and places the user's all-day dues in the new time zone.
	SavePrefs(ctx context.Context, userID string, p Prefs) error
	// History is the completed occurrences of the user's task, the latest first.
	History(ctx context.Context, userID string, id uuid.UUID) ([]Completion, error)
}

// Change is a task read at state Prev, and its new state; Done is the occurrence of a
// repeating task that the change completed, to keep in its history.
type Change struct {
	Prev, Next Task
	Done       *Completion
}

// Tag is one of a user's tags and the number of tasks that carry it (open and completed).
type Tag struct {
	Name  string
	Tasks int64
	Open  int64
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

	observers observers
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
	tags, err := cleanTags(d.Tags)
	if err != nil {
		return Task{}, err
	}
	if err := checkPriority(d.Priority); err != nil {
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
		Priority:    d.Priority,
		Tags:        tags,
		Due:         d.Due,
		Repeat:      d.Repeat,
	}
	loc, err := s.zoneFor(ctx, userID, t)
	if err != nil {
		return Task{}, err
	}
	if err := withFirstDue(&t, s.now(), loc); err != nil {
		return Task{}, err
	}
	if err := s.intend(ctx, userID, func() []Pending { return []Pending{{After: &t}} }); err != nil {
		return Task{}, err
	}
	inserted, err := s.store.Insert(ctx, t, s.MaxTasks, loc)
	if err != nil {
		return Task{}, err
	}
	if !inserted {
		return Task{}, quotaReached(s.MaxTasks)
	}
	s.changed(ctx, userID, nil, &t)
	return t, nil
}

// zoneFor is the time zone in which the stores place the tasks' all-day dues and repeating
// tasks find their next due: the user's when one of them needs it (read only then), else UTC,
// which then is not used.
func (s *Service) zoneFor(ctx context.Context, userID string, tasks ...Task) (*time.Location, error) {
	for _, t := range tasks {
		if (t.Due != nil && t.Due.AllDay()) || t.Repeat != nil {
			p, err := s.store.Prefs(ctx, userID)
			return p.TimeZone, err
		}
	}
	return time.UTC, nil
}

func checkPriority(p Priority) error {
	if p < PriorityNone || p > PriorityHigh {
		return invalid("priority", "must be one of none, low, medium, high")
	}
	return nil
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
	apply := func(t *Task, loc *time.Location) (bool, *Completion) {
		return true, p.apply(t, s.timestamp(), loc)
	}
	if c, ok := p.plain(s.timestamp()); ok {
		return s.changePlain(ctx, userID, id, c, p, apply)
	}
	return s.modify(ctx, userID, id, p.IfMatch, p, apply, nil)
}

// Edit is Update for a person saving an edit form: the same rules, but a patch that would
// change nothing, once trimmed, leaves the task as it is, updated_at included.
func (s *Service) Edit(ctx context.Context, userID string, id uuid.UUID, p Patch) (Task, error) {
	p, err := cleanPatch(p)
	if err != nil {
		return Task{}, err
	}
	return s.modify(ctx, userID, id, p.IfMatch, p, func(t *Task, loc *time.Location) (bool, *Completion) {
		before := editableState(*t)
		done := p.apply(t, s.timestamp(), loc)
		return editableState(*t) != before, done
	}, nil)
}

// Toggle flips the task's completion.
func (s *Service) Toggle(ctx context.Context, userID string, id uuid.UUID, ifMatch string) (Task, error) {
	toggle := func(t *Task, loc *time.Location) (bool, *Completion) {
		completed := !t.Completed
		return true, Patch{Completed: &completed}.apply(t, s.timestamp(), loc)
	}
	if ifMatch == "" {
		return s.changePlain(ctx, userID, id, Plain{Toggle: true, At: s.timestamp()}, Patch{}, toggle)
	}
	return s.modify(ctx, userID, id, ifMatch, Patch{}, toggle, nil)
}

// changePlain makes a plain change in one step where the store can, and otherwise as modify
// does, from the task as the store returned it. A plain change never gives a task a due or
// moves it, so no intent is owed it.
func (s *Service) changePlain(ctx context.Context, userID string, id uuid.UUID, c Plain, zoned Patch, change func(*Task, *time.Location) (bool, *Completion)) (Task, error) {
	t, changed, err := s.store.Change(ctx, userID, id, c)
	if err != nil {
		return Task{}, err
	}
	if !changed {
		return s.modify(ctx, userID, id, "", zoned, change, &t)
	}
	s.changed(ctx, userID, &Task{ID: t.ID, UserID: t.UserID}, &t)
	return t, nil
}

// attempts bounds how often modify reads again a task that changed while it was changing it.
const attempts = 3

// modify reads the task (or starts from read, the task as a caller just read it), lets change
// alter it in the user's zone (and say whether it did, and which occurrence of a repeating
// task it completed), and saves it if it is still as read; when another change came first it
// starts again from what that one left. With ifMatch, the task must be in that state, or it
// is ErrChanged.
//
// zoned carries what the change brings that needs the user's zone: a due or a rule.
func (s *Service) modify(ctx context.Context, userID string, id uuid.UUID, ifMatch string, zoned Patch, change func(*Task, *time.Location) (bool, *Completion), read *Task) (Task, error) {
	for i := range attempts {
		var prev Task
		var err error
		if i == 0 && read != nil {
			prev = *read
		} else if prev, err = s.store.Get(ctx, userID, id); err != nil {
			return Task{}, err
		}
		if ifMatch != "" && prev.ETag() != ifMatch {
			return Task{}, ErrChanged
		}
		next := prev
		next.Tags = append([]string(nil), prev.Tags...)
		loc, err := s.zoneFor(ctx, userID, prev, Task{Repeat: zoned.Repeat, Due: zoned.Due})
		if err != nil {
			return Task{}, err
		}
		changed, done := change(&next, loc)
		if !changed {
			return prev, nil
		}
		if err := withFirstDue(&next, s.now(), loc); err != nil {
			return Task{}, err
		}
		next.Version++
		if err := s.intend(ctx, userID, func() []Pending { return []Pending{{Before: &prev, After: &next}} }); err != nil {
			return Task{}, err
		}
		saved, err := s.store.Save(ctx, userID, []Change{{Prev: prev, Next: next, Done: done}}, loc)
		if err == nil && saved {
			s.changed(ctx, userID, &prev, &next)
		}
		if err != nil || saved {
			return next, err
		}
		if ifMatch != "" {
			return Task{}, ErrChanged
		}
	}
	return Task{}, ErrChanged
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
	if p.Tags != nil {
		tags, err := cleanTags(*p.Tags)
		if err != nil {
			return Patch{}, err
		}
		p.Tags = &tags
	}
	if p.Priority != nil {
		if err := checkPriority(*p.Priority); err != nil {
			return Patch{}, err
		}
	}
	if p.ClearDue && p.Due != nil {
		return Patch{}, invalid("due", "cannot both set and clear the due")
	}
	if p.ClearRepeat && p.Repeat != nil {
		return Patch{}, invalid("repeat", "cannot both set and clear the rule")
	}
	return p, nil
}

// apply makes the (clean) patch's changes to t at time at, in the user's zone loc: completing
// a task records when, reopening it forgets that, and completing a repeating task moves it to
// its next due, returning the occurrence it completed.
func (p Patch) apply(t *Task, at time.Time, loc *time.Location) *Completion {
	if p.Title != nil {
		t.Title = *p.Title
	}
	if p.Description != nil {
		t.Description = *p.Description
	}
	if p.Priority != nil {
		t.Priority = *p.Priority
	}
	if p.Tags != nil {
		t.Tags = append([]string(nil), *p.Tags...)
	}
	if p.Due != nil {
		due := *p.Due
		t.Due = &due
	}
	if p.ClearDue {
		t.Due = nil
	}
	if p.Repeat != nil {
		t.Repeat = p.Repeat
	}
	if p.ClearRepeat {
		t.Repeat, t.RepeatDone = nil, 0
	}
	t.UpdatedAt = &at
	var done *Completion
	if p.Completed != nil {
		switch {
		case *p.Completed && !t.Completed && repeats(*t):
			done = completeOccurrence(t, at, loc)
		case *p.Completed && !t.Completed:
			t.Completed, t.CompletedAt = true, &at
		case !*p.Completed:
			t.Completed, t.CompletedAt = false, nil
		}
	}
	return done
}

// editable is what a person can change of a task, as one comparable value.
type editable struct {
	title, description string
	completed          bool
	priority           Priority
	tags               string
	dueDate            Date
	dueAt              int64
	hasDue             bool
	repeat             string
	repeatDone         int
}

func editableState(t Task) editable {
	e := editable{title: t.Title, description: t.Description, completed: t.Completed, priority: t.Priority,
		tags: strings.Join(t.Tags, ","), hasDue: t.Due != nil}
	if t.Due != nil {
		e.dueDate, e.dueAt = t.Due.Date, t.Due.At.UnixMicro()
	}
	if t.Repeat != nil {
		e.repeat = t.Repeat.String()
	}
	e.repeatDone = t.RepeatDone
	return e
}

// Delete removes the user's task; with ifMatch, only if it is still in that state.
func (s *Service) Delete(ctx context.Context, userID string, id uuid.UUID, ifMatch string) error {
	t := Task{ID: id, UserID: userID}
	var prev *Task
	if ifMatch != "" {
		var err error
		if t, err = s.store.Get(ctx, userID, id); err != nil {
			return err
		}
		if t.ETag() != ifMatch {
			return ErrChanged
		}
		prev = &t
	}
	if err := s.store.Delete(ctx, userID, id, prev); err != nil {
		return err
	}
	s.changed(ctx, userID, &t, nil)
	return nil
}

// SetAllCompleted marks all of the user's tasks completed, or all open. Completing a repeating
// task with a due moves it to its next due, as completing it alone does: the store leaves them,
// and each is completed here.
func (s *Service) SetAllCompleted(ctx context.Context, userID string, completed bool) (int64, error) {
	n, err := s.store.SetAllCompleted(ctx, userID, completed, s.timestamp())
	if err != nil || !completed {
		return n, err
	}
	q := Query{Status: StatusOpen, Repeating: true, Limit: BatchSize}
	for {
		page, _, err := s.Query(ctx, userID, q)
		if err != nil {
			return n, err
		}
		for _, t := range page.Tasks {
			if _, err := s.Toggle(ctx, userID, t.ID, ""); err != nil && !errors.Is(err, ErrNotFound) {
				return n, err
			}
			n++
		}
		if page.Next == nil {
			return n, nil
		}
		q.Cursor = page.Next
	}
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
