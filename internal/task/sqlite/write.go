package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"todo/internal/task"
)

// The statements of the writes' transactions, prepared when the store is made (see
// txStatements): a statement is prepared on a connection, and in a transaction the single
// writer's one connection is taken.
const (
	deleteTerms   = `DELETE FROM task_search WHERE rowid = ?`
	insertTerms   = `INSERT INTO task_search (rowid, terms) VALUES (?, ?)`
	deletePhrases = `DELETE FROM task_phrases WHERE rowid = ?`
	insertPhrases = `INSERT INTO task_phrases (rowid, terms) VALUES (?, ?)`
	upsertTitle   = `INSERT INTO task_titles (task_id, user_id, title_key) VALUES (?1, ?2, ?3)
		ON CONFLICT (task_id) DO UPDATE SET user_id = excluded.user_id, title_key = excluded.title_key`
	deleteTaskTags   = `DELETE FROM task_tags WHERE task_id = ?`
	insertTaskTag    = `INSERT INTO task_tags (task_id, tag_id, position) VALUES (?, ?, ?)`
	insertCompletion = `INSERT INTO task_completions (task_id, completed_at, due_date, due_at) VALUES (?, ?, ?, ?)`
	upsertTag        = `INSERT INTO tags (user_id, name, name_key) VALUES (?1, ?2, ?3)
		ON CONFLICT (user_id, name_key) DO UPDATE SET name_key = excluded.name_key RETURNING id`
	// deleteTask deletes a task, only in the state ?3 and ?4 identify when they are set.
	deleteTask = `DELETE FROM tasks WHERE id = ?1 AND user_id = ?2
		AND (?3 IS NULL OR (version = ?3 AND updated_at IS ?4))`
	reindexTask = `UPDATE tasks SET
		search_id = coalesce(search_id, (SELECT coalesce(max(search_id), 0) + 1 FROM tasks WHERE search_id IS NOT NULL))
		WHERE id = ?1 AND user_id = ?2 AND version = ?3 RETURNING search_id`
)

// txQueries are the statements prepared for the writes' transactions.
var txQueries = []string{insert, save, readForChange, change, deleteTask, deleteTerms, insertTerms, deletePhrases, insertPhrases,
	upsertTitle, deleteTaskTags, insertTaskTag, insertCompletion, upsertTag, reindexTask}

// insert adds a task unless its user has ?7 tasks already (?7 = 0: no limit); the single
// writer makes the check and the insert one step, so the quota is exact. The task's search
// terms and title key come later, when a search or a sort by title first needs them (index):
// most tasks change or go before anyone searches for them, and a batch indexes many tasks in
// one write, where each insert would add a segment to the full-text index of its own.
const insert = `INSERT INTO tasks (id, user_id, title, description, completed, created_at,
	priority, due_date, due_at, due_key, repeat)
SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?8, ?9, ?10, ?11, ?12
WHERE ?7 <= 0 OR coalesce((SELECT total FROM task_counts WHERE user_id = ?2), 0) < ?7`

func (s *Store) Insert(ctx context.Context, t task.Task, maxTasks int64, loc *time.Location) (bool, error) {
	due := dueColumns(t.Due, loc)
	args := []any{t.ID.String(), t.UserID, t.Title, t.Description, t.Completed,
		t.CreatedAt.Format(timeFormat), maxTasks, int(t.Priority), due.date, due.at, due.key, repeatText(t.Repeat)}
	inserted := false
	err := s.g.do(ctx, func(w txStatements) error {
		n, err := affected(w.exec(ctx, insert, args...))
		if err != nil || n == 0 {
			return err
		}
		inserted = true
		return writeTags(ctx, w, t.UserID, t.ID, t.Tags, false)
	})
	return inserted && err == nil, err
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
		return due{date: d.Date.String(), key: d.Key(loc).Format(timeFormat)}
	}
	at := d.At.UTC().Format(timeFormat)
	return due{at: at, key: at}
}

// writeTerms stores the search terms of t under searchID, replacing what was there: in
// task_search, and in task_phrases too when a search may ask for them as a phrase.
func writeTerms(ctx context.Context, w txStatements, userID string, searchID int64, t task.Task, replace bool) error {
	if replace {
		for _, stmt := range []string{deleteTerms, deletePhrases} {
			if _, err := w.exec(ctx, stmt, searchID); err != nil {
				return err
			}
		}
	}
	terms := task.SearchTerms(t.Title, t.Description, t.Tags)
	text := strings.Join(terms.Of(userID), " ")
	if _, err := w.exec(ctx, insertTerms, searchID, text); err != nil || !terms.Phrased() {
		return err
	}
	_, err := w.exec(ctx, insertPhrases, searchID, text)
	return err
}

// writeTitle stores the title key of t, replacing what was there.
func writeTitle(ctx context.Context, w txStatements, userID string, t task.Task) error {
	_, err := w.exec(ctx, upsertTitle, t.ID.String(), userID, task.TitleKey(t.Title))
	return err
}

// writeTags makes tags the task's tags, in their order, creating the user's tags that are new.
func writeTags(ctx context.Context, w txStatements, userID string, id uuid.UUID, tags []string, replace bool) error {
	if replace {
		if _, err := w.exec(ctx, deleteTaskTags, id.String()); err != nil {
			return err
		}
	}
	for i, name := range tags {
		var tagID int64
		err := w.queryRow(ctx, upsertTag,
			userID, name, task.TagKey(name)).Scan(&tagID)
		if err != nil {
			return err
		}
		if _, err := w.exec(ctx, insertTaskTag,
			id.String(), tagID, i); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Get(ctx context.Context, userID string, id uuid.UUID) (task.Task, error) {
	return one(s.get.QueryRowContext(ctx, id.String(), userID), userID)
}

// A task.Plain change reads the task and changes it in one step of the single writer (so that
// no other change comes between): readForChange reads it, and whether its search terms are
// kept; change sets ?3 title, ?4 description, ?5 completed at ?6.
const (
	readForChange = `SELECT ` + columns + `, t.search_id IS NOT NULL FROM tasks AS t WHERE t.id = ? AND t.user_id = ?`
	change        = `UPDATE tasks SET title = coalesce(?3, title), description = coalesce(?4, description), completed = ?5,
	completed_at = CASE WHEN NOT ?5 THEN NULL WHEN completed THEN completed_at ELSE ?6 END,
	updated_at = ?6, version = version + 1
WHERE id = ?1 AND user_id = ?2
RETURNING title, coalesce(description, ''), completed, completed_at, updated_at, version`
)

// Change leaves a task that repeats, or an indexed task whose text changes (its terms are
// made with the task as a whole), to the service.
func (s *Store) Change(ctx context.Context, userID string, id uuid.UUID, c task.Plain) (task.Task, bool, error) {
	var t task.Task
	var changed bool
	err := s.g.do(ctx, func(w txStatements) error {
		var r row
		var indexed bool
		changed = false
		err := w.queryRow(ctx, readForChange, id.String(), userID).Scan(append(r.dest(), &indexed)...)
		if errors.Is(err, sql.ErrNoRows) {
			return task.ErrNotFound
		}
		if err != nil {
			return err
		}
		if t, err = r.task(userID); err != nil {
			return err
		}
		if t.Repeat != nil || (indexed && (c.Title != nil || c.Description != nil)) {
			return nil
		}
		completed := t.Completed
		switch {
		case c.Toggle:
			completed = !completed
		case c.Completed != nil:
			completed = *c.Completed
		}
		var n row
		err = w.queryRow(ctx, change, id.String(), userID, c.Title, c.Description, completed, c.At.Format(timeFormat)).
			Scan(&n.title, &n.description, &n.completed, &n.completedAt, &n.updatedAt, &n.version)
		if err != nil {
			return err
		}
		t.Title, t.Description, t.Completed, t.Version = n.title, n.description, n.completed, n.version
		if t.CompletedAt, err = optionalTime(n.completedAt); err != nil {
			return err
		}
		if t.UpdatedAt, err = optionalTime(n.updatedAt); err != nil {
			return err
		}
		changed = true
		return nil
	})
	if err != nil {
		return task.Task{}, false, err
	}
	return t, changed, nil
}

func (s *Store) GetMany(ctx context.Context, userID string, ids []uuid.UUID) ([]task.Task, error) {
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.getMany.QueryContext(ctx, userID, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var r row
	return collect(rows, len(ids), r.dest(), func() (task.Task, error) { return r.task(userID) })
}

// save updates a task read at version ?13 and updated_at ?14 (what identifies its state). A
// task not indexed yet (no search_id) stays so, its terms and title key left to index; an
// indexed one gives its search_id back, for its new terms and key.
const save = `UPDATE tasks SET title = ?3, description = ?4, completed = ?5, updated_at = ?6, completed_at = ?7,
	priority = ?8, due_date = ?9, due_at = ?10, due_key = ?11, version = ?12, repeat = ?15, repeat_done = ?16
WHERE id = ?1 AND user_id = ?2 AND version = ?13 AND updated_at IS ?14
RETURNING search_id`

func (s *Store) Save(ctx context.Context, userID string, changes []task.Change, loc *time.Location) (bool, error) {
	err := s.g.do(ctx, func(w txStatements) error {
		for _, c := range changes {
			saved, err := saveOne(ctx, w, userID, c, loc)
			if err != nil {
				return err
			}
			if !saved {
				return errNotSaved
			}
		}
		return nil
	})
	if errors.Is(err, errNotSaved) {
		return false, nil
	}
	return err == nil, err
}

// errNotSaved undoes a Save whose task changed since it was read.
var errNotSaved = errors.New("task changed since it was read")

func saveOne(ctx context.Context, w txStatements, userID string, c task.Change, loc *time.Location) (bool, error) {
	p, n := c.Prev, c.Next
	due := dueColumns(n.Due, loc)
	tagsChanged := strings.Join(n.Tags, "\x1f") != strings.Join(p.Tags, "\x1f")
	termsChanged := tagsChanged || n.Title != p.Title || n.Description != p.Description
	var searchID sql.NullInt64
	err := w.queryRow(ctx, save, n.ID.String(), userID, n.Title, n.Description, n.Completed,
		timeText(n.UpdatedAt), timeText(n.CompletedAt), int(n.Priority), due.date, due.at, due.key, n.Version,
		p.Version, timeText(p.UpdatedAt), repeatText(n.Repeat), n.RepeatDone).Scan(&searchID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if tagsChanged {
		if err := writeTags(ctx, w, userID, n.ID, n.Tags, true); err != nil {
			return false, err
		}
	}
	if d := c.Done; d != nil {
		done := dueColumns(&d.Due, loc)
		if _, err := w.exec(ctx, insertCompletion,
			n.ID.String(), d.CompletedAt.UTC().Format(timeFormat), done.date, done.at); err != nil {
			return false, err
		}
	}
	if !searchID.Valid {
		return true, nil
	}
	if termsChanged {
		if err := writeTerms(ctx, w, userID, searchID.Int64, n, true); err != nil {
			return false, err
		}
	}
	if n.Title != p.Title {
		if err := writeTitle(ctx, w, userID, n); err != nil {
			return false, err
		}
	}
	return true, nil
}

func timeText(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(timeFormat)
}

func (s *Store) Delete(ctx context.Context, userID string, id uuid.UUID, prev *task.Task) error {
	var version, updatedAt any
	if prev != nil {
		version, updatedAt = prev.Version, timeText(prev.UpdatedAt)
	}
	var n int64
	err := s.g.do(ctx, func(w txStatements) error {
		var err error
		n, err = affected(w.exec(ctx, deleteTask, id.String(), userID, version, updatedAt))
		return err
	})
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
	rows, err := s.r.query(ctx, `SELECT c.completed_at, c.due_date, c.due_at FROM task_completions AS c
		JOIN tasks AS t ON t.id = c.task_id WHERE c.task_id = ? AND t.user_id = ? ORDER BY c.completed_at DESC, c.rowid DESC`, id.String(), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		completedAt string
		date, at    sql.NullString
	)
	return collect(rows, 0, []any{&completedAt, &date, &at}, func() (task.Completion, error) {
		var c task.Completion
		var err error
		if c.CompletedAt, err = time.Parse(time.RFC3339Nano, completedAt); err != nil {
			return c, err
		}
		if at.Valid {
			c.Due.At, err = time.Parse(time.RFC3339Nano, at.String)
		} else if date.Valid {
			c.Due.Date, err = task.ParseDate(date.String)
		}
		return c, err
	})
}

func (s *Store) DeleteMany(ctx context.Context, userID string, ids []uuid.UUID) (int64, error) {
	list, err := json.Marshal(ids)
	if err != nil {
		return 0, err
	}
	return affected(s.w.exec(ctx, `DELETE FROM tasks WHERE user_id = ? AND id IN (SELECT value FROM json_each(?))`,
		userID, string(list)))
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

// DeleteAll removes the user's tasks (their tags and search terms go with them), their tags,
// settings and counts row, which the triggers of the deletions would otherwise leave behind at
// zero.
func (s *Store) DeleteAll(ctx context.Context, userID string) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	w := s.w.in(tx)
	for _, stmt := range []string{
		`DELETE FROM tasks WHERE user_id = ?`, `DELETE FROM tags WHERE user_id = ?`,
		`DELETE FROM user_prefs WHERE user_id = ?`, `DELETE FROM task_counts WHERE user_id = ?`,
	} {
		if _, err := w.exec(ctx, stmt, userID); err != nil {
			return err
		}
	}
	return tx.Commit()
}
