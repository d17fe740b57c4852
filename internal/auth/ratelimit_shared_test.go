package auth_test

import (
	"net/http"
	"strconv"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestRateLimitShared: with RATE_LIMIT_STORAGE=database, two servers on one database count
// sign-ins in the same bucket, a row of Better Auth's "rateLimit" table under Better Auth's
// key, so the 4th sign-in is refused whichever server it reaches.
func TestRateLimitShared(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		vars := map[string]string{"APP_ENV": "production", "RATE_LIMIT_STORAGE": "database", "DATABASE_URL": apptest.DatabaseURL(t, dialect)}
		a, b := start(t, dialect, vars), start(t, dialect, vars)
		bad := map[string]any{"email": "x", "password": "y"}
		for i, e := range []*env{a, b, a} {
			if r := e.client().post(t, "/api/auth/sign-in/email", bad); r.status != http.StatusBadRequest {
				t.Fatalf("sign-in %d: got %d %s, want 400", i+1, r.status, r.body)
			}
		}
		r := b.client().post(t, "/api/auth/sign-in/email", bad)
		r.want(t, http.StatusTooManyRequests, tooManyRequests)
		if n, err := strconv.Atoi(r.header.Get("X-Retry-After")); err != nil || n < 1 || n > 10 {
			t.Errorf("X-Retry-After: got %q, want 1 to 10 seconds", r.header.Get("X-Retry-After"))
		}
		if n := a.count(t, `SELECT "count" FROM "rateLimit" WHERE "key" = ?`, "127.0.0.1|/sign-in/email"); n != 3 {
			t.Errorf(`rateLimit row "127.0.0.1|/sign-in/email": count %d, want 3`, n)
		}
		// Other endpoints have their own buckets, in the same table.
		a.client().get(t, "/api/auth/get-session").want(t, http.StatusOK, "null")
		if n := b.count(t, `SELECT count(*) FROM "rateLimit" WHERE "key" = ?`, "127.0.0.1|/get-session"); n != 1 {
			t.Errorf("get-session bucket rows: %d, want 1", n)
		}
	})
}
