package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/auth"
	"todo/internal/config"
	"todo/internal/database"
	"todo/internal/server"
)

const tooManyRequests = `{"message":"Too many requests. Please try again later."}`

// TestRateLimit: in production (or with RATE_LIMIT=true) sign-in allows 3 requests per 10 s
// per client and path; the client is the peer, or what a trusted proxy says it is.
func TestRateLimit(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		bad := map[string]any{"email": "x", "password": "y"}
		invalid := func(t *testing.T, r *response) { t.Helper(); r.wantError(t, 400, "INVALID_EMAIL", "Invalid email") }

		t.Run("Production", func(t *testing.T) {
			t.Parallel()
			e := start(t, dialect, map[string]string{"APP_ENV": "production"})
			c := e.client()
			for i := 1; i <= 3; i++ {
				// A forged X-Forwarded-For changes nothing: no proxy is trusted.
				invalid(t, c.post(t, "/api/auth/sign-in/email", bad, "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i)))
			}
			r := c.post(t, "/api/auth/sign-in/email", bad, "X-Forwarded-For", "198.51.100.99")
			r.want(t, http.StatusTooManyRequests, tooManyRequests)
			if n, err := strconv.Atoi(r.header.Get("X-Retry-After")); err != nil || n < 1 || n > 10 {
				t.Errorf("X-Retry-After: got %q, want 1 to 10 seconds", r.header.Get("X-Retry-After"))
			}
			// The limit comes before routing and ignores a trailing slash.
			c.post(t, "/api/auth/sign-in/email/", bad).want(t, http.StatusTooManyRequests, tooManyRequests)
			// Another path has its own count, and other endpoints allow 100.
			c.post(t, "/api/auth/sign-up/email", `{}`).want(t, 400, "")
			for i := 0; i < 20; i++ {
				c.get(t, "/api/auth/get-session").want(t, http.StatusOK, "null")
			}
		})

		t.Run("MadeUpPaths", func(t *testing.T) {
			t.Parallel()
			// Unknown paths share one bucket of 100 per 10 s, however many there are, and the
			// log keeps a bounded prefix of each.
			e := start(t, dialect, map[string]string{"APP_ENV": "production"})
			c := e.client()
			long := strings.Repeat("p", 8000)
			for i := range 100 {
				c.get(t, fmt.Sprintf("/api/auth/%d-%s", i, long)).want(t, http.StatusNotFound, "")
			}
			c.get(t, "/api/auth/one-more").want(t, http.StatusTooManyRequests, tooManyRequests)
			c.get(t, "/api/auth/get-session").want(t, http.StatusOK, "null")
			if strings.Contains(e.srv.Logs.String(), long) {
				t.Error("the log holds a whole 8 KB path")
			}
		})

		t.Run("TrustedProxy", func(t *testing.T) {
			t.Parallel()
			e := start(t, dialect, map[string]string{"RATE_LIMIT": "true", "TRUSTED_PROXIES": "127.0.0.1/32"})
			c := e.client()
			for i := 0; i < 3; i++ {
				invalid(t, c.post(t, "/api/auth/sign-in/email", bad, "X-Forwarded-For", "203.0.113.1"))
			}
			c.post(t, "/api/auth/sign-in/email", bad, "X-Forwarded-For", "203.0.113.1").want(t, http.StatusTooManyRequests, tooManyRequests)
			invalid(t, c.post(t, "/api/auth/sign-in/email", bad, "X-Forwarded-For", "203.0.113.2"))
			invalid(t, c.post(t, "/api/auth/sign-in/email", bad)) // the proxy itself
			a := c.signUpVia(t, uniqueEmail(t, "proxied"), "X-Forwarded-For", "6.6.6.6, 203.0.113.50")
			var ip string
			e.db.QueryRow(e.q(`SELECT "ipAddress" FROM "session" WHERE "token" = ?`), a.Token).Scan(&ip)
			if ip != "203.0.113.50" {
				t.Errorf("session ipAddress: got %q, want the client the proxy named, 203.0.113.50", ip)
			}
		})
	})
}

func (c *client) signUpVia(t *testing.T, email string, headers ...string) authJSON {
	t.Helper()
	r := c.post(t, "/api/auth/sign-up/email", map[string]any{"name": "Test User", "email": email, "password": password}, headers...)
	r.want(t, http.StatusOK, "")
	var a authJSON
	r.decode(t, &a)
	return a
}

// TestSecureCookies: on an https base URL the cookies take the __Secure- prefix and the Secure
// attribute, as Better Auth's (captures/extra/https-cookies-origin-errors.txt).
func TestSecureCookies(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		const base = "https://auth.example.test"
		e := start(t, dialect, map[string]string{"BETTER_AUTH_URL": base})
		c := e.client()
		c.origin = base
		email := uniqueEmail(t, "secure")
		a := c.signUp(t, email)
		// The server sees plain http on loopback: the base URL alone decides.
		if got := c.cookie("__Secure-better-auth.session_token"); got != sessionCookie(apptest.Secret, a.Token) {
			t.Fatalf("cookies %v: want __Secure-better-auth.session_token", c.jar)
		}
		r := c.post(t, "/api/auth/sign-in/email", map[string]any{"email": email, "password": password, "rememberMe": false})
		var in authJSON
		r.decode(t, &in)
		wantCookies(t, r,
			"__Secure-better-auth.session_token="+sessionCookie(apptest.Secret, in.Token)+"; Path=/; HttpOnly; Secure; SameSite=Lax",
			"__Secure-better-auth.dont_remember=true.IFP84LtKOifY5xMFrUGAyA4jVoMNkde82qrvMeydaM0%3D; Path=/; HttpOnly; Secure; SameSite=Lax")
		r = c.post(t, "/api/auth/sign-in/email", map[string]any{"email": email, "password": password})
		r.decode(t, &in)
		wantCookies(t, r,
			"__Secure-better-auth.session_token="+sessionCookie(apptest.Secret, in.Token)+"; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Lax",
			"__Secure-better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax")
		if s := c.session(t); s == nil || s.Session.Token != in.Token {
			t.Fatalf("get-session with the __Secure- cookie: got %+v", s)
		}
		plain := e.client()
		plain.setCookie("better-auth.session_token", sessionCookie(apptest.Secret, in.Token))
		if s := plain.session(t); s != nil {
			t.Error("the unprefixed cookie name was accepted on an https base URL")
		}
		var tok struct{ Token string }
		c.get(t, "/api/auth/token").decode(t, &tok)
		if claims := e.verifyJWT(t, tok.Token); claims["iss"] != base || claims["aud"] != base {
			t.Errorf("iss, aud: got %v, %v; want %s", claims["iss"], claims["aud"], base)
		}
		c.post(t, "/api/auth/sign-out", nil, "Origin", e.srv.URL).wantError(t, 403, "INVALID_ORIGIN", "Invalid origin")
		r = c.post(t, "/api/auth/sign-out", nil)
		r.want(t, http.StatusOK, `{"success":true}`)
		wantCookies(t, r, expiredCookies("__Secure-", "; Secure")...)
	})
}

// TestTrustedOrigins: BETTER_AUTH_TRUSTED_ORIGINS adds origins, wildcard patterns included,
// for Origin checks and callback URLs.
func TestTrustedOrigins(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		e := start(t, dialect, map[string]string{"BETTER_AUTH_TRUSTED_ORIGINS": "https://*.example.com, http://localhost:5173"})
		email := uniqueEmail(t, "wild")
		c := e.client()
		c.signUp(t, email)
		for origin, want := range map[string]int{
			e.srv.URL:                         200,
			"https://app.example.com":         200,
			"https://a.b.example.com":         200,
			"http://localhost:5173":           200,
			"https://example.com":             403,
			"http://app.example.com":          403,
			"https://app.example.com.evil.io": 403,
			"http://localhost:5174":           403,
		} {
			if r := c.post(t, "/api/auth/update-user", map[string]any{"name": "W"}, "Origin", origin); r.status != want {
				t.Errorf("Origin %s: got %d %s, want %d", origin, r.status, r.body, want)
			}
		}
		r := e.client().post(t, "/api/auth/sign-in/email", map[string]any{"email": email, "password": password, "callbackURL": "https://app.example.com/welcome"})
		if r.status != 200 || r.header.Get("Location") != "https://app.example.com/welcome" {
			t.Errorf("callbackURL on a wildcard origin: got %d %s", r.status, r.body)
		}
		e.client().post(t, "/api/auth/sign-in/email", map[string]any{"email": email, "password": password, "callbackURL": "https://example.com.evil.io/"}).
			wantError(t, 403, "INVALID_CALLBACK_URL", "Invalid callbackURL")
	})
}

// TestDevelopmentOrigins: in development without BETTER_AUTH_URL, the base URL is
// http://localhost:PORT and http://127.0.0.1:PORT is trusted too.
func TestDevelopmentOrigins(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		e := start(t, dialect, map[string]string{"BETTER_AUTH_URL": ""})
		port := strconv.Itoa(e.srv.Config.Port)
		c := e.client()
		c.origin = "http://localhost:" + port
		c.signUp(t, uniqueEmail(t, "dev"))
		for origin, want := range map[string]int{
			"http://localhost:" + port:                              200,
			"http://127.0.0.1:" + port:                              200,
			"http://127.0.0.1:" + strconv.Itoa(e.srv.Config.Port+1): 403,
			"https://localhost:" + port:                             403,
			"http://[::1]:" + port:                                  403,
		} {
			if r := c.post(t, "/api/auth/update-user", map[string]any{"name": "D"}, "Origin", origin); r.status != want {
				t.Errorf("Origin %s: got %d %s, want %d", origin, r.status, r.body, want)
			}
		}
		var tok struct{ Token string }
		c.get(t, "/api/auth/token").decode(t, &tok)
		if claims := e.verifyJWT(t, tok.Token); claims["iss"] != "http://localhost:"+port {
			t.Errorf("iss: got %v, want http://localhost:%s", claims["iss"], port)
		}
	})
}

// TestKeyRotation: with JWKS_ROTATION_INTERVAL each key expires after that interval and a new
// one signs; an expired key stays published for the 30-day grace period, then drops out.
func TestKeyRotation(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		e := start(t, dialect, map[string]string{"JWKS_ROTATION_INTERVAL": "2s"})
		c := e.client()
		c.signUp(t, uniqueEmail(t, "rotate"))
		kidOf := func(token string) string {
			h, _, _, _ := jwtParts(t, token)
			var k struct{ Kid string }
			json.Unmarshal(h, &k)
			return k.Kid
		}
		token := func() string {
			var tok struct{ Token string }
			r := c.get(t, "/api/auth/token")
			r.want(t, http.StatusOK, "")
			r.decode(t, &tok)
			return tok.Token
		}
		first := token()
		kid1 := kidOf(first)
		var created, expires any
		e.db.QueryRow(e.q(`SELECT "createdAt", "expiresAt" FROM "jwks" WHERE "id" = ?`), kid1).Scan(&created, &expires)
		if expires == nil || timeOf(t, expires).Sub(timeOf(t, created)) != 2*time.Second {
			t.Fatalf("key %s: createdAt %v, expiresAt %v; want expiresAt 2 s after createdAt", kid1, created, expires)
		}
		time.Sleep(time.Until(timeOf(t, expires)) + 100*time.Millisecond)
		second := token()
		kid2 := kidOf(second)
		if kid2 == kid1 {
			t.Fatal("the expired key still signs")
		}
		published := func() []string {
			_, set := e.jwks(t)
			var kids []string
			for _, k := range set {
				kids = append(kids, k.Kid)
			}
			return kids
		}
		if got := strings.Join(published(), ","); got != kid1+","+kid2 {
			t.Errorf("JWKS after rotation: got %s, want %s,%s", got, kid1, kid2)
		}
		for _, tok := range []string{first, second} {
			e.client().get(t, "/api/v1/tasks", "Authorization", "Bearer "+tok).want(t, http.StatusOK, "")
		}
		e.exec(t, `UPDATE "jwks" SET "expiresAt" = ? WHERE "id" = ?`, e.ts(time.Now().Add(-29*24*time.Hour)), kid1)
		if got := strings.Join(published(), ","); got != kid1+","+kid2 {
			t.Errorf("JWKS with a key expired 29 days ago: got %s, want both keys", got)
		}
		e.exec(t, `UPDATE "jwks" SET "expiresAt" = ? WHERE "id" = ?`, e.ts(time.Now().Add(-31*24*time.Hour)), kid1)
		if got := strings.Join(published(), ","); got != kid2 {
			t.Errorf("JWKS with a key expired 31 days ago: got %s, want only %s", got, kid2)
		}
	})
}

// TestDevelopmentSecret: without BETTER_AUTH_SECRET, development keeps a generated secret in
// DATA_DIR, so that sessions and signing keys survive a restart.
func TestDevelopmentSecret(t *testing.T) {
	dir := t.TempDir()
	secret, created, err := config.DevelopmentSecret(dir)
	if err != nil || !created || len(secret) < 32 {
		t.Fatalf("first use: got %q, created %v, %v; want a new secret of at least 32 characters", secret, created, err)
	}
	info, err := os.Stat(filepath.Join(dir, "better-auth-secret"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("secret file: %v, mode %v; want 0600", err, info.Mode())
	}

	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "better-auth-secret"), []byte("short\n"), 0o600)
	if _, _, err := config.DevelopmentSecret(bad); err == nil {
		t.Error("a short secret file was accepted")
	}

	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		vars := map[string]string{"DATABASE_URL": apptest.DatabaseURL(t, dialect), "DATA_DIR": dir, "BETTER_AUTH_SECRET": secret}
		first := start(t, dialect, vars)
		c := first.client()
		a := c.signUp(t, uniqueEmail(t, "restart"))
		c.get(t, "/api/auth/token").want(t, http.StatusOK, "")
		first.srv.Stop(t)

		again, isNew, err := config.DevelopmentSecret(dir)
		if err != nil || isNew || again != secret {
			t.Fatalf("after a restart: got %q, new %v, %v; want the kept secret", again, isNew, err)
		}
		vars["BETTER_AUTH_SECRET"] = again
		second := start(t, dialect, vars)
		c2 := second.client()
		c2.setCookie("better-auth.session_token", c.cookie("better-auth.session_token"))
		if s := c2.session(t); s == nil || s.Session.Token != a.Token {
			t.Fatalf("the session did not survive the restart: %+v", s)
		}
		c2.get(t, "/api/auth/token").want(t, http.StatusOK, "") // the stored key still decrypts

		// Another secret cannot open the stored signing key, so the server starts only with
		// AUTH_URL, where it needs no key of its own (TestForeignSigningKeys covers the refusal
		// to start without it).
		vars["BETTER_AUTH_SECRET"] = "a-different-secret-of-more-than-32-characters"
		vars["AUTH_URL"] = "http://127.0.0.1:9"
		third := start(t, dialect, vars)
		c3 := third.client()
		c3.setCookie("better-auth.session_token", c.cookie("better-auth.session_token"))
		if s := c3.session(t); s != nil {
			t.Error("a cookie signed with another secret was accepted")
		}
	})
}

// TestSecretRules: BETTER_AUTH_SECRET is required in production and must have at least 32
// characters; the error is one clear line.
func TestSecretRules(t *testing.T) {
	t.Parallel()
	secret32 := strings.Repeat("s", 32)
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		secret  string
	}{
		{"production without a secret", map[string]string{"APP_ENV": "production"},
			"BETTER_AUTH_SECRET is required in production (at least 32 characters; e.g. `openssl rand -base64 32`)", ""},
		{"NODE_ENV=production without a secret", map[string]string{"NODE_ENV": "production"},
			"BETTER_AUTH_SECRET is required in production (at least 32 characters; e.g. `openssl rand -base64 32`)", ""},
		{"production, 31 characters", map[string]string{"APP_ENV": "production", "BETTER_AUTH_SECRET": secret32[1:]},
			"BETTER_AUTH_SECRET must be at least 32 characters, got 31", ""},
		{"development, 31 characters", map[string]string{"BETTER_AUTH_SECRET": secret32[1:]},
			"BETTER_AUTH_SECRET must be at least 32 characters, got 31", ""},
		{"production, 32 characters", map[string]string{"APP_ENV": "production", "BETTER_AUTH_URL": "https://todo.example.com", "BETTER_AUTH_SECRET": secret32}, "", secret32},
		{"AUTH_SECRET, as Better Auth reads it", map[string]string{"APP_ENV": "production", "BETTER_AUTH_URL": "https://todo.example.com", "AUTH_SECRET": secret32}, "", secret32},
		{"development without a secret: generated later", map[string]string{}, "", ""},
	}
	for _, tt := range tests {
		cfg, err := config.Load(func(k string) string { return tt.env[k] })
		switch {
		case tt.wantErr != "":
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s: got error %v, want %q", tt.name, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case cfg.Secret != tt.secret:
			t.Errorf("%s: got secret %q, want %q", tt.name, cfg.Secret, tt.secret)
		}
	}
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.New(context.Background(), cfg, apptest.Logger(t), "test"); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("server without a secret: got %v, want a one-line refusal", err)
	}
}

// TestProfileLimits: a NUL character or an oversized name or image is Better Auth's 400
// before anything is stored or hashed, on both databases (PostgreSQL text holds no NUL), and a
// NUL in a session token to revoke matches nothing instead of failing.
func TestProfileLimits(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		e := start(t, dialect, nil)
		big := strings.Repeat("n", 1_000_000)
		for _, c := range []struct {
			name, field string
			body        map[string]any
		}{
			{"NUL in name", "name", map[string]any{"name": "a\x00b"}},
			{"NUL in image", "image", map[string]any{"name": "N", "image": "https://x.example/\x00"}},
			{"million-character name", "name", map[string]any{"name": big}},
			{"long image", "image", map[string]any{"name": "N", "image": "https://x.example/" + strings.Repeat("i", auth.MaxImageLength)}},
		} {
			email := uniqueEmail(t, strings.ReplaceAll(c.name, " ", "-"))
			c.body["email"], c.body["password"] = email, password
			r := e.client().post(t, "/api/auth/sign-up/email", c.body)
			if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"code":"VALIDATION_ERROR"`) || !strings.Contains(string(r.body), "[body."+c.field+"]") {
				t.Errorf("sign-up, %s: got %d %.200s, want 400 VALIDATION_ERROR on %s", c.name, r.status, r.body, c.field)
			}
			if n := e.count(t, e.q(`SELECT count(*) FROM "user" WHERE "email" = ?`), email); n != 0 {
				t.Errorf("sign-up, %s: stored %d users", c.name, n)
			}
		}
		c := e.client()
		c.signUp(t, uniqueEmail(t, "profile"))
		for name, body := range map[string]map[string]any{
			"NUL in name": {"name": "x\x00"}, "NUL in image": {"image": "\x00"}, "long name": {"name": strings.Repeat("n", auth.MaxNameLength+1)},
		} {
			if r := c.post(t, "/api/auth/update-user", body); r.status != http.StatusBadRequest {
				t.Errorf("update-user, %s: got %d %.200s, want 400", name, r.status, r.body)
			}
		}
		c.post(t, "/api/auth/update-user", map[string]any{"name": strings.Repeat("n", auth.MaxNameLength)}).want(t, http.StatusOK, "")
		c.post(t, "/api/auth/revoke-session", map[string]any{"token": "x\x00y"}).want(t, http.StatusOK, `{"status":true}`)
	})
}
