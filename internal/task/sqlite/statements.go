package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// maxStatements bounds the statements kept prepared per pool: the lists of v2 are written from
// their filters, a few hundred shapes in practice; one past the bound is run unprepared.
const maxStatements = 512

// statements keeps the store's statements prepared, by their SQL, on one pool: SQLite parses
// and plans a statement on every call otherwise, which costs more than running the usual
// statement of a request.
type statements struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// newStatements prepares queries on db.
func newStatements(ctx context.Context, db *sql.DB, queries ...string) (*statements, error) {
	s := &statements{db: db, m: make(map[string]*sql.Stmt)}
	for _, q := range queries {
		if _, err := s.stmt(ctx, q); err != nil {
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
	}
	return s, nil
}

// stmt is the prepared statement of query, or nil (run it unprepared) past the bound.
//
// The lock is not held while preparing: preparing waits for a connection of the pool, and the
// writer's one may be in a transaction that needs the lock to find its own statements.
func (s *statements) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	st, ok := s.m[query]
	full := len(s.m) >= maxStatements
	s.mu.Unlock()
	if ok || full {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if first, ok := s.m[query]; ok { // prepared meanwhile by another caller
		st.Close()
		return first, nil
	}
	s.m[query] = st
	return st, nil
}

func (s *statements) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return s.db.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (s *statements) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, query)
	if err != nil || st == nil {
		// A failed prepare fails again here, and its error comes out of Scan.
		return s.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (s *statements) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := s.stmt(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return s.db.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// in is the statements of a transaction on the pool.
func (s *statements) in(tx *sql.Tx) txStatements { return txStatements{s, tx} }

type txStatements struct {
	s  *statements
	tx *sql.Tx
}

// stmt is query's statement in the transaction if it was prepared before, or nil: preparing
// it now would wait for a connection of the pool, and the writer's only one is the
// transaction's.
func (t txStatements) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	t.s.mu.Lock()
	st := t.s.m[query]
	t.s.mu.Unlock()
	if st == nil {
		return nil, nil
	}
	return t.tx.StmtContext(ctx, st), nil
}

func (t txStatements) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return t.tx.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (t txStatements) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, query)
	if err != nil || st == nil {
		return t.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (t txStatements) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return t.tx.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}
