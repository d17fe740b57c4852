package api_test

import (
	"encoding/json"
	"fmt"
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

type errorJSON struct {
	Detail string `json:"detail"`
	Errors []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
	} `json:"errors"`
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

// expectInvalid checks a 422 whose errors name location.
func expectInvalid(t *testing.T, r apptest.Response, location string) {
	t.Helper()
	expectStatus(t, r, http.StatusUnprocessableEntity)
	var e errorJSON
	r.JSON(t, &e)
	if e.Detail == "" {
		t.Fatalf("422 without a detail: %s", r.Body)
	}
	for _, fe := range e.Errors {
		if fe.Location == location && fe.Message != "" {
			return
		}
	}
	t.Fatalf("422 %s does not name %s", r.Body, location)
}

func TestTaskAPI(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, nil)
		alice := s.SignUp(t, "alice@example.com")

		t.Run("create returns exactly TaskRead, trimmed, updated_at null", func(t *testing.T) {
			r := s.Do(t, "POST", "/api/v1/tasks", alice.Token, `{"title":"  Buy milk\u001f ","description":"\u3000two litres\n"}`)
			expectStatus(t, r, http.StatusCreated)
			var raw map[string]any
			r.JSON(t, &raw)
			keys := make([]string, 0, len(raw))
			for k := range raw {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if want := []string{"completed", "created_at", "description", "id", "title", "updated_at"}; !slices.Equal(keys, want) {
				t.Fatalf("keys %v, want %v", keys, want)
			}
			if raw["title"] != "Buy milk" || raw["description"] != "two litres" || raw["completed"] != false || raw["updated_at"] != nil {
				t.Fatalf("got %s", r.Body)
			}
			created, err := time.Parse(time.RFC3339Nano, raw["created_at"].(string))
			if err != nil || time.Since(created) > time.Minute {
				t.Fatalf("created_at %v: %v", raw["created_at"], err)
			}
			if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
				t.Errorf("content type %q", got)
			}
		})

		t.Run("description defaults to empty; unknown and read-only fields are ignored", func(t *testing.T) {
			tk := create(t, s, alice.Token, map[string]any{
				"title": "x", "id": "00000000-0000-0000-0000-000000000000", "user_id": "mallory",
				"completed": true, "created_at": "2000-01-01T00:00:00Z", "extra": []int{1},
			})
			if tk.Description != "" || tk.Completed || tk.ID == "00000000-0000-0000-0000-000000000000" || strings.HasPrefix(tk.CreatedAt, "2000") {
				t.Fatalf("got %+v", tk)
			}
		})

		t.Run("get, patch, toggle, delete", func(t *testing.T) {
			tk := create(t, s, alice.Token, map[string]any{"title": "walk", "description": "dog"})
			r := s.Do(t, "GET", "/api/v1/tasks/"+tk.ID, alice.Token, nil)
			expectStatus(t, r, http.StatusOK)
			var got taskJSON
			r.JSON(t, &got)
			if !reflect.DeepEqual(got, tk) {
				t.Fatalf("get: got %+v, want %+v", got, tk)
			}

			r = s.Do(t, "PATCH", "/api/v1/tasks/"+tk.ID, alice.Token, map[string]any{"title": " walk the dog "})
			expectStatus(t, r, http.StatusOK)
			r.JSON(t, &got)
			if got.Title != "walk the dog" || got.Description != "dog" || got.Completed || got.UpdatedAt == nil {
				t.Fatalf("patch title: got %+v", got)
			}

			first := *got.UpdatedAt
			r = s.Do(t, "PATCH", "/api/v1/tasks/"+tk.ID, alice.Token, map[string]any{})
			expectStatus(t, r, http.StatusOK)
			r.JSON(t, &got)
			if got.Title != "walk the dog" || got.UpdatedAt == nil || *got.UpdatedAt == first {
				t.Fatalf("empty patch must still set updated_at: got %+v (was %s)", got, first)
			}

			r = s.Do(t, "PATCH", "/api/v1/tasks/"+tk.ID, alice.Token, map[string]any{"completed": true, "description": ""})
			r.JSON(t, &got)
			if !got.Completed || got.Description != "" {
				t.Fatalf("patch completed: got %+v", got)
			}

			r = s.Do(t, "POST", "/api/v1/tasks/"+tk.ID+"/toggle", alice.Token, nil)
			expectStatus(t, r, http.StatusOK)
			r.JSON(t, &got)
			if got.Completed {
				t.Fatalf("toggle: got %+v, want open", got)
			}

			r = s.Do(t, "DELETE", "/api/v1/tasks/"+tk.ID, alice.Token, nil)
			expectStatus(t, r, http.StatusNoContent)
			if len(r.Body) != 0 {
				t.Fatalf("204 with a body: %q", r.Body)
			}
			for _, call := range [][2]string{{"GET", ""}, {"PATCH", ""}, {"DELETE", ""}, {"POST", "/toggle"}} {
				r := s.Do(t, call[0], "/api/v1/tasks/"+tk.ID+call[1], alice.Token, map[string]any{})
				expectStatus(t, r, http.StatusNotFound)
				if string(r.Body) != `{"detail":"Task not found"}` {
					t.Fatalf("%s deleted task: body %s", call[0], r.Body)
				}
			}
		})

		t.Run("task ids: upper case and unhyphenated work, anything else is 422 on every route", func(t *testing.T) {
			tk := create(t, s, alice.Token, map[string]any{"title": "id forms"})
			for _, id := range []string{strings.ToUpper(tk.ID), strings.ReplaceAll(tk.ID, "-", "")} {
				r := s.Do(t, "GET", "/api/v1/tasks/"+id, alice.Token, nil)
				expectStatus(t, r, http.StatusOK)
			}
			for _, call := range [][2]string{{"GET", ""}, {"PATCH", ""}, {"DELETE", ""}, {"POST", "/toggle"}} {
				for _, bad := range []string{"not-a-uuid", "123", tk.ID + "0", "g" + tk.ID[1:]} {
					r := s.Do(t, call[0], "/api/v1/tasks/"+bad+call[1], alice.Token, map[string]any{})
					expectInvalid(t, r, "path.task_id")
				}
			}
			r := s.Do(t, "GET", "/api/v1/tasks/"+uuid.NewString(), alice.Token, nil)
			expectStatus(t, r, http.StatusNotFound)
		})

		t.Run("invalid bodies are refused and change nothing", func(t *testing.T) {
			tk := create(t, s, alice.Token, map[string]any{"title": "keep me", "description": "as I am"})
			long := strings.Repeat("é", 201)
			cases := []struct {
				name, method, path, body, location string
				status                             int
			}{
				{"missing title", "POST", "", `{"description":"x"}`, "body.title", 422},
				{"empty title", "POST", "", `{"title":""}`, "body.title", 422},
				{"blank title", "POST", "", `{"title":" \t\u3000\u001c"}`, "body.title", 422},
				{"201-character title", "POST", "", `{"title":"` + long + `"}`, "body.title", 422},
				{"200 letters and a space", "POST", "", `{"title":"` + strings.Repeat("a", 200) + ` "}`, "body.title", 422},
				{"1001-character description", "POST", "", `{"title":"x","description":"` + strings.Repeat("d", 1001) + `"}`, "body.description", 422},
				{"null title", "POST", "", `{"title":null}`, "body.title", 422},
				{"null description", "POST", "", `{"title":"x","description":null}`, "body.description", 422},
				{"number title", "POST", "", `{"title":5}`, "body.title", 422},
				{"NUL in title", "POST", "", `{"title":"a\u0000b"}`, "body.title", 422},
				{"array body", "POST", "", `[]`, "body", 422},
				{"patch blank title", "PATCH", "/" + tk.ID, `{"title":"   "}`, "body.title", 422},
				{"patch null title", "PATCH", "/" + tk.ID, `{"title":null}`, "body.title", 422},
				{"patch null description", "PATCH", "/" + tk.ID, `{"description":null}`, "body.description", 422},
				{"patch null completed", "PATCH", "/" + tk.ID, `{"completed":null}`, "body.completed", 422},
				{"patch string completed", "PATCH", "/" + tk.ID, `{"completed":"yes"}`, "body.completed", 422},
				{"patch long title", "PATCH", "/" + tk.ID, `{"title":"` + long + `"}`, "body.title", 422},
				{"patch NUL description", "PATCH", "/" + tk.ID, `{"description":"\u0000"}`, "body.description", 422},
				{"malformed JSON", "POST", "", `{"title":`, "", 400},
				{"patch malformed JSON", "PATCH", "/" + tk.ID, `{title}`, "", 400},
				{"invalid UTF-8", "POST", "", "{\"title\":\"\xff\xfe\"}", "", 400},
				{"empty body", "POST", "", ``, "", 400},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					r := s.Do(t, c.method, "/api/v1/tasks"+c.path, alice.Token, []byte(c.body))
					if c.status == 422 {
						expectInvalid(t, r, c.location)
					} else {
						expectStatus(t, r, c.status)
						var e errorJSON
						r.JSON(t, &e)
						if e.Detail == "" {
							t.Fatalf("no detail: %s", r.Body)
						}
					}
				})
			}
			r := s.Do(t, "GET", "/api/v1/tasks/"+tk.ID, alice.Token, nil)
			var got taskJSON
			r.JSON(t, &got)
			if got.Title != "keep me" || got.Description != "as I am" || got.UpdatedAt != nil {
				t.Fatalf("refused requests changed the task: %+v", got)
			}
		})

		t.Run("bodies over 1 MiB are 413", func(t *testing.T) {
			big := `{"title":"x","description":"` + strings.Repeat("a", 1<<20) + `"}`
			r := s.Do(t, "POST", "/api/v1/tasks", alice.Token, big)
			expectStatus(t, r, http.StatusRequestEntityTooLarge)
		})

		t.Run("list: filter values, bounds, total, paging", func(t *testing.T) {
			bob := s.SignUp(t, "list-bob@example.com")
			for i := range 7 {
				tk := create(t, s, bob.Token, map[string]any{"title": fmt.Sprint("task ", i)})
				if i%3 == 0 {
					s.Do(t, "POST", "/api/v1/tasks/"+tk.ID+"/toggle", bob.Token, nil)
				}
			}
			list := func(query string) listJSON {
				t.Helper()
				r := s.Do(t, "GET", "/api/v1/tasks"+query, bob.Token, nil)
				expectStatus(t, r, http.StatusOK)
				var l listJSON
				r.JSON(t, &l)
				return l
			}
			if l := list(""); len(l.Tasks) != 7 || l.Total != 7 {
				t.Fatalf("default: %d tasks, total %d", len(l.Tasks), l.Total)
			}
			for _, v := range []string{"true", "TRUE", "1", "yes", "On", "t", "Y"} {
				if l := list("?completed=" + v); l.Total != 3 || len(l.Tasks) != 3 {
					t.Errorf("completed=%s: total %d, %d tasks; want 3", v, l.Total, len(l.Tasks))
				}
			}
			for _, v := range []string{"false", "False", "0", "no", "OFF", "f", "n"} {
				if l := list("?completed=" + v); l.Total != 4 || len(l.Tasks) != 4 {
					t.Errorf("completed=%s: total %d, %d tasks; want 4", v, l.Total, len(l.Tasks))
				}
			}
			if l := list("?limit=0"); len(l.Tasks) != 0 || l.Total != 7 || l.Tasks == nil {
				t.Errorf("limit=0: %+v, want an empty list and total 7", l)
			}
			page1, page2 := list("?limit=4"), list("?limit=4&offset=4")
			if len(page1.Tasks) != 4 || len(page2.Tasks) != 3 || page1.Total != 7 || page2.Total != 7 {
				t.Fatalf("pages: %d + %d tasks", len(page1.Tasks), len(page2.Tasks))
			}
			if page1.Tasks[0].Title != "task 6" || page2.Tasks[2].Title != "task 0" {
				t.Errorf("not newest first: %s … %s", page1.Tasks[0].Title, page2.Tasks[2].Title)
			}
			if l := list("?offset=100"); len(l.Tasks) != 0 || l.Total != 7 {
				t.Errorf("offset past the end: %+v", l)
			}
			for query, location := range map[string]string{
				"?completed=maybe":               "query.completed",
				"?completed=":                    "query.completed",
				"?limit=-1":                      "query.limit",
				"?limit=1001":                    "query.limit",
				"?limit=abc":                     "query.limit",
				"?limit=1.5":                     "query.limit",
				"?offset=-1":                     "query.offset",
				"?offset=99999999999999999999":   "query.offset",
				"?limit=99999999999999999999999": "query.limit",
			} {
				expectInvalid(t, s.Do(t, "GET", "/api/v1/tasks"+query, bob.Token, nil), location)
			}
			if l := list("?limit=1000"); len(l.Tasks) != 7 {
				t.Errorf("limit=1000: %d tasks", len(l.Tasks))
			}
		})

		t.Run("authentication comes first", func(t *testing.T) {
			tk := create(t, s, alice.Token, map[string]any{"title": "auth first"})
			for _, c := range []struct{ method, path, body string }{
				{"GET", "/api/v1/tasks", ""},
				{"GET", "/api/v1/tasks?limit=-5&completed=maybe", ""},
				{"POST", "/api/v1/tasks", `{"title":`},
				{"POST", "/api/v1/tasks", strings.Repeat("x", 2<<20)},
				{"GET", "/api/v1/tasks/not-a-uuid", ""},
				{"PATCH", "/api/v1/tasks/" + tk.ID, `{"title":null}`},
				{"DELETE", "/api/v1/tasks/" + tk.ID, ""},
				{"POST", "/api/v1/tasks/" + tk.ID + "/toggle", ""},
			} {
				for _, header := range []string{"", "Bearer", "Bearer ", "Basic " + alice.Token, "bearer not.a.jwt", "Token " + alice.Token} {
					var body any
					if c.body != "" {
						body = c.body
					}
					r := s.Do(t, c.method, c.path, "", body, "Authorization", header)
					if r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" {
						t.Fatalf("%s %s with %q: got %d %s, want 401 with WWW-Authenticate", c.method, c.path, header, r.Status, r.Body)
					}
					var e errorJSON
					r.JSON(t, &e)
					if e.Detail == "" {
						t.Fatalf("401 without detail: %s", r.Body)
					}
				}
			}
			r := s.Do(t, "GET", "/api/v1/tasks/"+tk.ID, "", nil, "Authorization", "BEARER "+alice.Token)
			expectStatus(t, r, http.StatusOK)
		})
	})
}

// TestUserIsolation runs every route of one user against another user's task.
func TestUserIsolation(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, nil)
		alice, mallory := s.SignUp(t, "alice@example.com"), s.SignUp(t, "mallory@example.com")
		tk := create(t, s, alice.Token, map[string]any{"title": "private", "description": "secret"})
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/tasks/" + tk.ID, nil},
			{"PATCH", "/api/v1/tasks/" + tk.ID, map[string]any{"title": "pwned", "completed": true}},
			{"PATCH", "/api/v1/tasks/" + tk.ID, map[string]any{}},
			{"POST", "/api/v1/tasks/" + tk.ID + "/toggle", nil},
			{"DELETE", "/api/v1/tasks/" + tk.ID, nil},
		} {
			r := s.Do(t, c.method, c.path, mallory.Token, c.body)
			if r.Status != http.StatusNotFound || string(r.Body) != `{"detail":"Task not found"}` {
				t.Errorf("%s %s as another user: got %d %s, want 404 Task not found", c.method, c.path, r.Status, r.Body)
			}
		}
		r := s.Do(t, "GET", "/api/v1/tasks", mallory.Token, nil)
		var l listJSON
		r.JSON(t, &l)
		if l.Total != 0 || len(l.Tasks) != 0 {
			t.Errorf("another user's list shows %+v", l)
		}
		r = s.Do(t, "GET", "/api/v1/tasks/"+tk.ID, alice.Token, nil)
		var got taskJSON
		r.JSON(t, &got)
		if !reflect.DeepEqual(got, tk) {
			t.Errorf("the owner's task changed: got %+v, want %+v", got, tk)
		}
	})
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
		for _, path := range []string{"/healthz", "/readyz"} {
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
