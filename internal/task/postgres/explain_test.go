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
	for i, sql := range postgres.ListStatements {
		args := []any{"user-1", 50, 0}
		if i == 1 {
			args = append(args, false)
		}
		text := explain(t, db, sql, args...)
		if strings.Contains(text, "Sort") || !strings.Contains(text, "Index Scan using idx_tasks_user_") {
			t.Errorf("the list reads the user's tasks and sorts them:\n%s\n%s", sql, text)
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
