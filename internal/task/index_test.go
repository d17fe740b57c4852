package task_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/task"
)

// TestSearchIndexesEveryNewTask: a search finds every task written since the last one, wherever
// it falls in the creation order (newer and older than the tasks indexed before, among them,
// written by another program), and so do searches at the same time; on PostgreSQL the count of
// tasks still to index follows each write and ends at zero.
func TestSearchIndexesEveryNewTask(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s, db := newStore(t, d)
		svc := task.NewService(s)
		// More tasks than the first windows of the index hold, every other microsecond free.
		const seeded = 700
		for i := range seeded {
			insert(t, s, "u", fmt.Sprintf("Fern %d", i), at(2*i))
		}
		insert(t, s, "v", "Fern of another user", at(1))
		// search may run beside others, on goroutines of its own: it does not stop the test.
		search := func(t *testing.T, want int64) {
			t.Helper()
			page, _, err := svc.Query(ctx, "u", task.Query{Search: task.ParseSearch("fern"), Limit: 10})
			if err != nil {
				t.Error(err)
			} else if page.Total != want {
				t.Errorf("a search finds %d tasks, want %d", page.Total, want)
			}
		}
		unindexed := func(t *testing.T, want int64) {
			t.Helper()
			if d != database.Postgres {
				return
			}
			if got := apptest.Int(t, db, `SELECT unindexed FROM task_counts WHERE user_id = 'u'`); got != want {
				t.Errorf("task_counts.unindexed = %d, want %d", got, want)
			}
		}
		unindexed(t, seeded)
		search(t, seeded)
		unindexed(t, 0)

		oldest := insert(t, s, "u", "Fern, the oldest", at(-5))
		middle := insert(t, s, "u", "Fern in the middle", at(seeded+1))
		raw := `INSERT INTO tasks (user_id, title) VALUES ('u', 'Fern from another program')`
		var err error
		if d == database.Postgres {
			_, err = db.Postgres.Exec(ctx, raw)
		} else {
			_, err = db.SQLite.Write.Exec(raw)
		}
		if err != nil {
			t.Fatal(err)
		}
		unindexed(t, 3)
		if err := s.Delete(ctx, "u", middle.ID, nil); err != nil {
			t.Fatal(err)
		}
		unindexed(t, 2)
		if _, err := svc.Toggle(ctx, "u", oldest.ID, ""); err != nil {
			t.Fatal(err)
		}
		unindexed(t, 2)

		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { search(t, seeded+2) })
		}
		wg.Wait()
		unindexed(t, 0)
		page, _, err := svc.Query(ctx, "u", task.Query{Sort: task.SortTitle, Limit: 10})
		if err != nil || page.Total != seeded+2 || page.Tasks[0].Title != "Fern 0" {
			t.Fatalf("sorted by title: total %d, first %+v, %v", page.Total, page.Tasks[0], err)
		}

		insert(t, s, "u", "Fern, the newest", time.Now())
		unindexed(t, 1)
		search(t, seeded+3)
		unindexed(t, 0)
	})
}
