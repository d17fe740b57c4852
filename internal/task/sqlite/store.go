// Package sqlite keeps tasks in SQLite: the task.Store of the embedded database.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"todo/internal/database"
	"todo/internal/task"
)

// timeFormat is how tasks keep time in SQLite: UTC text of fixed width, so that comparing and
// ordering the text compares and orders the instants.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// Store keeps tasks in SQLite. Its statements are prepared once: SQLite would otherwise parse
// each one again on every call, which costs more than running it. Reads go to the reader
// pool, writes to the single writer.
type Store struct {
	writer                                                  *sql.DB
	list, listFiltered, counts, get                         *sql.Stmt
	insert, update, toggle, remove, setAll, removeCompleted *sql.Stmt
}

// The columns of a task, in the order of row.dest; description may be NULL in the
// specification's schema (rows written by other tools), and a task always shows a string.
// pageColumns are the counts of the user's task_counts row (c) and the same columns of each
// task (t) of a page.
const (
	columns     = "id, title, coalesce(description, '') AS description, completed, created_at, updated_at"
	pageColumns = "c.total, c.completed, t.id, t.title, coalesce(t.description, ''), t.completed, t.created_at, t.updated_at"
)

// New prepares the store's statements on db.
func New(db *database.SQLiteDB) (*Store, error) {
	s := &Store{writer: db.Write}
	for _, p := range []struct {
		stmt  **sql.Stmt
		db    *sql.DB
		query string
	}{
		{&s.list, db.Read, listAll},
		{&s.listFiltered, db.Read, listFiltered},
		{&s.counts, db.Read, `SELECT total, completed FROM task_counts WHERE user_id = ?`},
		{&s.get, db.Read, `SELECT ` + columns + ` FROM tasks WHERE id = ? AND user_id = ?`},
		{&s.insert, db.Write, insert},
		{&s.update, db.Write, `UPDATE tasks SET title = coalesce(?, title), description = coalesce(?, description),
			completed = coalesce(?, completed), updated_at = ? WHERE id = ? AND user_id = ? RETURNING ` + columns},
		{&s.toggle, db.Write, `UPDATE tasks SET completed = 1 - completed, updated_at = ? WHERE id = ? AND user_id = ? RETURNING ` + columns},
		{&s.remove, db.Write, `DELETE FROM tasks WHERE id = ? AND user_id = ?`},
		{&s.setAll, db.Write, `UPDATE tasks SET completed = ?1, updated_at = ?2 WHERE rowid IN
			(SELECT rowid FROM tasks WHERE user_id = ?3 AND completed <> ?1 LIMIT ?4)`},
		{&s.removeCompleted, db.Write, `DELETE FROM tasks WHERE rowid IN
			(SELECT rowid FROM tasks WHERE user_id = ?1 AND completed = 1 LIMIT ?2)`},
	} {
		stmt, err := p.db.Prepare(p.query)
		if err != nil {
			return nil, fmt.Errorf("prepare %q: %w", p.query, err)
		}
		*p.stmt = stmt
	}
	return s, nil
}

// A page comes with the counts in one statement: the user's row of task_counts joined to each
// task of the page, read in the order of the index, so nothing is sorted. A page with no task
// has no row, and then the counts are read on their own.
const list = `SELECT ` + pageColumns + `
FROM task_counts AS c CROSS JOIN tasks AS t
WHERE c.user_id = ?1 AND t.user_id = ?1 %s
ORDER BY t.created_at DESC, t.id DESC LIMIT ?2 OFFSET ?3`

var (
	listAll      = fmt.Sprintf(list, "")
	listFiltered = fmt.Sprintf(list, "AND t.completed = ?4")
)

func (s *Store) List(ctx context.Context, userID string, f task.Filter) (task.Page, error) {
	stmt, args := s.list, []any{userID, f.Limit, f.Offset}
	if f.Completed != nil {
		stmt, args = s.listFiltered, append(args, *f.Completed)
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return task.Page{}, err
	}
	defer rows.Close()
	var (
		page task.Page
		r    row
	)
	dest := append([]any{&page.Counts.Total, &page.Counts.Completed}, r.dest()...)
	page.Tasks, err = collect(rows, min(f.Limit, task.DefaultPageSize), dest,
		func() (task.Task, error) { return r.task(userID) })
	if err != nil {
		return task.Page{}, err
	}
	if len(page.Tasks) == 0 {
		err = s.counts.QueryRowContext(ctx, userID).Scan(&page.Counts.Total, &page.Counts.Completed)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return task.Page{}, err
		}
	}
	// The counts are exact for every filter the store has: all, completed, open.
	page.Total = page.Counts.Matching(f.Completed)
	return page, nil
}

// insert adds a task unless its user has ?7 tasks already (?7 = 0: no limit). The single
// writer makes the check and the insert one step: the quota is exact.
const insert = `INSERT INTO tasks (id, user_id, title, description, completed, created_at)
SELECT ?1, ?2, ?3, ?4, ?5, ?6
WHERE ?7 <= 0 OR coalesce((SELECT total FROM task_counts WHERE user_id = ?2), 0) < ?7`

func (s *Store) Insert(ctx context.Context, t task.Task, maxTasks int64) (bool, error) {
	n, err := affected(s.insert.ExecContext(ctx, t.ID.String(), t.UserID, t.Title, t.Description, t.Completed, t.CreatedAt.Format(timeFormat), maxTasks))
	return n == 1, err
}

func (s *Store) Get(ctx context.Context, userID string, id uuid.UUID) (task.Task, error) {
	return one(s.get.QueryRowContext(ctx, id.String(), userID), userID)
}

func (s *Store) Update(ctx context.Context, userID string, id uuid.UUID, p task.Patch, at time.Time) (task.Task, error) {
	return one(s.update.QueryRowContext(ctx, p.Title, p.Description, p.Completed, at.Format(timeFormat), id.String(), userID), userID)
}

func (s *Store) Toggle(ctx context.Context, userID string, id uuid.UUID, at time.Time) (task.Task, error) {
	return one(s.toggle.QueryRowContext(ctx, at.Format(timeFormat), id.String(), userID), userID)
}

func (s *Store) Delete(ctx context.Context, userID string, id uuid.UUID) error {
	n, err := affected(s.remove.ExecContext(ctx, id.String(), userID))
	if err == nil && n == 0 {
		return task.ErrNotFound
	}
	return err
}

// SetAllCompleted and DeleteCompleted change task.BatchSize rows per statement, each its own
// transaction, until a statement changes fewer: one statement over 100,000 tasks held the
// single writer for seconds, and every other user's write waited behind it.
func (s *Store) SetAllCompleted(ctx context.Context, userID string, completed bool, at time.Time) (int64, error) {
	return task.InBatches(func(limit int) (int64, error) {
		return affected(s.setAll.ExecContext(ctx, completed, at.Format(timeFormat), userID, limit))
	})
}

func (s *Store) DeleteCompleted(ctx context.Context, userID string) (int64, error) {
	return task.InBatches(func(limit int) (int64, error) {
		return affected(s.removeCompleted.ExecContext(ctx, userID, limit))
	})
}

// DeleteAll removes the user's tasks and then their counts row, which the triggers of the
// deletions would otherwise leave behind at zero.
func (s *Store) DeleteAll(ctx context.Context, userID string) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range []string{`DELETE FROM tasks WHERE user_id = ?`, `DELETE FROM task_counts WHERE user_id = ?`} {
		if _, err := tx.ExecContext(ctx, stmt, userID); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func one(sqlRow *sql.Row, userID string) (task.Task, error) {
	var r row
	err := sqlRow.Scan(r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return task.Task{}, task.ErrNotFound
	}
	if err != nil {
		return task.Task{}, err
	}
	return r.task(userID)
}

// row is a task as SQLite gives it: text for the id and the times (updated_at may be NULL).
type row struct {
	id, title, description, createdAt string
	completed                         bool
	updatedAt                         sql.NullString
}

// dest are the scan destinations of columns, in order.
func (r *row) dest() []any {
	return []any{&r.id, &r.title, &r.description, &r.completed, &r.createdAt, &r.updatedAt}
}

func (r *row) task(userID string) (task.Task, error) {
	t := task.Task{UserID: userID, Title: r.title, Description: r.description, Completed: r.completed}
	var err error
	if t.ID, err = uuid.Parse(r.id); err != nil {
		return task.Task{}, fmt.Errorf("task id %q: %w", r.id, err)
	}
	if t.CreatedAt, err = time.Parse(time.RFC3339Nano, r.createdAt); err != nil {
		return task.Task{}, fmt.Errorf("task %s created_at: %w", r.id, err)
	}
	if r.updatedAt.Valid {
		u, err := time.Parse(time.RFC3339Nano, r.updatedAt.String)
		if err != nil {
			return task.Task{}, fmt.Errorf("task %s updated_at: %w", r.id, err)
		}
		t.UpdatedAt = &u
	}
	return t, nil
}

// collect reads every row into a slice of at most capacity to start with: each row is scanned
// into dest, and read turns what dest points at into a T. One set of destinations serves the
// whole result, so that scanning a row allocates nothing.
func collect[T any](rows *sql.Rows, capacity int, dest []any, read func() (T, error)) ([]T, error) {
	out := make([]T, 0, capacity)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		v, err := read()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
