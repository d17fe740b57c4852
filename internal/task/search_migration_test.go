package task_test

import (
	"io"
	"slices"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/task"
	"todo/internal/task/stores"
)

// TestTermsWrittenBeforeUserKeys: a task whose search terms were written before they began
// with its user's key is not found by a search until the migrations from 00016 on have them
// written again.
func TestTermsWrittenBeforeUserKeys(t *testing.T) {
	apptest.ForEachDialect(t, testTermsWrittenBeforeUserKeys)
}

func testTermsWrittenBeforeUserKeys(t *testing.T, d database.Dialect) {
	db, cfg := apptest.OpenDBConfig(t, d)
	migrate := func(command string) {
		t.Helper()
		if err := database.Migrate(ctx, db, cfg, apptest.Logger(t), command, io.Discard); err != nil {
			t.Fatalf("migrate %s: %v", command, err)
		}
	}
	store, err := stores.New(db)
	if err != nil {
		t.Fatal(err)
	}
	svc := task.NewService(store)
	tk, err := svc.Create(ctx, "u", task.Draft{Title: "Water the ferns"})
	if err != nil {
		t.Fatal(err)
	}
	found := func() []string {
		t.Helper()
		page, _, err := svc.Query(ctx, "u", task.Query{Search: task.ParseSearch("ferns"), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, tk := range page.Tasks {
			titles = append(titles, tk.Title)
		}
		return titles
	}
	if got := found(); !slices.Equal(got, []string{"Water the ferns"}) {
		t.Fatalf("search: got %q", got)
	}
	// The terms as they were written before: the task's words alone.
	if d == database.Postgres {
		_, err = db.Postgres.Exec(ctx, `UPDATE task_search SET search = $$'water':1 'the':2 'ferns':3$$::tsvector WHERE task_id = $1`, tk.ID)
	} else {
		for _, stmt := range []string{
			`DELETE FROM task_search WHERE rowid = (SELECT search_id FROM tasks WHERE id = ?)`,
			`INSERT INTO task_search (rowid, terms) SELECT search_id, 'water the ferns' FROM tasks WHERE id = ?`,
		} {
			if _, err = db.SQLite.Write.Exec(stmt, tk.ID.String()); err != nil {
				break
			}
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := found(); len(got) != 0 {
		t.Fatalf("terms without the user's key: got %q, want nothing", got)
	}
	// Back to the schema before 00016 (SQLite's 00017 writes terms again too), and up.
	for apptest.Int(t, db, `SELECT max(version_id) FROM goose_db_version`) >= 16 {
		migrate(database.MigrateDown)
	}
	migrate(database.MigrateUp)
	if got := found(); !slices.Equal(got, []string{"Water the ferns"}) {
		t.Fatalf("search after the migration: got %q", got)
	}
}
