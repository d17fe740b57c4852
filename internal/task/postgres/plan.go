package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"todo/internal/database"
	"todo/internal/task"
	"todo/internal/task/taskquery"
)

// dialect writes plans as PostgreSQL reads them: $n parameters, instants as timestamptz,
// searches as tsquery literals on task_search, the user's rows of its GIN index.
var dialect = taskquery.Dialect{
	Param: func(n int) string { return "$" + strconv.Itoa(n) },
	Time:  func(t time.Time) any { return t },
	// The user's matches, named by the parameter: correlated to t.user_id instead, the
	// subquery can run once per task of the user, each time reading every user's terms.
	Search: func(q task.SearchQuery, userID, user string) (string, any) {
		return "t.id IN (SELECT s.task_id FROM task_search AS s WHERE s.user_id = " + user + " AND s.search @@ %s::tsquery)", searchQuery(q.Of(userID))
	},
	Title: taskquery.TitleIndex{Key: "t.title_key", ID: "t.id"},
	From:  func(task.Plan) string { return "tasks AS t" },
}

// searchQuery is the tsquery of a search: each word the phrase of its terms (<->), all of
// them required (&); the last may be a prefix (:*).
func searchQuery(q task.SearchQuery) string {
	var b strings.Builder
	for i, g := range q.Groups {
		if i > 0 {
			b.WriteString(" & ")
		}
		for j, t := range g {
			if j > 0 {
				b.WriteString(" <-> ")
			}
			b.WriteString(quoteLexeme(t))
			if q.PrefixIsLast && i == len(q.Groups)-1 && j == len(g)-1 {
				b.WriteString(":*")
			}
		}
	}
	return b.String()
}

func (s *Store) Query(ctx context.Context, userID string, p task.Plan) (task.Page, error) {
	type counts struct {
		task.Counts
		unindexed int64
	}
	c, err := database.RetryOnce(ctx, func() (counts, error) {
		var c counts
		var err error
		c.Counts, c.unindexed, err = s.counts(ctx, userID)
		return c, err
	})
	if err != nil {
		return task.Page{}, err
	}
	if (!p.Search.Empty() || p.Sort == task.SortTitle) && c.unindexed > 0 {
		if err := s.index(ctx, userID, c.unindexed); err != nil {
			return task.Page{}, err
		}
	}
	return database.RetryOnce(ctx, func() (task.Page, error) {
		return taskquery.Read(ctx, reader{s, userID}, dialect, columns, userID, p, c.Counts)
	})
}

// reader runs a plan's statements on the pool, for the user's tasks.
type reader struct {
	s      *Store
	userID string
}

func (r reader) Count(ctx context.Context, st taskquery.Statement) (int64, error) {
	var n int64
	err := r.s.pool.QueryRow(ctx, st.SQL, st.Args...).Scan(&n)
	return n, err
}

func (r reader) Tasks(ctx context.Context, st taskquery.Statement, limit int) ([]task.Task, error) {
	return r.s.collect(ctx, r.s.pool, r.userID, limit, st.SQL, st.Args...)
}

// index gives the user's tasks that have no search terms or title key yet (new ones, and
// those other programs wrote) their terms and key, a batch at a time. Their number, left, is
// the user's task_counts.unindexed; they are looked for from the newest task down, where those
// written since the last search are, in windows of the newest tasks that grow from a few
// to a batch: a window is a range of idx_tasks_user_created, whatever the planner's idea of
// how many tasks have no key.
func (s *Store) index(ctx context.Context, userID string, left int64) error {
	var (
		after   *windowEnd
		changed []uuid.UUID
	)
	for size := 64; left > 0; size = min(2*size, task.BatchSize) {
		w, err := s.window(ctx, userID, after, size)
		if err != nil {
			return err
		}
		skipped, err := s.reindexByID(ctx, userID, w.unindexed)
		if err != nil {
			return err
		}
		changed = append(changed, skipped...)
		left -= int64(len(w.unindexed))
		if w.rows < size {
			break
		}
		after = &w.end
	}
	// A task changed since it was read is still to index, and read again.
	for len(changed) > 0 {
		var err error
		if changed, err = s.reindexByID(ctx, userID, changed); err != nil {
			return err
		}
	}
	return nil
}

// reindexByID reads the user's tasks with ids and writes their terms and keys.
func (s *Store) reindexByID(ctx context.Context, userID string, ids []uuid.UUID) ([]uuid.UUID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	tasks, err := s.GetMany(ctx, userID, ids)
	if err != nil {
		return nil, err
	}
	return s.reindex(ctx, tasks)
}

// window is what index found among the next of the user's tasks, newest first.
type window struct {
	rows      int         // how many tasks it read
	unindexed []uuid.UUID // those with no title key
	end       windowEnd   // the last one it read
}

type windowEnd struct {
	createdAt time.Time
	id        pgtype.UUID
}

// windowTasks are the user's newest $2 tasks, older than the task given by $3 and $4 when
// there is one (AND …), each with whether it has no title key.
const windowTasks = `SELECT t.created_at, t.id, t.title_key IS NULL FROM tasks AS t WHERE t.user_id = $1 AND %s
	ORDER BY t.created_at DESC, t.id DESC LIMIT $2`

var (
	newestTasks = fmt.Sprintf(windowTasks, "true")
	olderTasks  = fmt.Sprintf(windowTasks, "(t.created_at, t.id) < ($3, $4)")
)

func (s *Store) window(ctx context.Context, userID string, after *windowEnd, size int) (window, error) {
	return database.RetryOnce(ctx, func() (window, error) {
		sql, args := newestTasks, []any{userID, size}
		if after != nil {
			sql, args = olderTasks, append(args, after.createdAt, after.id)
		}
		rows, err := s.pool.Query(ctx, sql, args...)
		if err != nil {
			return window{}, err
		}
		var (
			w         window
			unindexed bool
		)
		_, err = pgx.ForEachRow(rows, []any{&w.end.createdAt, &w.end.id, &unindexed}, func() error {
			w.rows++
			if unindexed {
				w.unindexed = append(w.unindexed, w.end.id.Bytes)
			}
			return nil
		})
		return w, err
	})
}

// reindex writes the search terms and title keys of tasks (of one user) as they were read, in
// one statement. A task the app changed since (another version) it leaves as it is, and says
// so (skipped): its terms would be of its old text.
func (s *Store) reindex(ctx context.Context, tasks []task.Task) (skipped []uuid.UUID, err error) {
	if len(tasks) == 0 {
		return nil, nil
	}
	ids := make([]pgtype.UUID, len(tasks))
	versions := make([]int64, len(tasks))
	keys := make([][]byte, len(tasks))
	vectors := make([]string, len(tasks))
	for i, t := range tasks {
		ids[i] = pgtype.UUID{Bytes: t.ID, Valid: true}
		versions[i] = t.Version
		keys[i] = task.TitleKey(t.Title)
		vectors[i] = searchVector(task.SearchTerms(t.Title, t.Description, t.Tags).Of(t.UserID))
	}
	written, err := database.RetryOnce(ctx, func() (map[uuid.UUID]bool, error) {
		rows, err := s.pool.Query(ctx, `WITH x AS (SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bytea[], $4::text[]) AS x (id, version, k, v)),
			t AS (UPDATE tasks AS t SET title_key = x.k FROM x
				WHERE t.id = x.id AND t.user_id = $5 AND t.version = x.version RETURNING t.id, t.user_id)
			INSERT INTO task_search (task_id, user_id, search) SELECT t.id, t.user_id, x.v::tsvector FROM t JOIN x ON x.id = t.id
			ON CONFLICT (task_id) DO UPDATE SET search = excluded.search
			RETURNING task_id`, ids, versions, keys, vectors, tasks[0].UserID)
		if err != nil {
			return nil, err
		}
		written := make(map[uuid.UUID]bool, len(tasks))
		var id pgtype.UUID
		_, err = pgx.ForEachRow(rows, []any{&id}, func() error {
			written[id.Bytes] = true
			return nil
		})
		return written, err
	})
	if err != nil {
		return nil, err
	}
	for _, t := range tasks {
		if !written[t.ID] {
			skipped = append(skipped, t.ID)
		}
	}
	return skipped, nil
}

func (s *Store) Tags(ctx context.Context, userID string) ([]task.Tag, error) {
	return database.RetryOnce(ctx, func() ([]task.Tag, error) {
		rows, err := s.pool.Query(ctx, `SELECT g.name, count(*), count(*) FILTER (WHERE NOT t.completed)
			FROM tags AS g JOIN task_tags AS tt ON tt.tag_id = g.id JOIN tasks AS t ON t.id = tt.task_id
			WHERE g.user_id = $1 GROUP BY g.id ORDER BY g.name_key`, userID)
		if err != nil {
			return nil, err
		}
		var (
			tags []task.Tag
			tag  task.Tag
		)
		_, err = pgx.ForEachRow(rows, []any{&tag.Name, &tag.Tasks, &tag.Open}, func() error {
			tags = append(tags, tag)
			return nil
		})
		return tags, err
	})
}

func (s *Store) RenameTag(ctx context.Context, userID, from, to string) (bool, error) {
	return s.retag(ctx, userID, from, func(tx pgx.Tx, tagID int64) error {
		var into int64
		err := tx.QueryRow(ctx, `SELECT id FROM tags WHERE user_id = $1 AND name_key = $2`, userID, task.TagKey(to)).Scan(&into)
		switch {
		case errors.Is(err, pgx.ErrNoRows), err == nil && into == tagID:
			_, err = tx.Exec(ctx, `UPDATE tags SET name = $1, name_key = $2 WHERE id = $3`, to, task.TagKey(to), tagID)
			return err
		case err != nil:
			return err
		}
		// Both tags exist: the tasks of the first carry the second (in the first's place), once.
		if _, err := tx.Exec(ctx, `INSERT INTO task_tags (task_id, tag_id, position)
			SELECT task_id, $1, position FROM task_tags WHERE tag_id = $2 ON CONFLICT DO NOTHING`, into, tagID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM tags WHERE id = $1`, tagID)
		return err
	})
}

func (s *Store) DeleteTag(ctx context.Context, userID, name string) (bool, error) {
	return s.retag(ctx, userID, name, func(tx pgx.Tx, tagID int64) error {
		_, err := tx.Exec(ctx, `DELETE FROM tags WHERE id = $1`, tagID)
		return err
	})
}

// retag changes the user's tag with key through change, in one transaction with a new
// version for each task that carries it, and then their search terms.
func (s *Store) retag(ctx context.Context, userID, key string, change func(pgx.Tx, int64) error) (bool, error) {
	var ids []uuid.UUID
	found, err := database.RetryOnce(ctx, func() (bool, error) {
		found := false
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var tagID int64
			err := tx.QueryRow(ctx, `SELECT id FROM tags WHERE user_id = $1 AND name_key = $2 FOR UPDATE`, userID, key).Scan(&tagID)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			found = true
			rows, err := tx.Query(ctx, `UPDATE tasks SET version = version + 1
				WHERE id IN (SELECT task_id FROM task_tags WHERE tag_id = $1) RETURNING id`, tagID)
			if err != nil {
				return err
			}
			var id pgtype.UUID
			ids = ids[:0]
			if _, err := pgx.ForEachRow(rows, []any{&id}, func() error {
				ids = append(ids, id.Bytes)
				return nil
			}); err != nil {
				return err
			}
			return change(tx, tagID)
		})
		return found, err
	})
	if err != nil || !found {
		return found, err
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
	return database.RetryOnce(ctx, func() (task.Prefs, error) {
		var (
			zone string
			week int16
		)
		err := s.pool.QueryRow(ctx, `SELECT time_zone, week_start FROM user_prefs WHERE user_id = $1`, userID).Scan(&zone, &week)
		if errors.Is(err, pgx.ErrNoRows) {
			return task.DefaultPrefs, nil
		}
		if err != nil {
			return task.Prefs{}, err
		}
		loc, err := task.LoadTimeZone(zone)
		if err != nil {
			loc = time.UTC // a zone this build does not know (renamed since)
		}
		return task.Prefs{TimeZone: loc, WeekStart: time.Weekday(week)}, nil
	})
}

// SavePrefs stores the settings and, in the same transaction, moves the keys of the user's
// all-day dues to the starts of their days in the new zone, which PostgreSQL computes itself.
func (s *Store) SavePrefs(ctx context.Context, userID string, p task.Prefs) error {
	_, err := database.RetryOnce(ctx, func() (struct{}, error) {
		return struct{}{}, pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO user_prefs (user_id, time_zone, week_start) VALUES ($1, $2, $3)
				ON CONFLICT (user_id) DO UPDATE SET time_zone = excluded.time_zone, week_start = excluded.week_start`,
				userID, p.TimeZone.String(), int16(p.WeekStart)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE tasks SET due_key = due_date::timestamp AT TIME ZONE $2
				WHERE user_id = $1 AND due_date IS NOT NULL AND due_at IS NULL`, userID, p.TimeZone.String())
			return err
		})
	})
	return err
}
