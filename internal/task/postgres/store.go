// Package postgres keeps tasks in PostgreSQL: the task.Store of production.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"todo/internal/database"
	"todo/internal/task"
)

// Store keeps tasks in PostgreSQL. Each method but DeleteAll is one statement, so one round
// trip and no explicit transaction.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a store over pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// The columns of a task, in the order of row.dest; description may be NULL in the
// specification's schema (rows written by other tools), and a task always shows a string.
// pageColumns are the counts of the user's task_counts row (c) and the same columns of each
// task (t) of a page.
const (
	columns     = "id, title, coalesce(description, '') AS description, completed, created_at, updated_at"
	pageColumns = "c.total, c.completed, t.id, t.title, coalesce(t.description, ''), t.completed, t.created_at, t.updated_at"
)

// A page comes with the counts in one statement (one round trip, one snapshot): the user's row
// of task_counts joined to each task of the page, read in the order of the index. A page with
// no task has no row, and then the counts are read on their own.
const list = `SELECT ` + pageColumns + `
FROM task_counts AS c JOIN tasks AS t ON t.user_id = c.user_id
WHERE c.user_id = $1 %s
ORDER BY t.created_at DESC, t.id DESC LIMIT $2 OFFSET $3`

var (
	listAll      = fmt.Sprintf(list, "")
	listFiltered = fmt.Sprintf(list, "AND t.completed = $4")
)

func (s *Store) List(ctx context.Context, userID string, f task.Filter) (task.Page, error) {
	query, args := listAll, []any{userID, f.Limit, f.Offset}
	if f.Completed != nil {
		query, args = listFiltered, append(args, *f.Completed)
	}
	page, err := database.RetryOnce(ctx, func() (task.Page, error) {
		rows, err := s.pool.Query(ctx, query, args...)
		if err != nil {
			return task.Page{}, err
		}
		defer rows.Close()
		// One row and one list of destinations for the whole page: declared per row, each
		// would escape to the heap again.
		page := task.Page{Tasks: make([]task.Task, 0, min(f.Limit, task.DefaultPageSize))}
		var r row
		_, err = pgx.ForEachRow(rows, append([]any{&page.Counts.Total, &page.Counts.Completed}, r.dest()...), func() error {
			page.Tasks = append(page.Tasks, r.task(userID))
			return nil
		})
		if err != nil || len(page.Tasks) > 0 {
			return page, err
		}
		err = s.pool.QueryRow(ctx, `SELECT total, completed FROM task_counts WHERE user_id = $1`, userID).
			Scan(&page.Counts.Total, &page.Counts.Completed)
		if errors.Is(err, pgx.ErrNoRows) {
			err = nil
		}
		return page, err
	})
	// The counts are exact for every filter the store has: all, completed, open.
	page.Total = page.Counts.Matching(f.Completed)
	return page, err
}

// insert adds a task unless its user has $7 tasks already ($7 = 0: no limit), by the counts
// row as the statement's snapshot sees it.
const insert = `INSERT INTO tasks (id, user_id, title, description, completed, created_at)
SELECT $1::uuid, $2::text, $3::text, $4::text, $5::boolean, $6::timestamptz
WHERE $7::bigint <= 0 OR coalesce((SELECT total FROM task_counts WHERE user_id = $2), 0) < $7::bigint`

func (s *Store) Insert(ctx context.Context, t task.Task, maxTasks int64) (bool, error) {
	n, err := s.exec(ctx, insert,
		pgtype.UUID{Bytes: t.ID, Valid: true}, t.UserID, t.Title, t.Description, t.Completed, t.CreatedAt, maxTasks)
	return n == 1, err
}

func (s *Store) Get(ctx context.Context, userID string, id uuid.UUID) (task.Task, error) {
	return s.one(ctx, userID, `SELECT `+columns+` FROM tasks WHERE id = $1 AND user_id = $2`,
		pgtype.UUID{Bytes: id, Valid: true}, userID)
}

func (s *Store) Update(ctx context.Context, userID string, id uuid.UUID, p task.Patch, at time.Time) (task.Task, error) {
	return s.one(ctx, userID,
		`UPDATE tasks SET title = coalesce($3, title), description = coalesce($4, description),
		        completed = coalesce($5, completed), updated_at = $6
		 WHERE id = $1 AND user_id = $2 RETURNING `+columns,
		pgtype.UUID{Bytes: id, Valid: true}, userID, p.Title, p.Description, p.Completed, at)
}

func (s *Store) Toggle(ctx context.Context, userID string, id uuid.UUID, at time.Time) (task.Task, error) {
	return s.one(ctx, userID,
		`UPDATE tasks SET completed = NOT completed, updated_at = $3
		 WHERE id = $1 AND user_id = $2 RETURNING `+columns,
		pgtype.UUID{Bytes: id, Valid: true}, userID, at)
}

func (s *Store) Delete(ctx context.Context, userID string, id uuid.UUID) error {
	n, err := s.exec(ctx, `DELETE FROM tasks WHERE id = $1 AND user_id = $2`, pgtype.UUID{Bytes: id, Valid: true}, userID)
	if err == nil && n == 0 {
		return task.ErrNotFound
	}
	return err
}

// SetAllCompleted and DeleteCompleted change task.BatchSize rows per statement, each its own
// transaction, until a statement changes fewer: row locks and the user's task_counts row (which
// every changed row's trigger updates) are held for one batch, not for all of the user's tasks.
func (s *Store) SetAllCompleted(ctx context.Context, userID string, completed bool, at time.Time) (int64, error) {
	return task.InBatches(func(limit int) (int64, error) {
		return s.exec(ctx, `UPDATE tasks SET completed = $2, updated_at = $3 WHERE id IN
			(SELECT id FROM tasks WHERE user_id = $1 AND completed <> $2 LIMIT $4)`, userID, completed, at, limit)
	})
}

func (s *Store) DeleteCompleted(ctx context.Context, userID string) (int64, error) {
	return task.InBatches(func(limit int) (int64, error) {
		return s.exec(ctx, `DELETE FROM tasks WHERE id IN
			(SELECT id FROM tasks WHERE user_id = $1 AND completed LIMIT $2)`, userID, limit)
	})
}

// DeleteAll removes the user's tasks and then their counts row, which the triggers of the
// deletions would otherwise leave behind at zero, in one transaction.
func (s *Store) DeleteAll(ctx context.Context, userID string) error {
	_, err := database.RetryOnce(ctx, func() (struct{}, error) {
		return struct{}{}, pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `DELETE FROM tasks WHERE user_id = $1`, userID); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `DELETE FROM task_counts WHERE user_id = $1`, userID)
			return err
		})
	})
	return err
}

func (s *Store) exec(ctx context.Context, sql string, args ...any) (int64, error) {
	return database.RetryOnce(ctx, func() (int64, error) {
		tag, err := s.pool.Exec(ctx, sql, args...)
		return tag.RowsAffected(), err
	})
}

func (s *Store) one(ctx context.Context, userID, sql string, args ...any) (task.Task, error) {
	return database.RetryOnce(ctx, func() (task.Task, error) {
		var r row
		err := s.pool.QueryRow(ctx, sql, args...).Scan(r.dest()...)
		if errors.Is(err, pgx.ErrNoRows) {
			return task.Task{}, task.ErrNotFound
		}
		if err != nil {
			return task.Task{}, err
		}
		return r.task(userID), nil
	})
}

// row scans a task in PostgreSQL's binary formats (updated_at may be NULL).
type row struct {
	id          pgtype.UUID
	title       pgtype.Text
	description pgtype.Text
	completed   pgtype.Bool
	createdAt   pgtype.Timestamptz
	updatedAt   pgtype.Timestamptz
}

// dest are the scan destinations of columns, in order.
func (r *row) dest() []any {
	return []any{&r.id, &r.title, &r.description, &r.completed, &r.createdAt, &r.updatedAt}
}

func (r *row) task(userID string) task.Task {
	t := task.Task{
		ID:          r.id.Bytes,
		UserID:      userID,
		Title:       r.title.String,
		Description: r.description.String,
		Completed:   r.completed.Bool,
		CreatedAt:   r.createdAt.Time.UTC(),
	}
	if r.updatedAt.Valid {
		u := r.updatedAt.Time.UTC()
		t.UpdatedAt = &u
	}
	return t
}
