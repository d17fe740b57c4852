package server_test

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestDeletedUserTokenRefused: a JWT issued before its user was deleted can neither read nor
// write, on v1 and the brief's routes: 401 with the usual body and challenge, and no task row
// of that user is left. Another instance on the same database, started after the deletion,
// refuses it too (it reads the deletions from the table).
func TestDeletedUserTokenRefused(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		t.Parallel()
		dbURL := apptest.DatabaseURL(t, d)
		s := apptest.Start(t, d, map[string]string{"DATABASE_URL": dbURL})
		u := s.SignUp(t, "leaving@example.com")
		stay := s.SignUp(t, "staying@example.com")
		if r := s.Do(t, "POST", "/api/v1/tasks", u.Token, map[string]string{"title": "before"}); r.Status != http.StatusCreated {
			t.Fatalf("create before the deletion: %d %s", r.Status, r.Body)
		}

		req, err := http.NewRequest("POST", s.URL+"/api/auth/delete-user", strings.NewReader(`{"password":"`+apptest.Password+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		apptest.SetHeaders(req, "Content-Type", "application/json", "Origin", s.URL)
		if r := apptest.Send(t, u.Client, req); r.Status != http.StatusOK {
			t.Fatalf("delete-user: %d %s", r.Status, r.Body)
		}

		other := apptest.Start(t, d, map[string]string{"DATABASE_URL": dbURL, "JWT_ISSUER": s.URL, "JWT_AUDIENCE": s.URL})
		for _, srv := range []*apptest.Server{s, other} {
			for _, c := range []struct{ method, path string }{
				{"GET", "/api/v1/tasks"},
				{"POST", "/api/v1/tasks"},
				{"GET", "/api/" + u.ID + "/tasks"},
				{"POST", "/api/" + u.ID + "/tasks"},
			} {
				var body any
				if c.method == "POST" {
					body = map[string]string{"title": "after"}
				}
				r := srv.Do(t, c.method, c.path, u.Token, body)
				if r.Status != http.StatusUnauthorized || string(r.Body) != `{"detail":"Invalid or expired token"}` ||
					r.Header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
					t.Errorf("%s %s with the deleted user's token (instance %s): got %d %q %s; want 401, the challenge, Invalid or expired token",
						c.method, c.path, srv.URL, r.Status, r.Header.Get("WWW-Authenticate"), r.Body)
				}
			}
			if r := srv.Do(t, "GET", "/api/v1/tasks", stay.Token, nil); r.Status != http.StatusOK {
				t.Errorf("another user's token (instance %s): %d %s, want 200", srv.URL, r.Status, r.Body)
			}
		}

		const rows = `SELECT count(*) FROM tasks WHERE user_id = `
		var n int
		if d == database.Postgres {
			conn, err := pgx.Connect(t.Context(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(t.Context())
			err = conn.QueryRow(t.Context(), rows+"$1", u.ID).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
		} else {
			db, err := sql.Open("sqlite", "file:"+s.Config.Database.URL.Path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.QueryRow(rows+"?", u.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
		if n != 0 {
			t.Errorf("task rows of the deleted user: %d, want none", n)
		}
	})
}
