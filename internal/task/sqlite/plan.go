package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"todo/internal/task"
	"todo/internal/task/taskquery"
)

// dialect writes plans as SQLite reads them: numbered parameters, instants as the fixed-width
// text of the columns, searches as FTS5 queries on task_search (task_phrases for a phrase),
// title keys from task_titles.
var dialect = taskquery.Dialect{
	Param: func(n int) string { return "?" + strconv.Itoa(n) },
	Time:  func(t time.Time) any { return t.UTC().Format(timeFormat) },
	Search: func(q task.SearchQuery, userID, _ string) (string, any) {
		if q.Phrased() {
			return "t.search_id IN (SELECT rowid FROM task_phrases WHERE task_phrases MATCH %s)", matchQuery(q.Of(userID))
		}
		return "t.search_id IN (SELECT rowid FROM task_search WHERE task_search MATCH %s)", matchQuery(q.Of(userID))
	},
	Title: taskquery.TitleIndex{Key: "k.title_key", ID: "k.task_id",
		Join: " JOIN task_titles AS k ON k.task_id = t.id AND k.user_id = t.user_id"},
	// A search reads the matches from the full-text index and then their rows: the planner,
	// not knowing how few the matches are, would rather scan all of the user's rows.
	From: func(p task.Plan) string {
		if !p.Search.Empty() {
			return "tasks AS t INDEXED BY idx_tasks_search_id"
		}
		return "tasks AS t"
	},
}

// matchQuery is the FTS5 query of a search: each word a phrase of its terms (of one term
// but for a Phrased query), all of them required; the last may be a prefix. Terms are letters
// and digits only, never quotes.
func matchQuery(q task.SearchQuery) string {
	var b strings.Builder
	for i, g := range q.Groups {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`"` + strings.Join(g, " ") + `"`)
		if q.PrefixIsLast && i == len(q.Groups)-1 {
			b.WriteString(" *")
		}
	}
	return b.String()
}

func (s *Store) Query(ctx context.Context, userID string, p task.Plan) (task.Page, error) {
	if !p.Search.Empty() || p.Sort == task.SortTitle {
		if err := s.index(ctx, userID); err != nil {
			return task.Page{}, err
		}
	}
	var c task.Counts
	err := s.counts.QueryRowContext(ctx, userID).Scan(&c.Total, &c.Completed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return task.Page{}, err
	}
	page, err := taskquery.Read(ctx, reader{s, userID}, dialect, taskColumns, userID, p, c)
	if err != nil {
		return task.Page{}, err
	}
	return page, s.withTags(ctx, page.Tasks)
}

// reader runs a plan's statements on the reader pool, for the user's tasks.
type reader struct {
	s      *Store
	userID string
}

func (r reader) Count(ctx context.Context, st taskquery.Statement) (int64, error) {
	var n int64
	err := r.s.r.queryRow(ctx, st.SQL, st.Args...).Scan(&n)
	return n, err
}

func (r reader) Tasks(ctx context.Context, st taskquery.Statement, limit int) ([]task.Task, error) {
	rows, err := r.s.r.query(ctx, st.SQL, st.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var row row
	return collect(rows, limit, row.taskDest(), func() (task.Task, error) { return row.task(r.userID) })
}

// withTags reads the tags of the tasks of a page in one statement. Selected with the page's
// rows, they would be read for every row that a sort goes through, not only the page's.
func (s *Store) withTags(ctx context.Context, tasks []task.Task) error {
	if len(tasks) == 0 {
		return nil
	}
	byID := make(map[string]*task.Task, len(tasks))
	ids := make([]string, len(tasks))
	for i := range tasks {
		ids[i] = tasks[i].ID.String()
		byID[ids[i]] = &tasks[i]
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	rows, err := s.tagsOf.QueryContext(ctx, string(list))
	if err != nil {
		return err
	}
	defer rows.Close()
	var id, name string
	for rows.Next() {
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		t := byID[id]
		t.Tags = append(t.Tags, name)
	}
	return rows.Err()
}

// index gives the user's tasks that have no search terms or title key yet (new ones, and
// those other programs wrote) their terms and key, a batch at a time.
func (s *Store) index(ctx context.Context, userID string) error {
	for {
		// The partial index holds only the rows to index (none, mostly); the planner, with
		// statistics of the whole table, would rather read all of the user's rows.
		rows, err := s.r.query(ctx, `SELECT `+columns+` FROM tasks AS t INDEXED BY idx_tasks_unindexed
			WHERE t.user_id = ? AND t.search_id IS NULL LIMIT ?`, userID, task.BatchSize)
		if err != nil {
			return err
		}
		var r row
		tasks, err := collect(rows, 0, r.dest(), func() (task.Task, error) { return r.task(userID) })
		rows.Close()
		if err != nil || len(tasks) == 0 {
			return err
		}
		// A task changed since it was read is still to index, and read again.
		if _, err := s.reindex(ctx, tasks); err != nil {
			return err
		}
	}
}

// reindex writes the search terms and title keys of tasks as they were read. A task the app
// changed since (another version) or deleted it leaves as it is, and says so (skipped): its
// terms would be of its old text.
func (s *Store) reindex(ctx context.Context, tasks []task.Task) (skipped []uuid.UUID, err error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	w := s.w.in(tx)
	for _, t := range tasks {
		var searchID int64
		err := w.queryRow(ctx, reindexTask, t.ID.String(), t.UserID, t.Version).Scan(&searchID)
		if errors.Is(err, sql.ErrNoRows) {
			skipped = append(skipped, t.ID)
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := writeTerms(ctx, w, t.UserID, searchID, t, true); err != nil {
			return nil, err
		}
		if err := writeTitle(ctx, w, t.UserID, t); err != nil {
			return nil, err
		}
	}
	return skipped, tx.Commit()
}

func (s *Store) Tags(ctx context.Context, userID string) ([]task.Tag, error) {
	rows, err := s.r.query(ctx, `SELECT g.name, count(*), coalesce(sum(t.completed = 0), 0)
		FROM tags AS g JOIN task_tags AS tt ON tt.tag_id = g.id JOIN tasks AS t ON t.id = tt.task_id
		WHERE g.user_id = ? GROUP BY g.id ORDER BY g.name_key`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tag task.Tag
	return collect(rows, 0, []any{&tag.Name, &tag.Tasks, &tag.Open}, func() (task.Tag, error) { return tag, nil })
}

func (s *Store) RenameTag(ctx context.Context, userID, from, to string) (bool, error) {
	return s.retag(ctx, userID, from, func(w txStatements, tagID int64) error {
		var into int64
		err := w.queryRow(ctx, `SELECT id FROM tags WHERE user_id = ? AND name_key = ?`, userID, task.TagKey(to)).Scan(&into)
		switch {
		case errors.Is(err, sql.ErrNoRows), err == nil && into == tagID:
			_, err = w.exec(ctx, `UPDATE tags SET name = ?, name_key = ? WHERE id = ?`, to, task.TagKey(to), tagID)
			return err
		case err != nil:
			return err
		}
		// Both tags exist: the tasks of the first carry the second (in the first's place), once.
		if _, err := w.exec(ctx, `INSERT OR IGNORE INTO task_tags (task_id, tag_id, position)
			SELECT task_id, ?, position FROM task_tags WHERE tag_id = ?`, into, tagID); err != nil {
			return err
		}
		_, err = w.exec(ctx, `DELETE FROM tags WHERE id = ?`, tagID)
		return err
	})
}

func (s *Store) DeleteTag(ctx context.Context, userID, name string) (bool, error) {
	return s.retag(ctx, userID, name, func(w txStatements, tagID int64) error {
		_, err := w.exec(ctx, `DELETE FROM tags WHERE id = ?`, tagID)
		return err
	})
}

// retag changes the user's tag with key through change, in one transaction with a new
// version for each task that carries it, and then their search terms.
func (s *Store) retag(ctx context.Context, userID, key string, change func(txStatements, int64) error) (bool, error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	w := s.w.in(tx)
	var tagID int64
	err = w.queryRow(ctx, `SELECT id FROM tags WHERE user_id = ? AND name_key = ?`, userID, key).Scan(&tagID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	rows, err := w.query(ctx, `UPDATE tasks SET version = version + 1
		WHERE id IN (SELECT task_id FROM task_tags WHERE tag_id = ?) RETURNING id`, tagID)
	if err != nil {
		return false, err
	}
	var id string
	ids, err := collect(rows, 0, []any{&id}, func() (uuid.UUID, error) { return uuid.Parse(id) })
	rows.Close()
	if err != nil {
		return false, err
	}
	if err := change(w, tagID); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	// The terms follow in a second step: the tasks' rows are read again with their new tags,
	// and those changed meanwhile once more.
	for len(ids) > 0 {
		n := min(len(ids), task.BatchSize)
		tasks, err := s.GetMany(ctx, userID, ids[:n])
		if err != nil {
			return true, err
		}
		skipped, err := s.reindex(ctx, tasks)
		if err != nil {
			return true, err
		}
		ids = append(ids[n:], skipped...)
	}
	return true, nil
}

func (s *Store) Prefs(ctx context.Context, userID string) (task.Prefs, error) {
	var (
		zone string
		week int
	)
	err := s.prefs.QueryRowContext(ctx, userID).Scan(&zone, &week)
	if errors.Is(err, sql.ErrNoRows) {
		return task.DefaultPrefs, nil
	}
	if err != nil {
		return task.Prefs{}, err
	}
	return prefsOf(zone, week), nil
}

// prefsOf reads stored settings; a zone this build does not know (renamed since) is UTC.
func prefsOf(zone string, week int) task.Prefs {
	loc, err := task.LoadTimeZone(zone)
	if err != nil {
		loc = time.UTC
	}
	return task.Prefs{TimeZone: loc, WeekStart: time.Weekday(week)}
}

func (s *Store) SavePrefs(ctx context.Context, userID string, p task.Prefs) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	w := s.w.in(tx)
	if _, err := w.exec(ctx, `INSERT INTO user_prefs (user_id, time_zone, week_start) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET time_zone = excluded.time_zone, week_start = excluded.week_start`,
		userID, p.TimeZone.String(), int(p.WeekStart)); err != nil {
		return err
	}
	rows, err := w.query(ctx, `SELECT id, due_date FROM tasks WHERE user_id = ? AND due_date IS NOT NULL AND due_at IS NULL`, userID)
	if err != nil {
		return err
	}
	type rekey struct{ id, key string }
	var id, date string
	keys, err := collect(rows, 0, []any{&id, &date}, func() (rekey, error) {
		d, err := task.ParseDate(date)
		return rekey{id, task.Due{Date: d}.Key(p.TimeZone).Format(timeFormat)}, err
	})
	rows.Close()
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := w.exec(ctx, `UPDATE tasks SET due_key = ? WHERE id = ? AND user_id = ?`, k.key, k.id, userID); err != nil {
			return err
		}
	}
	return tx.Commit()
}
