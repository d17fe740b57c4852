package database

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"time"

	"github.com/gofrs/flock"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

// Migration commands of `todo migrate`.
const (
	MigrateUp     = "up"
	MigrateDown   = "down"
	MigrateStatus = "status"
)

// Migrate runs a migration command against db's schema: up applies every pending migration,
// down reverts the latest one, status prints each migration's state to out. Concurrent
// migrators (several instances starting together) wait for each other: PostgreSQL through a
// session advisory lock, taken on DATABASE_URL_DIRECT when it is set, SQLite through a lock
// file beside the database.
func Migrate(ctx context.Context, db *DB, cfg Config, log *slog.Logger, command string, out io.Writer) error {
	sqlDB, release, err := migrationHandle(ctx, db, cfg, log)
	if err != nil {
		return err
	}
	defer release()

	fsys, err := fs.Sub(migrations, "migrations/"+string(db.Dialect))
	if err != nil {
		return err
	}
	opts := []goose.ProviderOption{goose.WithSlog(log.With("component", "migrate"))}
	dialect := goose.DialectSQLite3
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	provider, err := goose.NewProvider(dialect, sqlDB, fsys, opts...)
	if err != nil {
		return err
	}

	switch command {
	case MigrateUp:
		_, err = provider.Up(ctx)
	case MigrateDown:
		_, err = provider.Down(ctx)
		if errors.Is(err, goose.ErrNoNextVersion) {
			return errors.New("migrate down: no migration left to revert")
		}
	case MigrateStatus:
		var statuses []*goose.MigrationStatus
		if statuses, err = provider.Status(ctx); err == nil {
			for _, s := range statuses {
				applied := "pending"
				if s.State == goose.StateApplied {
					applied = "applied " + s.AppliedAt.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(out, "%05d  %-28s  %s\n", s.Source.Version, s.Source.Path, applied)
			}
		}
	default:
		return fmt.Errorf("unknown migrate command %q: use up, down or status", command)
	}
	if err != nil {
		return fmt.Errorf("migrate %s: %w", command, err)
	}
	return nil
}

// migrationHandle returns the *sql.DB migrations run on and a function that releases it.
func migrationHandle(ctx context.Context, db *DB, cfg Config, log *slog.Logger) (*sql.DB, func(), error) {
	if db.Dialect == SQLite {
		if cfg.URL.Path == "" {
			return db.SQLite.Write, func() {}, nil
		}
		fileLock := flock.New(cfg.URL.Path + ".migrate-lock")
		if _, err := fileLock.TryLockContext(ctx, 100*time.Millisecond); err != nil {
			return nil, nil, fmt.Errorf("lock the database for migration: %w", err)
		}
		return db.SQLite.Write, func() { fileLock.Unlock() }, nil
	}
	if cfg.DirectURL.Dialect == "" {
		if _, pooler := withoutPoolerFlag(cfg.URL.DSN); pooler || IsTransactionPooler(db.Postgres.Config().ConnConfig.Host) {
			log.Warn("migrating through a transaction pooler: set DATABASE_URL_DIRECT to the direct host, or instances starting together may race")
		}
		pooled := stdlib.OpenDBFromPool(db.Postgres)
		return pooled, func() { pooled.Close() }, nil
	}
	connCfg, err := pgx.ParseConfig(cfg.DirectURL.DSN)
	if err != nil {
		return nil, nil, fmt.Errorf("parse DATABASE_URL_DIRECT: %w", err)
	}
	if !urlParams(cfg.DirectURL.DSN).Has("connect_timeout") {
		connCfg.ConnectTimeout = cfg.ConnectTimeout
	}
	direct := stdlib.OpenDB(*connCfg)
	if err := retryUnavailable(ctx, cfg, log, "migrations", direct.PingContext); err != nil {
		direct.Close()
		return nil, nil, fmt.Errorf("connect to %s: %w", cfg.DirectURL.Redacted(), err)
	}
	return direct, func() { direct.Close() }, nil
}
