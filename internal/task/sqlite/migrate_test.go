package sqlite_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/task"
	"todo/internal/task/sqlite"
)

// TestSmallerRowsMigration: tasks indexed before migration 00017 (title keys in their rows,
// search terms with positions in one index) are found by a search, of a phrase too, and
// listed by title after it, and their rows no longer hold a title key.
func TestSmallerRowsMigration(t *testing.T) {
	ctx := context.Background()
	db, cfg := apptest.OpenDBConfig(t, database.SQLite)
	migrate := func(command string) {
		t.Helper()
		if err := database.Migrate(ctx, db, cfg, apptest.Logger(t), command, io.Discard); err != nil {
			t.Fatalf("migrate %s: %v", command, err)
		}
	}
	for apptest.Int(t, db, `SELECT max(version_id) FROM goose_db_version`) >= 17 {
		migrate(database.MigrateDown)
	}
	// Three tasks as the store wrote them before: indexed, with their keys and terms.
	titles := []string{"Water the ferns", "book 東京都 hotel", "Answer Émile"}
	for i, title := range titles {
		terms := strings.Join(task.SearchTerms(title, "", nil).Of("u"), " ")
		for _, stmt := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO tasks (user_id, title, created_at, search_id, title_key) VALUES ('u', ?, ?, ?, ?)`,
				[]any{title, time.Date(2026, 12, 2, 0, 0, i, 0, time.UTC).Format("2006-01-02T15:04:05.000000Z"), i + 1, task.TitleKey(title)}},
			{`INSERT INTO task_search (rowid, terms) VALUES (?, ?)`, []any{i + 1, terms}},
		} {
			if _, err := db.SQLite.Write.Exec(stmt.sql, stmt.args...); err != nil {
				t.Fatal(err)
			}
		}
	}
	migrate(database.MigrateUp)

	var keys int
	if err := db.SQLite.Read.QueryRow(`SELECT count(*) FROM pragma_table_info('tasks') WHERE name = 'title_key'`).Scan(&keys); err != nil || keys != 0 {
		t.Fatalf("tasks still have a title_key column (%d, %v)", keys, err)
	}
	store, err := sqlite.New(db.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	list := func(q task.Query) []string {
		t.Helper()
		q.Limit = 10
		page, err := store.Query(ctx, "u", task.NewPlan(q, time.UTC, time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tk := range page.Tasks {
			got = append(got, tk.Title)
		}
		return got
	}
	for _, c := range []struct {
		q    task.Query
		want []string
	}{
		{task.Query{Search: task.ParseSearch("fern")}, []string{"Water the ferns"}},
		{task.Query{Search: task.ParseSearch("東京都")}, []string{"book 東京都 hotel"}},
		{task.Query{Search: task.ParseSearch("京東")}, nil},
		{task.Query{Sort: task.SortTitle}, []string{"Answer Émile", "book 東京都 hotel", "Water the ferns"}},
	} {
		if got := list(c.q); !slices.Equal(got, c.want) {
			t.Errorf("%+v: got %q, want %q", c.q, got, c.want)
		}
	}
}
