package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"todo/internal/apptest"
)

// taskV2JSON is a task as v2 answers it.
type taskV2JSON struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Completed   bool     `json:"completed"`
	CompletedAt *string  `json:"completed_at"`
	Priority    string   `json:"priority"`
	Tags        []string `json:"tags"`
	Due         *struct {
		Date string `json:"date"`
		Time string `json:"time"`
		At   string `json:"at"`
	} `json:"due"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt *string `json:"updated_at"`
	ETag      string  `json:"etag"`
}

type pageV2JSON struct {
	Tasks      []taskV2JSON `json:"tasks"`
	Total      int64        `json:"total"`
	NextCursor *string      `json:"next_cursor"`
}

func (e *env) createV2(t *testing.T, body any) taskV2JSON {
	t.Helper()
	var tk taskV2JSON
	e.Must(t, http.StatusCreated, "POST", "/api/v2/tasks", body).JSON(t, &tk)
	e.ID = tk.ID
	return tk
}

func (e *env) listV2(t *testing.T, query string) pageV2JSON {
	t.Helper()
	var p pageV2JSON
	e.Must(t, http.StatusOK, "GET", "/api/v2/tasks?"+query, nil).JSON(t, &p)
	return p
}

func titlesV2(p pageV2JSON) []string {
	out := []string{}
	for _, tk := range p.Tasks {
		out = append(out, tk.Title)
	}
	return out
}

func TestV2(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "create with the whole model", method: "POST", path: "/api/v2/tasks", status: http.StatusCreated,
			setup: func(t *testing.T, e *env) {
				e.Must(t, http.StatusOK, "PATCH", "/api/v2/settings", map[string]any{"time_zone": "Europe/Paris"})
			},
			body: map[string]any{"title": " Gifts ", "priority": "high", "tags": []string{"xmas", "Home"},
				"due": map[string]any{"date": "2026-12-24", "time": "14:30"}},
			fields: map[string]any{"title": "Gifts", "priority": "high", "tags": []any{"xmas", "Home"}, "completed_at": nil,
				"due": map[string]any{"date": "2026-12-24", "time": "14:30", "at": "2026-12-24T13:30:00Z"}},
			headers: map[string]string{"ETag": `"`, "Location": "/api/v2/tasks/"}},
		{name: "an all-day due has a date only", method: "POST", path: "/api/v2/tasks", status: http.StatusCreated,
			body:   map[string]any{"title": "x", "due": map[string]any{"date": "2026-12-24"}},
			fields: map[string]any{"due": map[string]any{"date": "2026-12-24"}, "priority": "none", "tags": []any{}}},
		{name: "v1 keeps the spec's six fields", method: "GET", path: "/api/v1/tasks/{id}", status: http.StatusOK,
			setup: func(t *testing.T, e *env) {
				e.createV2(t, map[string]any{"title": "x", "priority": "low", "tags": []string{"a"}})
			},
			after: func(t *testing.T, e *env, r apptest.Response) {
				var got map[string]any
				r.JSON(t, &got)
				if len(got) != 6 {
					t.Fatalf("v1 task has %d fields: %s", len(got), r.Body)
				}
			}},
		{name: "21 tags", method: "POST", path: "/api/v2/tasks", status: http.StatusUnprocessableEntity, invalid: "body.tags",
			body: map[string]any{"title": "x", "tags": strings.Split("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u", ",")}},
		{name: "a tag of 33 characters", method: "POST", path: "/api/v2/tasks", status: http.StatusUnprocessableEntity, invalid: "body.tags",
			body: map[string]any{"title": "x", "tags": []string{strings.Repeat("a", 33)}}},
		{name: "unknown priority", method: "POST", path: "/api/v2/tasks", status: http.StatusUnprocessableEntity, invalid: "body.priority",
			body: map[string]any{"title": "x", "priority": "urgent"}},
		{name: "a date that does not exist", method: "POST", path: "/api/v2/tasks", status: http.StatusUnprocessableEntity, invalid: "body.due.date",
			body: map[string]any{"title": "x", "due": map[string]any{"date": "2026-02-30"}}},
		{name: "a bad time", method: "POST", path: "/api/v2/tasks", status: http.StatusUnprocessableEntity, invalid: "body.due.time",
			body: map[string]any{"title": "x", "due": map[string]any{"date": "2026-12-24", "time": "25:00"}}},
		{name: "limit 0 gives the total alone", method: "GET", path: "/api/v2/tasks?limit=0", status: http.StatusOK,
			setup:  func(t *testing.T, e *env) { e.createV2(t, map[string]any{"title": "x"}) },
			fields: map[string]any{"tasks": []any{}, "total": float64(1), "next_cursor": nil}},
		{name: "unknown sort", method: "GET", path: "/api/v2/tasks?sort=colour", status: http.StatusUnprocessableEntity, invalid: "query.sort"},
		{name: "unknown due window", method: "GET", path: "/api/v2/tasks?due=soon", status: http.StatusUnprocessableEntity, invalid: "query.due.0"},
		{name: "a bad due_before", method: "GET", path: "/api/v2/tasks?due_before=24-12-2026", status: http.StatusUnprocessableEntity, invalid: "query.due_before"},
		{name: "a forged cursor", method: "GET", path: "/api/v2/tasks?cursor=bm9wZQ", status: http.StatusUnprocessableEntity, invalid: "query.cursor"},
		{name: "an unknown time zone", method: "PATCH", path: "/api/v2/settings", status: http.StatusUnprocessableEntity, invalid: "body.time_zone",
			body: map[string]any{"time_zone": "Mars/Olympus"}},
		{name: "v2 needs a token", method: "GET", path: "/api/v2/tasks", token: noToken, status: http.StatusUnauthorized},
		{name: "another user's task is not found", method: "PATCH", path: "/api/v2/tasks/{id}", token: otherToken, status: http.StatusNotFound,
			setup: func(t *testing.T, e *env) { e.createV2(t, map[string]any{"title": "mine"}) }, body: map[string]any{"title": "theirs"}},

		{name: "If-Match: a stale ETag is refused with 412 and changes nothing", method: "PATCH", path: "/api/v2/tasks/{id}",
			status: http.StatusOK, body: map[string]any{"title": "tab one"},
			setup: func(t *testing.T, e *env) { e.ETag = e.createV2(t, map[string]any{"title": "first"}).ETag },
			after: func(t *testing.T, e *env, r apptest.Response) {
				var first taskV2JSON
				e.Must(t, http.StatusOK, "GET", "/api/v2/tasks/{id}", nil).JSON(t, &first)
				if first.ETag != r.Header.Get("ETag") || first.Title != "tab one" {
					t.Fatalf("GET after PATCH: etag %q vs %q, %+v", first.ETag, r.Header.Get("ETag"), first)
				}
				for _, req := range []struct{ method, path string }{{"PATCH", "/api/v2/tasks/{id}"}, {"DELETE", "/api/v2/tasks/{id}"}, {"POST", "/api/v2/tasks/{id}/toggle"}} {
					got := e.S.Do(t, req.method, e.expand(req.path), e.User.Token, map[string]any{"title": "tab two"}, "If-Match", e.ETag)
					if got.Status != http.StatusPreconditionFailed {
						t.Errorf("%s with a stale ETag: %d %s, want 412", req.method, got.Status, got.Body)
					}
				}
				var now taskV2JSON
				e.Must(t, http.StatusOK, "GET", "/api/v2/tasks/{id}", nil).JSON(t, &now)
				if now.Title != "tab one" || now.Completed || now.ETag != first.ETag {
					t.Fatalf("a refused change changed the task: %+v", now)
				}
				ok := e.S.Do(t, "POST", e.expand("/api/v2/tasks/{id}/toggle"), e.User.Token, nil, "If-Match", now.ETag)
				if ok.Status != http.StatusOK {
					t.Fatalf("toggle with the current ETag: %d %s", ok.Status, ok.Body)
				}
			}},

		{name: "due null removes the due; absent leaves it", method: "PATCH", path: "/api/v2/tasks/{id}", status: http.StatusOK,
			setup: func(t *testing.T, e *env) {
				e.createV2(t, map[string]any{"title": "x", "due": map[string]any{"date": "2026-12-24"}})
				e.Must(t, http.StatusOK, "PATCH", "/api/v2/tasks/{id}", map[string]any{"title": "y"})
			},
			body: `{"due":null}`, fields: map[string]any{"due": nil, "title": "y"}},

		{name: "search, filters, sort and totals through the query string", method: "GET", path: "/api/v2/tasks", status: http.StatusOK,
			setup: func(t *testing.T, e *env) {
				e.createV2(t, map[string]any{"title": "Café with Zoë", "tags": []string{"friends"}, "priority": "low"})
				e.createV2(t, map[string]any{"title": "Quarterly report", "tags": []string{"work"}, "priority": "high", "due": map[string]any{"date": "2026-12-03"}})
				e.createV2(t, map[string]any{"title": "report expenses", "tags": []string{"work", "money"}, "priority": "medium", "due": map[string]any{"date": "2026-12-02"}})
				e.createV2(t, map[string]any{"title": "会議の資料を作る", "tags": []string{"work"}})
			},
			after: func(t *testing.T, e *env, _ apptest.Response) {
				for q, want := range map[string][]string{
					"q=cafe":                                   {"Café with Zoë"},
					"q=" + url.QueryEscape("資料"):               {"会議の資料を作る"},
					"q=report&sort=due":                        {"report expenses", "Quarterly report"},
					"tag=work&sort=title":                      {"Quarterly report", "report expenses", "会議の資料を作る"},
					"tag=work&tag=money":                       {"report expenses"},
					"priority=high&priority=low&sort=priority": {"Quarterly report", "Café with Zoë"},
					"due=none&sort=title":                      {"Café with Zoë", "会議の資料を作る"},
					"due_after=2026-12-03":                     {"Quarterly report"},
				} {
					p := e.listV2(t, q)
					if got := titlesV2(p); !slices.Equal(got, want) || p.Total != int64(len(want)) {
						t.Errorf("%s: got %q total %d, want %q", q, got, p.Total, want)
					}
				}
			}},

		{name: "cursor pages cover the list once", method: "GET", path: "/api/v2/tasks?limit=3&sort=title", status: http.StatusOK,
			setup: func(t *testing.T, e *env) {
				for i := range 10 {
					e.createV2(t, map[string]any{"title": fmt.Sprintf("task %02d", i)})
				}
			},
			after: func(t *testing.T, e *env, r apptest.Response) {
				var p pageV2JSON
				r.JSON(t, &p)
				var seen []string
				for pages := 0; ; pages++ {
					seen = append(seen, titlesV2(p)...)
					if p.Total != 10 || pages > 5 {
						t.Fatalf("total %d after %d pages", p.Total, pages)
					}
					if p.NextCursor == nil {
						break
					}
					p = e.listV2(t, "limit=3&sort=title&cursor="+*p.NextCursor)
				}
				if len(seen) != 10 || !slices.IsSorted(seen) {
					t.Fatalf("pages gave %q", seen)
				}
				if r := e.Do(t, "GET", "/api/v2/tasks?limit=3&sort=due&cursor="+url.QueryEscape(*e.listV2(t, "limit=3&sort=title").NextCursor), nil); r.Status != http.StatusUnprocessableEntity {
					t.Fatalf("a cursor of another sort: %d %s", r.Status, r.Body)
				}
			}},

		{name: "bulk with no ids", method: "POST", path: "/api/v2/tasks/bulk", status: http.StatusUnprocessableEntity, invalid: "body.ids",
			body: map[string]any{"action": "complete", "ids": []string{}}},
		{name: "bulk add_tag without a tag", method: "POST", path: "/api/v2/tasks/bulk", status: http.StatusUnprocessableEntity, invalid: "body.tag",
			body: map[string]any{"action": "add_tag", "ids": []string{"00000000-0000-4000-8000-000000000000"}}},
		{name: "bulk: all or nothing, only your own", method: "GET", path: "/api/v2/tasks?sort=title", status: http.StatusOK,
			after: func(t *testing.T, e *env, _ apptest.Response) {
				a := e.createV2(t, map[string]any{"title": "a"}).ID
				b := e.createV2(t, map[string]any{"title": "b"}).ID
				var theirs taskV2JSON
				other := e.S.Do(t, "POST", "/api/v2/tasks", e.Other.Token, map[string]any{"title": "theirs"})
				other.JSON(t, &theirs)
				r := e.Do(t, "POST", "/api/v2/tasks/bulk", map[string]any{"action": "complete", "ids": []string{a, theirs.ID}})
				if r.Status != http.StatusUnprocessableEntity {
					t.Fatalf("bulk naming another user's task: %d %s", r.Status, r.Body)
				}
				if p := e.listV2(t, "status=completed"); p.Total != 0 {
					t.Fatalf("a refused bulk completed %d tasks", p.Total)
				}
				e.Must(t, http.StatusOK, "POST", "/api/v2/tasks/bulk", map[string]any{"action": "set_priority", "ids": []string{a, b}, "priority": "high"})
				e.Must(t, http.StatusOK, "POST", "/api/v2/tasks/bulk", map[string]any{"action": "complete", "ids": []string{a, b}})
				p := e.listV2(t, "status=completed&priority=high&sort=title")
				if got := titlesV2(p); !slices.Equal(got, []string{"a", "b"}) || p.Tasks[0].CompletedAt == nil {
					t.Fatalf("after bulk: %+v", p)
				}
				e.Must(t, http.StatusOK, "POST", "/api/v2/tasks/bulk", map[string]any{"action": "delete", "ids": []string{a, b}})
				if p := e.listV2(t, ""); p.Total != 0 {
					t.Fatalf("after bulk delete: %+v", p)
				}
			}},

		{name: "a bad rule", method: "POST", path: "/api/v2/tasks", status: http.StatusUnprocessableEntity, invalid: "body.repeat",
			body: map[string]any{"title": "x", "repeat": map[string]any{"rule": "RRULE:FREQ=SECONDLY"}}},
		{name: "a repeating task moves on when completed, and keeps its history", method: "POST", path: "/api/v2/tasks/{id}/toggle", status: http.StatusOK,
			setup: func(t *testing.T, e *env) {
				e.createV2(t, map[string]any{"title": "water plants", "due": map[string]any{"date": "2026-11-30"},
					"repeat": map[string]any{"rule": "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3"}})
			},
			after: func(t *testing.T, e *env, r apptest.Response) {
				var tk struct {
					taskV2JSON
					Repeat struct{ Rule, Text string } `json:"repeat"`
				}
				r.JSON(t, &tk)
				if tk.Completed || tk.Due == nil || tk.Repeat.Text != "Every 3 days after completion" {
					t.Fatalf("after completing: %s", r.Body)
				}
				var h struct {
					Completions []struct {
						Due         struct{ Date string } `json:"due"`
						CompletedAt string                `json:"completed_at"`
					} `json:"completions"`
				}
				e.Must(t, http.StatusOK, "GET", "/api/v2/tasks/{id}/history", nil).JSON(t, &h)
				if len(h.Completions) != 1 || h.Completions[0].Due.Date != "2026-11-30" {
					t.Fatalf("history: %+v", h)
				}
				stopped := e.Must(t, http.StatusOK, "PATCH", "/api/v2/tasks/{id}", `{"repeat":null}`)
				var after map[string]any
				stopped.JSON(t, &after)
				if after["repeat"] != nil {
					t.Fatalf("repeat null: %s", stopped.Body)
				}
			}},
		{name: "tags: list, rename, delete", method: "GET", path: "/api/v2/tags", status: http.StatusOK,
			setup: func(t *testing.T, e *env) {
				e.createV2(t, map[string]any{"title": "a", "tags": []string{"Work", "home"}})
				e.createV2(t, map[string]any{"title": "b", "tags": []string{"work"}})
			},
			wantBody: `{"tags":[{"name":"home","tasks":1,"open":1},{"name":"Work","tasks":2,"open":2}]}`,
			after: func(t *testing.T, e *env, _ apptest.Response) {
				e.Must(t, http.StatusNoContent, "PATCH", "/api/v2/tags/WORK", map[string]any{"name": "job"})
				if got := titlesV2(e.listV2(t, "tag=job&sort=title")); !slices.Equal(got, []string{"a", "b"}) {
					t.Fatalf("after rename: %q", got)
				}
				e.Must(t, http.StatusNoContent, "DELETE", "/api/v2/tags/home", nil)
				e.Must(t, http.StatusNotFound, "DELETE", "/api/v2/tags/home", nil)
				var tags struct{ Tags []struct{ Name string } }
				e.Must(t, http.StatusOK, "GET", "/api/v2/tags", nil).JSON(t, &tags)
				if len(tags.Tags) != 1 || tags.Tags[0].Name != "job" {
					t.Fatalf("tags after delete: %+v", tags)
				}
			}},
	})
}
