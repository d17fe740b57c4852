package database

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestSQLiteConnectionsKeepTheirStatements: a statement run again on a connection is the one
// it prepared the first time, and keeping statements changes no answer: not that of a query
// run inside the loop over the rows of the same query, nor after the table's columns change,
// nor when there are more statements than a connection keeps.
func TestSQLiteConnectionsKeepTheirStatements(t *testing.T) {
	ctx := context.Background()
	db, err := openSQLiteDB(filepath.Join(t.TempDir(), "kept.db") + "?" + sqlitePragmas)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	kept := func(query string) (s *cachedStmt, n int) {
		t.Helper()
		if err := conn.Raw(func(dc any) error {
			c := dc.(*stmtCachingConn)
			s, n = c.stmts[query], len(c.stmts)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return s, n
	}
	for _, q := range []string{`CREATE TABLE t (x INTEGER)`, `INSERT INTO t (x) VALUES (1), (2), (3)`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}

	const sum = `SELECT sum(x) FROM t WHERE x > ?`
	var first *cachedStmt
	for i, want := range []int{6, 5, 3} {
		var got int
		if err := conn.QueryRowContext(ctx, sum, i).Scan(&got); err != nil || got != want {
			t.Fatalf("sum of x > %d: %d (%v), want %d", i, got, err, want)
		}
		s, _ := kept(sum)
		if s == nil || s.busy || (first != nil && s != first) {
			t.Fatalf("run %d: kept statement %p (first %p)", i+1, s, first)
		}
		first = s
	}

	const all = `SELECT x FROM t ORDER BY x`
	rows, err := conn.QueryContext(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for rows.Next() {
		var x int
		if err := rows.Scan(&x); err != nil {
			t.Fatal(err)
		}
		inner, err := conn.QueryContext(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		for inner.Next() {
			var y int
			if err := inner.Scan(&y); err != nil {
				t.Fatal(err)
			}
			pairs = append(pairs, fmt.Sprint(x, y))
		}
		if err := inner.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(pairs) != "[1 1 1 2 1 3 2 1 2 2 2 3 3 1 3 2 3 3]" {
		t.Fatalf("a query inside the loop over the same query: %v", pairs)
	}
	if s, _ := kept(all); s == nil || s.busy {
		t.Fatalf("after both loops, the statement kept is %+v", s)
	}

	const star = `SELECT * FROM t WHERE x = 1`
	columns := func() []string {
		t.Helper()
		rows, err := conn.QueryContext(ctx, star)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		c, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if got := columns(); fmt.Sprint(got) != "[x]" {
		t.Fatalf("columns: %v", got)
	}
	if _, err := conn.ExecContext(ctx, `ALTER TABLE t ADD COLUMN y INTEGER NOT NULL DEFAULT 7`); err != nil {
		t.Fatal(err)
	}
	if got := columns(); fmt.Sprint(got) != "[x y]" {
		t.Fatalf("columns after one was added: %v", got)
	}

	for i := range maxCachedStmts + 10 {
		var got int
		if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d + ?`, i), 1).Scan(&got); err != nil || got != i+1 {
			t.Fatalf("statement %d: %d (%v)", i, got, err)
		}
	}
	if _, n := kept(sum); n > maxCachedStmts {
		t.Fatalf("the connection keeps %d statements, more than %d", n, maxCachedStmts)
	}
}
