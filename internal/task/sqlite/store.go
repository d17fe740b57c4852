// Package sqlite keeps tasks in SQLite: the task.Store of the embedded database.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"todo/internal/database"
	"todo/internal/recur"
	"todo/internal/task"
)

// timeFormat is how tasks keep time in SQLite: UTC text of fixed width, so that comparing and
// ordering the text compares and orders the instants.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// Store keeps tasks in SQLite. Its statements are prepared once: SQLite would otherwise parse
// each one again on every call, which costs more than running it. Reads go to the reader
// pool, writes to the single writer.
type Store struct {
	reader, writer                                  *sql.DB
	r, w                                            *statements // of the reader and the writer
	g                                               *groupWriter
	list, listFiltered, counts, get, getMany, prefs *sql.Stmt
	tagsOf                                          *sql.Stmt
	setAll, removeCompleted                         *sql.Stmt
}

// The columns of a task, in the order of row.dest; description may be NULL in the
// specification's schema (rows written by other tools), and a task always shows a string.
// pageColumns are the counts of the user's task_counts row (c) and the spec's columns of each
// task (t) of a page. Tags are joined in the order of the task, with a separator that no tag
// name may contain.
const (
	// pageColumns of the tasks of a page: their tags follow in a statement of their own (see
	// withTags).
	taskColumns = `t.id, t.title, coalesce(t.description, ''), t.completed, t.created_at, t.updated_at,
		t.completed_at, t.priority, t.due_date, t.due_at, t.version, t.repeat, t.repeat_done`
	columns = taskColumns + `,
		(SELECT group_concat(g.name, char(31) ORDER BY tt.position) FROM task_tags AS tt JOIN tags AS g ON g.id = tt.tag_id WHERE tt.task_id = t.id)`
	pageColumns = "c.total, c.completed, t.id, t.title, coalesce(t.description, ''), t.completed, t.created_at, t.updated_at"
)

// New prepares the store's statements on db.
func New(db *database.SQLiteDB) (*Store, error) {
	s := &Store{reader: db.Read, writer: db.Write}
	var err error
	if s.r, err = newStatements(context.Background(), db.Read); err != nil {
		return nil, err
	}
	if s.w, err = newStatements(context.Background(), db.Write, txQueries...); err != nil {
		return nil, err
	}
	s.g = &groupWriter{db: db.Write, stmts: s.w}
	for _, p := range []struct {
		stmt  **sql.Stmt
		db    *sql.DB
		query string
	}{
		{&s.list, db.Read, listAll},
		{&s.listFiltered, db.Read, listFiltered},
		{&s.counts, db.Read, `SELECT total, completed FROM task_counts WHERE user_id = ?`},
		{&s.get, db.Read, `SELECT ` + columns + ` FROM tasks AS t WHERE t.id = ? AND t.user_id = ?`},
		{&s.getMany, db.Read, `SELECT ` + columns + ` FROM tasks AS t WHERE t.user_id = ? AND t.id IN (SELECT value FROM json_each(?))`},
		{&s.prefs, db.Read, `SELECT time_zone, week_start FROM user_prefs WHERE user_id = ?`},
		{&s.tagsOf, db.Read, `SELECT tt.task_id, g.name FROM task_tags AS tt JOIN tags AS g ON g.id = tt.tag_id
			WHERE tt.task_id IN (SELECT value FROM json_each(?)) ORDER BY tt.task_id, tt.position`},
		{&s.setAll, db.Write, `UPDATE tasks SET completed = ?1, updated_at = ?2, version = version + 1,
			completed_at = CASE WHEN ?1 THEN ?2 END WHERE rowid IN
			(SELECT rowid FROM tasks WHERE user_id = ?3 AND completed <> ?1
			 AND NOT (?1 AND repeat IS NOT NULL AND due_key IS NOT NULL) LIMIT ?4)`},
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
	dest := append([]any{&page.Counts.Total, &page.Counts.Completed}, r.specDest()...)
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

func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// row is a task as SQLite gives it: text for the id and the times (the times but created_at
// may be NULL), the tags joined by char(31).
type row struct {
	id, title, description, createdAt      string
	completed                              bool
	updatedAt, completedAt, dueDate, dueAt sql.NullString
	priority, version, repeatDone          int64
	tags, repeat                           sql.NullString
}

// specDest are the scan destinations of the specification's columns, in order.
func (r *row) specDest() []any {
	return []any{&r.id, &r.title, &r.description, &r.completed, &r.createdAt, &r.updatedAt}
}

// taskDest are the scan destinations of taskColumns, in order.
func (r *row) taskDest() []any {
	return append(r.specDest(), &r.completedAt, &r.priority, &r.dueDate, &r.dueAt, &r.version, &r.repeat, &r.repeatDone)
}

// dest are the scan destinations of columns, in order.
func (r *row) dest() []any { return append(r.taskDest(), &r.tags) }

func (r *row) task(userID string) (task.Task, error) {
	t := task.Task{UserID: userID, Title: r.title, Description: r.description, Completed: r.completed,
		Priority: task.Priority(r.priority), Version: r.version}
	var err error
	if t.ID, err = uuid.Parse(r.id); err != nil {
		return task.Task{}, fmt.Errorf("task id %q: %w", r.id, err)
	}
	if t.CreatedAt, err = time.Parse(time.RFC3339Nano, r.createdAt); err != nil {
		return task.Task{}, fmt.Errorf("task %s created_at: %w", r.id, err)
	}
	if t.UpdatedAt, err = optionalTime(r.updatedAt); err != nil {
		return task.Task{}, fmt.Errorf("task %s updated_at: %w", r.id, err)
	}
	if t.CompletedAt, err = optionalTime(r.completedAt); err != nil {
		return task.Task{}, fmt.Errorf("task %s completed_at: %w", r.id, err)
	}
	switch {
	case r.dueAt.Valid:
		at, err := time.Parse(time.RFC3339Nano, r.dueAt.String)
		if err != nil {
			return task.Task{}, fmt.Errorf("task %s due_at: %w", r.id, err)
		}
		t.Due = &task.Due{At: at}
	case r.dueDate.Valid:
		d, err := task.ParseDate(r.dueDate.String)
		if err != nil {
			return task.Task{}, fmt.Errorf("task %s due_date: %w", r.id, err)
		}
		t.Due = &task.Due{Date: d}
	}
	if r.tags.Valid {
		t.Tags = strings.Split(r.tags.String, "\x1f")
	}
	if r.repeat.Valid {
		rule, err := recur.Parse(r.repeat.String)
		if err != nil {
			return task.Task{}, fmt.Errorf("task %s repeat: %w", r.id, err)
		}
		t.Repeat, t.RepeatDone = rule, int(r.repeatDone)
	}
	return t, nil
}

func optionalTime(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s.String)
	return &t, err
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
