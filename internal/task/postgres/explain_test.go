package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/task/postgres"
	"todo/internal/task/stores"
	"todo/internal/task/tasktest"
)

// TestExplain: every list of v2 (each filter, search and sort, and deep cursors) reads ranges
// of indexes, never all the tasks.
func TestExplain(t *testing.T) {
	db := apptest.OpenDB(t, database.Postgres)
	store, err := stores.New(db)
	if err != nil {
		t.Fatal(err)
	}
	tasktest.SeedExplained(t, db, store)
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for name, q := range tasktest.Queries(now) {
		for _, st := range postgres.Statements("u", q) {
			rows, err := db.Postgres.Query(context.Background(), "EXPLAIN "+st.SQL, st.Args...)
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, st.SQL)
			}
			var plan []string
			for rows.Next() {
				var line string
				rows.Scan(&line)
				plan = append(plan, line)
			}
			rows.Close()
			text := strings.Join(plan, "\n")
			if strings.Contains(text, "Seq Scan on tasks") {
				t.Errorf("%s: reads every task:\n%s\n%s", name, st.SQL, text)
			}
			if !q.Search.Empty() && !strings.Contains(text, "idx_task_search") {
				t.Errorf("%s: the search does not use the full-text index:\n%s", name, text)
			}
		}
	}
}
