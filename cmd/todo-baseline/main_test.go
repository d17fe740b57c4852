package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestServesTheWorkload: both baselines answer every request of todo-load's v1 workload with the
// status it counts as a success, and the one on PostgreSQL keeps each user's tasks.
func TestServesTheWorkload(t *testing.T) {
	for _, noDB := range []bool{false, true} {
		url := ""
		if !noDB {
			url = apptest.MigratedURL(t, database.Postgres) // the spec's table, among the app's
		}
		h, err := handler(context.Background(), noDB, url)
		if err != nil {
			t.Fatal(err)
		}
		// A token whose payload says {"sub":"u1"}; the floor does not check its signature.
		token := "e30.eyJzdWIiOiJ1MSJ9.sig"
		do := func(method, path, body string, want int) (tk taskRead) {
			t.Helper()
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != want {
				t.Fatalf("no-db %v: %s %s: %d %s, want %d", noDB, method, path, rec.Code, rec.Body, want)
			}
			if want != http.StatusNoContent && !strings.HasSuffix(path, "?limit=50") {
				if err := json.Unmarshal(rec.Body.Bytes(), &tk); err != nil {
					t.Fatalf("no-db %v: %s %s: %v", noDB, method, path, err)
				}
			}
			return tk
		}
		created := do("POST", "/api/v1/tasks", `{"title":"Load test task","description":"d"}`, http.StatusCreated)
		path := "/api/v1/tasks/" + created.ID.String()
		do("GET", "/api/v1/tasks?limit=50", "", http.StatusOK) // a page: an array, not a task
		do("GET", path, "", http.StatusOK)
		if got := do("PATCH", path, `{"title":"Patched"}`, http.StatusOK); !noDB && got.Title != "Patched" {
			t.Fatalf("patched title %q", got.Title)
		}
		if got := do("POST", path+"/toggle", "", http.StatusOK); !noDB && !got.Completed {
			t.Fatal("toggled task not completed")
		}
		do("DELETE", path, "", http.StatusNoContent)
		if !noDB {
			do("GET", path, "", http.StatusNotFound)
		}
	}
}
