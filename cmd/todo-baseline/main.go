// Command todo-baseline is the plainest Go server on net/http and pgx for todo-load's v1
// workload: the spec's six routes, one statement on the spec's tasks table per request, answers
// written with encoding/json, and nothing more (no validation, no signature check, no logs or
// metrics). scripts/bench.sh runs it beside todo under the same load, so that todo's CPU per
// request reads against what the same stack costs written plainly. With -no-db it answers
// without a database: net/http and JSON alone.
//
// It is a yardstick, not a server to deploy: it trusts the subject of any token.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "where to listen")
	noDB := flag.Bool("no-db", false, "answer without a database, with canned tasks")
	flag.Parse()
	h, err := handler(context.Background(), *noDB, os.Getenv("DATABASE_URL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "todo-baseline:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "todo-baseline: serving on", *addr)
	fmt.Fprintln(os.Stderr, http.ListenAndServe(*addr, h))
	os.Exit(1)
}

// taskRead is the spec's TaskRead.
type taskRead struct {
	ID          uuid.UUID  `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Completed   bool       `json:"completed"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   *time.Time `json:"updated_at"`
}

const columns = `id, title, coalesce(description, ''), completed, created_at, updated_at`

// handler serves the v1 routes from the database at url, which has the spec's tasks table,
// or from canned tasks.
func handler(ctx context.Context, noDB bool, url string) (http.Handler, error) {
	if noDB {
		return canned(), nil
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/tasks", func(w http.ResponseWriter, r *http.Request) {
		rows, _ := pool.Query(r.Context(), `SELECT `+columns+` FROM tasks WHERE user_id = $1
			ORDER BY created_at DESC, id DESC LIMIT 50`, subject(r))
		page, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (taskRead, error) { return scan(row) })
		answer(w, http.StatusOK, page, err)
	})
	mux.HandleFunc("POST /api/v1/tasks", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Title, Description string }
		json.NewDecoder(r.Body).Decode(&in)
		t, err := scan(pool.QueryRow(r.Context(), `INSERT INTO tasks (id, user_id, title, description)
			VALUES ($1, $2, $3, $4) RETURNING `+columns, uuid.New(), subject(r), in.Title, in.Description))
		answer(w, http.StatusCreated, t, err)
	})
	one := func(statement string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			args := []any{r.PathValue("id"), subject(r)}
			if r.Method == http.MethodPatch {
				var in struct{ Title string }
				json.NewDecoder(r.Body).Decode(&in)
				args = append(args, in.Title)
			}
			t, err := scan(pool.QueryRow(r.Context(), statement, args...))
			answer(w, http.StatusOK, t, err)
		}
	}
	mux.HandleFunc("GET /api/v1/tasks/{id}", one(`SELECT `+columns+` FROM tasks WHERE id = $1 AND user_id = $2`))
	mux.HandleFunc("PATCH /api/v1/tasks/{id}", one(`UPDATE tasks SET title = $3, updated_at = now()
		WHERE id = $1 AND user_id = $2 RETURNING `+columns))
	mux.HandleFunc("POST /api/v1/tasks/{id}/toggle", one(`UPDATE tasks SET completed = NOT completed, updated_at = now()
		WHERE id = $1 AND user_id = $2 RETURNING `+columns))
	mux.HandleFunc("DELETE /api/v1/tasks/{id}", func(w http.ResponseWriter, r *http.Request) {
		tag, err := pool.Exec(r.Context(), `DELETE FROM tasks WHERE id = $1 AND user_id = $2`, r.PathValue("id"), subject(r))
		if err == nil && tag.RowsAffected() == 0 {
			err = pgx.ErrNoRows
		}
		answer(w, http.StatusNoContent, nil, err)
	})
	return mux, nil
}

// canned serves the v1 routes with tasks made up front, as large as todo-load's.
func canned() http.Handler {
	now := time.Now().UTC()
	task := taskRead{ID: uuid.New(), Title: "Load test task", Description: "Created by todo-load", CreatedAt: now, UpdatedAt: &now}
	page := make([]taskRead, 50)
	for i := range page {
		page[i] = task
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/tasks", func(w http.ResponseWriter, r *http.Request) {
		subject(r)
		answer(w, http.StatusOK, page, nil)
	})
	mux.HandleFunc("POST /api/v1/tasks", func(w http.ResponseWriter, r *http.Request) {
		subject(r)
		var in struct{ Title, Description string }
		json.NewDecoder(r.Body).Decode(&in)
		t := task
		t.ID, t.Title, t.Description = uuid.New(), in.Title, in.Description
		answer(w, http.StatusCreated, t, nil)
	})
	get := func(w http.ResponseWriter, r *http.Request) {
		subject(r)
		answer(w, http.StatusOK, task, nil)
	}
	mux.HandleFunc("GET /api/v1/tasks/{id}", get)
	mux.HandleFunc("PATCH /api/v1/tasks/{id}", get)
	mux.HandleFunc("POST /api/v1/tasks/{id}/toggle", get)
	mux.HandleFunc("DELETE /api/v1/tasks/{id}", func(w http.ResponseWriter, r *http.Request) {
		subject(r)
		answer(w, http.StatusNoContent, nil, nil)
	})
	return mux
}

var subjects sync.Map // token → its sub, read once, as a server caches verified tokens

// subject is the sub of the request's bearer token, read without checking its signature.
func subject(r *http.Request) string {
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if sub, ok := subjects.Load(token); ok {
		return sub.(string)
	}
	var claims struct{ Sub string }
	if parts := strings.Split(token, "."); len(parts) == 3 {
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		json.Unmarshal(payload, &claims)
	}
	subjects.Store(token, claims.Sub)
	return claims.Sub
}

func scan(row pgx.Row) (t taskRead, err error) {
	err = row.Scan(&t.ID, &t.Title, &t.Description, &t.Completed, &t.CreatedAt, &t.UpdatedAt)
	return t, err
}

// answer writes v as JSON with status, or the error: 404 for no row, 500 otherwise.
func answer(w http.ResponseWriter, status int, v any, err error) {
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		status, v = http.StatusNotFound, map[string]string{"detail": "Task not found"}
	case err != nil:
		status, v = http.StatusInternalServerError, map[string]string{"detail": err.Error()}
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
