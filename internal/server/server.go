// Package server wires the application together and serves it over HTTP.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"todo/internal/api"
	"todo/internal/auth"
	"todo/internal/bearer"
	"todo/internal/calendar"
	"todo/internal/config"
	"todo/internal/database"
	"todo/internal/jobs"
	"todo/internal/jwt"
	"todo/internal/mail"
	"todo/internal/mcp"
	"todo/internal/observe"
	"todo/internal/remind"
	"todo/internal/task"
	"todo/internal/task/stores"
	"todo/internal/userrate"
	"todo/internal/web"
)

// App is the whole application: its database, services and HTTP handler.
type App struct {
	cfg   config.Config
	log   *slog.Logger
	db    *database.DB
	jobs  *jobs.Client
	mail  *mail.Outbox
	tasks *task.Service
	// reminders is closed after the jobs, which use it, have stopped.
	reminders *remind.Service
	handler   http.Handler
	stopping  *atomic.Bool // /readyz says 503: Serve has begun to shut down
	// stop ends the background refresh of the deleted users, done says it has ended.
	stop context.CancelFunc
	done chan struct{}
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

	store, err := stores.New(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	tasks := task.NewService(store)
	tasks.MaxTasks = cfg.QuotaTasks

	// Background jobs: each package that owns a kind registers its worker on queue before
	// queue starts, at the end of New.
	queue, err := jobs.New(db, cfg.Jobs, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	outbox, err := mail.NewOutbox(queue, cfg.Mail, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	reminders, err := remind.New(ctx, db, remind.Deps{Tasks: tasks, Jobs: queue, Mail: outbox, Secret: cfg.Secret, Base: cfg.BaseURL}, cfg.Reminders, log)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("reminders: %w", err)
	}

	// The calendar feeds go first when a user is deleted: they stop showing the tasks at once.
	feeds := calendar.New(db, tasks, cfg.BaseURL, cfg.BaseURLSet, log)

	// The users deleted lately, whose still-valid tokens the task API refuses.
	deleted := bearer.NewDeletedUsers(max(cfg.JWTMaxLifetime, 15*time.Minute), cfg.Now)
	authn := auth.New(db, auth.Config{
		Secret: cfg.Secret, BaseURL: cfg.BaseURL, TrustedOrigins: cfg.TrustedOrigins,
		RateLimit: cfg.RateLimit, RateLimitStorage: cfg.RateLimitStorage, TrustedProxies: cfg.TrustedProxies, KeyRotation: cfg.KeyRotation,
		UserData: userData{feeds, tasks, reminders}, MaxSessions: cfg.QuotaSessions, DeletedUsers: deleted,
		Mailer: outbox, Email: cfg.Email, Now: cfg.Now,
	}, log)
	if err := deleted.Refresh(ctx, authn.DeletedUsers); err != nil {
		db.Close()
		return nil, fmt.Errorf("read deleted users: %w", err)
	}
	// The task API trusts the built-in keys, or those of the Better Auth server at AUTH_URL;
	// the verifier is the same either way. Keys the built-in auth cannot open stop start-up
	// when the task API depends on them, and are a warning when it does not.
	if err := authn.CheckKeys(ctx); err != nil {
		if cfg.AuthURL == nil {
			db.Close()
			return nil, err
		}
		log.Warn("the built-in auth cannot issue tokens", "err", err)
	}
	keys := authn.Keys()
	if cfg.AuthURL != nil {
		remote := jwt.NewRemoteKeys(strings.TrimSuffix(cfg.AuthURL.String(), "/") + "/api/auth/jwks")
		remote.Now = cfg.Now
		keys = remote
	}
	verifier := jwt.NewVerifier(keys, cfg.JWTIssuer, cfg.JWTAudience)
	verifier.MaxLifetime = cfg.JWTMaxLifetime
	if cfg.AcceptSharedSecret {
		verifier.AcceptSharedSecret([]byte(cfg.Secret))
	}
	// One bucket per user for every door onto the tasks: the API, the MCP tools, the web UI.
	limit := userrate.New(cfg.UserRateLimit, cfg.UserRateBurst, cfg.Now)
	checker := &bearer.Checker{Verifier: verifier, Limit: limit, Deleted: deleted, Log: log}
	feeds.Limit = limit
	metrics := observe.NewMetrics(db)
	ui, err := web.New(tasks, authn, cfg.BaseURLSet || cfg.Production, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	ui.Limit = limit
	ui.Calendar = feeds
	ui.Reminders = reminders

	mux := http.NewServeMux()
	stopping := new(atomic.Bool)
	jsonAPI := api.New(mux, version, tasks, reminders, checker, log)
	jsonAPI.SetCalendar(feeds)
	addRoutes(mux, routeDeps{
		db: db, stopping: stopping, web: ui,
		metrics:  guardMetrics(metrics.Handler(), cfg.MetricsToken, cfg.Production),
		api:      jsonAPI,
		auth:     auth.NewAPI(authn),
		mcp:      mcp.New(tasks, checker, log),
		calendar: feeds.Handler(),
	})

	var h http.Handler = observe.RecordRoute(mux)
	h = deadline(cfg.Database.QueryTimeout, h)
	h = cors(cfg.CORSOrigins, h)
	h = securityHeaders(cfg.BaseURL.Scheme == "https", h)
	h = recoverPanics(log, h)
	h = metrics.Middleware(log, h)
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	if err := queue.Start(bg); err != nil {
		stop()
		db.Close()
		return nil, fmt.Errorf("start the jobs: %w", err)
	}
	app := &App{cfg: cfg, log: log, db: db, jobs: queue, mail: outbox, tasks: tasks, reminders: reminders, handler: h, stopping: stopping, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(app.done)
		deleted.Run(bg, authn.DeletedUsers, log)
	}()
	return app, nil
}

// Handler is the application's HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// Mail is the outbox every message of the app goes through.
func (a *App) Mail() *mail.Outbox { return a.mail }

// Tasks is the task service every door goes through.
func (a *App) Tasks() *task.Service { return a.tasks }

// Reminders is the reminders service.
func (a *App) Reminders() *remind.Service { return a.reminders }

// userData removes what each domain keeps of a user whom auth deletes.
type userData []auth.UserData

func (u userData) DeleteUserData(ctx context.Context, userID string) error {
	for _, d := range u {
		if err := d.DeleteUserData(ctx, userID); err != nil {
			return err
		}
	}
	return nil
}

// Close stops the background work and releases the database. The jobs in progress have
// SHUTDOWN_TIMEOUT to finish; those cut short are worked again later, here or elsewhere.
func (a *App) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	if err := a.jobs.Stop(ctx); err != nil {
		a.log.Warn("stopping the jobs", "err", err)
	}
	cancel()
	a.stop()
	<-a.done
	a.reminders.Close()
	a.db.Close()
}

// Serve answers requests on ln until ctx is done. Then /readyz answers 503, and for the drain
// period (SHUTDOWN_DRAIN, the first part of SHUTDOWN_TIMEOUT) new requests are still served,
// each on a connection closed after its answer, while load balancers take the instance out
// of rotation; then Serve stops accepting connections, lets the requests in flight finish
// (within the rest of the shutdown timeout) and returns nil.
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
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	a.stopping.Store(true)
	if a.cfg.ShutdownDrain > 0 {
		a.log.Info("shutting down: out of rotation, still serving", "drain", a.cfg.ShutdownDrain)
		srv.SetKeepAlivesEnabled(false)
		select {
		case err := <-served:
			return err
		case <-time.After(a.cfg.ShutdownDrain):
		}
	}
	a.log.Info("shutting down: finishing requests in flight", "timeout", a.cfg.ShutdownTimeout-a.cfg.ShutdownDrain)
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
