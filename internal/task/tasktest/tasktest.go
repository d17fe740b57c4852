// Package tasktest makes task data for the tests and benchmarks of the task stores.
package tasktest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"todo/internal/database"
	"todo/internal/task"
)

// SeedPlanned gives user n tasks with the planning fields spread over them: every fourth
// priority, a due on two tasks in three (over 60 days from 1 Dec 2026), the tag "work" on one
// in ten, and "quarterly report" in the title of one in a hundred. Search terms and title keys
// are made by the first query, as for rows that other programs write. The caller analyses the
// tables when it is done seeding.
func SeedPlanned(b testing.TB, db *database.DB, user string, n int) {
	b.Helper()
	seedPlanned(b, db, user, 1, n)
}

// SeedPlannedUsers gives each of users new users, named prefix0, prefix1 and so on, n tasks
// as SeedPlanned does, in three statements for them all. No other user's name may begin with
// prefix.
func SeedPlannedUsers(b testing.TB, db *database.DB, prefix string, users, n int) {
	b.Helper()
	seedPlanned(b, db, prefix, users, n)
}

// seedPlanned writes n tasks for each of users users: named name when there is one, and
// otherwise name followed by a number from 0. The g-th task (from 1) is the i-th of its user.
func seedPlanned(b testing.TB, db *database.DB, name string, users, n int) {
	b.Helper()
	user, theirs := "$1", "t.user_id = $1"
	if users > 1 {
		user, theirs = "$1 || ((g - 1) / $2)", "t.user_id LIKE $1 || '%'"
	}
	var stmts []string
	if db.Dialect == database.Postgres {
		stmts = []string{
			`INSERT INTO tasks (user_id, title, description, completed, created_at, priority, due_date, due_key)
			SELECT ` + user + `, CASE WHEN i % 100 = 0 THEN 'quarterly report ' ELSE 'task ' END || i, 'description ' || i,
			       i % 3 = 0, now() - i * interval '1 second', i % 4,
			       CASE WHEN i % 3 <> 0 THEN date '2026-12-01' + i % 60 END,
			       CASE WHEN i % 3 <> 0 THEN (date '2026-12-01' + i % 60)::timestamp AT TIME ZONE 'UTC' END
			FROM generate_series(1, $2::int * $3::int) g, LATERAL (SELECT (g - 1) % $2::int + 1 AS i) AS n`,
			`INSERT INTO tags (user_id, name, name_key) SELECT DISTINCT ` + user + `, 'work', 'work'
			FROM generate_series(1, $2::int * $3::int, $2::int) g ON CONFLICT DO NOTHING`,
			`INSERT INTO task_tags (task_id, tag_id, position)
			SELECT t.id, g.id, 0 FROM tasks t JOIN tags g ON g.user_id = t.user_id AND g.name_key = 'work'
			WHERE ` + theirs + ` AND substring(t.description from 13)::int % 10 = 0 AND $2::int * $3::int > 0`,
		}
		for _, s := range stmts {
			if _, err := db.Postgres.Exec(context.Background(), s, name, n, users); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	sqlite := strings.NewReplacer("$1", "?1", "$2", "?2")
	user, theirs = sqlite.Replace(user), sqlite.Replace(theirs)
	stmts = []string{
		`WITH RECURSIVE g(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM g WHERE g < ?2 * ?3)
		INSERT INTO tasks (user_id, title, description, completed, created_at, priority, due_date, due_key)
		SELECT ` + user + `, CASE WHEN i % 100 = 0 THEN 'quarterly report ' ELSE 'task ' END || i, 'description ' || i,
		       i % 3 = 0, strftime('%Y-%m-%dT%H:%M:%S', 'now', '-' || i || ' seconds') || '.000000Z', i % 4,
		       CASE WHEN i % 3 <> 0 THEN date('2026-12-01', '+' || (i % 60) || ' days') END,
		       CASE WHEN i % 3 <> 0 THEN date('2026-12-01', '+' || (i % 60) || ' days') || 'T00:00:00.000000Z' END
		FROM (SELECT g, (g - 1) % ?2 + 1 AS i FROM g)`,
		`WITH RECURSIVE g(g) AS (SELECT 1 UNION ALL SELECT g + ?2 FROM g WHERE g + ?2 <= ?2 * ?3)
		INSERT INTO tags (user_id, name, name_key) SELECT DISTINCT ` + user + `, 'work', 'work' FROM g WHERE true
		ON CONFLICT DO NOTHING`,
		`INSERT INTO task_tags (task_id, tag_id, position)
		SELECT t.id, g.id, 0 FROM tasks t JOIN tags g ON g.user_id = t.user_id AND g.name_key = 'work'
		WHERE ` + theirs + ` AND CAST(substr(t.description, 13) AS INTEGER) % 10 = 0 AND ?2 * ?3 > 0`,
	}
	for _, s := range stmts {
		if _, err := db.SQLite.Write.Exec(s, name, n, users); err != nil {
			b.Fatal(err)
		}
	}
}

// Queries are the v2 lists whose plans the stores' tests check, by name, resolved for a user
// in UTC at now: every filter, search and sort, and pages deep in.
func Queries(now time.Time) map[string]task.Plan {
	deepDue := &task.Cursor{Sort: task.SortDue, Time: now.Add(30 * 24 * time.Hour), ID: uuid.Max}
	deepTitle := &task.Cursor{Sort: task.SortTitle, Bytes: task.TitleKey("task 5"), ID: uuid.Max}
	qs := map[string]task.Query{
		"first page":              {Desc: true},
		"open":                    {Status: task.StatusOpen, Desc: true},
		"search":                  {Search: task.ParseSearch("quarterly"), Desc: true},
		"search by title":         {Search: task.ParseSearch("quart"), Sort: task.SortTitle},
		"search of a phrase":      {Search: task.ParseSearch("東京都"), Desc: true},
		"tag and open":            {Tags: []string{"work"}, Status: task.StatusOpen, Desc: true},
		"priority by due":         {Priorities: []task.Priority{task.PriorityHigh}, Sort: task.SortDue},
		"today and overdue":       {Due: []task.DueFilter{task.DueOverdue, task.DueToday}, Sort: task.SortDue},
		"upcoming":                {Due: []task.DueFilter{task.DueUpcoming}, Status: task.StatusOpen, Sort: task.SortDue},
		"no due":                  {Due: []task.DueFilter{task.DueNone}, Desc: true},
		"due between":             {DueAfter: &task.Date{Year: 2026, Month: 12, Day: 10}, DueBefore: &task.Date{Year: 2026, Month: 12, Day: 20}, Sort: task.SortDue},
		"by title":                {Sort: task.SortTitle},
		"by priority":             {Sort: task.SortPriority, Desc: true},
		"by priority, none first": {Sort: task.SortPriority},
		"by updated":              {Sort: task.SortUpdated, Desc: true},
		"by due":                  {Sort: task.SortDue},
		"by due, deep cursor":     {Sort: task.SortDue, Cursor: deepDue},
		"by title, deep cursor":   {Sort: task.SortTitle, Cursor: deepTitle},
	}
	out := make(map[string]task.Plan, len(qs))
	for name, q := range qs {
		q.Limit = 51
		out[name] = task.NewPlan(q, time.UTC, now)
	}
	return out
}

// SeedExplained makes the data whose query plans the stores' tests check: user "u" with 20,000
// tasks and 100 other users with 1,000 each, indexed for search (through store) and analysed, so
// that the planner sees the user's rows as the few they are among many.
func SeedExplained(t testing.TB, db *database.DB, store task.Store) {
	t.Helper()
	SeedPlanned(t, db, "u", 20_000)
	for i := range 100 {
		SeedPlanned(t, db, fmt.Sprintf("other-%d", i), 1000)
	}
	for _, user := range []string{"u", "other-0"} {
		if _, err := store.Query(context.Background(), user, task.NewPlan(task.Query{Search: task.ParseSearch("task"), Limit: 1}, time.UTC, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if db.Dialect == database.Postgres {
		_, err = db.Postgres.Exec(context.Background(), `VACUUM ANALYZE`)
	} else {
		_, err = db.SQLite.Write.Exec(`ANALYZE`)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// IndexTasks is a store's step that writes the search terms and title keys of tasks as they
// were read, and answers those it left because they changed since.
type IndexTasks func(ctx context.Context, tasks []task.Task) (skipped []uuid.UUID, err error)

// CheckIndexOfAChangedTask fails unless a task changed between the moment the store read it to
// index it and the moment it writes its terms is found by its new text, not by its old: the
// step must not store terms of text the task no longer has.
func CheckIndexOfAChangedTask(t *testing.T, store task.Store, index IndexTasks) {
	t.Helper()
	ctx := context.Background()
	svc := task.NewService(store)
	created, err := svc.Create(ctx, "u", task.Draft{Title: "Water the plants"})
	if err != nil {
		t.Fatal(err)
	}
	read, err := store.Get(ctx, "u", created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Update(ctx, "u", created.ID, task.Patch{Title: new("Water the ferns")}); err != nil {
		t.Fatal(err)
	}
	skipped, err := index(ctx, []task.Task{read})
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 1 || skipped[0] != created.ID {
		t.Errorf("the index step says it left %v, want the changed task", skipped)
	}
	for q, want := range map[string]int{"plants ": 0, "ferns ": 1} {
		page, _, err := svc.Query(ctx, "u", task.Query{Search: task.ParseSearch(q), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tasks) != want {
			t.Errorf("a search for %q finds %d tasks, want %d", q, len(page.Tasks), want)
		}
	}
	page, _, err := svc.Query(ctx, "u", task.Query{Sort: task.SortTitle, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tasks) != 1 || page.Tasks[0].Title != "Water the ferns" {
		t.Errorf("sorted by title: %+v", page.Tasks)
	}
}
