package task

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"todo/internal/apperr"
)

// Query returns a page of the user's tasks as q selects and orders them, its total across
// pages, and the cursor of the next page (nil on the last one). prefs are the user's, which
// the page's dates are shown in.
func (s *Service) Query(ctx context.Context, userID string, q Query) (Page, Prefs, error) {
	if q.Limit < 0 || q.Limit > MaxPageSize {
		return Page{}, Prefs{}, invalid("limit", "must be from 0 to %d", MaxPageSize)
	}
	if q.Offset < 0 {
		return Page{}, Prefs{}, invalid("offset", "must be 0 or more")
	}
	if q.Cursor != nil && q.Offset > 0 {
		return Page{}, Prefs{}, invalid("cursor", "cannot be combined with offset")
	}
	if q.Cursor != nil && (q.Cursor.Sort != q.Sort || q.Cursor.Desc != q.Desc) {
		return Page{}, Prefs{}, invalid("cursor", "belongs to another sort or order; keep the sort and order of the page it came from")
	}
	if len(q.Tags) > MaxTagsPerTask {
		return Page{}, Prefs{}, invalid("tag", "at most %d tags, got %d", MaxTagsPerTask, len(q.Tags))
	}
	for _, tag := range q.Tags {
		if _, err := CleanTag(tag); err != nil {
			return Page{}, Prefs{}, invalid("tag", "%q is not a tag name", tag)
		}
	}
	prefs, err := s.store.Prefs(ctx, userID)
	if err != nil {
		return Page{}, Prefs{}, err
	}
	p := NewPlan(q, prefs.TimeZone, s.now())
	p.Limit = q.Limit + 1 // one more tells whether there is a next page
	page, err := s.store.Query(ctx, userID, p)
	if err != nil {
		return Page{}, Prefs{}, err
	}
	if len(page.Tasks) > q.Limit {
		page.Tasks = page.Tasks[:q.Limit]
		if q.Limit > 0 { // a page of none (its total alone) has no place to go on from
			page.Next = CursorAfter(page.Tasks[q.Limit-1], q.Sort, q.Desc, prefs.TimeZone)
		}
	}
	return page, prefs, nil
}

// Now is the service's clock, for the doors that show relative dates ("Overdue by 2 days").
func (s *Service) Now() time.Time { return s.now() }

// BulkAction is one change to many tasks of a user.
type BulkAction uint8

const (
	BulkComplete BulkAction = iota
	BulkReopen
	BulkDelete
	BulkAddTag
	BulkRemoveTag
	BulkSetPriority
)

var bulkNames = [...]string{"complete", "reopen", "delete", "add_tag", "remove_tag", "set_priority"}

func (a BulkAction) String() string { return bulkNames[a] }

// ParseBulkAction reads an action's name.
func ParseBulkAction(name string) (BulkAction, bool) {
	for i, n := range bulkNames {
		if n == name {
			return BulkAction(i), true
		}
	}
	return 0, false
}

// MaxBulk is how many tasks one bulk change may name.
const MaxBulk = BatchSize

// Bulk is a bulk change: the action, the tasks, and the tag or priority it needs.
type Bulk struct {
	Action   BulkAction
	IDs      []uuid.UUID
	Tag      string
	Priority Priority
}

// Apply makes the bulk change, all or nothing: every task must be the user's. It returns the
// tasks as changed (none for a delete).
func (s *Service) Apply(ctx context.Context, userID string, b Bulk) ([]Task, error) {
	ids, err := uniqueIDs(b.IDs)
	if err != nil {
		return nil, err
	}
	change, err := b.change()
	if err != nil {
		return nil, err
	}
	for range attempts {
		tasks, err := s.store.GetMany(ctx, userID, ids)
		if err != nil {
			return nil, err
		}
		if len(tasks) != len(ids) {
			return nil, missing(ids, tasks)
		}
		inOrder(tasks, ids)
		if b.Action == BulkDelete {
			if _, err := s.store.DeleteMany(ctx, userID, ids); err != nil {
				return nil, err
			}
			for i := range tasks {
				s.changed(ctx, userID, &tasks[i], nil)
			}
			return nil, nil
		}
		at := s.timestamp()
		loc, err := s.zoneFor(ctx, userID, tasks...)
		if err != nil {
			return nil, err
		}
		changes := make([]Change, 0, len(tasks))
		out := make([]Task, 0, len(tasks))
		for _, prev := range tasks {
			next := prev
			next.Tags = append([]string(nil), prev.Tags...)
			changed, done, err := change(&next, at, loc)
			if err != nil {
				return nil, err
			}
			if changed {
				next.Version++
				changes = append(changes, Change{Prev: prev, Next: next, Done: done})
			}
			out = append(out, next)
		}
		if len(changes) == 0 {
			return out, nil
		}
		err = s.intend(ctx, userID, func() []Pending {
			pending := make([]Pending, len(changes))
			for i := range changes {
				pending[i] = Pending{Before: &changes[i].Prev, After: &changes[i].Next}
			}
			return pending
		})
		if err != nil {
			return nil, err
		}
		saved, err := s.store.Save(ctx, userID, changes, loc)
		if err == nil && saved {
			for i := range changes {
				s.changed(ctx, userID, &changes[i].Prev, &changes[i].Next)
			}
		}
		if err != nil || saved {
			return out, err
		}
	}
	return nil, ErrChanged
}

// change is what the action does to one task at a time, and whether it changed it.
func (b Bulk) change() (func(*Task, time.Time, *time.Location) (bool, *Completion, error), error) {
	set := func(p Patch) func(*Task, time.Time, *time.Location) (bool, *Completion, error) {
		return func(t *Task, at time.Time, loc *time.Location) (bool, *Completion, error) {
			before := editableState(*t)
			done := p.apply(t, at, loc)
			return editableState(*t) != before, done, nil
		}
	}
	switch b.Action {
	case BulkComplete, BulkReopen:
		done := b.Action == BulkComplete
		return set(Patch{Completed: &done}), nil
	case BulkDelete:
		return nil, nil
	case BulkSetPriority:
		if err := checkPriority(b.Priority); err != nil {
			return nil, err
		}
		return set(Patch{Priority: &b.Priority}), nil
	case BulkAddTag, BulkRemoveTag:
		name, err := CleanTag(b.Tag)
		if err != nil {
			return nil, invalid("tag", "%s", err.Error())
		}
		key := TagKey(name)
		return func(t *Task, at time.Time, loc *time.Location) (bool, *Completion, error) {
			tags := make([]string, 0, len(t.Tags)+1)
			for _, tag := range t.Tags {
				if TagKey(tag) != key {
					tags = append(tags, tag)
				}
			}
			if b.Action == BulkAddTag {
				if len(tags) < len(t.Tags) {
					return false, nil, nil // carries it already
				}
				if len(tags) >= MaxTagsPerTask {
					return false, nil, invalid("tag", "task %s has %d tags already, the most a task may have", t.ID, MaxTagsPerTask)
				}
				tags = append(tags, name)
			}
			return set(Patch{Tags: &tags})(t, at, loc)
		}, nil
	}
	return nil, invalid("action", "unknown action")
}

func uniqueIDs(ids []uuid.UUID) ([]uuid.UUID, error) {
	if len(ids) == 0 {
		return nil, invalid("ids", "must name at least one task")
	}
	if len(ids) > MaxBulk {
		return nil, invalid("ids", "at most %d tasks at a time, got %d", MaxBulk, len(ids))
	}
	seen := make(map[uuid.UUID]bool, len(ids))
	out := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// inOrder puts tasks in the order of ids (the same set).
func inOrder(tasks []Task, ids []uuid.UUID) {
	place := make(map[uuid.UUID]int, len(ids))
	for i, id := range ids {
		place[id] = i
	}
	slices.SortFunc(tasks, func(a, b Task) int { return place[a.ID] - place[b.ID] })
}

// missing is the refusal of a bulk change naming tasks that are not the user's.
func missing(ids []uuid.UUID, found []Task) error {
	have := make(map[uuid.UUID]bool, len(found))
	for _, t := range found {
		have[t.ID] = true
	}
	for _, id := range ids {
		if !have[id] {
			return invalid("ids", "task %s not found", id)
		}
	}
	return ErrNotFound
}

// ErrTagNotFound is the answer for a tag that none of the user's tasks carries.
var ErrTagNotFound = &apperr.Error{Kind: apperr.NotFound, Code: "TAG_NOT_FOUND", Message: "Tag not found"}

// Tags are the user's tags in use, for suggestions and the tag views.
func (s *Service) Tags(ctx context.Context, userID string) ([]Tag, error) {
	return s.store.Tags(ctx, userID)
}

// RenameTag renames the user's tag on every task that carries it.
func (s *Service) RenameTag(ctx context.Context, userID, from, to string) error {
	name, err := CleanTag(to)
	if err != nil {
		return err
	}
	found, err := s.store.RenameTag(ctx, userID, TagKey(from), name)
	if err == nil && !found {
		return ErrTagNotFound
	}
	return err
}

// DeleteTag removes the user's tag from every task that carries it.
func (s *Service) DeleteTag(ctx context.Context, userID, name string) error {
	found, err := s.store.DeleteTag(ctx, userID, TagKey(name))
	if err == nil && !found {
		return ErrTagNotFound
	}
	return err
}

// Prefs are the user's settings.
func (s *Service) Prefs(ctx context.Context, userID string) (Prefs, error) {
	return s.store.Prefs(ctx, userID)
}

// SavePrefs stores the user's settings.
func (s *Service) SavePrefs(ctx context.Context, userID string, p Prefs) error {
	if p.TimeZone == nil {
		return invalid("time_zone", "must be an IANA time zone name such as Europe/Paris")
	}
	if p.WeekStart < time.Sunday || p.WeekStart > time.Saturday {
		return invalid("week_start", "must be a day of the week")
	}
	return s.store.SavePrefs(ctx, userID, p)
}
