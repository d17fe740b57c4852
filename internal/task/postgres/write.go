package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"todo/internal/database"
	"todo/internal/task"
)

// insert adds a task unless its user has $7 tasks already ($7 = 0: no limit), by the counts
// row as the statement's snapshot sees it. Its search terms and title key come later, when a
// search or a sort by title first needs them (index): most tasks change or go before anyone
// searches for them, and one statement indexes a batch of them.
const insert = `INSERT INTO tasks (id, user_id, title, description, completed, created_at,
	priority, due_date, due_at, due_key, repeat)
SELECT $1::uuid, $2::text, $3::text, $4::text, $5::boolean, $6::timestamptz,
	$8::smallint, $9::date, $10::timestamptz, $11::timestamptz, $12::text
WHERE $7::bigint <= 0 OR coalesce((SELECT total FROM task_counts WHERE user_id = $2), 0) < $7::bigint`

func (s *Store) Insert(ctx context.Context, t task.Task, maxTasks int64, loc *time.Location) (bool, error) {
	due := dueColumns(t.Due, loc)
	args := []any{pgtype.UUID{Bytes: t.ID, Valid: true}, t.UserID, t.Title, t.Description, t.Completed, t.CreatedAt, maxTasks,
		int16(t.Priority), due.date, due.at, due.key, repeatText(t.Repeat)}
	if len(t.Tags) == 0 {
		n, err := s.exec(ctx, insert, args...)
		return n == 1, err
	}
	return database.RetryOnce(ctx, func() (bool, error) {
		var inserted bool
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, insert, args...)
			if err != nil || tag.RowsAffected() == 0 {
				return err
			}
			inserted = true
			return writeTags(ctx, tx, t.UserID, t.ID, t.Tags, false)
		})
		return inserted, err
	})
}

// repeatText is a rule as its column keeps it.
func repeatText(r task.Repeat) any {
	if r == nil {
		return nil
	}
	return r.String()
}

// due is a due as its three columns.
type due struct{ date, at, key any }

func dueColumns(d *task.Due, loc *time.Location) due {
	switch {
	case d == nil:
		return due{}
	case d.AllDay():
		return due{date: d.Date.String(), key: d.Key(loc)}
	}
	return due{at: d.At, key: d.At}
}

// searchVector is the tsvector of terms, written as its literal so that PostgreSQL takes each
// term as it is (the app has folded and split them). Each term has its positions only where a
// phrase can be asked of them (Terms.Phrased): they take two bytes for every word of the text.
func searchVector(terms task.Terms) string {
	phrased := terms.Phrased()
	positions := make(map[string][]int, len(terms))
	order := make([]string, 0, len(terms))
	for i, t := range terms {
		if _, ok := positions[t]; !ok {
			order = append(order, t)
			positions[t] = nil
		}
		if phrased && i < 16383 { // the largest position of a tsvector
			positions[t] = append(positions[t], i+1)
		}
	}
	var b strings.Builder
	for _, t := range order {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteLexeme(t))
		for i, p := range positions[t] {
			if i == 0 {
				b.WriteByte(':')
			} else {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
	}
	return b.String()
}

// quoteLexeme writes a term as a quoted lexeme of a tsvector or tsquery literal.
func quoteLexeme(t string) string { return "'" + lexemeQuotes.Replace(t) + "'" }

var lexemeQuotes = strings.NewReplacer(`'`, `''`, `\`, `\\`)

// writeTags makes tags the task's tags, in their order, creating the user's tags that are new.
func writeTags(ctx context.Context, tx querier, userID string, id uuid.UUID, tags []string, replace bool) error {
	taskID := pgtype.UUID{Bytes: id, Valid: true}
	if replace {
		if _, err := tx.Exec(ctx, `DELETE FROM task_tags WHERE task_id = $1`, taskID); err != nil {
			return err
		}
	}
	if len(tags) == 0 {
		return nil
	}
	keys := make([]string, len(tags))
	for i, name := range tags {
		keys[i] = task.TagKey(name)
	}
	// New tags first (existing ones keep their first spelling), then the links in order.
	_, err := tx.Exec(ctx, `INSERT INTO tags (user_id, name, name_key)
		SELECT $1, n, k FROM unnest($2::text[], $3::text[]) AS x (n, k)
		ON CONFLICT (user_id, name_key) DO NOTHING`, userID, tags, keys)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO task_tags (task_id, tag_id, position)
		SELECT $1, g.id, x.p - 1 FROM unnest($3::text[]) WITH ORDINALITY AS x (k, p)
		JOIN tags AS g ON g.user_id = $2 AND g.name_key = x.k`, taskID, userID, keys)
	return err
}

func (s *Store) Get(ctx context.Context, userID string, id uuid.UUID) (task.Task, error) {
	return s.one(ctx, userID, `SELECT `+columns+` FROM tasks AS t WHERE t.id = $1 AND t.user_id = $2`,
		pgtype.UUID{Bytes: id, Valid: true}, userID)
}

// change makes a task.Plain change ($3 title, $4 description, $5 completed, $6 at, $7 toggle)
// in one statement without a lock of its own: the UPDATE of a row another change holds waits
// for it and then applies to the version it left, as each SET reads the row it updates. A
// task that repeats, or an indexed task whose text changes (its terms are the app's to make),
// it leaves as it is.
const change = `UPDATE tasks AS t SET title = coalesce($3::text, t.title), description = coalesce($4::text, t.description),
	completed = ` + nextCompleted + `,
	completed_at = CASE WHEN NOT ` + nextCompleted + ` THEN NULL WHEN t.completed THEN t.completed_at ELSE $6::timestamptz END,
	updated_at = $6::timestamptz, version = t.version + 1
WHERE t.id = $1 AND t.user_id = $2 AND t.repeat IS NULL AND (t.title_key IS NULL OR ($3::text IS NULL AND $4::text IS NULL))
RETURNING ` + columns

// nextCompleted is the completion a task.Plain change leaves the row t with.
const nextCompleted = `(CASE WHEN $7::boolean THEN NOT t.completed ELSE coalesce($5::boolean, t.completed) END)`

// Change answers a task it left as it is (or did not find) as it reads it next, in a second
// statement: the usual change is then the UPDATE alone, as a fallback to the task's row in the
// same statement would cost every change for the few it serves.
func (s *Store) Change(ctx context.Context, userID string, id uuid.UUID, c task.Plain) (task.Task, bool, error) {
	t, err := s.one(ctx, userID, change, pgtype.UUID{Bytes: id, Valid: true}, userID,
		c.Title, c.Description, c.Completed, c.At, c.Toggle)
	if errors.Is(err, task.ErrNotFound) {
		t, err = s.Get(ctx, userID, id)
		return t, false, err
	}
	return t, err == nil, err
}

func (s *Store) GetMany(ctx context.Context, userID string, ids []uuid.UUID) ([]task.Task, error) {
	return s.many(ctx, userID, len(ids), `SELECT `+columns+` FROM tasks AS t WHERE t.user_id = $1 AND t.id = ANY($2::uuid[])`,
		userID, uuidArray(ids))
}

func uuidArray(ids []uuid.UUID) []pgtype.UUID {
	out := make([]pgtype.UUID, len(ids))
	for i, id := range ids {
		out[i] = pgtype.UUID{Bytes: id, Valid: true}
	}
	return out
}

// many reads the tasks that a query selects.
func (s *Store) many(ctx context.Context, userID string, capacity int, sql string, args ...any) ([]task.Task, error) {
	return database.RetryOnce(ctx, func() ([]task.Task, error) {
		return s.collect(ctx, s.pool, userID, capacity, sql, args...)
	})
}

func (s *Store) collect(ctx context.Context, q querier, userID string, capacity int, sql string, args ...any) ([]task.Task, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]task.Task, 0, capacity)
	var r row
	_, err = pgx.ForEachRow(rows, r.dest(), func() error {
		t, err := r.task(userID)
		out = append(out, t)
		r.tags = r.tags[:0]
		return err
	})
	return out, err
}

// save updates a task read at version $14 and updated_at $15 (what identifies its state), in
// one statement, and returns 1 when it did. A task not indexed yet (no title key) stays so, its
// terms and key left to index; an indexed one gets the new title's key and its new search terms
// ($16, when they change).
const save = `WITH t AS (
	UPDATE tasks SET title = $3, description = $4, completed = $5, updated_at = $6, completed_at = $7,
		priority = $8, due_date = $9::date, due_at = $10, due_key = $11, version = $12,
		title_key = CASE WHEN title_key IS NULL THEN NULL ELSE coalesce($13::bytea, title_key) END,
		repeat = $17, repeat_done = $18
	WHERE id = $1 AND user_id = $2 AND version = $14 AND updated_at IS NOT DISTINCT FROM $15
	RETURNING id, user_id, title_key IS NOT NULL AS indexed),
s AS (
	INSERT INTO task_search (task_id, user_id, search) SELECT id, user_id, $16::tsvector FROM t WHERE $16::tsvector IS NOT NULL AND indexed
	ON CONFLICT (task_id) DO UPDATE SET search = excluded.search)
SELECT count(*) FROM t`

func (s *Store) Save(ctx context.Context, userID string, changes []task.Change, loc *time.Location) (bool, error) {
	if c := changes[0]; len(changes) == 1 && c.Done == nil && sameTags(c.Prev, c.Next) {
		// The usual change is one statement: no transaction, one round trip.
		return database.RetryOnce(ctx, func() (bool, error) { return saveOne(ctx, s.pool, userID, c, loc) })
	}
	return database.RetryOnce(ctx, func() (bool, error) {
		saved := true
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			for _, c := range changes {
				ok, err := saveOne(ctx, tx, userID, c, loc)
				if err != nil || !ok {
					saved = false
					if err == nil {
						err = errNotSaved
					}
					return err
				}
			}
			return nil
		})
		if errors.Is(err, errNotSaved) {
			return false, nil
		}
		return saved, err
	})
}

// errNotSaved rolls back a Save whose task changed since it was read.
var errNotSaved = errors.New("task changed since it was read")

// sameTags tells whether a change leaves the task's tags as they were.
func sameTags(a, b task.Task) bool {
	return strings.Join(a.Tags, "\x1f") == strings.Join(b.Tags, "\x1f")
}

// querier is the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func saveOne(ctx context.Context, q querier, userID string, c task.Change, loc *time.Location) (bool, error) {
	p, n := c.Prev, c.Next
	due := dueColumns(n.Due, loc)
	var titleKey, search any
	if n.Title != p.Title {
		titleKey = task.TitleKey(n.Title)
	}
	tagsChanged := !sameTags(p, n)
	if tagsChanged || n.Title != p.Title || n.Description != p.Description {
		search = searchVector(task.SearchTerms(n.Title, n.Description, n.Tags).Of(userID))
	}
	var saved int
	err := q.QueryRow(ctx, save, pgtype.UUID{Bytes: n.ID, Valid: true}, userID, n.Title, n.Description, n.Completed,
		n.UpdatedAt, n.CompletedAt, int16(n.Priority), due.date, due.at, due.key, n.Version,
		titleKey, p.Version, p.UpdatedAt, search, repeatText(n.Repeat), n.RepeatDone).Scan(&saved)
	if err != nil || saved == 0 {
		return false, err
	}
	// Changes of tags and history come in a transaction (see Save).
	if d := c.Done; d != nil {
		done := dueColumns(&d.Due, loc)
		if _, err := q.Exec(ctx, `INSERT INTO task_completions (task_id, completed_at, due_date, due_at) VALUES ($1, $2, $3::date, $4)`,
			pgtype.UUID{Bytes: n.ID, Valid: true}, d.CompletedAt, done.date, done.at); err != nil {
			return false, err
		}
	}
	if tagsChanged {
		return true, writeTags(ctx, q, userID, n.ID, n.Tags, true)
	}
	return true, nil
}

func (s *Store) Delete(ctx context.Context, userID string, id uuid.UUID, prev *task.Task) error {
	var version, updatedAt any
	if prev != nil {
		version, updatedAt = prev.Version, prev.UpdatedAt
	}
	n, err := s.exec(ctx, `DELETE FROM tasks WHERE id = $1 AND user_id = $2
		AND ($3::bigint IS NULL OR (version = $3 AND updated_at IS NOT DISTINCT FROM $4::timestamptz))`,
		pgtype.UUID{Bytes: id, Valid: true}, userID, version, updatedAt)
	switch {
	case err != nil:
		return err
	case n > 0:
		return nil
	case prev == nil:
		return task.ErrNotFound
	}
	if _, err := s.Get(ctx, userID, id); err != nil {
		return err
	}
	return task.ErrChanged
}

func (s *Store) History(ctx context.Context, userID string, id uuid.UUID) ([]task.Completion, error) {
	return database.RetryOnce(ctx, func() ([]task.Completion, error) {
		rows, err := s.pool.Query(ctx, `SELECT c.completed_at, c.due_date, c.due_at FROM task_completions AS c
			JOIN tasks AS t ON t.id = c.task_id WHERE c.task_id = $1 AND t.user_id = $2 ORDER BY c.completed_at DESC, c.id DESC`,
			pgtype.UUID{Bytes: id, Valid: true}, userID)
		if err != nil {
			return nil, err
		}
		var (
			out         []task.Completion
			completedAt pgtype.Timestamptz
			date        pgtype.Date
			at          pgtype.Timestamptz
		)
		_, err = pgx.ForEachRow(rows, []any{&completedAt, &date, &at}, func() error {
			c := task.Completion{CompletedAt: completedAt.Time.UTC()}
			if at.Valid {
				c.Due.At = at.Time.UTC()
			} else if date.Valid {
				c.Due.Date = task.DateOf(date.Time)
			}
			out = append(out, c)
			return nil
		})
		return out, err
	})
}

func (s *Store) DeleteMany(ctx context.Context, userID string, ids []uuid.UUID) (int64, error) {
	return s.exec(ctx, `DELETE FROM tasks WHERE user_id = $1 AND id = ANY($2::uuid[])`, userID, uuidArray(ids))
}

// SetAllCompleted and DeleteCompleted change task.BatchSize rows per statement, each its own
// transaction, until a statement changes fewer: row locks and the user's task_counts row (which
// every changed row's trigger updates) are held for one batch, not for all of the user's tasks.
func (s *Store) SetAllCompleted(ctx context.Context, userID string, completed bool, at time.Time) (int64, error) {
	return task.InBatches(func(limit int) (int64, error) {
		return s.exec(ctx, `UPDATE tasks SET completed = $2::boolean, updated_at = $3::timestamptz, version = version + 1,
			completed_at = CASE WHEN $2::boolean THEN $3::timestamptz END WHERE id IN
			(SELECT id FROM tasks WHERE user_id = $1 AND completed <> $2
			 AND NOT ($2 AND repeat IS NOT NULL AND due_key IS NOT NULL) LIMIT $4)`, userID, completed, at, limit)
	})
}

func (s *Store) DeleteCompleted(ctx context.Context, userID string) (int64, error) {
	return task.InBatches(func(limit int) (int64, error) {
		return s.exec(ctx, `DELETE FROM tasks WHERE id IN
			(SELECT id FROM tasks WHERE user_id = $1 AND completed LIMIT $2)`, userID, limit)
	})
}

// DeleteAll removes the user's tasks (their tags' links go with them), their tags, settings
// and counts row, which the triggers of the deletions would otherwise leave behind at zero, in
// one transaction.
func (s *Store) DeleteAll(ctx context.Context, userID string) error {
	_, err := database.RetryOnce(ctx, func() (struct{}, error) {
		return struct{}{}, pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			for _, stmt := range []string{
				`DELETE FROM tasks WHERE user_id = $1`, `DELETE FROM tags WHERE user_id = $1`,
				`DELETE FROM user_prefs WHERE user_id = $1`, `DELETE FROM task_counts WHERE user_id = $1`,
			} {
				if _, err := tx.Exec(ctx, stmt, userID); err != nil {
					return err
				}
			}
			return nil
		})
	})
	return err
}
