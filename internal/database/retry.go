package database

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"
)

// replays counts the replays of RetryOnce, for the metrics: how often a statement met a
// connection that had died while pooled.
var replays atomic.Int64

// Replays returns how many statements RetryOnce has replayed in this process.
func Replays() int64 { return replays.Load() }

// RetryOnce runs f again, once, on a fresh connection when its statement certainly did not
// run: the driver failed before sending anything (pgconn.SafeToRetry), or the server had
// already ended the session, as when a pooled connection was terminated while idle (Neon
// suspending its compute, a restart, pg_terminate_backend) and the termination notice is what
// answers the statement. A terminated session commits nothing, so the statement is replayed
// once, never more.
func RetryOnce[T any](ctx context.Context, f func() (T, error)) (T, error) {
	v, err := f()
	if err != nil && (pgconn.SafeToRetry(err) || sessionTerminated(err)) && ctx.Err() == nil {
		replays.Add(1)
		return f()
	}
	return v, err
}

// sessionTerminated reports an admin_shutdown, crash_shutdown or cannot_connect_now FATAL.
func sessionTerminated(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	return pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
}
