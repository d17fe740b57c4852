package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"

	"modernc.org/sqlite"
)

// openSQLiteDB opens a pool of SQLite connections to dsn whose connections keep their
// statements. database/sql prepares a statement for every Exec and Query that is not run on
// a prepared *sql.Stmt, and SQLite then parses its text again: River's queries (long ones,
// run for every job), the reminders' and the accounts' would spend a fifth of the CPU of a
// burst of reminders parsing SQL. Each connection here keeps the statements it ran, by their
// text, and runs them again as a prepared statement would run.
func openSQLiteDB(dsn string) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(stmtCachingConnector{c}), nil
}

type stmtCachingConnector struct{ driver.Connector }

func (c stmtCachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &stmtCachingConn{conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

// maxCachedStmts bounds the statements a connection keeps: the app runs a few dozen texts;
// statements made of values (a rare IN list of another length) come and go.
const maxCachedStmts = 256

// stmtCachingConn is a connection that keeps its statements. database/sql uses a connection
// from one goroutine at a time, so it needs no lock; a statement whose rows are still being
// read (a query inside the loop over the rows of the same query) is busy, and the statement
// asked for meanwhile is a new one, closed with its rows.
type stmtCachingConn struct {
	conn  driver.Conn
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	stmt preparedStmt
	busy bool
}

// preparedStmt is what SQLite's statements are.
type preparedStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// stmt is the connection's statement of query, marked busy, and whether the connection keeps
// it (or the caller closes it when done).
func (c *stmtCachingConn) stmt(ctx context.Context, query string) (*cachedStmt, bool, error) {
	if s, ok := c.stmts[query]; ok && !s.busy {
		s.busy = true
		return s, true, nil
	}
	prepared, err := c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, false, err
	}
	st, ok := prepared.(preparedStmt)
	if !ok {
		prepared.Close()
		return nil, false, errors.New("sqlite: a statement without ExecContext and QueryContext")
	}
	s := &cachedStmt{stmt: st, busy: true}
	if _, taken := c.stmts[query]; taken {
		return s, false, nil
	}
	if len(c.stmts) >= maxCachedStmts {
		c.evictOne()
	}
	c.stmts[query] = s
	return s, true, nil
}

// evictOne closes a statement that is not in use (any one: the map's order).
func (c *stmtCachingConn) evictOne() {
	for query, s := range c.stmts {
		if !s.busy {
			s.stmt.Close()
			delete(c.stmts, query)
			return
		}
	}
}

// done ends a use of s: the connection keeps it for the next, or it is closed.
func (c *stmtCachingConn) done(s *cachedStmt, kept bool) {
	s.busy = false
	if !kept {
		s.stmt.Close()
	}
}

func (c *stmtCachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, kept, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	defer c.done(s, kept)
	return s.stmt.ExecContext(ctx, args)
}

func (c *stmtCachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, kept, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := s.stmt.QueryContext(ctx, args)
	if err != nil {
		c.done(s, kept)
		return nil, err
	}
	return &cachedRows{rows: rows, done: func() { c.done(s, kept) }}, nil
}

func (c *stmtCachingConn) Prepare(query string) (driver.Stmt, error) { return c.conn.Prepare(query) }

func (c *stmtCachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

// Begin is for drivers older than BeginTx: database/sql calls BeginTx.
func (c *stmtCachingConn) Begin() (driver.Tx, error) {
	//lint:ignore SA1019 driver.Conn requires Begin
	return c.conn.Begin()
}

func (c *stmtCachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *stmtCachingConn) Ping(ctx context.Context) error { return c.conn.(driver.Pinger).Ping(ctx) }

func (c *stmtCachingConn) ResetSession(ctx context.Context) error {
	return c.conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *stmtCachingConn) IsValid() bool { return c.conn.(driver.Validator).IsValid() }

func (c *stmtCachingConn) Close() error {
	for query, s := range c.stmts {
		s.stmt.Close()
		delete(c.stmts, query)
	}
	return c.conn.Close()
}

// cachedRows are the rows of a kept statement, which is free again when they are closed. They
// answer what SQLite's rows answer about their columns.
type cachedRows struct {
	rows driver.Rows
	done func()
}

func (r *cachedRows) Columns() []string              { return r.rows.Columns() }
func (r *cachedRows) Next(dest []driver.Value) error { return r.rows.Next(dest) }

// Close is called once: database/sql closes a driver's rows once.
func (r *cachedRows) Close() error {
	err := r.rows.Close()
	r.done()
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	return r.rows.(driver.RowsColumnTypeDatabaseTypeName).ColumnTypeDatabaseTypeName(i)
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	return r.rows.(driver.RowsColumnTypeLength).ColumnTypeLength(i)
}

func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) {
	return r.rows.(driver.RowsColumnTypeNullable).ColumnTypeNullable(i)
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	return r.rows.(driver.RowsColumnTypePrecisionScale).ColumnTypePrecisionScale(i)
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	return r.rows.(driver.RowsColumnTypeScanType).ColumnTypeScanType(i)
}
