package auth

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"todo/internal/database"
	"todo/internal/pgtest"
)

// openDB opens and migrates a new database of the dialect (apptest's OpenDB, which this
// package cannot import: apptest imports the server, which imports auth).
func openDB(t *testing.T, d database.Dialect) *database.DB {
	t.Helper()
	raw := "sqlite:///" + filepath.Join(t.TempDir(), "todo.db")
	if d == database.Postgres {
		raw = pgtest.NewDatabase(t)
	}
	u, err := database.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	cfg := database.Config{URL: u, ConnectTimeout: 5 * time.Second, StartupTimeout: 10 * time.Second, QueryTimeout: 5 * time.Second}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := database.Open(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := database.Migrate(context.Background(), db, cfg, log, database.MigrateUp, io.Discard); err != nil {
		t.Fatal(err)
	}
	return db
}

func forEachDialect(t *testing.T, f func(t *testing.T, d database.Dialect)) {
	for _, d := range []database.Dialect{database.SQLite, database.Postgres} {
		t.Run(string(d), func(t *testing.T) { f(t, d) })
	}
}

// TestDatabaseRateLimiter is TestRateLimiter on the database storage, with two limiters on
// one database standing for two instances: they count in the same rows, a window runs from the
// last allowed request, refused requests are not counted, and the rows are Better Auth's.
func TestDatabaseRateLimiter(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d database.Dialect) {
		st := newStore(openDB(t, d))
		now := time.UnixMilli(1_800_000_000_000)
		clock := func() time.Time { return now }
		a, b := newRateLimiterIn(st, RateLimitDatabase), newRateLimiterIn(st, RateLimitDatabase)
		a.now, b.now = clock, clock
		ctx := context.Background()
		allow := func(l *rateLimiter, ip, path string) (bool, time.Duration) {
			t.Helper()
			ok, retry, err := l.check(ctx, ip, path)
			if err != nil {
				t.Fatal(err)
			}
			return ok, retry
		}

		for i, l := range []*rateLimiter{a, b, a} {
			if i > 0 {
				now = now.Add(time.Second)
			}
			if ok, _ := allow(l, "1.2.3.4", "/sign-in/email"); !ok {
				t.Fatalf("sign-in %d: refused, want allowed", i+1)
			}
		}
		now = now.Add(2 * time.Second)
		if ok, retry := allow(b, "1.2.3.4", "/sign-in/email"); ok || retry != 8*time.Second {
			t.Fatalf("4th sign-in, on the other instance: got %v, retry %v; want refused, retry 8s", ok, retry)
		}
		var count, last int64
		if err := st.read.QueryRow(st.rebind(`SELECT "count", "lastRequest" FROM "rateLimit" WHERE "key" = ?`), "1.2.3.4|/sign-in/email").Scan(&count, &last); err != nil {
			t.Fatal(err)
		}
		if want := now.Add(-2 * time.Second).UnixMilli(); count != 3 || last != want {
			t.Errorf("row of the bucket: count %d, lastRequest %d; want 3 and %d (the refusal not counted)", count, last, want)
		}
		if ok, _ := allow(a, "1.2.3.5", "/sign-in/email"); !ok {
			t.Error("another IP was refused")
		}
		if ok, _ := allow(a, "1.2.3.4", "/sign-up/email"); !ok {
			t.Error("another path was refused")
		}
		now = now.Add(7 * time.Second)
		if ok, _ := allow(a, "1.2.3.4", "/sign-in/email"); ok {
			t.Error("allowed 9 s after the 3rd request, want refused")
		}
		now = now.Add(time.Second)
		if ok, _ := allow(b, "1.2.3.4", "/sign-in/email"); !ok {
			t.Error("refused 10 s after the 3rd allowed request, want a new window")
		}
		for i := 2; i <= 3; i++ {
			if ok, _ := allow(a, "1.2.3.4", "/sign-in/email"); !ok {
				t.Fatalf("request %d of the new window refused", i)
			}
		}
		if ok, _ := allow(b, "1.2.3.4", "/sign-in/email"); ok {
			t.Error("4th request of the new window allowed")
		}

		// Rows past every window go, in batches, once an instance next prunes.
		for i := range pruneBatch + 10 {
			allow(a, fmt.Sprintf("10.0.%d.%d", i>>8, i&255), "/get-session")
		}
		now = now.Add(longestRateWindow + time.Second)
		total := func() int {
			var n int
			if err := st.read.QueryRow(`SELECT count(*) FROM "rateLimit"`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := total()
		allow(a, "192.0.2.1", "/get-session") // prunes a full batch
		if got := total(); got != before+1-pruneBatch {
			t.Errorf("after one prune: %d rows, want %d (one batch of %d gone, one row added)", got, before+1-pruneBatch, pruneBatch)
		}
		allow(a, "192.0.2.2", "/get-session") // the batch was full: the next request prunes again
		if got := total(); got != 2 {
			t.Errorf("after the second prune: %d rows, want 2 (the rest expired, the two new ones)", got)
		}
	})
}

// TestDatabaseRateLimiterConcurrent: requests racing for one bucket from many instances are
// allowed exactly up to the limit.
func TestDatabaseRateLimiterConcurrent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d database.Dialect) {
		db := openDB(t, d)
		var allowed, failed atomic.Int64
		var wg sync.WaitGroup
		for range 4 {
			l := newRateLimiterIn(newStore(db), RateLimitDatabase)
			for range 5 {
				wg.Go(func() {
					ok, _, err := l.check(context.Background(), "198.51.100.7", "/sign-in/email")
					switch {
					case err != nil:
						failed.Add(1)
						t.Error(err)
					case ok:
						allowed.Add(1)
					}
				})
			}
		}
		wg.Wait()
		if allowed.Load() != 3 || failed.Load() != 0 {
			t.Errorf("20 concurrent sign-ins: %d allowed, %d failed; want 3 allowed", allowed.Load(), failed.Load())
		}
	})
}
