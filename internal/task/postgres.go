package task

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
)

// PostgresStore keeps tasks in PostgreSQL. Each method is one statement, so one round trip
// and no explicit transaction.
type PostgresStore struct {
	pool *pgxpool.Pool
}

// NewPostgresStore returns a store over pool.
func NewPostgresStore(pool *pgxpool.Pool) *PostgresStore { return &PostgresStore{pool: pool} }

// A page comes with the counts in one statement (one round trip, one snapshot): the user's row
// of task_counts joined to each task of the page, read in the order of the index. A page with
// no task has no row, and then the counts are read on their own.
const postgresList = `SELECT ` + pageColumns + `
FROM task_counts AS c JOIN tasks AS t ON t.user_id = c.user_id
WHERE c.user_id = $1 %s
ORDER BY t.created_at DESC, t.id DESC LIMIT $2 OFFSET $3`

var (
	postgresListAll      = fmt.Sprintf(postgresList, "")
	postgresListFiltered = fmt.Sprintf(postgresList, "AND t.completed = $4")
)

func (s *PostgresStore) List(ctx context.Context, userID string, f Filter) ([]Task, Counts, error) {
	query, args := postgresListAll, []any{userID, f.Limit, f.Offset}
	if f.Completed != nil {
		query, args = postgresListFiltered, append(args, *f.Completed)
	}
	type result struct {
		tasks  []Task
		counts Counts
	}
	r, err := database.RetryOnce(ctx, func() (result, error) {
		rows, err := s.pool.Query(ctx, query, args...)
		if err != nil {
			return result{}, err
		}
		defer rows.Close()
		r := result{tasks: make([]Task, 0, min(f.Limit, DefaultPageSize))}
		// One row and one list of destinations for the whole page: declared in the loop,
		// each row would escape to the heap again.
		var row postgresRow
		dest := []any{&r.counts.Total, &r.counts.Completed, &row.id, &row.title, &row.description,
			&row.completed, &row.createdAt, &row.updatedAt}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return result{}, err
			}
			r.tasks = append(r.tasks, row.task(userID))
		}
		if err := rows.Err(); err != nil || len(r.tasks) > 0 {
			return r, err
		}
		err = s.pool.QueryRow(ctx, `SELECT total, completed FROM task_counts WHERE user_id = $1`, userID).
			Scan(&r.counts.Total, &r.counts.Completed)
		if errors.Is(err, pgx.ErrNoRows) {
			err = nil
		}
		return r, err
	})
	return r.tasks, r.counts, err
}

func (s *PostgresStore) Insert(ctx context.Context, t Task) error {
	_, err := database.RetryOnce(ctx, func() (struct{}, error) {
		_, err := s.pool.Exec(ctx,
			`INSERT INTO tasks (id, user_id, title, description, completed, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			pgtype.UUID{Bytes: t.ID, Valid: true}, t.UserID, t.Title, t.Description, t.Completed, t.CreatedAt)
		return struct{}{}, err
	})
	return err
}

func (s *PostgresStore) Get(ctx context.Context, userID string, id uuid.UUID) (Task, error) {
	return s.one(ctx, userID, `SELECT `+taskColumns+` FROM tasks WHERE id = $1 AND user_id = $2`,
		pgtype.UUID{Bytes: id, Valid: true}, userID)
}

func (s *PostgresStore) Update(ctx context.Context, userID string, id uuid.UUID, p Patch, at time.Time) (Task, error) {
	return s.one(ctx, userID,
		`UPDATE tasks SET title = coalesce($3, title), description = coalesce($4, description),
		        completed = coalesce($5, completed), updated_at = $6
		 WHERE id = $1 AND user_id = $2 RETURNING `+taskColumns,
		pgtype.UUID{Bytes: id, Valid: true}, userID, p.Title, p.Description, p.Completed, at)
}

func (s *PostgresStore) Toggle(ctx context.Context, userID string, id uuid.UUID, at time.Time) (Task, error) {
	return s.one(ctx, userID,
		`UPDATE tasks SET completed = NOT completed, updated_at = $3
		 WHERE id = $1 AND user_id = $2 RETURNING `+taskColumns,
		pgtype.UUID{Bytes: id, Valid: true}, userID, at)
}

func (s *PostgresStore) Delete(ctx context.Context, userID string, id uuid.UUID) error {
	n, err := s.exec(ctx, `DELETE FROM tasks WHERE id = $1 AND user_id = $2`, pgtype.UUID{Bytes: id, Valid: true}, userID)
	if err == nil && n == 0 {
		return ErrNotFound
	}
	return err
}

func (s *PostgresStore) SetAllCompleted(ctx context.Context, userID string, completed bool, at time.Time) (int64, error) {
	return s.exec(ctx, `UPDATE tasks SET completed = $2, updated_at = $3 WHERE user_id = $1 AND completed <> $2`,
		userID, completed, at)
}

func (s *PostgresStore) DeleteCompleted(ctx context.Context, userID string) (int64, error) {
	return s.exec(ctx, `DELETE FROM tasks WHERE user_id = $1 AND completed`, userID)
}

func (s *PostgresStore) exec(ctx context.Context, sql string, args ...any) (int64, error) {
	return database.RetryOnce(ctx, func() (int64, error) {
		tag, err := s.pool.Exec(ctx, sql, args...)
		return tag.RowsAffected(), err
	})
}

func (s *PostgresStore) one(ctx context.Context, userID, sql string, args ...any) (Task, error) {
	return database.RetryOnce(ctx, func() (Task, error) {
		var row postgresRow
		err := s.pool.QueryRow(ctx, sql, args...).Scan(&row.id, &row.title, &row.description,
			&row.completed, &row.createdAt, &row.updatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return Task{}, ErrNotFound
		}
		if err != nil {
			return Task{}, err
		}
		return row.task(userID), nil
	})
}

// postgresRow scans a task in PostgreSQL's binary formats (updated_at may be NULL).
type postgresRow struct {
	id          pgtype.UUID
	title       pgtype.Text
	description pgtype.Text
	completed   pgtype.Bool
	createdAt   pgtype.Timestamptz
	updatedAt   pgtype.Timestamptz
}

func (r *postgresRow) task(userID string) Task {
	t := Task{
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
