package task_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/recur"
	"todo/internal/task"
	"todo/internal/task/stores"
)

// newStore returns a store of the dialect over a new, migrated database.
func newStore(t *testing.T, d database.Dialect) (task.Store, *database.DB) {
	db := apptest.OpenDB(t, d)
	s, err := stores.New(db)
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

// list is a page of the store as its tasks and the user's counts.
func list(s task.Store, userID string, f task.Filter) ([]task.Task, task.Counts, error) {
	page, err := s.List(ctx, userID, f)
	return page.Tasks, page.Counts, err
}

var ctx = context.Background()

func ptr[T any](v T) *T { return &v }

// at is a fixed instant plus n microseconds, at the databases' precision.
func at(n int) time.Time {
	return time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Microsecond)
}

func insert(t *testing.T, s task.Store, userID, title string, created time.Time) task.Task {
	t.Helper()
	tk := task.Task{ID: uuid.New(), UserID: userID, Title: title, Description: "d " + title, CreatedAt: created}
	if ok, err := s.Insert(ctx, tk, 0, time.UTC); err != nil || !ok {
		t.Fatalf("insert %q: %v, %v", title, ok, err)
	}
	return tk
}

func TestStore(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		t.Run("insert and get round-trip every field", func(t *testing.T) {
			s, _ := newStore(t, d)
			want := insert(t, s, "alice", "Buy milk", at(123456))
			got, err := s.Get(ctx, "alice", want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != want.ID || got.Title != want.Title || got.Description != want.Description ||
				got.Completed || !got.CreatedAt.Equal(want.CreatedAt) || got.UpdatedAt != nil || got.UserID != "alice" {
				t.Fatalf("got %+v, want %+v", got, want)
			}
			if got.CreatedAt.Location() != time.UTC {
				t.Errorf("created_at location %v, want UTC", got.CreatedAt.Location())
			}
		})

		t.Run("every query is scoped to its owner", func(t *testing.T) {
			s, _ := newStore(t, d)
			mine := insert(t, s, "alice", "mine", at(1))
			if _, err := s.Get(ctx, "bob", mine.ID); !errors.Is(err, task.ErrNotFound) {
				t.Errorf("Get by another user: got %v, want ErrNotFound", err)
			}
			if _, err := update(s, "bob", mine.ID, task.Patch{Title: ptr("stolen")}, at(2)); !errors.Is(err, task.ErrNotFound) {
				t.Errorf("Update by another user: got %v, want ErrNotFound", err)
			}
			if _, err := toggle(s, "bob", mine.ID, at(2)); !errors.Is(err, task.ErrNotFound) {
				t.Errorf("Toggle by another user: got %v, want ErrNotFound", err)
			}
			if err := s.Delete(ctx, "bob", mine.ID, nil); !errors.Is(err, task.ErrNotFound) {
				t.Errorf("Delete by another user: got %v, want ErrNotFound", err)
			}
			if n, err := s.SetAllCompleted(ctx, "bob", true, at(2)); err != nil || n != 0 {
				t.Errorf("SetAllCompleted by another user: got %d, %v; want 0", n, err)
			}
			tasks, counts, err := list(s, "bob", task.Filter{Limit: 50})
			if err != nil || len(tasks) != 0 || counts != (task.Counts{}) {
				t.Errorf("List of another user: got %v %+v %v, want nothing", tasks, counts, err)
			}
			got, err := s.Get(ctx, "alice", mine.ID)
			if err != nil || got.Title != "mine" || got.Completed || got.UpdatedAt != nil {
				t.Errorf("owner's task changed: %+v %v", got, err)
			}
		})

		t.Run("list is newest first, ties broken by id, pages neither overlap nor skip", func(t *testing.T) {
			s, _ := newStore(t, d)
			for i := range 25 {
				// Five tasks share each created_at.
				insert(t, s, "alice", fmt.Sprintf("t%02d", i), at(i/5))
			}
			insert(t, s, "bob", "not alice's", at(100))
			seen := map[uuid.UUID]bool{}
			var order []task.Task
			for offset := int64(0); offset < 30; offset += 7 {
				page, counts, err := list(s, "alice", task.Filter{Limit: 7, Offset: offset})
				if err != nil {
					t.Fatal(err)
				}
				if counts.Total != 25 {
					t.Fatalf("total %d, want 25", counts.Total)
				}
				for _, tk := range page {
					if seen[tk.ID] {
						t.Fatalf("task %s on two pages", tk.Title)
					}
					seen[tk.ID] = true
					order = append(order, tk)
				}
			}
			if len(order) != 25 {
				t.Fatalf("pages held %d tasks, want 25", len(order))
			}
			for i := 1; i < len(order); i++ {
				a, b := order[i-1], order[i]
				if a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID.String() < b.ID.String()) {
					t.Fatalf("order broken at %d: %s (%v %s) before %s (%v %s)", i, a.Title, a.CreatedAt, a.ID, b.Title, b.CreatedAt, b.ID)
				}
			}
		})

		t.Run("filter and counts follow toggles, patches and deletes", func(t *testing.T) {
			s, _ := newStore(t, d)
			var ids []uuid.UUID
			for i := range 6 {
				ids = append(ids, insert(t, s, "alice", fmt.Sprint(i), at(i)).ID)
			}
			for _, id := range ids[:3] {
				if _, err := toggle(s, "alice", id, at(10)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := update(s, "alice", ids[3], task.Patch{Completed: ptr(true)}, at(11)); err != nil {
				t.Fatal(err)
			}
			if _, err := update(s, "alice", ids[0], task.Patch{Completed: ptr(true)}, at(11)); err != nil {
				t.Fatal(err) // already completed: the count must not move
			}
			if err := s.Delete(ctx, "alice", ids[1], nil); err != nil { // a completed one
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "alice", ids[5], nil); err != nil { // an open one
				t.Fatal(err)
			}
			wantCounts := task.Counts{Total: 4, Completed: 3}
			for _, f := range []struct {
				completed *bool
				want      int
			}{{nil, 4}, {ptr(true), 3}, {ptr(false), 1}} {
				page, err := s.List(ctx, "alice", task.Filter{Completed: f.completed, Limit: 50})
				tasks, counts := page.Tasks, page.Counts
				if page.Total != int64(f.want) {
					t.Errorf("completed=%v: total %d, want %d", deref(f.completed), page.Total, f.want)
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(tasks) != f.want || counts != wantCounts {
					t.Errorf("completed=%v: got %d tasks, counts %+v; want %d, %+v", deref(f.completed), len(tasks), counts, f.want, wantCounts)
				}
				for _, tk := range tasks {
					if f.completed != nil && tk.Completed != *f.completed {
						t.Errorf("completed=%v listed %+v", *f.completed, tk)
					}
				}
			}
		})

		t.Run("limit 0 returns no tasks but the counts; offset past the end too", func(t *testing.T) {
			s, _ := newStore(t, d)
			for i := range 3 {
				insert(t, s, "alice", fmt.Sprint(i), at(i))
			}
			for _, f := range []task.Filter{{Limit: 0}, {Limit: 10, Offset: 3}, {Limit: 10, Offset: 1 << 40}} {
				tasks, counts, err := list(s, "alice", f)
				if err != nil || len(tasks) != 0 || counts.Total != 3 {
					t.Errorf("%+v: got %d tasks, %+v, %v; want none and total 3", f, len(tasks), counts, err)
				}
			}
		})

		t.Run("update changes only what the patch carries and sets updated_at", func(t *testing.T) {
			s, _ := newStore(t, d)
			orig := insert(t, s, "alice", "title", at(1))
			got, err := update(s, "alice", orig.ID, task.Patch{Description: ptr("new")}, at(99))
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != "title" || got.Description != "new" || got.Completed || got.UpdatedAt == nil || !got.UpdatedAt.Equal(at(99)) {
				t.Fatalf("got %+v", got)
			}
			got, err = update(s, "alice", orig.ID, task.Patch{}, at(100))
			if err != nil || got.Description != "new" || !got.UpdatedAt.Equal(at(100)) {
				t.Fatalf("empty patch: got %+v, %v", got, err)
			}
			toggled, err := toggle(s, "alice", orig.ID, at(101))
			if err != nil || !toggled.Completed || !toggled.UpdatedAt.Equal(at(101)) || !toggled.CreatedAt.Equal(orig.CreatedAt) {
				t.Fatalf("toggle: got %+v, %v", toggled, err)
			}
		})

		t.Run("deleted and unknown tasks are not found", func(t *testing.T) {
			s, _ := newStore(t, d)
			tk := insert(t, s, "alice", "x", at(1))
			if err := s.Delete(ctx, "alice", tk.ID, nil); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "alice", tk.ID, nil); !errors.Is(err, task.ErrNotFound) {
				t.Errorf("second delete: %v, want ErrNotFound", err)
			}
			if _, err := s.Get(ctx, "alice", uuid.New()); !errors.Is(err, task.ErrNotFound) {
				t.Errorf("unknown id: %v, want ErrNotFound", err)
			}
		})

		t.Run("complete all and clear completed", func(t *testing.T) {
			s, _ := newStore(t, d)
			for i := range 4 {
				insert(t, s, "alice", fmt.Sprint(i), at(i))
			}
			insert(t, s, "bob", "bob's", at(9))
			if n, err := s.SetAllCompleted(ctx, "alice", true, at(20)); err != nil || n != 4 {
				t.Fatalf("SetAllCompleted: %d, %v; want 4", n, err)
			}
			if n, err := s.SetAllCompleted(ctx, "alice", true, at(21)); err != nil || n != 0 {
				t.Fatalf("SetAllCompleted again: %d, %v; want 0", n, err)
			}
			if n, err := s.DeleteCompleted(ctx, "alice"); err != nil || n != 4 {
				t.Fatalf("DeleteCompleted: %d, %v; want 4", n, err)
			}
			_, counts, _ := list(s, "alice", task.Filter{Limit: 1})
			_, bobs, _ := list(s, "bob", task.Filter{Limit: 1})
			if counts != (task.Counts{}) || bobs != (task.Counts{Total: 1}) {
				t.Fatalf("counts after clearing: alice %+v, bob %+v", counts, bobs)
			}
		})

		t.Run("rows written by other tools: NULL description, database defaults", func(t *testing.T) {
			s, db := newStore(t, d)
			insertRaw := `INSERT INTO tasks (user_id, title, description) VALUES ('alice', 'raw', NULL)`
			var err error
			if d == database.Postgres {
				_, err = db.Postgres.Exec(ctx, insertRaw)
			} else {
				_, err = db.SQLite.Write.Exec(insertRaw)
			}
			if err != nil {
				t.Fatal(err)
			}
			tasks, counts, err := list(s, "alice", task.Filter{Limit: 10})
			if err != nil || len(tasks) != 1 || counts.Total != 1 {
				t.Fatalf("got %+v %+v %v", tasks, counts, err)
			}
			got := tasks[0]
			if got.Description != "" || got.ID.Version() != 4 || time.Since(got.CreatedAt) > time.Minute || got.Completed {
				t.Fatalf("defaults: got %+v", got)
			}
		})
	})
}

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// update changes a task through the store as the service does: read, patch, save.
func update(s task.Store, userID string, id uuid.UUID, p task.Patch, at time.Time) (task.Task, error) {
	prev, err := s.Get(ctx, userID, id)
	if err != nil {
		return task.Task{}, err
	}
	next := prev
	task.ApplyPatch(p, &next, at)
	next.Version++
	saved, err := s.Save(ctx, userID, []task.Change{{Prev: prev, Next: next}}, time.UTC)
	if err == nil && !saved {
		err = task.ErrChanged
	}
	return next, err
}

// toggle flips a task's completion through the store.
func toggle(s task.Store, userID string, id uuid.UUID, at time.Time) (task.Task, error) {
	prev, err := s.Get(ctx, userID, id)
	if err != nil {
		return task.Task{}, err
	}
	return update(s, userID, id, task.Patch{Completed: ptr(!prev.Completed)}, at)
}

// TestChange: a plain change made in one step leaves a task as the service's read, patch and
// save would (the same fields, completed_at and version), answers the task after it as
// stored, and leaves to the service the tasks it cannot change alone: a repeating task,
// and a change of text where search terms are kept.
func TestChange(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s, _ := newStore(t, d)
		svc := task.NewService(s)
		steps := []task.Plain{
			{Title: ptr("new title"), At: at(1)},
			{Description: ptr("new description"), Completed: ptr(false), At: at(2)},
			{Toggle: true, At: at(3)},
			{Completed: ptr(true), At: at(4)}, // completed already: completed_at stays at(3)
			{Title: ptr("both"), Description: ptr(""), Completed: ptr(false), At: at(5)},
			{Completed: ptr(true), At: at(6)},
			{Toggle: true, At: at(7)},
			{At: at(8)},
		}
		one := insert(t, s, "alice", "one", at(0))
		twin := insert(t, s, "alice", "one", at(0))
		for i, c := range steps {
			before, err := s.Get(ctx, "alice", one.ID)
			if err != nil {
				t.Fatal(err)
			}
			after, changed, err := s.Change(ctx, "alice", one.ID, c)
			if err != nil || !changed {
				t.Fatalf("step %d: Change: %v, %v", i, changed, err)
			}
			stored, err := s.Get(ctx, "alice", one.ID)
			if err != nil {
				t.Fatal(err)
			}
			if state(after) != state(stored) {
				t.Fatalf("step %d: after %s, stored %s", i, state(after), state(stored))
			}
			completed := c.Completed
			if c.Toggle {
				completed = ptr(!before.Completed)
			}
			want, err := update(s, "alice", twin.ID, task.Patch{Title: c.Title, Description: c.Description, Completed: completed}, c.At)
			if err != nil {
				t.Fatal(err)
			}
			want.ID = one.ID
			if state(want) != state(stored) {
				t.Fatalf("step %d: the plain change stored %s, the service's way %s", i, state(stored), state(want))
			}
		}

		if _, _, err := s.Change(ctx, "bob", one.ID, task.Plain{Toggle: true, At: at(9)}); !errors.Is(err, task.ErrNotFound) {
			t.Fatalf("another user's change: %v, want ErrNotFound", err)
		}
		if _, _, err := s.Change(ctx, "alice", uuid.New(), task.Plain{Toggle: true, At: at(9)}); !errors.Is(err, task.ErrNotFound) {
			t.Fatalf("a change of no task: %v, want ErrNotFound", err)
		}

		daily, err := recur.Parse("RRULE:FREQ=DAILY")
		if err != nil {
			t.Fatal(err)
		}
		repeating, err := svc.Create(ctx, "alice", task.Draft{Title: "daily", Due: &task.Due{Date: task.Date{Year: 2026, Month: 12, Day: 1}}, Repeat: daily})
		if err != nil {
			t.Fatal(err)
		}
		leftAlone := func(t *testing.T, id uuid.UUID, c task.Plain) {
			t.Helper()
			stored, err := s.Get(ctx, "alice", id)
			if err != nil {
				t.Fatal(err)
			}
			read, changed, err := s.Change(ctx, "alice", id, c)
			if err != nil || changed || state(read) != state(stored) {
				t.Fatalf("Change %+v: %s, changed %v, %v; want the task as stored (%s), unchanged", c, state(read), changed, err, state(stored))
			}
			if again, _ := s.Get(ctx, "alice", id); state(again) != state(stored) {
				t.Fatalf("Change %+v changed the task: %s, was %s", c, state(again), state(stored))
			}
		}
		leftAlone(t, repeating.ID, task.Plain{Toggle: true, At: at(10)})

		// A search indexes the user's tasks: their terms are kept from then on.
		if _, _, err := svc.Query(ctx, "alice", task.Query{Search: task.ParseSearch("both"), Limit: 10}); err != nil {
			t.Fatal(err)
		}
		leftAlone(t, one.ID, task.Plain{Title: ptr("renamed"), At: at(11)})
		leftAlone(t, one.ID, task.Plain{Description: ptr("described"), At: at(11)})
		if after, changed, err := s.Change(ctx, "alice", one.ID, task.Plain{Toggle: true, At: at(12)}); err != nil || !changed || !after.Completed {
			t.Fatalf("a toggle of an indexed task: %v, %v, %v; want it made", after, changed, err)
		}
		page, _, err := svc.Query(ctx, "alice", task.Query{Search: task.ParseSearch("both"), Status: task.StatusCompleted, Limit: 10})
		if err != nil || len(page.Tasks) != 1 || page.Tasks[0].ID != one.ID {
			t.Fatalf("after the toggle, a search of the completed tasks finds %v (%v); want the task", page.Tasks, err)
		}

		// Changes of one task at once wait for each other: each is made once, on the task as the
		// one before left it, and none is refused as made on a stale copy.
		busy, err := svc.Create(ctx, "alice", task.Draft{Title: "busy"})
		if err != nil {
			t.Fatal(err)
		}
		const writers, each = 8, 15
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for range writers {
			wg.Go(func() {
				for range each {
					if _, err := svc.Toggle(ctx, "alice", busy.ID, ""); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("a toggle among others: %v", err)
		}
		if got, err := s.Get(ctx, "alice", busy.ID); err != nil || got.Version != writers*each || got.Completed != (writers*each%2 == 1) {
			t.Fatalf("after %d toggles: version %d, completed %v (%v); want version %d, completed %v", writers*each, got.Version, got.Completed, err, writers*each, writers*each%2 == 1)
		}
	})
}

// state is every field of a task, as text to compare.
func state(t task.Task) string {
	due := "none"
	if t.Due != nil {
		due = t.Due.Date.String() + " " + t.Due.At.String()
	}
	return fmt.Sprintf("%v %s %q %q completed=%v created=%v updated=%v completed_at=%v priority=%v tags=%q due=%s repeat=%v/%d version=%d",
		t.ID, t.UserID, t.Title, t.Description, t.Completed, t.CreatedAt, t.UpdatedAt, t.CompletedAt, t.Priority, t.Tags, due, t.Repeat, t.RepeatDone, t.Version)
}
