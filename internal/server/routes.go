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
)

type routeDeps struct {
	log      *slog.Logger
	db       *database.DB
	tasks    *task.Service
	verifier *jwt.Verifier
	metrics  *observe.Metrics
	auth     *auth.Service
}

// addRoutes is the whole URL surface of the server.
func addRoutes(mux *http.ServeMux, api huma.API, d routeDeps) {
	// The task API, /api/v1/tasks…, and its OpenAPI document, /openapi.json.
	task.RegisterAPI(api, d.tasks, d.verifier, d.log)
	mux.Handle("GET /docs", apidocs.Handler())
	mux.Handle("GET /docs/", apidocs.Handler())

	// The built-in auth server, Better Auth's API.
	mux.Handle(auth.BasePath+"/", d.auth.Handler())

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
