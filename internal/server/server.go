// Package server wires the application together and serves it over HTTP.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"todo/internal/auth"
	"todo/internal/config"
	"todo/internal/database"
	"todo/internal/jwt"
	"todo/internal/observe"
	"todo/internal/task"
	"todo/internal/web"
)

// App is the whole application: its database, services and HTTP handler.
type App struct {
	cfg     config.Config
	log     *slog.Logger
	db      *database.DB
	handler http.Handler
}

// New opens and migrates the database and builds the application. cfg.Secret must be set.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, version string) (*App, error) {
	if cfg.Secret == "" {
		return nil, errors.New("no BETTER_AUTH_SECRET")
	}
	db, err := database.Open(ctx, cfg.Database, log)
	if err != nil {
		return nil, err
	}
	if err := database.Migrate(ctx, db, cfg.Database, log, database.MigrateUp, io.Discard); err != nil {
		db.Close()
		return nil, err
	}

	var store task.Store
	if db.Dialect == database.Postgres {
		store = task.NewPostgresStore(db.Postgres)
	} else {
		sqliteStore, err := task.NewSQLiteStore(db.SQLite)
		if err != nil {
			db.Close()
			return nil, err
		}
		store = sqliteStore
	}
	tasks := task.NewService(store)

	authn := auth.New(db, auth.Config{
		Secret: cfg.Secret, BaseURL: cfg.BaseURL, TrustedOrigins: cfg.TrustedOrigins,
		RateLimit: cfg.RateLimit, TrustedProxies: cfg.TrustedProxies, KeyRotation: cfg.KeyRotation,
	}, log)
	// The task API trusts the built-in keys, or those of the Better Auth server at AUTH_URL;
	// the verifier is the same either way.
	keys := authn.Keys()
	if cfg.AuthURL != nil {
		keys = jwt.NewRemoteKeys(strings.TrimSuffix(cfg.AuthURL.String(), "/") + "/api/auth/jwks")
	}
	verifier := jwt.NewVerifier(keys, cfg.JWTIssuer, cfg.JWTAudience)
	metrics := observe.NewMetrics(db)
	ui, err := web.New(tasks, authn, log)
	if err != nil {
		db.Close()
		return nil, err
	}

	mux := http.NewServeMux()
	api := newAPI(mux, version)
	addRoutes(mux, api, routeDeps{
		log: log, db: db, tasks: tasks, verifier: verifier, metrics: metrics, auth: authn, web: ui,
	})

	var h http.Handler = observe.RecordRoute(mux)
	h = deadline(cfg.Database.QueryTimeout, h)
	h = cors(cfg.CORSOrigins, h)
	h = securityHeaders(cfg.BaseURL.Scheme == "https", h)
	h = recoverPanics(log, h)
	h = metrics.Middleware(log, h)
	return &App{cfg: cfg, log: log, db: db, handler: h}, nil
}

// Handler is the application's HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// Close releases the database.
func (a *App) Close() { a.db.Close() }

// Serve answers requests on ln until ctx is done, then stops accepting connections, lets the
// requests in flight finish (for at most the shutdown timeout) and returns nil.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: a.cfg.HTTP.ReadHeader,
		ReadTimeout:       a.cfg.HTTP.Read,
		WriteTimeout:      a.cfg.HTTP.Write,
		IdleTimeout:       a.cfg.HTTP.Idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing requests in flight", "timeout", a.cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newAPI configures huma on mux: OpenAPI 3.1 at /openapi.json, no remote docs page (ours is
// served offline at /docs), no $schema links in bodies, and JSON bodies that must be UTF-8.
func newAPI(mux *http.ServeMux, version string) huma.API {
	cfg := huma.DefaultConfig("Todo API", version)
	cfg.Info.Description = "Personal task lists. Every operation needs `Authorization: Bearer <JWT>` " +
		"from the built-in auth (`GET /api/auth/token`) or from the Better Auth server at AUTH_URL."
	cfg.CreateHooks = nil
	cfg.DocsPath = ""
	cfg.SchemasPath = ""
	cfg.OpenAPIPath = "/openapi"
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", BearerFormat: "JWT"},
	}
	jsonFormat := huma.Format{Marshal: marshalJSON, Unmarshal: unmarshalJSON}
	cfg.Formats = map[string]huma.Format{"application/json": jsonFormat, "json": jsonFormat}
	return humago.New(mux, cfg)
}

var (
	jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	jsonSlices  = sync.Pool{New: func() any { return new([]byte) }}
)

// jsonAppender is a body that writes its own JSON (the hot answers: tasks and their lists).
type jsonAppender interface{ AppendJSON([]byte) []byte }

// marshalJSON writes v as JSON without HTML escaping and without the trailing newline of
// json.Encoder, so that bodies are exactly the JSON (`{"detail":"Task not found"}`).
func marshalJSON(w io.Writer, v any) error {
	if a, ok := v.(jsonAppender); ok {
		b := jsonSlices.Get().(*[]byte)
		defer jsonSlices.Put(b)
		*b = a.AppendJSON((*b)[:0])
		_, err := w.Write(*b)
		return err
	}
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer jsonBuffers.Put(buf)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return err
}

// unmarshalJSON refuses bodies that are not UTF-8: encoding/json would silently replace the
// bad bytes, storing text the client never sent.
func unmarshalJSON(data []byte, v any) error {
	if !utf8.Valid(data) {
		return errors.New("request body is not valid UTF-8")
	}
	return json.Unmarshal(data, v)
}
