package task_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/recur"
	"todo/internal/task"
)

// planner is a service over a new database of the dialect, at a clock the test moves.
type planner struct {
	*task.Service
	now time.Time
	mu  sync.Mutex
}

func newPlanner(t *testing.T, d database.Dialect, now time.Time) *planner {
	store, _ := newStore(t, d)
	p := &planner{Service: task.NewService(store), now: now}
	p.SetClock(func() time.Time { p.mu.Lock(); defer p.mu.Unlock(); return p.now })
	return p
}

func (p *planner) set(now time.Time) { p.mu.Lock(); p.now = now; p.mu.Unlock() }

func (p *planner) create(t *testing.T, user string, d task.Draft) task.Task {
	t.Helper()
	tk, err := p.Create(ctx, user, d)
	if err != nil {
		t.Fatalf("create %q: %v", d.Title, err)
	}
	return tk
}

// titles lists the titles of a query's page.
func (p *planner) titles(t *testing.T, user string, q task.Query) []string {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 100
	}
	page, _, err := p.Query(ctx, user, q)
	if err != nil {
		t.Fatalf("query %+v: %v", q, err)
	}
	out := []string{}
	for _, tk := range page.Tasks {
		out = append(out, tk.Title)
	}
	return out
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := task.LoadTimeZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func date(s string) task.Date {
	d, err := task.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func allDay(s string) *task.Due { return &task.Due{Date: date(s)} }

func TestPlanning(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		t.Parallel()
		noon := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

		t.Run("every field round-trips, and v1's list shows the spec's fields", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			at := task.DueAt(date("2026-12-24"), 14, 30, zone(t, "Europe/Paris"))
			want := p.create(t, "u", task.Draft{Title: "Gifts", Priority: task.PriorityHigh, Tags: []string{" Home ", "xmas", "HOME"}, Due: &at})
			if !slices.Equal(want.Tags, []string{"Home", "xmas"}) {
				t.Fatalf("tags: got %q, want trimmed and repeats dropped", want.Tags)
			}
			got, err := p.Get(ctx, "u", want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Priority != task.PriorityHigh || !slices.Equal(got.Tags, want.Tags) || got.Due == nil ||
				!got.Due.At.Equal(time.Date(2026, 12, 24, 13, 30, 0, 0, time.UTC)) || got.ETag() != want.ETag() {
				t.Fatalf("get: got %+v, want %+v", got, want)
			}
			page, err := p.List(ctx, "u", task.Filter{Limit: 10})
			if err != nil || len(page.Tasks) != 1 || page.Tasks[0].Title != "Gifts" {
				t.Fatalf("v1 list: %+v, %v", page, err)
			}
		})

		t.Run("completed_at is set on completion and cleared on reopening", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			tk := p.create(t, "u", task.Draft{Title: "x"})
			done, err := p.Toggle(ctx, "u", tk.ID, "")
			if err != nil || done.CompletedAt == nil || !done.CompletedAt.Equal(noon) {
				t.Fatalf("completed: %+v, %v", done, err)
			}
			again, err := p.Get(ctx, "u", tk.ID)
			if err != nil || again.CompletedAt == nil || !again.CompletedAt.Equal(noon) {
				t.Fatalf("stored completed_at: %+v, %v", again, err)
			}
			open, err := p.Update(ctx, "u", tk.ID, task.Patch{Completed: ptr(false)})
			if err != nil || open.CompletedAt != nil {
				t.Fatalf("reopened: %+v, %v", open, err)
			}
			if n, err := p.SetAllCompleted(ctx, "u", true); err != nil || n != 1 {
				t.Fatal(n, err)
			}
			if all, _ := p.Get(ctx, "u", tk.ID); all.CompletedAt == nil {
				t.Fatalf("mark all completed: completed_at not set: %+v", all)
			}
		})

		t.Run("If-Match: a change made on an old state is refused and changes nothing", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			tk := p.create(t, "u", task.Draft{Title: "first"})
			tab1 := tk.ETag()
			edited, err := p.Update(ctx, "u", tk.ID, task.Patch{Title: ptr("second"), IfMatch: tab1})
			if err != nil || edited.ETag() == tab1 {
				t.Fatalf("first edit: %+v, %v; want saved with a new ETag", edited, err)
			}
			for name, err := range map[string]error{
				"update": func() error {
					_, err := p.Update(ctx, "u", tk.ID, task.Patch{Title: ptr("third"), IfMatch: tab1})
					return err
				}(),
				"toggle": func() error { _, err := p.Toggle(ctx, "u", tk.ID, tab1); return err }(),
				"delete": p.Delete(ctx, "u", tk.ID, tab1),
			} {
				if !errors.Is(err, task.ErrChanged) {
					t.Errorf("%s with the old ETag: got %v, want ErrChanged", name, err)
				}
			}
			if got, _ := p.Get(ctx, "u", tk.ID); got.Title != "second" || got.Completed {
				t.Fatalf("after refused changes: %+v", got)
			}
			if err := p.Delete(ctx, "u", tk.ID, edited.ETag()); err != nil {
				t.Fatalf("delete with the current ETag: %v", err)
			}
			if err := p.Delete(ctx, "u", tk.ID, edited.ETag()); !errors.Is(err, task.ErrNotFound) {
				t.Fatalf("delete of a deleted task: %v, want not found", err)
			}
		})

		t.Run("search: words, accents, case, prefixes, tags and Japanese", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			p.create(t, "u", task.Draft{Title: "Meet Zoë at the Café", Description: "bring the BOOK"})
			p.create(t, "u", task.Draft{Title: "牛乳を買う", Description: "スーパーで"})
			p.create(t, "u", task.Draft{Title: "Call the bank", Tags: []string{"Finances"}})
			p.create(t, "u", task.Draft{Title: "東京2024の大会"})
			p.create(t, "u", task.Draft{Title: "東京 marathon, 2024"})
			p.create(t, "other", task.Draft{Title: "cafe for someone else"})
			for q, want := range map[string][]string{
				"東京2024":        {"東京2024の大会"}, // a phrase: its terms next to each other
				"marathon 2024": {"東京 marathon, 2024"},
				"cafe":          {"Meet Zoë at the Café"},
				"CAFÉ zoe":      {"Meet Zoë at the Café"},
				"caf":           {"Meet Zoë at the Café"},
				"book":          {"Meet Zoë at the Café"},
				"bo ":           {},
				"牛乳":            {"牛乳を買う"},
				"買う":            {"牛乳を買う"},
				"スーパー":          {"牛乳を買う"},
				"乳":             {"牛乳を買う"},
				"finances":      {"Call the bank"},
				"bank finance":  {"Call the bank"},
				"zoe bank":      {},
			} {
				got := p.titles(t, "u", task.Query{Search: task.ParseSearch(q), Desc: true})
				if !slices.Equal(got, want) {
					t.Errorf("search %q: got %q, want %q", q, got, want)
				}
			}
			// The index follows edits and tag renames.
			tk := p.create(t, "u", task.Draft{Title: "Water plants"})
			if _, err := p.Update(ctx, "u", tk.ID, task.Patch{Title: ptr("Water the ferns")}); err != nil {
				t.Fatal(err)
			}
			if got := p.titles(t, "u", task.Query{Search: task.ParseSearch("plants ")}); len(got) != 0 {
				t.Errorf("old title still found: %q", got)
			}
			if got := p.titles(t, "u", task.Query{Search: task.ParseSearch("ferns")}); !slices.Equal(got, []string{"Water the ferns"}) {
				t.Errorf("new title: %q", got)
			}
			// Indexed by that search, the task's terms now follow its edits as they are saved.
			if _, err := p.Update(ctx, "u", tk.ID, task.Patch{Title: ptr("Water the roses")}); err != nil {
				t.Fatal(err)
			}
			if got := p.titles(t, "u", task.Query{Search: task.ParseSearch("ferns")}); len(got) != 0 {
				t.Errorf("title before the last edit still found: %q", got)
			}
			if got := p.titles(t, "u", task.Query{Search: task.ParseSearch("roses"), Sort: task.SortTitle}); !slices.Equal(got, []string{"Water the roses"}) {
				t.Errorf("title of the last edit: %q", got)
			}
			if err := p.RenameTag(ctx, "u", "finances", "Money"); err != nil {
				t.Fatal(err)
			}
			if got := p.titles(t, "u", task.Query{Search: task.ParseSearch("money")}); !slices.Equal(got, []string{"Call the bank"}) {
				t.Errorf("renamed tag: %q", got)
			}
		})

		t.Run("filters combine with search and sort, and totals count every match", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			created := noon
			mk := func(title string, pr task.Priority, tags []string, due *task.Due, done bool) {
				created = created.Add(time.Second)
				p.set(created)
				tk := p.create(t, "u", task.Draft{Title: title, Priority: pr, Tags: tags, Due: due})
				if done {
					if _, err := p.Toggle(ctx, "u", tk.ID, ""); err != nil {
						t.Fatal(err)
					}
				}
			}
			mk("report draft", task.PriorityHigh, []string{"work"}, allDay("2026-12-03"), false)
			mk("report final", task.PriorityMedium, []string{"work", "urgent"}, allDay("2026-12-02"), false)
			mk("report old", task.PriorityHigh, []string{"work"}, allDay("2026-11-20"), true)
			mk("banana", task.PriorityLow, []string{"home"}, nil, false)
			mk("Apple", task.PriorityNone, nil, allDay("2026-12-01"), false)
			mk("émile", task.PriorityHigh, []string{"home", "work"}, nil, false)

			cases := []struct {
				name  string
				q     task.Query
				want  []string
				total int64
			}{
				{"search + open + sort by due", task.Query{Search: task.ParseSearch("report"), Status: task.StatusOpen, Sort: task.SortDue},
					[]string{"report final", "report draft"}, 2},
				{"tag work and high priority, by title", task.Query{Tags: []string{"WORK"}, Priorities: []task.Priority{task.PriorityHigh}, Sort: task.SortTitle},
					[]string{"émile", "report draft", "report old"}, 3},
				{"two tags must both match", task.Query{Tags: []string{"work", "home"}}, []string{"émile"}, 1},
				{"priorities are alternatives, sorted high first", task.Query{Priorities: []task.Priority{task.PriorityLow, task.PriorityMedium}, Sort: task.SortPriority, Desc: true},
					[]string{"report final", "banana"}, 2},
				{"title order is alphabetical, not byte order", task.Query{Sort: task.SortTitle},
					[]string{"Apple", "banana", "émile", "report draft", "report final", "report old"}, 6},
				{"due ascending puts tasks without a due last, oldest first", task.Query{Sort: task.SortDue},
					[]string{"report old", "Apple", "report final", "report draft", "banana", "émile"}, 6},
				{"due descending puts them last too, newest first", task.Query{Sort: task.SortDue, Desc: true},
					[]string{"report draft", "report final", "Apple", "report old", "émile", "banana"}, 6},
				{"no due", task.Query{Due: []task.DueFilter{task.DueNone}, Sort: task.SortTitle}, []string{"banana", "émile"}, 2},
				{"no due and high priority", task.Query{Due: []task.DueFilter{task.DueNone}, Priorities: []task.Priority{task.PriorityHigh}},
					[]string{"émile"}, 1},
				{"no due and completed", task.Query{Due: []task.DueFilter{task.DueNone}, Status: task.StatusCompleted}, nil, 0},
				{"no due and open", task.Query{Due: []task.DueFilter{task.DueNone}, Status: task.StatusOpen, Sort: task.SortTitle},
					[]string{"banana", "émile"}, 2},
				{"due between", task.Query{DueAfter: ptr(date("2026-12-02")), DueBefore: ptr(date("2026-12-03")), Sort: task.SortTitle},
					[]string{"report final"}, 1},
				{"a page of one still counts all", task.Query{Tags: []string{"work"}, Limit: 1, Sort: task.SortTitle}, []string{"émile"}, 4},
			}
			for _, c := range cases {
				limit := c.q.Limit
				if limit == 0 {
					c.q.Limit = 100
				}
				page, _, err := p.Query(ctx, "u", c.q)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				var got []string
				for _, tk := range page.Tasks {
					got = append(got, tk.Title)
				}
				if !slices.Equal(got, c.want) || page.Total != c.total {
					t.Errorf("%s: got %q (total %d), want %q (total %d)", c.name, got, page.Total, c.want, c.total)
				}
			}
		})

		t.Run("today, overdue and upcoming in the user's zone, around midnight", func(t *testing.T) {
			for _, name := range []string{"Pacific/Auckland", "America/Los_Angeles"} {
				loc := zone(t, name)
				// 23:59 on 1 Dec in the user's zone, then 00:01 on 2 Dec.
				before := time.Date(2026, 12, 1, 23, 59, 0, 0, loc)
				p := newPlanner(t, d, before)
				if err := p.SavePrefs(ctx, "u", task.Prefs{TimeZone: loc, WeekStart: time.Monday}); err != nil {
					t.Fatal(err)
				}
				p.create(t, "u", task.Draft{Title: "on the 1st", Due: allDay("2026-12-01")})
				p.create(t, "u", task.Draft{Title: "on the 2nd", Due: allDay("2026-12-02")})
				at := task.DueAt(date("2026-12-01"), 23, 30, loc)
				p.create(t, "u", task.Draft{Title: "at 23:30 on the 1st", Due: &at})
				p.create(t, "u", task.Draft{Title: "on the 8th", Due: allDay("2026-12-08")})
				p.create(t, "u", task.Draft{Title: "on the 9th", Due: allDay("2026-12-09")})
				q := func(f ...task.DueFilter) []string {
					return p.titles(t, "u", task.Query{Due: f, Sort: task.SortTitle})
				}
				if got := q(task.DueToday); !slices.Equal(got, []string{"at 23:30 on the 1st", "on the 1st"}) {
					t.Errorf("%s at 23:59: today %q", name, got)
				}
				if got := q(task.DueOverdue); !slices.Equal(got, []string{"at 23:30 on the 1st"}) {
					t.Errorf("%s at 23:59: overdue %q", name, got)
				}
				if got := q(task.DueUpcoming); !slices.Equal(got, []string{"at 23:30 on the 1st", "on the 1st", "on the 2nd"}) {
					t.Errorf("%s at 23:59: upcoming (1st to 7th) %q", name, got)
				}
				p.set(before.Add(2 * time.Minute))
				if got := q(task.DueToday); !slices.Equal(got, []string{"on the 2nd"}) {
					t.Errorf("%s at 00:01: today %q", name, got)
				}
				if got := q(task.DueOverdue, task.DueToday); !slices.Equal(got, []string{"at 23:30 on the 1st", "on the 1st", "on the 2nd"}) {
					t.Errorf("%s at 00:01: overdue + today %q", name, got)
				}
				if got := q(task.DueUpcoming); !slices.Equal(got, []string{"on the 2nd", "on the 8th"}) {
					t.Errorf("%s at 00:01: upcoming %q", name, got)
				}
			}
		})

		t.Run("an all-day due stays on its date across DST and a change of zone", func(t *testing.T) {
			ny := zone(t, "America/New_York")
			// DST ends in New York on 1 Nov 2026; "today" is computed after it.
			p := newPlanner(t, d, time.Date(2026, 11, 1, 12, 0, 0, 0, ny))
			if err := p.SavePrefs(ctx, "u", task.Prefs{TimeZone: ny}); err != nil {
				t.Fatal(err)
			}
			tk := p.create(t, "u", task.Draft{Title: "vote", Due: allDay("2026-11-01")})
			if got := p.titles(t, "u", task.Query{Due: []task.DueFilter{task.DueToday}}); !slices.Equal(got, []string{"vote"}) {
				t.Fatalf("on the day DST ends: today %q", got)
			}
			tokyo := zone(t, "Asia/Tokyo")
			if err := p.SavePrefs(ctx, "u", task.Prefs{TimeZone: tokyo}); err != nil {
				t.Fatal(err)
			}
			p.set(time.Date(2026, 11, 1, 9, 0, 0, 0, tokyo))
			got, _ := p.Get(ctx, "u", tk.ID)
			if got.Due == nil || got.Due.Date != date("2026-11-01") || !got.Due.AllDay() {
				t.Fatalf("after moving to Tokyo: due %+v, want still 1 Nov all day", got.Due)
			}
			if got := p.titles(t, "u", task.Query{Due: []task.DueFilter{task.DueToday}}); !slices.Equal(got, []string{"vote"}) {
				t.Fatalf("in Tokyo on 1 Nov: today %q", got)
			}
		})

		t.Run("cursor pages neither skip nor repeat while tasks are added and removed", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			for _, s := range []task.Sort{task.SortCreated, task.SortDue, task.SortPriority, task.SortTitle, task.SortUpdated} {
				for _, desc := range []bool{false, true} {
					user := fmt.Sprintf("%s-%v", s, desc)
					var ids []uuid.UUID
					for i := range 30 {
						dr := task.Draft{Title: fmt.Sprintf("t%02d", i), Priority: task.Priority(i % 4)}
						if i%3 != 0 {
							dr.Due = allDay(fmt.Sprintf("2026-12-%02d", 1+i%5))
						}
						p.set(noon.Add(time.Duration(i) * time.Second))
						ids = append(ids, p.create(t, user, dr).ID)
					}
					original := map[string]bool{}
					for i := range 30 {
						original[fmt.Sprintf("t%02d", i)] = true
					}
					seen := map[string]int{}
					q := task.Query{Sort: s, Desc: desc, Limit: 7}
					for page := 0; ; page++ {
						pg, _, err := p.Query(ctx, user, q)
						if err != nil {
							t.Fatal(err)
						}
						for _, tk := range pg.Tasks {
							seen[tk.Title]++
						}
						// Between pages: a new task, and one of the originals not yet seen is removed.
						p.create(t, user, task.Draft{Title: fmt.Sprintf("new%d", page), Due: allDay("2026-12-03")})
						if pg.Next == nil {
							break
						}
						q.Cursor = pg.Next
					}
					for title := range original {
						if seen[title] != 1 {
							t.Errorf("%s desc=%v: %s seen %d times", s, desc, title, seen[title])
						}
					}
					for title, n := range seen {
						if n > 1 {
							t.Errorf("%s desc=%v: %s repeated", s, desc, title)
						}
					}
					_ = ids
				}
			}
		})

		t.Run("offset pages by due split across the tasks with and without a due", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			for i := range 6 {
				dr := task.Draft{Title: fmt.Sprintf("t%d", i)}
				if i < 3 {
					dr.Due = allDay(fmt.Sprintf("2026-12-0%d", i+1))
				}
				p.create(t, "u", dr)
			}
			var all []string
			for off := int64(0); off < 6; off += 2 {
				all = append(all, p.titles(t, "u", task.Query{Sort: task.SortDue, Limit: 2, Offset: off})...)
			}
			want := p.titles(t, "u", task.Query{Sort: task.SortDue})
			if !slices.Equal(all, want) || len(all) != 6 {
				t.Fatalf("offset pages %q, one page %q", all, want)
			}
		})

		t.Run("a list by priority has the tasks without one last when descending, first when ascending, by offset and by cursor", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			for i, pr := range []task.Priority{task.PriorityNone, task.PriorityHigh, task.PriorityNone, task.PriorityLow, task.PriorityHigh, task.PriorityNone, task.PriorityMedium} {
				p.set(noon.Add(time.Duration(i) * time.Second))
				p.create(t, "u", task.Draft{Title: fmt.Sprintf("%s%d", pr, i), Priority: pr})
			}
			for _, c := range []struct {
				desc bool
				want []string
			}{
				{true, []string{"high4", "high1", "medium6", "low3", "none5", "none2", "none0"}},
				{false, []string{"none0", "none2", "none5", "low3", "medium6", "high1", "high4"}},
			} {
				q := task.Query{Sort: task.SortPriority, Desc: c.desc}
				if got := p.titles(t, "u", q); !slices.Equal(got, c.want) {
					t.Fatalf("desc=%v: %q, want %q", c.desc, got, c.want)
				}
				var byOffset, byCursor []string
				for off := int64(0); off < 7; off += 2 {
					q := q
					q.Limit, q.Offset = 2, off
					byOffset = append(byOffset, p.titles(t, "u", q)...)
				}
				for q.Limit = 2; ; {
					pg, _, err := p.Query(ctx, "u", q)
					if err != nil {
						t.Fatal(err)
					}
					for _, tk := range pg.Tasks {
						byCursor = append(byCursor, tk.Title)
					}
					if pg.Next == nil {
						break
					}
					q.Cursor = pg.Next
				}
				if !slices.Equal(byOffset, c.want) || !slices.Equal(byCursor, c.want) {
					t.Fatalf("desc=%v: pages of 2 by offset %q, by cursor %q; want %q", c.desc, byOffset, byCursor, c.want)
				}
			}
		})

		t.Run("bulk changes are all or nothing and only the user's", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			a := p.create(t, "u", task.Draft{Title: "a", Tags: []string{"x"}})
			b := p.create(t, "u", task.Draft{Title: "b"})
			other := p.create(t, "v", task.Draft{Title: "theirs"})
			if _, err := p.Apply(ctx, "u", task.Bulk{Action: task.BulkComplete, IDs: []uuid.UUID{a.ID, other.ID}}); err == nil {
				t.Fatal("bulk with another user's task: want refused")
			}
			if got, _ := p.Get(ctx, "u", a.ID); got.Completed {
				t.Fatal("refused bulk changed a task")
			}
			if got, _ := p.Get(ctx, "v", other.ID); got.Completed {
				t.Fatal("refused bulk changed the other user's task")
			}
			out, err := p.Apply(ctx, "u", task.Bulk{Action: task.BulkAddTag, IDs: []uuid.UUID{a.ID, b.ID}, Tag: "X"})
			if err != nil || len(out) != 2 || !slices.Equal(out[1].Tags, []string{"X"}) || !slices.Equal(out[0].Tags, []string{"x"}) {
				t.Fatalf("add tag: %+v, %v", out, err)
			}
			if _, err := p.Apply(ctx, "u", task.Bulk{Action: task.BulkSetPriority, IDs: []uuid.UUID{a.ID, b.ID}, Priority: task.PriorityHigh}); err != nil {
				t.Fatal(err)
			}
			if got := p.titles(t, "u", task.Query{Priorities: []task.Priority{task.PriorityHigh}, Tags: []string{"x"}, Sort: task.SortTitle}); !slices.Equal(got, []string{"a", "b"}) {
				t.Fatalf("after bulk: %q", got)
			}
			if _, err := p.Apply(ctx, "u", task.Bulk{Action: task.BulkDelete, IDs: []uuid.UUID{a.ID, b.ID}}); err != nil {
				t.Fatal(err)
			}
			if page, _, _ := p.Query(ctx, "u", task.Query{Limit: 10}); len(page.Tasks) != 0 || page.Counts.Total != 0 {
				t.Fatalf("after bulk delete: %+v", page)
			}
			if tags, err := p.Tags(ctx, "u"); err != nil || len(tags) != 0 {
				t.Fatalf("tags of deleted tasks still listed: %+v, %v", tags, err)
			}
		})

		t.Run("renaming onto an existing tag merges; deleting a tag removes it from every task", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			a := p.create(t, "u", task.Draft{Title: "a", Tags: []string{"job", "home"}})
			b := p.create(t, "u", task.Draft{Title: "b", Tags: []string{"Work"}})
			if err := p.RenameTag(ctx, "u", "JOB", "work"); err != nil {
				t.Fatal(err)
			}
			tags, err := p.Tags(ctx, "u")
			if err != nil || len(tags) != 2 || tags[0].Name != "home" || tags[1].Name != "Work" || tags[1].Tasks != 2 {
				t.Fatalf("tags after merge: %+v, %v", tags, err)
			}
			got, _ := p.Get(ctx, "u", a.ID)
			if !slices.Equal(got.Tags, []string{"Work", "home"}) || got.ETag() == a.ETag() {
				t.Fatalf("a after merge: %+v", got)
			}
			if err := p.DeleteTag(ctx, "u", "work"); err != nil {
				t.Fatal(err)
			}
			if got, _ := p.Get(ctx, "u", b.ID); len(got.Tags) != 0 {
				t.Fatalf("b after delete: %q", got.Tags)
			}
			if err := p.DeleteTag(ctx, "u", "work"); !errors.Is(err, task.ErrTagNotFound) {
				t.Fatalf("deleting a missing tag: %v", err)
			}
			if err := p.RenameTag(ctx, "v", "home", "x"); !errors.Is(err, task.ErrTagNotFound) {
				t.Fatalf("renaming another user's tag: %v", err)
			}
		})

		t.Run("completing a repeating task moves it to its next due and keeps the occurrence", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			weekly, err := recur.Parse("RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3")
			if err != nil {
				t.Fatal(err)
			}
			// 30 Nov 2026 is a Monday.
			tk := p.create(t, "u", task.Draft{Title: "standup notes", Due: allDay("2026-11-30"), Repeat: weekly})
			next, err := p.Toggle(ctx, "u", tk.ID, "")
			if err != nil || next.Completed || next.Due == nil || next.Due.Date != date("2026-12-07") || next.RepeatDone != 1 {
				t.Fatalf("after the first completion: %+v, %v; want open, due Mon 7 Dec", next, err)
			}
			got, _ := p.Get(ctx, "u", tk.ID)
			if got.Repeat == nil || got.Repeat.String() != weekly.String() || got.Due.Date != date("2026-12-07") {
				t.Fatalf("stored: %+v", got)
			}
			// The API's PATCH completed:true and the bulk action complete the same way.
			if _, err := p.Update(ctx, "u", tk.ID, task.Patch{Completed: ptr(true)}); err != nil {
				t.Fatal(err)
			}
			if out, err := p.Apply(ctx, "u", task.Bulk{Action: task.BulkComplete, IDs: []uuid.UUID{tk.ID}}); err != nil || !out[0].Completed {
				t.Fatalf("the third (last) occurrence: %+v, %v; want completed for good", out, err)
			}
			history, err := p.History(ctx, "u", tk.ID)
			if err != nil || len(history) != 3 || history[2].Due.Date != date("2026-11-30") || history[0].Due.Date != date("2026-12-14") {
				t.Fatalf("history: %+v, %v", history, err)
			}
			if _, err := p.History(ctx, "someone else", tk.ID); !errors.Is(err, task.ErrNotFound) {
				t.Fatalf("another user's history: %v", err)
			}
		})

		t.Run("complete all moves repeating tasks on instead of completing them", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			daily, _ := recur.Parse("RRULE:FREQ=DAILY")
			rep := p.create(t, "u", task.Draft{Title: "water plants", Due: allDay("2026-12-01"), Repeat: daily})
			plain := p.create(t, "u", task.Draft{Title: "plain"})
			if _, err := p.SetAllCompleted(ctx, "u", true); err != nil {
				t.Fatal(err)
			}
			if got, _ := p.Get(ctx, "u", rep.ID); got.Completed || got.Due.Date != date("2026-12-02") {
				t.Fatalf("repeating task after complete all: %+v", got)
			}
			if got, _ := p.Get(ctx, "u", plain.ID); !got.Completed {
				t.Fatalf("plain task after complete all: %+v", got)
			}
		})

		t.Run("a rule without a due starts today; a rule can be removed", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			fridays, _ := recur.Parse("RRULE:FREQ=WEEKLY;BYDAY=FR")
			tk := p.create(t, "u", task.Draft{Title: "review", Repeat: fridays})
			if tk.Due == nil || tk.Due.Date != date("2026-12-04") {
				t.Fatalf("first due: %+v", tk.Due)
			}
			got, err := p.Update(ctx, "u", tk.ID, task.Patch{ClearRepeat: true})
			if err != nil || got.Repeat != nil {
				t.Fatalf("rule removed: %+v, %v", got, err)
			}
			if done, _ := p.Toggle(ctx, "u", tk.ID, ""); !done.Completed {
				t.Fatalf("without its rule the task completes: %+v", done)
			}
		})

		t.Run("invalid input is refused naming the field", func(t *testing.T) {
			p := newPlanner(t, d, noon)
			tooMany := make([]string, 21)
			for i := range tooMany {
				tooMany[i] = fmt.Sprint("t", i)
			}
			for name, err := range map[string]error{
				"21 tags": func() error { _, err := p.Create(ctx, "u", task.Draft{Title: "x", Tags: tooMany}); return err }(),
				"long tag": func() error {
					_, err := p.Create(ctx, "u", task.Draft{Title: "x", Tags: []string{string(make([]byte, 33))}})
					return err
				}(),
				"blank tag":  func() error { _, err := p.Create(ctx, "u", task.Draft{Title: "x", Tags: []string{"  "}}); return err }(),
				"priority 7": func() error { _, err := p.Create(ctx, "u", task.Draft{Title: "x", Priority: 7}); return err }(),
				"cursor of sort": func() error {
					_, _, err := p.Query(ctx, "u", task.Query{Sort: task.SortTitle, Cursor: &task.Cursor{Sort: task.SortDue}})
					return err
				}(),
				"limit":     func() error { _, _, err := p.Query(ctx, "u", task.Query{Limit: 1001}); return err }(),
				"time zone": func() error { _, err := task.LoadTimeZone("Mars/Olympus"); return err }(),
			} {
				if err == nil {
					t.Errorf("%s: accepted", name)
				}
			}
		})
	})
}

func TestDueAt(t *testing.T) {
	ny := zone(t, "America/New_York")
	for _, c := range []struct {
		date         string
		hour, minute int
		want         string
	}{
		{"2027-03-14", 2, 30, "2027-03-14T03:30:00-04:00"}, // skipped by summer time: moves forward
		{"2027-03-14", 3, 30, "2027-03-14T03:30:00-04:00"},
		{"2027-11-07", 1, 30, "2027-11-07T01:30:00-04:00"}, // repeated: the first one
		{"2026-12-24", 14, 30, "2026-12-24T14:30:00-05:00"},
	} {
		got := task.DueAt(date(c.date), c.hour, c.minute, ny).At.In(ny).Format(time.RFC3339)
		if got != c.want {
			t.Errorf("%s %02d:%02d: got %s, want %s", c.date, c.hour, c.minute, got, c.want)
		}
	}
}
