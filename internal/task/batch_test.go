package task_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/task"
)

// TestBulkChangesInBatches: mark all and clear completed over more tasks than several
// batches (not a multiple of the batch size) change every task of the user and no other, and
// count them all; the counts stay exact.
func TestBulkChangesInBatches(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		t.Parallel()
		store, _ := newStore(t, d)
		svc := task.NewService(store)
		const n = 5*task.BatchSize + 100
		for i := range n {
			insert(t, store, "bulk", fmt.Sprint("t", i), at(i))
		}
		insert(t, store, "other", "untouched", at(0))

		changed, err := svc.SetAllCompleted(ctx, "bulk", true)
		if err != nil || changed != n {
			t.Fatalf("mark all completed: %d, %v; want %d", changed, err, n)
		}
		wantCounts(t, store, "bulk", task.Counts{Total: n, Completed: n})
		if changed, err = svc.SetAllCompleted(ctx, "bulk", true); err != nil || changed != 0 {
			t.Fatalf("mark all completed again: %d, %v; want 0", changed, err)
		}
		open, err := svc.List(ctx, "bulk", task.Filter{Completed: ptr(false), Limit: 10})
		if err != nil || len(open.Tasks) != 0 {
			t.Fatalf("open tasks after mark all: %d, %v; want none", len(open.Tasks), err)
		}

		// Reopen all, then complete a part that spans batches, and clear it.
		if changed, err = svc.SetAllCompleted(ctx, "bulk", false); err != nil || changed != n {
			t.Fatalf("mark all open: %d, %v; want %d", changed, err, n)
		}
		page, err := svc.List(ctx, "bulk", task.Filter{Limit: task.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		const done = task.MaxPageSize
		for _, tk := range page.Tasks {
			if _, err := toggle(store, "bulk", tk.ID, at(0)); err != nil {
				t.Fatal(err)
			}
		}
		wantCounts(t, store, "bulk", task.Counts{Total: n, Completed: done})
		removed, err := svc.DeleteCompleted(ctx, "bulk")
		if err != nil || removed != done {
			t.Fatalf("clear completed: %d, %v; want %d", removed, err, done)
		}
		wantCounts(t, store, "bulk", task.Counts{Total: n - done})
		left, err := svc.List(ctx, "bulk", task.Filter{Completed: ptr(true), Limit: 10})
		if err != nil || left.Total != 0 || len(left.Tasks) != 0 {
			t.Fatalf("completed tasks after clearing: %d, %v; want none", len(left.Tasks), err)
		}
		wantCounts(t, store, "other", task.Counts{Total: 1})
	})
}

// TestBulkChangeLetsOthersWrite: another user's task is created while a large bulk change
// runs, and both succeed (before the batches, the one statement held the single SQLite writer
// for its whole run).
func TestBulkChangeLetsOthersWrite(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		t.Parallel()
		store, _ := newStore(t, d)
		svc := task.NewService(store)
		const n = 8 * task.BatchSize
		for i := range n {
			insert(t, store, "bulk", fmt.Sprint("t", i), at(i))
		}
		var (
			wg              sync.WaitGroup
			marked, cleared int64
			bulkErr         error
		)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if marked, bulkErr = svc.SetAllCompleted(ctx, "bulk", true); bulkErr == nil {
				cleared, bulkErr = svc.DeleteCompleted(ctx, "bulk")
			}
		}()
		var created []uuid.UUID
		for i := range 20 {
			tk, err := svc.Create(ctx, "other", task.Draft{Title: fmt.Sprint("meanwhile ", i)})
			if err != nil {
				t.Errorf("another user's task %d during the bulk change: %v", i, err)
				continue
			}
			created = append(created, tk.ID)
		}
		wg.Wait()
		if bulkErr != nil || marked != n || cleared != n {
			t.Fatalf("bulk change: marked %d, cleared %d, %v; want %d and %d", marked, cleared, bulkErr, n, n)
		}
		wantCounts(t, store, "bulk", task.Counts{})
		wantCounts(t, store, "other", task.Counts{Total: int64(len(created))})
		if len(created) != 20 {
			t.Fatalf("another user's tasks: %d of 20 created", len(created))
		}
	})
}

func wantCounts(t *testing.T, s task.Store, userID string, want task.Counts) {
	t.Helper()
	page, err := s.List(ctx, userID, task.Filter{Limit: 0})
	if err != nil || page.Counts != want {
		t.Fatalf("counts of %s: %+v, %v; want %+v", userID, page.Counts, err, want)
	}
}
