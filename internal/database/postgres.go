package database

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func openPostgres(ctx context.Context, cfg Config, log *slog.Logger) (*pgxpool.Pool, error) {
	pcfg, err := postgresPoolConfig(cfg)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, err
	}
	if err := retryUnavailable(ctx, cfg, log, "connection pool", pool.Ping); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s: %w", cfg.URL.Redacted(), err)
	}
	return pool, nil
}

// postgresPoolConfig turns the URL into a pool configuration. Settings written in the URL
// (pool_max_conns, connect_timeout, default_query_exec_mode, sslmode, …) win over defaults.
func postgresPoolConfig(cfg Config) (*pgxpool.Config, error) {
	dsn, pooler := withoutPoolerFlag(cfg.URL.DSN)
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	params := urlParams(dsn)
	if !params.Has("connect_timeout") {
		pcfg.ConnConfig.ConnectTimeout = cfg.ConnectTimeout
	}
	switch {
	case cfg.MaxConns > 0:
		pcfg.MaxConns = int32(cfg.MaxConns)
	case !params.Has("pool_max_conns"):
		// Enough for the usual crowd of concurrent requests not to queue for a connection
		// (a request holds one for a single statement).
		pcfg.MaxConns = int32(max(16, 4*runtime.NumCPU()))
	}
	if idle := cfg.CheckIdleAfter; idle > 0 {
		pcfg.ShouldPing = func(_ context.Context, p pgxpool.ShouldPingParams) bool { return p.IdleDuration > idle }
	}
	transactionPooler := pooler || IsTransactionPooler(pcfg.ConnConfig.Host)
	if !params.Has("default_query_exec_mode") && transactionPooler {
		pcfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	if _, set := pcfg.ConnConfig.RuntimeParams["random_page_cost"]; !set && !transactionPooler {
		pcfg.ConnConfig.RuntimeParams["random_page_cost"] = randomPageCost
	}
	return pcfg, nil
}

// randomPageCost is the planner's cost of reading a page out of order, relative to reading the
// next one: 1.1, as for data in memory or on SSD, where a task list lives. With PostgreSQL's
// default of 4 (spinning disks), a table not yet analyzed (a new one, for the minute or more
// before autovacuum reads it) looks to the planner as if each user had a handful of rows, and
// it reads a user's whole list through a bitmap and sorts it instead of walking the list's
// index to the page: ten to twenty times the work for a list of a few hundred tasks. A URL
// may set its own (random_page_cost=…). A transaction pooler refuses settings it does not know
// at connection; there, set it on the database (ALTER DATABASE … SET random_page_cost = 1.1).
const randomPageCost = "1.1"

// IsTransactionPooler reports whether host is a PgBouncer in transaction mode, as Neon's
// pooled endpoints (ep-…-pooler.…) are. (Elsewhere, add pgbouncer=true to the URL.) Such a pooler hands each transaction to any server
// connection, so statements prepared by name on one connection are missing on the next; the
// pool then uses the exec mode, which parses, binds and executes unnamed statements in a
// single round trip.
func IsTransactionPooler(host string) bool {
	first, _, _ := strings.Cut(host, ".")
	return strings.HasSuffix(first, "-pooler")
}

// withoutPoolerFlag removes pgbouncer=true from the URL (PostgreSQL would take it for a
// setting) and reports whether it was there: it declares a transaction pooler on a host whose
// name does not say so, as Prisma's flag of the same name does.
func withoutPoolerFlag(dsn string) (string, bool) {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn, false
	}
	q := u.Query()
	if !q.Has("pgbouncer") {
		return dsn, false
	}
	pooler := q.Get("pgbouncer") == "true"
	q.Del("pgbouncer")
	u.RawQuery = q.Encode()
	return u.String(), pooler
}

func urlParams(dsn string) url.Values {
	u, err := url.Parse(dsn)
	if err != nil {
		return url.Values{}
	}
	return u.Query()
}
