// Package database opens the SQLite or PostgreSQL database named by DATABASE_URL, keeps its
// schema migrated, and tells passing unavailability apart from real errors.
package database

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"net"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Config says where the database is and how patient to be with it.
type Config struct {
	URL URL
	// DirectURL, when set, is used for migrations: a pooler in transaction mode (Neon's
	// -pooler host) cannot hold the session lock that keeps concurrent migrations apart.
	DirectURL URL
	// MaxConns caps the PostgreSQL pool; 0 picks a default for the machine.
	MaxConns int
	// ConnectTimeout bounds one connection attempt when the URL has no connect_timeout.
	ConnectTimeout time.Duration
	// StartupTimeout bounds the retries of the first connection (cold starts).
	StartupTimeout time.Duration
	// QueryTimeout bounds each request's time in the database, so that an unreachable
	// database answers 503 instead of hanging.
	QueryTimeout time.Duration
	// CheckIdleAfter is how long a pooled PostgreSQL connection may sit idle before the pool
	// checks it with a round trip as it hands it out; 0 keeps pgxpool's 1 s. A dead
	// connection found so is replaced quietly, one handed out unchecked meets its statement,
	// which RetryOnce replays: tests of the replay make it long.
	CheckIdleAfter time.Duration
}

// DB is an open database: exactly one of SQLite and Postgres is set, as Dialect says.
type DB struct {
	Dialect  Dialect
	SQLite   *SQLiteDB
	Postgres *pgxpool.Pool
	// TransactionPooler: Postgres is reached through a pooler in transaction mode (see
	// IsTransactionPooler), which holds no session state between transactions: no prepared
	// statements, no session locks, no LISTEN.
	TransactionPooler bool
}

// Open connects to the database, retrying while it is unreachable (cold starts) for at most
// cfg.StartupTimeout. It does not migrate; see Migrate.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*DB, error) {
	switch cfg.URL.Dialect {
	case SQLite:
		db, err := openSQLite(ctx, cfg, log)
		if err != nil {
			return nil, err
		}
		return &DB{Dialect: SQLite, SQLite: db}, nil
	default:
		pool, err := openPostgres(ctx, cfg, log)
		if err != nil {
			return nil, err
		}
		_, flagged := withoutPoolerFlag(cfg.URL.DSN)
		pooler := flagged || IsTransactionPooler(pool.Config().ConnConfig.Host)
		return &DB{Dialect: Postgres, Postgres: pool, TransactionPooler: pooler}, nil
	}
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if db.SQLite != nil {
		return db.SQLite.Read.PingContext(ctx)
	}
	return db.Postgres.Ping(ctx)
}

// Close releases every connection.
func (db *DB) Close() {
	if db.SQLite != nil {
		db.SQLite.Close()
	}
	if db.Postgres != nil {
		db.Postgres.Close()
	}
}

// ErrUnavailable marks an error as the database being out of reach for now: the request may
// succeed if tried again later, and the client is told so (503) rather than given a 500.
var ErrUnavailable = errors.New("database unavailable")

// IsUnavailable reports whether err means the database could not be reached or did not
// answer in time, as opposed to rejecting the statement.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, pgconn.ErrConnClosed) {
		return true
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code[:2] == "08": // connection exception
			return true
		case pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03": // shutting down, starting up
			return true
		case pgErr.Code == "53300": // too many connections
			return true
		}
		return false
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		code := liteErr.Code() & 0xff
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	return false
}

// retryUnavailable runs connect until it succeeds, fails for a reason other than
// unavailability, or cfg.StartupTimeout has passed, waiting 1 s, 2 s, 4 s … up to 10 s
// between attempts (the specification's cold-start policy).
func retryUnavailable(ctx context.Context, cfg Config, log *slog.Logger, what string, connect func(context.Context) error) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = time.Second
	b.MaxInterval = 10 * time.Second
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		err := connect(ctx)
		if err != nil && !IsUnavailable(err) {
			return struct{}{}, backoff.Permanent(err)
		}
		return struct{}{}, err
	}, backoff.WithBackOff(b), backoff.WithMaxElapsedTime(cfg.StartupTimeout),
		backoff.WithNotify(func(err error, wait time.Duration) {
			log.Warn("database not reachable yet; retrying", "for", what, "in", wait.Round(time.Millisecond), "err", err)
		}))
	return err
}

// SQLiteDB is a SQLite database opened twice: one connection for writes, because SQLite
// serialises writers anyway and waiting in Go is cheaper than SQLITE_BUSY retries, and a
// pool of readers that WAL lets run beside the writer.
type SQLiteDB struct {
	Write *sql.DB
	Read  *sql.DB
	// checkpoints copy the WAL into the database file (none in memory).
	checkpoints *checkpointer
}

// Close closes both handles, then copies what is left of the WAL.
func (db *SQLiteDB) Close() {
	db.Write.Close()
	if db.Read != db.Write {
		db.Read.Close()
	}
	if db.checkpoints != nil {
		db.checkpoints.close()
	}
}

// PoolStats describe a connection pool at one moment.
type PoolStats struct {
	Name         string // "postgres", "sqlite-write" or "sqlite-read"
	Max          int
	Open         int
	InUse        int
	Idle         int
	Waits        int64   // acquisitions that had to wait for a connection
	WaitDuration float64 // seconds spent waiting, in total
}

// Stats returns the state of each of db's pools.
func (db *DB) Stats() []PoolStats {
	if db.Postgres != nil {
		s := db.Postgres.Stat()
		return []PoolStats{{
			Name: "postgres", Max: int(s.MaxConns()), Open: int(s.TotalConns()), InUse: int(s.AcquiredConns()),
			Idle: int(s.IdleConns()), Waits: s.EmptyAcquireCount(), WaitDuration: s.EmptyAcquireWaitTime().Seconds(),
		}}
	}
	stats := func(name string, d *sql.DB) PoolStats {
		s := d.Stats()
		return PoolStats{Name: name, Max: s.MaxOpenConnections, Open: s.OpenConnections, InUse: s.InUse,
			Idle: s.Idle, Waits: s.WaitCount, WaitDuration: s.WaitDuration.Seconds()}
	}
	if db.SQLite.Read == db.SQLite.Write {
		return []PoolStats{stats("sqlite", db.SQLite.Write)}
	}
	return []PoolStats{stats("sqlite-write", db.SQLite.Write), stats("sqlite-read", db.SQLite.Read)}
}
