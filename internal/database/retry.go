package database

import (
	"context"

	"github.com/jackc/pgx/v5/pgconn"
)

// RetryOnce runs f again, once, when its error is one that PostgreSQL's driver guarantees
// happened before anything was sent (a dead pooled connection, typically), so that the
// statement certainly did not run and running it on a fresh connection is safe.
func RetryOnce[T any](ctx context.Context, f func() (T, error)) (T, error) {
	v, err := f()
	if err != nil && pgconn.SafeToRetry(err) && ctx.Err() == nil {
		return f()
	}
	return v, err
}
