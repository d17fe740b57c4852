package sqlite_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/task/sqlite"
	"todo/internal/task/stores"
	"todo/internal/task/tasktest"
)

// TestExplain: every list of v2 (each filter, search and sort, and deep cursors) reads ranges
// of indexes, never all the tasks.
func TestExplain(t *testing.T) {
	db := apptest.OpenDB(t, database.SQLite)
	store, err := stores.New(db)
	if err != nil {
		t.Fatal(err)
	}
	tasktest.SeedExplained(t, db, store)
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for name, q := range tasktest.Queries(now) {
		for _, st := range sqlite.Statements("u", q) {
			rows, err := db.SQLite.Read.Query("EXPLAIN QUERY PLAN "+st.SQL, st.Args...)
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, st.SQL)
			}
			var plan []string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				rows.Scan(&id, &parent, &notused, &detail)
				plan = append(plan, detail)
			}
			rows.Close()
			for _, line := range plan {
				// SEARCH is a range of an index; SCAN t (even USING INDEX) reads all of
				// the table or index. SCAN g (the few tags of a task) and the full-text
				// index's own SCAN … VIRTUAL TABLE are not scans of tasks.
				if line == "SCAN t" || strings.HasPrefix(line, "SCAN t ") {
					t.Errorf("%s: reads every task:\n%s\n%s", name, st.SQL, strings.Join(plan, "\n"))
				}
				// A count that reads a range by user alone reads every task of the user.
				if strings.HasPrefix(st.SQL, "SELECT count(*)") && strings.HasPrefix(line, "SEARCH t ") && strings.HasSuffix(line, "(user_id=?)") {
					t.Errorf("%s: counts every task of the user:\n%s\n%s", name, st.SQL, strings.Join(plan, "\n"))
				}
			}
			if !q.Search.Empty() && !strings.Contains(strings.Join(plan, "\n"), "VIRTUAL TABLE INDEX") {
				t.Errorf("%s: the search does not use the full-text index:\n%s", name, strings.Join(plan, "\n"))
			}
		}
	}
}

// TestWritesExplain: the statements that write a task find it, and the next search id, in
// indexes: none reads all the tasks.
func TestWritesExplain(t *testing.T) {
	db := apptest.OpenDB(t, database.SQLite)
	for _, sql := range sqlite.WriteStatements {
		rows, err := db.SQLite.Read.Query("EXPLAIN QUERY PLAN "+sql, make([]any, parameters(sql))...)
		if err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, line := range plan {
			// A SEARCH of tasks without an index (as for a max() that no index can answer)
			// reads the whole table too.
			if line == "SCAN tasks" || strings.HasPrefix(line, "SCAN tasks ") || line == "SEARCH tasks" {
				t.Errorf("reads every task:\n%s\n%s", sql, strings.Join(plan, "\n"))
			}
		}
	}
}

// parameters is how many arguments the statement takes: its highest ?N, or else its ?s.
func parameters(sql string) int {
	numbered := regexp.MustCompile(`\?(\d+)`).FindAllStringSubmatch(sql, -1)
	if len(numbered) == 0 {
		return strings.Count(sql, "?")
	}
	n := 0
	for _, m := range numbered {
		i, _ := strconv.Atoi(m[1])
		n = max(n, i)
	}
	return n
}
