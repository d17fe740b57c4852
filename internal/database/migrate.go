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

// Migrate runs a migration command against db's schema: up applies every pending migration
// of the app's and then River's (the tables of internal/jobs, see river.go), down reverts the
// app's latest one, status prints each migration's state to out. Concurrent migrators
// (several instances starting together) wait for each other through one lock held over both
// the app's migrations and River's: on PostgreSQL goose's session advisory lock, taken on
// DATABASE_URL_DIRECT when it is set, on SQLite a lock file beside the database.
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
	dialect := goose.DialectSQLite3
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	provider, err := goose.NewProvider(dialect, sqlDB, fsys, goose.WithSlog(log.With("component", "migrate")))
	if err != nil {
		return err
	}

	switch command {
	case MigrateUp:
		if _, err = provider.Up(ctx); err == nil {
			err = migrateRiver(ctx, db.Dialect, sqlDB, log)
		}
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
			err = riverStatus(ctx, db.Dialect, sqlDB, out)
		}
	default:
		return fmt.Errorf("unknown migrate command %q: use up, down or status", command)
	}
	if err != nil {
		return fmt.Errorf("migrate %s: %w", command, err)
	}
	return nil
}

// migrationHandle returns the *sql.DB migrations run on, holding the migration lock, and a
// function that releases both.
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
		if db.TransactionPooler {
			log.Warn("migrating through a transaction pooler: set DATABASE_URL_DIRECT to the direct host, or instances starting together may race")
		}
		// Connections of their own, apart from the pool of requests: the lock holds one while
		// the migrations use others, which a pool of one (DATABASE_MAX_CONNS=1) could not give.
		return lockedPostgres(ctx, stdlib.OpenDB(*db.Postgres.Config().ConnConfig))
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
	return lockedPostgres(ctx, direct)
}

// lockedPostgres takes goose's session advisory lock (the one goose takes itself, so that
// migrators of any version exclude each other) on a connection of sqlDB, waiting for up to
// five minutes, and returns sqlDB with the function that unlocks and closes it.
func lockedPostgres(ctx context.Context, sqlDB *sql.DB) (*sql.DB, func(), error) {
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		sqlDB.Close()
		return nil, nil, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err == nil {
		if err = locker.SessionLock(ctx, conn); err != nil {
			conn.Close()
		}
	}
	if err != nil {
		sqlDB.Close()
		return nil, nil, fmt.Errorf("lock the database for migration: %w", err)
	}
	return sqlDB, func() {
		locker.SessionUnlock(context.WithoutCancel(ctx), conn)
		conn.Close()
		sqlDB.Close()
	}, nil
}
