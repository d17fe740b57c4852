package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"todo/internal/apidocs"
	"todo/internal/auth"
	"todo/internal/database"
	"todo/internal/jwt"
	"todo/internal/observe"
	"todo/internal/task"
	"todo/internal/web"
)

type routeDeps struct {
	log      *slog.Logger
	db       *database.DB
	tasks    *task.Service
	verifier *jwt.Verifier
	metrics  *observe.Metrics
	auth     *auth.Service
	web      *web.UI
}

// addRoutes is the whole URL surface of the server.
func addRoutes(mux *http.ServeMux, api huma.API, d routeDeps) {
	// The task API, /api/v1/tasks…, and its OpenAPI document, /openapi.json.
	task.RegisterAPI(api, d.tasks, d.verifier, d.log)
	mux.Handle("GET /docs", apidocs.Handler())
	mux.Handle("GET /docs/", apidocs.Handler())

	// The built-in auth server, Better Auth's API.
	mux.Handle(auth.BasePath+"/", d.auth.Handler())
	mux.Handle(auth.BasePath, d.auth.Handler()) // a 404 as in Better Auth, not a redirect

	// The web UI: pages and plain forms (POST, then redirect), which htmx also calls for
	// fragments. The GET pages of /tasks/{id}/delete and /tasks/clear-completed ask before
	// deleting when JavaScript is off.
	mux.Handle("GET /{$}", d.web.TaskList())
	mux.Handle("GET /signin", d.web.SignInPage())
	mux.Handle("POST /signin", d.web.SignIn())
	mux.Handle("GET /signup", d.web.SignUpPage())
	mux.Handle("POST /signup", d.web.SignUp())
	mux.Handle("POST /signout", d.web.SignOut())
	mux.Handle("POST /tasks", d.web.CreateTask())
	mux.Handle("GET /tasks/{id}", d.web.TaskItem())
	mux.Handle("GET /tasks/{id}/edit", d.web.EditTaskForm())
	mux.Handle("POST /tasks/{id}/edit", d.web.EditTask())
	mux.Handle("POST /tasks/{id}/toggle", d.web.ToggleTask())
	mux.Handle("GET /tasks/{id}/delete", d.web.ConfirmDeleteTask())
	mux.Handle("POST /tasks/{id}/delete", d.web.DeleteTask())
	mux.Handle("POST /tasks/complete-all", d.web.CompleteAll())
	mux.Handle("GET /tasks/clear-completed", d.web.ConfirmClearCompleted())
	mux.Handle("POST /tasks/clear-completed", d.web.ClearCompleted())
	mux.Handle("GET /static/", d.web.Static())

	// Operations.
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("GET /readyz", readyz(d.db))
	mux.Handle("GET /metrics", d.metrics.Handler())
}

// healthz answers as soon as the server accepts requests.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"ok"}`))
}

// readyz answers 200 while the database answers, 503 otherwise.
func readyz(db *database.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if err := db.Ping(ctx); err != nil {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"status":"unavailable","detail":"The database does not answer"}`))
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	})
}
