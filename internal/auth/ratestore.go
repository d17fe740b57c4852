package auth

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"
)

// Rate-limit storages (RATE_LIMIT_STORAGE), named as Better Auth's rateLimit.storage names them.
const (
	RateLimitMemory   = "memory"
	RateLimitDatabase = "database"
)

// rateStore keeps the limiter's buckets in Better Auth's "rateLimit" table, as Better Auth
// does with rateLimit.storage "database": one row per bucket, its key "<ip>|<path>", the
// number of requests allowed in its window and the time of the last one in milliseconds. Every
// instance (and a Better Auth sharing the database) counts in the same rows, so a limit holds
// however a load balancer spreads the requests.
//
// Each request is one atomic check-and-count: on PostgreSQL one INSERT … ON CONFLICT … DO
// UPDATE … WHERE, whose row lock orders concurrent requests for a bucket; on SQLite the same
// statement in an IMMEDIATE transaction, which holds the database's write lock throughout.
type rateStore struct {
	store *store

	mu        sync.Mutex
	lastPrune time.Time
}

// pruneBatch bounds the rows one prune deletes, so that no request pays for a backlog at once.
const pruneBatch = 500

// The upsert: a new bucket starts at 1; a bucket whose window has passed starts again at 1;
// one under its limit counts one more. A bucket at its limit inside its window is left as it
// is (refused requests do not count) and the statement returns no row. Parameters: id, key,
// now (ms), window (ms), limit.
const (
	rateUpsertPostgres = `INSERT INTO "rateLimit" ("id", "key", "count", "lastRequest") VALUES ($1, $2, 1, $3)
ON CONFLICT ("key") DO UPDATE SET
	"count" = CASE WHEN $3 - "rateLimit"."lastRequest" >= $4 THEN 1 ELSE "rateLimit"."count" + 1 END,
	"lastRequest" = $3
WHERE $3 - "rateLimit"."lastRequest" >= $4 OR "rateLimit"."count" < $5
RETURNING "count"`
	rateUpsertSQLite = `INSERT INTO "rateLimit" ("id", "key", "count", "lastRequest") VALUES (?1, ?2, 1, ?3)
ON CONFLICT ("key") DO UPDATE SET
	"count" = CASE WHEN ?3 - "rateLimit"."lastRequest" >= ?4 THEN 1 ELSE "rateLimit"."count" + 1 END,
	"lastRequest" = ?3
WHERE ?3 - "rateLimit"."lastRequest" >= ?4 OR "rateLimit"."count" < ?5
RETURNING "count"`
)

// allow counts a request in the bucket key under the rule (window, limit) at now. When
// refused, retryAfter says when the window of the last allowed request ends.
func (r *rateStore) allow(ctx context.Context, key string, window time.Duration, limit int, now time.Time) (ok bool, retryAfter time.Duration, err error) {
	nowMS, windowMS := now.UnixMilli(), window.Milliseconds()
	var last int64
	if r.store.postgres {
		ok, err = r.upsert(ctx, r.store.write, rateUpsertPostgres, key, nowMS, windowMS, limit)
		if err == nil && !ok {
			last, err = r.lastRequest(ctx, r.store.write, `SELECT "lastRequest" FROM "rateLimit" WHERE "key" = $1`, key)
		}
	} else {
		ok, last, err = r.allowSQLite(ctx, key, nowMS, windowMS, limit)
	}
	if err != nil {
		return false, 0, err
	}
	if ok {
		r.maybePrune(ctx, now)
		return true, 0, nil
	}
	return false, max(time.Duration(last+windowMS-nowMS)*time.Millisecond, 0), nil
}

// allowSQLite is allow's upsert, and on refusal the read of the bucket, in one IMMEDIATE
// transaction (the write pool begins every transaction so).
func (r *rateStore) allowSQLite(ctx context.Context, key string, nowMS, windowMS int64, limit int) (ok bool, last int64, err error) {
	tx, err := r.store.write.BeginTx(ctx, nil)
	if err != nil {
		return false, 0, err
	}
	defer tx.Rollback()
	if ok, err = r.upsert(ctx, tx, rateUpsertSQLite, key, nowMS, windowMS, limit); err != nil {
		return false, 0, err
	}
	if !ok {
		if last, err = r.lastRequest(ctx, tx, `SELECT "lastRequest" FROM "rateLimit" WHERE "key" = ?`, key); err != nil {
			return false, 0, err
		}
	}
	return ok, last, tx.Commit()
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (r *rateStore) upsert(ctx context.Context, db querier, query, key string, nowMS, windowMS int64, limit int) (bool, error) {
	var count int64
	err := db.QueryRowContext(ctx, query, newID(), key, nowMS, windowMS, int64(limit)).Scan(&count)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (r *rateStore) lastRequest(ctx context.Context, db querier, query, key string) (int64, error) {
	var last int64
	err := db.QueryRowContext(ctx, query, key).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		// Pruned meanwhile, which only happens once the window is long past.
		return 0, nil
	}
	return last, err
}

// maybePrune deletes a batch of rows whose every window has passed, at most once per shortest
// window per instance, and again at the next request while batches come back full, so that
// the table follows the traffic without any request deleting more than a batch. A failed
// prune is no failure of the request: the rows wait for the next one.
func (r *rateStore) maybePrune(ctx context.Context, now time.Time) {
	r.mu.Lock()
	if now.Sub(r.lastPrune) < shortestRateWindow {
		r.mu.Unlock()
		return
	}
	r.lastPrune = now
	r.mu.Unlock()
	cutoff := now.Add(-longestRateWindow).UnixMilli()
	// The outer condition again: a row that a request renewed since the inner select chose it
	// is no longer expired, and PostgreSQL checks the renewed row against it before deleting.
	query := `DELETE FROM "rateLimit" WHERE "lastRequest" < ? AND "id" IN (SELECT "id" FROM "rateLimit" WHERE "lastRequest" < ? LIMIT ?)`
	res, err := r.store.write.ExecContext(ctx, r.store.rebind(query), cutoff, cutoff, pruneBatch)
	if err != nil {
		return
	}
	if n, _ := res.RowsAffected(); n >= pruneBatch {
		r.mu.Lock()
		r.lastPrune = time.Time{}
		r.mu.Unlock()
	}
}

// shortestRateWindow is the shortest window of the rules: how often an instance prunes.
const shortestRateWindow = 10 * time.Second
