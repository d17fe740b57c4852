package api_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/task"
)

// taskJSON is TaskRead as a client sees it.
type taskJSON struct {
	ID          string  `json:"id"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Completed   bool    `json:"completed"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   *string `json:"updated_at"`
}

type listJSON struct {
	Tasks []taskJSON `json:"tasks"`
	Total int64      `json:"total"`
}

// errorJSON is an error as FastAPI answers it: a detail that is a message, or for 422 a list.
type errorJSON struct {
	Detail any `json:"detail"`
}

// invalidJSON is FastAPI's 422: one Pydantic v2 error per problem.
type invalidJSON struct {
	Detail []struct {
		Type  string         `json:"type"`
		Loc   []any          `json:"loc"`
		Msg   string         `json:"msg"`
		Input any            `json:"input"`
		Ctx   map[string]any `json:"ctx"`
	} `json:"detail"`
}

func create(t *testing.T, s *apptest.Server, token string, body any) taskJSON {
	t.Helper()
	r := s.Do(t, "POST", "/api/v1/tasks", token, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create %v: got %d %s, want 201", body, r.Status, r.Body)
	}
	var tk taskJSON
	r.JSON(t, &tk)
	return tk
}

func expectStatus(t *testing.T, r apptest.Response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("got %d %s, want %d", r.Status, r.Body, want)
	}
}

// expectInvalid checks a 422 in FastAPI's shape with a problem at location (its loc joined
// with dots: "body.title") of Pydantic's type typ (any type when typ is empty).
func expectInvalid(t *testing.T, r apptest.Response, location, typ string) {
	t.Helper()
	expectStatus(t, r, http.StatusUnprocessableEntity)
	var e invalidJSON
	r.JSON(t, &e)
	if len(e.Detail) == 0 {
		t.Fatalf("422 without a list of problems: %s", r.Body)
	}
	for _, p := range e.Detail {
		parts := make([]string, len(p.Loc))
		for i, l := range p.Loc {
			parts[i] = fmt.Sprint(l)
		}
		if strings.Join(parts, ".") == location && p.Msg != "" && (typ == "" || p.Type == typ) {
			return
		}
	}
	t.Fatalf("422 %s has no %s problem at %s", r.Body, typ, location)
}

// notFound is the exact body of a 404 for a task.
const notFound = `{"detail":"Task not found"}`

// taskRoutes are the routes of one task, as a method and what follows /api/v1/tasks/{id}.
var taskRoutes = []struct{ method, suffix string }{{"GET", ""}, {"PATCH", ""}, {"DELETE", ""}, {"POST", "/toggle"}}

func routeName(method, suffix string) string {
	return strings.TrimSpace(method + " " + strings.TrimPrefix(suffix, "/"))
}

func TestTaskAPI(t *testing.T) {
	const zeroID = "00000000-0000-0000-0000-000000000000"
	walk := map[string]any{"title": "walk", "description": "dog"}
	scenarios := []scenario{
		{
			name:   "create returns exactly TaskRead, trimmed, updated_at null",
			method: "POST", path: "/api/v1/tasks",
			body:    `{"title":"  Buy milk\u001f ","description":"\u3000two litres\n"}`,
			status:  http.StatusCreated,
			fields:  map[string]any{"title": "Buy milk", "description": "two litres", "completed": false, "updated_at": nil},
			headers: map[string]string{"Content-Type": "application/json"},
			after: func(t *testing.T, _ *env, r apptest.Response) {
				var raw map[string]any
				r.JSON(t, &raw)
				if keys, want := slices.Sorted(maps.Keys(raw)), []string{"completed", "created_at", "description", "id", "title", "updated_at"}; !slices.Equal(keys, want) {
					t.Fatalf("keys %v, want %v", keys, want)
				}
				s, _ := raw["created_at"].(string)
				created, err := time.Parse(time.RFC3339Nano, s)
				if err != nil || time.Since(created) > time.Minute {
					t.Fatalf("created_at %v: %v", raw["created_at"], err)
				}
			},
		},
		{
			// Member names match exactly: a name that differs in case is an unknown field, not a
			// second chance; a name sent twice is taken last, as Python's json takes it.
			name:   "names match exactly; a repeated name is taken last",
			method: "POST", path: "/api/v1/tasks",
			body:   `{"title":"first","TITLE":"case","Title":"case","description":"d","description":"last"}`,
			status: http.StatusCreated,
			fields: map[string]any{"title": "first", "description": "last"},
		},
		{
			name:   "description defaults to empty; unknown and read-only fields are ignored",
			method: "POST", path: "/api/v1/tasks",
			body: map[string]any{
				"title": "x", "id": zeroID, "user_id": "mallory",
				"completed": true, "created_at": "2000-01-01T00:00:00Z", "extra": []int{1},
			},
			status: http.StatusCreated,
			fields: map[string]any{"description": "", "completed": false},
			after: func(t *testing.T, _ *env, r apptest.Response) {
				if tk := taskOf(t, r); tk.ID == zeroID || strings.HasPrefix(tk.CreatedAt, "2000") {
					t.Fatalf("got %+v", tk)
				}
			},
		},

		// get, patch, toggle, delete
		{
			name:   "get returns the task as created",
			setup:  withTask(walk, nil),
			method: "GET", path: "/api/v1/tasks/{id}",
			status: http.StatusOK,
			after: func(t *testing.T, e *env, r apptest.Response) {
				if got := taskOf(t, r); !reflect.DeepEqual(got, e.Task) {
					t.Fatalf("get: got %+v, want %+v", got, e.Task)
				}
			},
		},
		{
			name:   "patch trims the title, keeps the rest and sets updated_at",
			setup:  withTask(walk, nil),
			method: "PATCH", path: "/api/v1/tasks/{id}", body: map[string]any{"title": " walk the dog "},
			status: http.StatusOK,
			fields: map[string]any{"title": "walk the dog", "description": "dog", "completed": false},
			after: func(t *testing.T, _ *env, r apptest.Response) {
				if got := taskOf(t, r); got.UpdatedAt == nil {
					t.Fatalf("patch title: got %+v", got)
				}
			},
		},
		{
			name: "an empty patch still sets updated_at",
			setup: func(t *testing.T, e *env) {
				e.Create(t, walk)
				e.Task = taskOf(t, e.Must(t, http.StatusOK, "PATCH", "/api/v1/tasks/{id}", map[string]any{"title": " walk the dog "}))
				if e.Task.UpdatedAt == nil {
					t.Fatalf("patch title: got %+v", e.Task)
				}
			},
			method: "PATCH", path: "/api/v1/tasks/{id}", body: map[string]any{},
			status: http.StatusOK,
			fields: map[string]any{"title": "walk the dog"},
			after: func(t *testing.T, e *env, r apptest.Response) {
				first := *e.Task.UpdatedAt
				if got := taskOf(t, r); got.UpdatedAt == nil || *got.UpdatedAt == first {
					t.Fatalf("empty patch must still set updated_at: got %+v (was %s)", got, first)
				}
			},
		},
		{
			name:   "patch completes the task and empties the description",
			setup:  withTask(walk, nil),
			method: "PATCH", path: "/api/v1/tasks/{id}", body: map[string]any{"completed": true, "description": ""},
			status: http.StatusOK,
			fields: map[string]any{"completed": true, "description": ""},
		},
		{
			name: "toggle reopens a completed task",
			setup: func(t *testing.T, e *env) {
				e.Create(t, walk)
				e.Must(t, http.StatusOK, "PATCH", "/api/v1/tasks/{id}", map[string]any{"completed": true, "description": ""})
			},
			method: "POST", path: "/api/v1/tasks/{id}/toggle",
			status: http.StatusOK,
			fields: map[string]any{"completed": false},
		},
		{
			name:   "delete answers 204 without a body",
			setup:  withTask(walk, nil),
			method: "DELETE", path: "/api/v1/tasks/{id}",
			status: http.StatusNoContent, noBody: true,
		},
	}
	deleted := func(t *testing.T, e *env) {
		e.Create(t, walk)
		e.Must(t, http.StatusNoContent, "DELETE", "/api/v1/tasks/{id}", nil)
	}
	for _, rt := range taskRoutes {
		scenarios = append(scenarios, scenario{
			name:   "a deleted task is not found: " + routeName(rt.method, rt.suffix),
			setup:  deleted,
			method: rt.method, path: "/api/v1/tasks/{id}" + rt.suffix, body: map[string]any{},
			status: http.StatusNotFound, wantBody: notFound,
		})
	}

	// Task ids: upper case and unhyphenated work, anything else is 422 on every route.
	idForms := map[string]any{"title": "id forms"}
	scenarios = append(scenarios,
		scenario{
			name:   "task id in upper case",
			setup:  withTask(idForms, strings.ToUpper),
			method: "GET", path: "/api/v1/tasks/{id}",
			status: http.StatusOK,
		},
		scenario{
			name:   "task id without hyphens",
			setup:  withTask(idForms, func(id string) string { return strings.ReplaceAll(id, "-", "") }),
			method: "GET", path: "/api/v1/tasks/{id}",
			status: http.StatusOK,
		},
		scenario{
			name:   "unknown task id",
			method: "GET", path: "/api/v1/tasks/" + uuid.NewString(),
			status: http.StatusNotFound, wantBody: notFound,
		},
	)
	badIDs := []struct {
		name string
		of   func(id string) string
	}{
		{"not-a-uuid", func(string) string { return "not-a-uuid" }},
		{"123", func(string) string { return "123" }},
		{"a digit too many", func(id string) string { return id + "0" }},
		{"a non-hex digit", func(id string) string { return "g" + id[1:] }},
	}
	for _, rt := range taskRoutes {
		for _, bad := range badIDs {
			scenarios = append(scenarios, scenario{
				name:   "task id " + bad.name + ": " + routeName(rt.method, rt.suffix),
				setup:  withTask(idForms, bad.of),
				method: rt.method, path: "/api/v1/tasks/{id}" + rt.suffix, body: map[string]any{},
				status: http.StatusUnprocessableEntity, invalid: "path.task_id", invalidType: "uuid_parsing",
			})
		}
	}

	// Invalid bodies are refused and change nothing.
	unchanged := func(t *testing.T, e *env, _ apptest.Response) {
		got := taskOf(t, e.Must(t, http.StatusOK, "GET", "/api/v1/tasks/{id}", nil))
		if got.Title != "keep me" || got.Description != "as I am" || got.UpdatedAt != nil {
			t.Fatalf("refused request changed the task: %+v", got)
		}
		if l := listOf(t, e.Must(t, http.StatusOK, "GET", "/api/v1/tasks", nil)); l.Total != 1 {
			t.Fatalf("refused request created a task: %+v", l)
		}
	}
	long := strings.Repeat("é", 201)
	for _, c := range []struct {
		name, method, path, body, location, typ string
		status                                  int
	}{
		{"missing title", "POST", "", `{"description":"x"}`, "body.title", "missing", 422},
		{"empty title", "POST", "", `{"title":""}`, "body.title", "string_too_short", 422},
		{"blank title", "POST", "", `{"title":" \t\u3000\u001c"}`, "body.title", "value_error", 422},
		{"201-character title", "POST", "", `{"title":"` + long + `"}`, "body.title", "string_too_long", 422},
		{"200 letters and a space", "POST", "", `{"title":"` + strings.Repeat("a", 200) + ` "}`, "body.title", "string_too_long", 422},
		{"1001-character description", "POST", "", `{"title":"x","description":"` + strings.Repeat("d", 1001) + `"}`, "body.description", "string_too_long", 422},
		{"null title", "POST", "", `{"title":null}`, "body.title", "string_type", 422},
		{"null description", "POST", "", `{"title":"x","description":null}`, "body.description", "string_type", 422},
		{"number title", "POST", "", `{"title":5}`, "body.title", "string_type", 422},
		{"NUL in title", "POST", "", `{"title":"a\u0000b"}`, "body.title", "value_error", 422},
		{"array body", "POST", "", `[]`, "body", "model_attributes_type", 422},
		{"patch blank title", "PATCH", "/{id}", `{"title":"   "}`, "body.title", "value_error", 422},
		{"patch null title", "PATCH", "/{id}", `{"title":null}`, "body.title", "string_type", 422},
		{"patch null description", "PATCH", "/{id}", `{"description":null}`, "body.description", "string_type", 422},
		{"patch null completed", "PATCH", "/{id}", `{"completed":null}`, "body.completed", "bool_type", 422},
		{"patch string completed", "PATCH", "/{id}", `{"completed":"yes"}`, "body.completed", "bool_parsing", 422},
		{"patch long title", "PATCH", "/{id}", `{"title":"` + long + `"}`, "body.title", "string_too_long", 422},
		{"patch NUL description", "PATCH", "/{id}", `{"description":"\u0000"}`, "body.description", "value_error", 422},
		// FastAPI answers a body that is not JSON with 422 json_invalid at the character at
		// fault, or at the end of a body cut short.
		{"malformed JSON", "POST", "", `{"title":`, "body.9", "json_invalid", 422},
		{"patch malformed JSON", "PATCH", "/{id}", `{title}`, "body.1", "json_invalid", 422},
		{"invalid UTF-8", "POST", "", "{\"title\":\"\xff\xfe\"}", "body", "value_error", 422},
		{"empty body", "POST", "", ``, "body", "missing", 422},
	} {
		scenarios = append(scenarios, scenario{
			name:   "refused: " + c.name,
			setup:  withTask(map[string]any{"title": "keep me", "description": "as I am"}, nil),
			method: c.method, path: "/api/v1/tasks" + c.path, body: []byte(c.body),
			status: c.status, invalid: c.location, invalidType: c.typ, detail: c.status != 422,
			after: unchanged,
		})
	}
	scenarios = append(scenarios, scenario{
		name:   "bodies over 1 MiB are 413",
		method: "POST", path: "/api/v1/tasks",
		body:   `{"title":"x","description":"` + strings.Repeat("a", 1<<20) + `"}`,
		status: http.StatusRequestEntityTooLarge,
	})

	// The list: filter values, bounds, total, paging; on seven tasks of which 0, 3 and 6 are
	// completed.
	sevenTasks := func(t *testing.T, e *env) {
		for i := range 7 {
			e.Create(t, map[string]any{"title": fmt.Sprint("task ", i)})
			if i%3 == 0 {
				e.Must(t, http.StatusOK, "POST", "/api/v1/tasks/{id}/toggle", nil)
			}
		}
	}
	list := func(name, query string, after func(t *testing.T, e *env, r apptest.Response)) scenario {
		return scenario{
			name: "list: " + name, setup: sevenTasks,
			method: "GET", path: "/api/v1/tasks" + query,
			status: http.StatusOK, after: after,
		}
	}
	listIs := func(total int64, n int) func(t *testing.T, e *env, r apptest.Response) {
		return func(t *testing.T, e *env, r apptest.Response) {
			if l := listOf(t, r); l.Total != total || len(l.Tasks) != n {
				t.Fatalf("total %d, %d tasks; want %d, %d", l.Total, len(l.Tasks), total, n)
			}
		}
	}
	scenarios = append(scenarios, list("default", "", listIs(7, 7)))
	for _, v := range []string{"true", "TRUE", "1", "yes", "On", "t", "Y"} {
		scenarios = append(scenarios, list("completed="+v, "?completed="+v, listIs(3, 3)))
	}
	for _, v := range []string{"false", "False", "0", "no", "OFF", "f", "n"} {
		scenarios = append(scenarios, list("completed="+v, "?completed="+v, listIs(4, 4)))
	}
	scenarios = append(scenarios,
		list("limit=0", "?limit=0", func(t *testing.T, _ *env, r apptest.Response) {
			if l := listOf(t, r); len(l.Tasks) != 0 || l.Total != 7 || l.Tasks == nil {
				t.Fatalf("limit=0: %+v, want an empty list and total 7", l)
			}
		}),
		list("two pages, newest first", "?limit=4", func(t *testing.T, e *env, r apptest.Response) {
			page1, page2 := listOf(t, r), listOf(t, e.Must(t, http.StatusOK, "GET", "/api/v1/tasks?limit=4&offset=4", nil))
			if len(page1.Tasks) != 4 || len(page2.Tasks) != 3 || page1.Total != 7 || page2.Total != 7 {
				t.Fatalf("pages: %d + %d tasks", len(page1.Tasks), len(page2.Tasks))
			}
			if page1.Tasks[0].Title != "task 6" || page2.Tasks[2].Title != "task 0" {
				t.Fatalf("not newest first: %s … %s", page1.Tasks[0].Title, page2.Tasks[2].Title)
			}
		}),
		list("offset past the end", "?offset=100", listIs(7, 0)),
		list("limit=1000", "?limit=1000", func(t *testing.T, _ *env, r apptest.Response) {
			if l := listOf(t, r); len(l.Tasks) != 7 {
				t.Fatalf("limit=1000: %d tasks", len(l.Tasks))
			}
		}),
	)
	for _, c := range []struct{ query, location, typ string }{
		{"?completed=maybe", "query.completed", "bool_parsing"},
		{"?completed=", "query.completed", "bool_parsing"},
		{"?limit=-1", "query.limit", "greater_than_equal"},
		{"?limit=1001", "query.limit", "less_than_equal"},
		{"?limit=abc", "query.limit", "int_parsing"},
		{"?limit=1.5", "query.limit", "int_parsing"},
		{"?offset=-1", "query.offset", "greater_than_equal"},
		{"?offset=99999999999999999999", "query.offset", "int_parsing"},
		{"?limit=99999999999999999999999", "query.limit", "int_parsing"},
	} {
		sc := list("refused "+c.query, c.query, nil)
		sc.status, sc.invalid, sc.invalidType = http.StatusUnprocessableEntity, c.location, c.typ
		scenarios = append(scenarios, sc)
	}

	// Authentication comes first: before validation, size limits and lookups.
	authFirst := withTask(map[string]any{"title": "auth first"}, nil)
	for _, c := range []struct{ name, method, path, body string }{
		{"list", "GET", "/api/v1/tasks", ""},
		{"list with a bad query", "GET", "/api/v1/tasks?limit=-5&completed=maybe", ""},
		{"create malformed JSON", "POST", "/api/v1/tasks", `{"title":`},
		{"create 2 MiB", "POST", "/api/v1/tasks", strings.Repeat("x", 2<<20)},
		{"get a bad id", "GET", "/api/v1/tasks/not-a-uuid", ""},
		{"patch null title", "PATCH", "/api/v1/tasks/{id}", `{"title":null}`},
		{"delete", "DELETE", "/api/v1/tasks/{id}", ""},
		{"toggle", "POST", "/api/v1/tasks/{id}/toggle", ""},
	} {
		var body any
		if c.body != "" {
			body = c.body
		}
		for _, header := range []string{"", "Bearer", "Bearer ", "Basic {token}", "bearer not.a.jwt", "Token {token}"} {
			scenarios = append(scenarios, scenario{
				name:   fmt.Sprintf("unauthenticated %s, Authorization %q", c.name, header),
				setup:  authFirst,
				method: c.method, path: c.path, token: authHeader, auth: header, body: body,
				status:  http.StatusUnauthorized,
				headers: map[string]string{"WWW-Authenticate": ""},
				detail:  true,
			})
		}
	}
	scenarios = append(scenarios, scenario{
		name:   "the bearer scheme is case-insensitive",
		setup:  authFirst,
		method: "GET", path: "/api/v1/tasks/{id}", token: authHeader, auth: "BEARER {token}",
		status: http.StatusOK,
	})

	runScenarios(t, scenarios)
}

// TestUserIsolation runs every route of one user against another user's task.
func TestUserIsolation(t *testing.T) {
	untouched := func(t *testing.T, e *env, _ apptest.Response) {
		var l listJSON
		e.S.Do(t, "GET", "/api/v1/tasks", e.Other.Token, nil).JSON(t, &l)
		if l.Total != 0 || len(l.Tasks) != 0 {
			t.Errorf("another user's list shows %+v", l)
		}
		if got := taskOf(t, e.Do(t, "GET", "/api/v1/tasks/{id}", nil)); !reflect.DeepEqual(got, e.Task) {
			t.Errorf("the owner's task changed: got %+v, want %+v", got, e.Task)
		}
	}
	var scenarios []scenario
	for _, c := range []struct {
		name, method, path string
		body               any
	}{
		{"get", "GET", "/api/v1/tasks/{id}", nil},
		{"patch", "PATCH", "/api/v1/tasks/{id}", map[string]any{"title": "pwned", "completed": true}},
		{"empty patch", "PATCH", "/api/v1/tasks/{id}", map[string]any{}},
		{"toggle", "POST", "/api/v1/tasks/{id}/toggle", nil},
		{"delete", "DELETE", "/api/v1/tasks/{id}", nil},
	} {
		scenarios = append(scenarios, scenario{
			name:   "another user's task: " + c.name,
			setup:  withTask(map[string]any{"title": "private", "description": "secret"}, nil),
			method: c.method, path: c.path, token: otherToken, body: c.body,
			status: http.StatusNotFound, wantBody: notFound,
			after: untouched,
		})
	}
	runScenarios(t, scenarios)
}

// TestTimestamps checks RFC 3339 with an offset, microseconds kept, identical on both databases.
func TestTimestamps(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, nil)
		u := s.SignUp(t, "time@example.com")
		tk := create(t, s, u.Token, map[string]any{"title": "t"})
		r := s.Do(t, "POST", "/api/v1/tasks/"+tk.ID+"/toggle", u.Token, nil)
		var got taskJSON
		r.JSON(t, &got)
		for _, ts := range []string{got.CreatedAt, *got.UpdatedAt} {
			parsed, err := time.Parse(time.RFC3339Nano, ts)
			if err != nil {
				t.Fatalf("%q is not RFC 3339: %v", ts, err)
			}
			if !strings.HasSuffix(ts, "Z") {
				t.Errorf("%q has no UTC offset", ts)
			}
			if parsed.Nanosecond()%1000 != 0 {
				t.Errorf("%q is finer than the database keeps", ts)
			}
		}
		r = s.Do(t, "GET", "/api/v1/tasks/"+tk.ID, u.Token, nil)
		var again taskJSON
		r.JSON(t, &again)
		if again.CreatedAt != got.CreatedAt || *again.UpdatedAt != *got.UpdatedAt {
			t.Errorf("timestamps changed on the way through the database: %+v vs %+v", again, got)
		}
	})
}

func TestOpenAPIAndDocs(t *testing.T) {
	s := apptest.Start(t, database.SQLite, nil)
	r := s.Do(t, "GET", "/openapi.json", "", nil)
	expectStatus(t, r, http.StatusOK)
	var doc struct {
		OpenAPI    string                    `json:"openapi"`
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					MaxLength *int `json:"maxLength"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	r.JSON(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	want := map[string][]string{
		"/api/v1/tasks":                  {"get", "post"},
		"/api/v1/tasks/{task_id}":        {"delete", "get", "patch"},
		"/api/v1/tasks/{task_id}/toggle": {"post"},
	}
	for path, methods := range want {
		var got []string
		for m := range doc.Paths[path] {
			got = append(got, m)
		}
		sort.Strings(got)
		if !slices.Equal(got, methods) {
			t.Errorf("%s: methods %v, want %v", path, got, methods)
		}
	}
	// The schema that documents requests is the one that validates them: its limits are the
	// service's.
	for schema, field := range map[string]string{"CreateBody": "title", "PatchBody": "title"} {
		if got := doc.Components.Schemas[schema].Properties[field].MaxLength; got == nil || *got != task.MaxTitleLength {
			t.Errorf("%s.%s maxLength %v, want %d", schema, field, got, task.MaxTitleLength)
		}
	}
	if got := doc.Components.Schemas["CreateBody"].Properties["description"].MaxLength; got == nil || *got != task.MaxDescriptionLength {
		t.Errorf("CreateBody.description maxLength %v, want %d", got, task.MaxDescriptionLength)
	}

	r = s.Do(t, "GET", "/docs", "", nil)
	expectStatus(t, r, http.StatusOK)
	page := string(r.Body)
	if strings.Contains(page, "https://") || strings.Contains(page, "http://") {
		t.Errorf("docs page loads something from the internet:\n%s", page)
	}
	for _, asset := range []string{"/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/init.js"} {
		if !strings.Contains(page, asset) {
			t.Errorf("docs page does not use %s", asset)
		}
		if r := s.Do(t, "GET", asset, "", nil); r.Status != http.StatusOK || len(r.Body) == 0 {
			t.Errorf("%s: %d (%d bytes)", asset, r.Status, len(r.Body))
		}
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("docs CSP %q", csp)
	}
}

func TestCORS(t *testing.T) {
	const front = "http://localhost:3000"
	s := apptest.Start(t, database.SQLite, map[string]string{"CORS_ORIGINS": front + ", https://app.example.com"})
	u := s.SignUp(t, "cors@example.com")

	r := s.Do(t, "OPTIONS", "/api/v1/tasks", "", nil,
		"Origin", front, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type")
	expectStatus(t, r, http.StatusNoContent)
	h := r.Header
	if h.Get("Access-Control-Allow-Origin") != front || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "PATCH") || h.Get("Access-Control-Max-Age") == "" {
		t.Errorf("preflight headers: %v", h)
	}
	if h.Get("Access-Control-Allow-Origin") == "*" || h.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("task API preflight must name the origin and not allow credentials: %v", h)
	}

	r = s.Do(t, "GET", "/api/v1/tasks", u.Token, nil, "Origin", front)
	expectStatus(t, r, http.StatusOK)
	if r.Header.Get("Access-Control-Allow-Origin") != front || !strings.Contains(r.Header.Get("Vary"), "Origin") {
		t.Errorf("actual request headers: %v", r.Header)
	}

	r = s.Do(t, "OPTIONS", "/api/v1/tasks", "", nil, "Origin", "https://evil.example", "Access-Control-Request-Method", "GET")
	if r.Status == http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign preflight allowed: %d %v", r.Status, r.Header)
	}
	r = s.Do(t, "GET", "/api/v1/tasks", u.Token, nil, "Origin", "https://evil.example")
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign origin allowed: %v", r.Header)
	}
}

func TestHealth(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, nil)
		for _, path := range []string{"/healthz", "/readyz", "/api/v1/health"} {
			r := s.Do(t, "GET", path, "", nil)
			expectStatus(t, r, http.StatusOK)
			var body map[string]string
			r.JSON(t, &body)
			if body["status"] != "ok" {
				t.Errorf("%s: %s", path, r.Body)
			}
		}
	})
}

func TestErrorBodiesAreJSON(t *testing.T) {
	s := apptest.Start(t, database.SQLite, nil)
	u := s.SignUp(t, "json@example.com")
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/tasks/" + uuid.NewString()},
		{"GET", "/api/v1/tasks/x"},
		{"GET", "/api/v1/tasks"},
	} {
		token := u.Token
		if c.path == "/api/v1/tasks" {
			token = ""
		}
		r := s.Do(t, c.method, c.path, token, nil)
		var e map[string]any
		if err := json.Unmarshal(r.Body, &e); err != nil || e["detail"] == nil {
			t.Errorf("%s %s: %d %q is not JSON with a detail", c.method, c.path, r.Status, r.Body)
		}
	}
}

// TestBodiesHaveTheirLength: every JSON answer says its length, a page of tasks larger than
// net/http's buffers included, so that none is sent in chunks.
func TestBodiesHaveTheirLength(t *testing.T) {
	s := apptest.Start(t, database.SQLite, nil)
	u := s.SignUp(t, "length@example.com")
	for i := range 12 {
		create(t, s, u.Token, map[string]string{"title": fmt.Sprint("Task ", i), "description": strings.Repeat("é", 500)})
	}
	for _, c := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", "/api/v1/tasks", nil, http.StatusOK},
		{"GET", "/api/v2/tasks?sort=title", nil, http.StatusOK},
		{"POST", "/api/v1/tasks", map[string]string{"title": "One more"}, http.StatusCreated},
		{"GET", "/api/v1/tasks/" + uuid.NewString(), nil, http.StatusNotFound},
		{"POST", "/api/v1/tasks", map[string]string{"title": ""}, http.StatusUnprocessableEntity},
	} {
		r := s.Do(t, c.method, c.path, u.Token, c.body)
		expectStatus(t, r, c.status)
		if got := r.Header.Get("Content-Length"); got != fmt.Sprint(len(r.Body)) {
			t.Errorf("%s %s: Content-Length %q for a body of %d bytes", c.method, c.path, got, len(r.Body))
		}
	}
}
