package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// BenchmarkServe is each request of the v1 workload through the whole handler in process
// (middleware, authentication, validation, the service, SQLite and JSON): the server's own
// work for a request, without its sockets.
func BenchmarkServe(b *testing.B) {
	s := apptest.Start(b, database.SQLite, map[string]string{"QUOTA_TASKS": "0", "USER_RATE_LIMIT": "0"})
	u := s.SignUp(b, "bench@example.com")
	h := s.App.Handler()
	serve := func(b *testing.B, method, path, body string, want int) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+u.Token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatalf("%s %s: %d %s, want %d", method, path, rec.Code, rec.Body, want)
		}
	}
	const create = `{"title":"Load test task","description":"Created by todo-load"}`
	var tk taskJSON
	for range 50 {
		serve(b, "POST", "/api/v1/tasks", create, http.StatusCreated)
	}
	s.Do(b, "POST", "/api/v1/tasks", u.Token, map[string]any{"title": "target"}).JSON(b, &tk)
	one := "/api/v1/tasks/" + tk.ID
	for _, c := range []struct {
		name, method, path, body string
		status                   int
	}{
		{"list", "GET", "/api/v1/tasks?limit=50", "", http.StatusOK},
		{"get", "GET", one, "", http.StatusOK},
		{"create", "POST", "/api/v1/tasks", create, http.StatusCreated},
		{"patch", "PATCH", one, `{"title":"Patched by todo-load"}`, http.StatusOK},
		{"toggle", "POST", one + "/toggle", "", http.StatusOK},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				serve(b, c.method, c.path, c.body, c.status)
			}
		})
	}
}
