// Package postgres keeps tasks in PostgreSQL: the task.Store of production.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"todo/internal/database"
	"todo/internal/recur"
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
// pageColumns are the counts of the user's task_counts row and the spec's columns of each
// task (t) of a page. Tags come in the order of the task.
const (
	columns = `t.id, t.title, coalesce(t.description, ''), t.completed, t.created_at, t.updated_at,
		t.completed_at, t.priority, t.due_date, t.due_at, t.version, t.repeat, t.repeat_done,
		array(SELECT g.name FROM task_tags AS tt JOIN tags AS g ON g.id = tt.tag_id WHERE tt.task_id = t.id ORDER BY tt.position)`
	pageColumns = `coalesce((SELECT c.total FROM task_counts AS c WHERE c.user_id = $1), 0),
		coalesce((SELECT c.completed FROM task_counts AS c WHERE c.user_id = $1), 0),
		t.id, t.title, coalesce(t.description, ''), t.completed, t.created_at, t.updated_at`
)

// A page comes with the counts in one statement (one round trip, one snapshot): the user's
// counts beside each task of the page, read in the order of the index. A page with no task has
// no row, and then the counts are read on their own. The counts are subqueries of their own,
// each run once a page: joined to the tasks, they may be read again for each task of the page
// (50 times) by a plan made while the tables look small, as in a new database, for as long as
// that plan serves.
//
// Each statement is planned once per connection, for any user and page (a generic plan), as
// long as no plan for given values looks cheaper to PostgreSQL than that one. So the size
// and offset of the page come from subqueries, which no plan knows the values of: as plain
// parameters, a plan for given values would know them and one for any values would assume a
// tenth of the user's tasks for each, and PostgreSQL would plan the list anew on most calls,
// which takes about as long as running it. For the same reason each status has a statement
// of its own rather than a parameter.
const list = `SELECT ` + pageColumns + `
FROM tasks AS t
WHERE t.user_id = $1 %s
ORDER BY t.created_at DESC, t.id DESC LIMIT (SELECT $2::bigint) OFFSET (SELECT $3::bigint)`

var (
	listAll       = fmt.Sprintf(list, "")
	listOpen      = fmt.Sprintf(list, "AND NOT t.completed")
	listCompleted = fmt.Sprintf(list, "AND t.completed")
)

func (s *Store) List(ctx context.Context, userID string, f task.Filter) (task.Page, error) {
	query := listAll
	switch {
	case f.Completed == nil:
	case *f.Completed:
		query = listCompleted
	default:
		query = listOpen
	}
	args := []any{userID, f.Limit, f.Offset}
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
		_, err = pgx.ForEachRow(rows, append([]any{&page.Counts.Total, &page.Counts.Completed}, r.specDest()...), func() error {
			t, err := r.task(userID)
			page.Tasks = append(page.Tasks, t)
			return err
		})
		if err != nil || len(page.Tasks) > 0 {
			return page, err
		}
		page.Counts, _, err = s.counts(ctx, userID)
		return page, err
	})
	// The counts are exact for every filter the store has: all, completed, open.
	page.Total = page.Counts.Matching(f.Completed)
	return page, err
}

// counts reads the user's row of task_counts, with the number of tasks still to index; a user
// without one has no tasks.
func (s *Store) counts(ctx context.Context, userID string) (c task.Counts, unindexed int64, err error) {
	err = s.pool.QueryRow(ctx, `SELECT total, completed, unindexed FROM task_counts WHERE user_id = $1`, userID).
		Scan(&c.Total, &c.Completed, &unindexed)
	if errors.Is(err, pgx.ErrNoRows) {
		err = nil
	}
	return c, unindexed, err
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
		return r.task(userID)
	})
}

// row scans a task in PostgreSQL's binary formats (the times but created_at may be NULL).
type row struct {
	id          pgtype.UUID
	title       pgtype.Text
	description pgtype.Text
	completed   pgtype.Bool
	createdAt   pgtype.Timestamptz
	updatedAt   pgtype.Timestamptz
	completedAt pgtype.Timestamptz
	priority    pgtype.Int2
	dueDate     pgtype.Date
	dueAt       pgtype.Timestamptz
	version     pgtype.Int8
	repeat      pgtype.Text
	repeatDone  pgtype.Int4
	tags        []string
}

// specDest are the scan destinations of the specification's columns, in order.
func (r *row) specDest() []any {
	return []any{&r.id, &r.title, &r.description, &r.completed, &r.createdAt, &r.updatedAt}
}

// dest are the scan destinations of columns, in order.
func (r *row) dest() []any {
	return append(r.specDest(), &r.completedAt, &r.priority, &r.dueDate, &r.dueAt, &r.version, &r.repeat, &r.repeatDone, &r.tags)
}

func (r *row) task(userID string) (task.Task, error) {
	t := task.Task{
		ID:          r.id.Bytes,
		UserID:      userID,
		Title:       r.title.String,
		Description: r.description.String,
		Completed:   r.completed.Bool,
		CreatedAt:   r.createdAt.Time.UTC(),
		UpdatedAt:   optionalTime(r.updatedAt),
		CompletedAt: optionalTime(r.completedAt),
		Priority:    task.Priority(r.priority.Int16),
		Version:     r.version.Int64,
	}
	switch {
	case r.dueAt.Valid:
		t.Due = &task.Due{At: r.dueAt.Time.UTC()}
	case r.dueDate.Valid:
		t.Due = &task.Due{Date: task.DateOf(r.dueDate.Time)}
	}
	if len(r.tags) > 0 {
		t.Tags = append([]string(nil), r.tags...)
	}
	if r.repeat.Valid {
		rule, err := recur.Parse(r.repeat.String)
		if err != nil {
			return task.Task{}, fmt.Errorf("task %x repeat: %w", r.id.Bytes, err)
		}
		t.Repeat, t.RepeatDone = rule, int(r.repeatDone.Int32)
	}
	return t, nil
}

func optionalTime(t pgtype.Timestamptz) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}
