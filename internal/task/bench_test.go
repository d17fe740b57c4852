package task_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/task"
	"todo/internal/task/stores"
	"todo/internal/task/tasktest"
)

// seed gives user n tasks in one statement, newest created now, one second apart.
func seed(b *testing.B, db *database.DB, user string, n int) {
	b.Helper()
	var err error
	if db.Dialect == database.Postgres {
		_, err = db.Postgres.Exec(ctx, `INSERT INTO tasks (user_id, title, description, completed, created_at)
			SELECT $1, 'task ' || g, 'description ' || g, g % 3 = 0, now() - g * interval '1 second'
			FROM generate_series(1, $2::int) g`, user, n)
		if err == nil {
			_, err = db.Postgres.Exec(ctx, `ANALYZE tasks`)
		}
	} else {
		_, err = db.SQLite.Write.Exec(`WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?2)
			INSERT INTO tasks (user_id, title, description, completed, created_at)
			SELECT ?1, 'task ' || i, 'description ' || i, i % 3 = 0,
			       strftime('%Y-%m-%dT%H:%M:%S', 'now', '-' || i || ' seconds') || '.000000Z' FROM g`, user, n)
		if err == nil {
			_, err = db.SQLite.Write.Exec(`ANALYZE`)
		}
	}
	if err != nil {
		b.Fatal(err)
	}
}

func benchStore(b *testing.B, d database.Dialect) (*task.Service, *database.DB) {
	db := apptest.OpenDB(b, d)
	s, err := stores.New(db)
	if err != nil {
		b.Fatal(err)
	}
	return task.NewService(s), db
}

// BenchmarkList is the cost of a page of 50 with its total, for a user with 100 tasks and for
// one with 100,000: the two must stay close (ordered indexes, counted totals).
func BenchmarkList(b *testing.B) {
	for _, d := range apptest.Dialects {
		svc, db := benchStore(b, d)
		for _, n := range []int{100, 100_000} {
			user := fmt.Sprintf("user-%d", n)
			seed(b, db, user, n)
			for _, filter := range []struct {
				name      string
				completed *bool
			}{{"all", nil}, {"completed", ptr(true)}, {"active", ptr(false)}} {
				b.Run(fmt.Sprintf("%s/tasks=%d/%s", d, n, filter.name), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						page, err := svc.List(ctx, user, task.Filter{Completed: filter.completed, Limit: 50})
						if err != nil || len(page.Tasks) == 0 {
							b.Fatalf("%d tasks, %v", len(page.Tasks), err)
						}
					}
				})
			}
		}
	}
}

func BenchmarkCreate(b *testing.B) {
	for _, d := range apptest.Dialects {
		svc, _ := benchStore(b, d)
		b.Run(string(d), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.Create(ctx, "creator", task.Draft{Title: "  Buy milk  ", Description: "two litres"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkChange is the specification's changes of one task: a toggle and a patch of its
// title, each one step of the store (one statement on PostgreSQL).
func BenchmarkChange(b *testing.B) {
	for _, d := range apptest.Dialects {
		svc, _ := benchStore(b, d)
		t, err := svc.Create(ctx, "changer", task.Draft{Title: "Buy milk", Description: "two litres"})
		if err != nil {
			b.Fatal(err)
		}
		title := "Buy oat milk"
		for _, c := range []struct {
			name   string
			change func() (task.Task, error)
		}{
			{"toggle", func() (task.Task, error) { return svc.Toggle(ctx, "changer", t.ID, "") }},
			{"patch", func() (task.Task, error) { return svc.Update(ctx, "changer", t.ID, task.Patch{Title: &title}) }},
		} {
			b.Run(string(d)+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.change(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkCreateConcurrently is creates from 16 users at once, as a busy server makes them:
// on SQLite, the single writer commits those that wait for it together.
func BenchmarkCreateConcurrently(b *testing.B) {
	for _, d := range apptest.Dialects {
		svc, _ := benchStore(b, d)
		b.Run(string(d), func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(8) // 16 on 2 cores
			var users atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				user := fmt.Sprintf("creator-%d", users.Add(1))
				for pb.Next() {
					if _, err := svc.Create(ctx, user, task.Draft{Title: "  Buy milk  ", Description: "two litres"}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func analyze(b *testing.B, db *database.DB) {
	var err error
	if db.Dialect == database.Postgres {
		_, err = db.Postgres.Exec(ctx, `VACUUM ANALYZE`)
	} else {
		_, err = db.SQLite.Write.Exec(`ANALYZE`)
	}
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkQuery is the cost of a page of 50 of the v2 list, with its total, for a user with
// 100,000 tasks: searches, filters and sorts, a page deep in by cursor (which must cost what
// the first page costs) and one by offset (which grows with it).
func BenchmarkQuery(b *testing.B) {
	const n = 100_000
	for _, d := range apptest.Dialects {
		svc, db := benchStore(b, d)
		svc.SetClock(func() time.Time { return time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC) })
		user := "planner"
		tasktest.SeedPlanned(b, db, user, n)
		// The first search indexes the seeded rows; then the planner learns about them.
		if _, _, err := svc.Query(ctx, user, task.Query{Search: task.ParseSearch("task"), Limit: 1}); err != nil {
			b.Fatal(err)
		}
		analyze(b, db)
		deep := func(s task.Sort) *task.Cursor {
			page, prefs, err := svc.Query(ctx, user, task.Query{Sort: s, Limit: 1, Offset: n - 10_000})
			if err != nil || len(page.Tasks) != 1 {
				b.Fatalf("deep task: %v", err)
			}
			return task.CursorAfter(page.Tasks[0], s, false, prefs.TimeZone)
		}
		for _, c := range append(lists(), []benchedList{
			{"sort by priority at cursor depth 90000", task.Query{Sort: task.SortPriority, Cursor: deep(task.SortPriority)}},
			{"sort by due at cursor depth 90000", task.Query{Sort: task.SortDue, Cursor: deep(task.SortDue)}},
			{"sort by title at cursor depth 90000", task.Query{Sort: task.SortTitle, Cursor: deep(task.SortTitle)}},
			{"sort by updated at cursor depth 90000", task.Query{Sort: task.SortUpdated, Cursor: deep(task.SortUpdated)}},
			{"offset 90000", task.Query{Desc: true, Offset: n - 10_000}},
		}...) {
			benchList(b, svc, d, user, c)
		}
	}
}

// BenchmarkQueryAcrossUsers is BenchmarkQuery's lists for one user among 10,000 who have 100
// tasks each, 1,000,000 tasks in all, every one indexed for search: what the other users'
// tasks cost a user's page, which must be next to nothing (each index begins with the user).
func BenchmarkQueryAcrossUsers(b *testing.B) {
	const users, perUser = 10_000, 100
	for _, d := range apptest.Dialects {
		svc, db := benchStore(b, d)
		svc.SetClock(func() time.Time { return time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC) })
		tasktest.SeedPlannedUsers(b, db, "user-", users, perUser)
		for u := range users {
			// The user's first search indexes the user's tasks.
			if _, _, err := svc.Query(ctx, fmt.Sprint("user-", u), task.Query{Search: task.ParseSearch("task"), Limit: 1}); err != nil {
				b.Fatal(err)
			}
		}
		analyze(b, db)
		for _, c := range lists() {
			benchList(b, svc, d, fmt.Sprint("user-", users/2), c)
		}
	}
}

// benchedList is a v2 list that the benchmarks time, by name.
type benchedList struct {
	name string
	q    task.Query
}

// lists are the lists of every filter, search and sort, from their first page.
func lists() []benchedList {
	return []benchedList{
		{"first page", task.Query{Desc: true}},
		{"search rare word", task.Query{Search: task.ParseSearch("quarterly"), Desc: true}},
		{"search prefix", task.Query{Search: task.ParseSearch("quart"), Desc: true}},
		{"search common word", task.Query{Search: task.ParseSearch("task"), Desc: true}},
		{"tag and open", task.Query{Tags: []string{"work"}, Status: task.StatusOpen, Desc: true}},
		{"priority high by due", task.Query{Priorities: []task.Priority{task.PriorityHigh}, Sort: task.SortDue}},
		{"due today", task.Query{Due: []task.DueFilter{task.DueToday}}},
		{"sort by title", task.Query{Sort: task.SortTitle}},
		{"sort by due", task.Query{Sort: task.SortDue}},
		{"sort by priority", task.Query{Sort: task.SortPriority, Desc: true}},
		{"sort by priority, none first", task.Query{Sort: task.SortPriority}},
		{"sort by updated", task.Query{Sort: task.SortUpdated, Desc: true}},
	}
}

// benchList times a page of 50 of c for user.
func benchList(b *testing.B, svc *task.Service, d database.Dialect, user string, c benchedList) {
	c.q.Limit = 50
	b.Run(fmt.Sprintf("%s/%s", d, c.name), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			page, _, err := svc.Query(ctx, user, c.q)
			if err != nil || len(page.Tasks) == 0 {
				b.Fatalf("%d tasks, %v", len(page.Tasks), err)
			}
		}
	})
}

// BenchmarkDerived is what a write computes in Go for the indexes: a title's sort key and a
// task's search terms.
func BenchmarkDerived(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		task.TitleKey("Buy milk on the way home")
		task.SearchTerms("Buy milk on the way home", "Two litres, semi-skimmed; and café crème", []string{"home"})
	}
}

// BenchmarkStorage is the space a task takes in the database, all its indexes and its search
// terms included, against the bytes of its columns: tasks with a 200-character title and a
// 1,000-character description of words, 100 for each of 50 users, every one indexed for
// search. It reports B/task and x-columns (the ratio) for those tasks in a new database, and
// B/next-task and next-x-columns for as many more after them: what a task adds to a database
// that has been in use, where PostgreSQL has reused the space that the first tasks' row
// versions from before their indexing left free. The time is not the point.
//
// The words are drawn as a language's are: from a vocabulary of 5,000, of 3 to 8 letters,
// the most common far more often than the rest (Zipf's law), so that a description has about
// as many distinct words as one written by a person, which is what full-text indexes store.
func BenchmarkStorage(b *testing.B) {
	const users, perUser, vocabulary = 50, 100, 5000
	word := func(k uint64) string {
		w := make([]byte, 3+k%6)
		for i := range w {
			w[i] = byte('a' + (k>>(5*(i%3))+uint64(i)*7)%26)
		}
		return string(w)
	}
	draw := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.1, 1, vocabulary-1)
	text := func(n int) string {
		var s strings.Builder
		for s.Len() < n {
			s.WriteString(word(draw.Uint64()) + " ")
		}
		return s.String()[:n]
	}
	for _, d := range apptest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			for b.Loop() {
				svc, db := benchStore(b, d)
				fill := func(batch int) {
					for u := range users {
						user := fmt.Sprintf("user-%d-%d", batch, u)
						for range perUser {
							if _, err := svc.Create(ctx, user, task.Draft{Title: text(200), Description: text(1000)}); err != nil {
								b.Fatal(err)
							}
						}
						if _, _, err := svc.Query(ctx, user, task.Query{Search: task.ParseSearch("water"), Limit: 1}); err != nil {
							b.Fatal(err)
						}
					}
				}
				empty := databaseSize(b, db)
				fill(0)
				first := databaseSize(b, db)
				fill(1)
				second := databaseSize(b, db)
				var columns float64
				err := func() error {
					if d == database.Postgres {
						return db.Postgres.QueryRow(ctx, `SELECT avg(pg_column_size(t.*)) FROM tasks AS t`).Scan(&columns)
					}
					// The bytes of the values as SQLite stores them (text as UTF-8).
					return db.SQLite.Read.QueryRow(`SELECT avg(length(id) + length(user_id) + length(title) + length(description)
						+ length(created_at) + 8) FROM tasks`).Scan(&columns)
				}()
				if err != nil {
					b.Fatal(err)
				}
				perTask := float64(first-empty) / (users * perUser)
				b.ReportMetric(perTask, "B/task")
				b.ReportMetric(perTask/columns, "x-columns")
				perNextTask := float64(second-first) / (users * perUser)
				b.ReportMetric(perNextTask, "B/next-task")
				b.ReportMetric(perNextTask/columns, "next-x-columns")
			}
		})
	}
}

// databaseSize is the bytes the database takes: PostgreSQL's tables and indexes of the tasks
// (after a vacuum), SQLite's pages in use (after a checkpoint).
func databaseSize(b *testing.B, db *database.DB) int64 {
	var n int64
	var err error
	if db.Dialect == database.Postgres {
		if _, err = db.Postgres.Exec(ctx, `VACUUM`); err == nil {
			err = db.Postgres.QueryRow(ctx, `SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class AS c
				WHERE c.relkind = 'r' AND c.relname IN ('tasks', 'task_search', 'task_tags', 'tags', 'task_counts')`).Scan(&n)
		}
	} else {
		if _, err = db.SQLite.Write.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err == nil {
			err = db.SQLite.Read.QueryRow(`SELECT (page_count - freelist_count) * page_size
				FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()`).Scan(&n)
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	return n
}
