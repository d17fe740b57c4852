package postgres_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/task"
	"todo/internal/task/postgres"
	"todo/internal/task/stores"
	"todo/internal/task/taskquery"
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
			checkPlan(t, name, q, st, explain(t, db, st.SQL, st.Args...))
			// The app's statements are prepared: after five runs PostgreSQL may plan them once
			// for any values, and then it cannot see what the values would tell it.
			checkPlan(t, name+" (generic plan)", q, st, explainGeneric(t, db, st.SQL, st.Args...))
		}
	}
}

// checkPlan fails a plan that reads every task, or every task of the user to count them, or
// that searches without the full-text index.
func checkPlan(t *testing.T, name string, q task.Plan, st taskquery.Statement, text string) {
	t.Helper()
	if strings.Contains(text, "Seq Scan on tasks") {
		t.Errorf("%s: reads every task:\n%s\n%s", name, st.SQL, text)
	}
	// A count that reads a range by user alone reads every task of the user. (A search's count
	// may join its matches to the ids of all the user's tasks, read from an index alone, when
	// the planner finds that cheaper than a probe for each match.)
	byUserAlone := strings.Contains(text, "Index Cond: (user_id = 'u'::text)\n") || strings.Contains(text, "Index Cond: (user_id = $1)\n")
	if strings.HasPrefix(st.SQL, "SELECT count(*)") && q.Search.Empty() && byUserAlone {
		t.Errorf("%s: counts every task of the user:\n%s\n%s", name, st.SQL, text)
	}
	if !q.Search.Empty() && !strings.Contains(text, "idx_task_search") {
		t.Errorf("%s: the search does not use the full-text index:\n%s", name, text)
	}
	if _, sub, _ := strings.Cut(text, "SubPlan"); strings.Contains(text, "Seq Scan on task_search") || strings.Contains(sub, "task_search") {
		t.Errorf("%s: the search reads the terms once per task, or all of them:\n%s", name, text)
	}
}

// explainGeneric is the plan of sql that PostgreSQL makes once for any values of its
// parameters, as it does for a prepared statement run often.
func explainGeneric(t *testing.T, db *database.DB, sql string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Postgres.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `RESET plan_cache_mode`)
	if _, err := conn.Exec(ctx, `PREPARE generic AS `+sql); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	defer conn.Exec(ctx, `DEALLOCATE generic`)
	// EXECUTE takes no parameters of its own: the values go in as literals.
	values := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			values[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		case bool, int, int64:
			values[i] = fmt.Sprint(v)
		case time.Time:
			values[i] = "'" + v.Format(time.RFC3339Nano) + "'::timestamptz"
		case []byte:
			values[i] = `'\x` + hex.EncodeToString(v) + "'::bytea"
		case fmt.Stringer:
			values[i] = "'" + v.String() + "'"
		default:
			t.Fatalf("no literal for %T in\n%s", a, sql)
		}
	}
	return lines(t, conn, sql, "EXPLAIN EXECUTE generic("+strings.Join(values, ", ")+")")
}

// TestListPlanBeforeAnalyze: on a table that autovacuum has not analyzed yet, as in the first
// minute of a new database, the specification's list still walks its index to the page
// instead of reading all of a user's tasks and sorting them.
func TestListPlanBeforeAnalyze(t *testing.T) {
	db := apptest.OpenDB(t, database.Postgres)
	store, err := stores.New(db)
	if err != nil {
		t.Fatal(err)
	}
	svc := task.NewService(store)
	ctx := context.Background()
	// Tasks as a first minute of use leaves them: sixteen users' lists, created, some of
	// them completed.
	for i := range 3000 {
		user := fmt.Sprintf("user-%d", i%16)
		created, err := svc.Create(ctx, user, task.Draft{Title: fmt.Sprintf("Task %d", i), Description: "Some words about it"})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := svc.Toggle(ctx, user, created.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	var analyzed bool
	if err := db.Postgres.QueryRow(ctx, `SELECT last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL
		FROM pg_stat_user_tables WHERE relname = 'tasks'`).Scan(&analyzed); err != nil {
		t.Fatal(err)
	}
	if analyzed {
		t.Fatal("the new table is analyzed already: the test needs it as a new database has it")
	}
	for _, sql := range postgres.ListStatements {
		for _, text := range []string{explain(t, db, sql, "user-1", 50, 0), explainGeneric(t, db, sql, "user-1", 50, 0)} {
			if strings.Contains(text, "Sort") || !strings.Contains(text, "Index Scan using idx_tasks_user_") {
				t.Errorf("the list reads the user's tasks and sorts them:\n%s\n%s", sql, text)
			}
			// The counts are read once a page: joined to the tasks, a plan made for tables that
			// look this small may read them again for each task, 50 times a page.
			if strings.Contains(text, "Nested Loop") || strings.Contains(text, "Join") {
				t.Errorf("the list joins the counts to the tasks:\n%s\n%s", sql, text)
			}
		}
	}
}

// TestListPlannedOnce: a connection plans each statement of the specification's list for its
// first values a few times, and then once for all: not again on each call, which takes about
// as long as the list itself. (PostgreSQL makes five plans for given values before it weighs
// one for any values against them.) The users have more than ten times a page of tasks each,
// as under a load that creates tasks faster than it deletes them.
func TestListPlannedOnce(t *testing.T) {
	db := apptest.OpenDB(t, database.Postgres)
	ctx := context.Background()
	if _, err := db.Postgres.Exec(ctx, `INSERT INTO tasks (id, user_id, title, description, completed, created_at)
		SELECT gen_random_uuid(), 'user-' || i % 16, 'Task ' || i, 'Some words about it', i % 3 = 0, now() - i * interval '1 second'
		FROM generate_series(1, 16000) AS i`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Postgres.Exec(ctx, `ANALYZE tasks, task_counts`); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Postgres.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for _, sql := range postgres.ListStatements {
		for i := range 20 {
			rows, err := conn.Query(ctx, sql, fmt.Sprintf("user-%d", i%16), 50, 50*(i%3))
			if err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
		}
		var generic, custom int64
		if err := conn.QueryRow(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1`, sql).
			Scan(&generic, &custom); err != nil {
			t.Fatal(err)
		}
		if custom != 5 || generic != 15 {
			t.Errorf("20 lists: %d planned for their values, %d with the plan for any values; want 5 and 15\n%s", custom, generic, sql)
		}
	}
}

// explain is the plan of the statement, one line per node.
func explain(t *testing.T, db *database.DB, sql string, args ...any) string {
	t.Helper()
	return lines(t, db.Postgres, sql, "EXPLAIN "+sql, args...)
}

// lines runs explain, an EXPLAIN of sql, on q and joins the lines of the plan.
func lines(t *testing.T, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql, explain string, args ...any) string {
	t.Helper()
	rows, err := q.Query(context.Background(), explain, args...)
	if err == nil {
		var plan []string
		if plan, err = pgx.CollectRows(rows, pgx.RowTo[string]); err == nil {
			return strings.Join(plan, "\n")
		}
	}
	t.Fatalf("%v\n%s", err, sql)
	return ""
}
