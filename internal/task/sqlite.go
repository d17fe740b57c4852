package task

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"todo/internal/database"
)

// sqliteTime is how tasks keep time in SQLite: UTC text of fixed width, so that comparing and
// ordering the text compares and orders the instants.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// SQLiteStore keeps tasks in SQLite. Its statements are prepared once: SQLite would otherwise
// parse each one again on every call, which costs more than running it. Reads go to the
// reader pool, writes to the single writer.
type SQLiteStore struct {
	list, listFiltered, counts, get                         *sql.Stmt
	insert, update, toggle, remove, setAll, removeCompleted *sql.Stmt
}

// NewSQLiteStore prepares the store's statements on db.
func NewSQLiteStore(db *database.SQLiteDB) (*SQLiteStore, error) {
	s := &SQLiteStore{}
	for _, p := range []struct {
		stmt  **sql.Stmt
		db    *sql.DB
		query string
	}{
		{&s.list, db.Read, sqliteListAll},
		{&s.listFiltered, db.Read, sqliteListFiltered},
		{&s.counts, db.Read, `SELECT total, completed FROM task_counts WHERE user_id = ?`},
		{&s.get, db.Read, `SELECT ` + taskColumns + ` FROM tasks WHERE id = ? AND user_id = ?`},
		{&s.insert, db.Write, `INSERT INTO tasks (id, user_id, title, description, completed, created_at) VALUES (?, ?, ?, ?, ?, ?)`},
		{&s.update, db.Write, `UPDATE tasks SET title = coalesce(?, title), description = coalesce(?, description),
			completed = coalesce(?, completed), updated_at = ? WHERE id = ? AND user_id = ? RETURNING ` + taskColumns},
		{&s.toggle, db.Write, `UPDATE tasks SET completed = 1 - completed, updated_at = ? WHERE id = ? AND user_id = ? RETURNING ` + taskColumns},
		{&s.remove, db.Write, `DELETE FROM tasks WHERE id = ? AND user_id = ?`},
		{&s.setAll, db.Write, `UPDATE tasks SET completed = ?, updated_at = ? WHERE user_id = ? AND completed <> ?`},
		{&s.removeCompleted, db.Write, `DELETE FROM tasks WHERE user_id = ? AND completed = 1`},
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
const sqliteList = `SELECT ` + pageColumns + `
FROM task_counts AS c CROSS JOIN tasks AS t
WHERE c.user_id = ?1 AND t.user_id = ?1 %s
ORDER BY t.created_at DESC, t.id DESC LIMIT ?2 OFFSET ?3`

var (
	sqliteListAll      = fmt.Sprintf(sqliteList, "")
	sqliteListFiltered = fmt.Sprintf(sqliteList, "AND t.completed = ?4")
)

func (s *SQLiteStore) List(ctx context.Context, userID string, f Filter) ([]Task, Counts, error) {
	stmt, args := s.list, []any{userID, f.Limit, f.Offset}
	if f.Completed != nil {
		stmt, args = s.listFiltered, append(args, *f.Completed)
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, Counts{}, err
	}
	defer rows.Close()
	var (
		counts                            Counts
		id, title, description, createdAt string
		updatedAt                         sql.NullString
		completed                         bool
	)
	tasks := make([]Task, 0, min(f.Limit, DefaultPageSize))
	for rows.Next() {
		if err := rows.Scan(&counts.Total, &counts.Completed, &id, &title, &description, &completed, &createdAt, &updatedAt); err != nil {
			return nil, Counts{}, err
		}
		t, err := sqliteTask(userID, id, title, description, completed, createdAt, updatedAt)
		if err != nil {
			return nil, Counts{}, err
		}
		tasks = append(tasks, t)
	}
	if err := rows.Err(); err != nil || len(tasks) > 0 {
		return tasks, counts, err
	}
	err = s.counts.QueryRowContext(ctx, userID).Scan(&counts.Total, &counts.Completed)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return tasks, counts, err
}

func (s *SQLiteStore) Insert(ctx context.Context, t Task) error {
	_, err := s.insert.ExecContext(ctx, t.ID.String(), t.UserID, t.Title, t.Description, t.Completed, t.CreatedAt.Format(sqliteTime))
	return err
}

func (s *SQLiteStore) Get(ctx context.Context, userID string, id uuid.UUID) (Task, error) {
	return s.one(s.get.QueryRowContext(ctx, id.String(), userID), userID)
}

func (s *SQLiteStore) Update(ctx context.Context, userID string, id uuid.UUID, p Patch, at time.Time) (Task, error) {
	return s.one(s.update.QueryRowContext(ctx, p.Title, p.Description, p.Completed, at.Format(sqliteTime), id.String(), userID), userID)
}

func (s *SQLiteStore) Toggle(ctx context.Context, userID string, id uuid.UUID, at time.Time) (Task, error) {
	return s.one(s.toggle.QueryRowContext(ctx, at.Format(sqliteTime), id.String(), userID), userID)
}

func (s *SQLiteStore) Delete(ctx context.Context, userID string, id uuid.UUID) error {
	res, err := s.remove.ExecContext(ctx, id.String(), userID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *SQLiteStore) SetAllCompleted(ctx context.Context, userID string, completed bool, at time.Time) (int64, error) {
	res, err := s.setAll.ExecContext(ctx, completed, at.Format(sqliteTime), userID, completed)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *SQLiteStore) DeleteCompleted(ctx context.Context, userID string) (int64, error) {
	res, err := s.removeCompleted.ExecContext(ctx, userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *SQLiteStore) one(row *sql.Row, userID string) (Task, error) {
	var (
		id, title, description, createdAt string
		updatedAt                         sql.NullString
		completed                         bool
	)
	err := row.Scan(&id, &title, &description, &completed, &createdAt, &updatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, ErrNotFound
	}
	if err != nil {
		return Task{}, err
	}
	return sqliteTask(userID, id, title, description, completed, createdAt, updatedAt)
}

func sqliteTask(userID, id, title, description string, completed bool, createdAt string, updatedAt sql.NullString) (Task, error) {
	t := Task{UserID: userID, Title: title, Description: description, Completed: completed}
	var err error
	if t.ID, err = uuid.Parse(id); err != nil {
		return Task{}, fmt.Errorf("task id %q: %w", id, err)
	}
	if t.CreatedAt, err = time.Parse(time.RFC3339Nano, createdAt); err != nil {
		return Task{}, fmt.Errorf("task %s created_at: %w", id, err)
	}
	if updatedAt.Valid {
		u, err := time.Parse(time.RFC3339Nano, updatedAt.String)
		if err != nil {
			return Task{}, fmt.Errorf("task %s updated_at: %w", id, err)
		}
		t.UpdatedAt = &u
	}
	return t, nil
}
