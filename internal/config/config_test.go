package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"todo/internal/config"
	"todo/internal/database"
)

func load(t *testing.T, env map[string]string) (config.Config, error) {
	t.Helper()
	t.Chdir(t.TempDir()) // no stray .env
	return config.Load(func(k string) string { return env[k] })
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr() != "127.0.0.1:8000" || c.Production || c.RateLimit {
		t.Errorf("addr %s, production %v, rate limit %v", c.Addr(), c.Production, c.RateLimit)
	}
	if c.Database.URL != (database.URL{Dialect: database.SQLite, Path: filepath.Join("data", "todo.db")}) {
		t.Errorf("default database %+v", c.Database.URL)
	}
	if c.Database.ConnectTimeout != 10*time.Second || c.ShutdownTimeout != 10*time.Second {
		t.Errorf("timeouts %v %v", c.Database.ConnectTimeout, c.ShutdownTimeout)
	}
	if got := config.Origin(c.BaseURL); got != "http://localhost:8000" {
		t.Errorf("base URL origin %s", got)
	}
	if c.JWTIssuer != "http://localhost:8000" || c.JWTAudience != "http://localhost:8000" {
		t.Errorf("issuer %q audience %q", c.JWTIssuer, c.JWTAudience)
	}
	if len(c.TrustedOrigins) != 1 || c.TrustedOrigins[0] != "http://127.0.0.1:8000" {
		t.Errorf("development trusts %v, want 127.0.0.1 beside localhost", c.TrustedOrigins)
	}
	if len(c.CORSOrigins) != 0 {
		t.Errorf("CORS allows %v with no AUTH_URL", c.CORSOrigins)
	}
}

func TestAuthURLSetsIssuerAudienceAndCORS(t *testing.T) {
	c, err := load(t, map[string]string{"AUTH_URL": "https://app.example.com/some/path"})
	if err != nil {
		t.Fatal(err)
	}
	if c.JWTIssuer != "https://app.example.com" || c.JWTAudience != "https://app.example.com" {
		t.Errorf("issuer %q audience %q, want the origin of AUTH_URL", c.JWTIssuer, c.JWTAudience)
	}
	if len(c.CORSOrigins) != 1 || c.CORSOrigins[0] != "https://app.example.com" {
		t.Errorf("CORS %v", c.CORSOrigins)
	}
	c, err = load(t, map[string]string{"AUTH_URL": "https://app.example.com", "JWT_ISSUER": "iss", "JWT_AUDIENCE": "aud", "CORS_ORIGINS": "https://a.example, https://b.example/x"})
	if err != nil {
		t.Fatal(err)
	}
	if c.JWTIssuer != "iss" || c.JWTAudience != "aud" || strings.Join(c.CORSOrigins, " ") != "https://a.example https://b.example" {
		t.Errorf("overrides: %q %q %v", c.JWTIssuer, c.JWTAudience, c.CORSOrigins)
	}
}

// TestBadValues: each bad value stops start-up with one line that names the variable.
func TestBadValues(t *testing.T) {
	tests := []struct {
		variable string
		env      map[string]string
	}{
		{"PORT", map[string]string{"PORT": "eighty"}},
		{"APP_ENV", map[string]string{"APP_ENV": "staging"}},
		{"DATABASE_URL", map[string]string{"DATABASE_URL": "mysql://localhost/todo"}},
		{"DATABASE_URL_DIRECT", map[string]string{"DATABASE_URL": "postgresql://h/db", "DATABASE_URL_DIRECT": "sqlite:///x.db"}},
		{"DATABASE_MAX_CONNS", map[string]string{"DATABASE_MAX_CONNS": "-3"}},
		{"DATABASE_CONNECT_TIMEOUT", map[string]string{"DATABASE_CONNECT_TIMEOUT": "soon"}},
		{"AUTH_URL", map[string]string{"AUTH_URL": "localhost:3000"}},
		{"BETTER_AUTH_URL", map[string]string{"BETTER_AUTH_URL": "ftp://example.com"}},
		{"BETTER_AUTH_SECRET", map[string]string{"BETTER_AUTH_SECRET": "too-short"}},
		{"CORS_ORIGINS", map[string]string{"CORS_ORIGINS": "*"}},
		{"CORS_ORIGINS", map[string]string{"CORS_ORIGINS": "https://*.example.com"}},
		{"BETTER_AUTH_TRUSTED_ORIGINS", map[string]string{"BETTER_AUTH_TRUSTED_ORIGINS": "not a url"}},
		{"TRUSTED_PROXIES", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, nonsense"}},
		{"RATE_LIMIT", map[string]string{"RATE_LIMIT": "sometimes"}},
		{"RATE_LIMIT_STORAGE", map[string]string{"RATE_LIMIT_STORAGE": "redis"}},
		{"SHUTDOWN_DRAIN", map[string]string{"SHUTDOWN_DRAIN": "10s"}},
		{"LOG_LEVEL", map[string]string{"LOG_LEVEL": "loud"}},
		{"LOG_FORMAT", map[string]string{"LOG_FORMAT": "xml"}},
		{"JWKS_ROTATION_INTERVAL", map[string]string{"JWKS_ROTATION_INTERVAL": "-1h"}},
		{"SMTP_URL", map[string]string{"SMTP_URL": "http://mail.example.com", "MAIL_FROM": "a@example.com"}},
		{"SMTP_URL", map[string]string{"SMTP_URL": "smtp://u:p@mail.example.com?tls=none", "MAIL_FROM": "a@example.com"}},
		{"MAIL_FROM", map[string]string{"SMTP_URL": "smtp://mail.example.com"}},
		{"MAIL_FROM", map[string]string{"MAIL_FROM": "Todo"}},
		{"JOB_RETRY_BACKOFF", map[string]string{"JOB_RETRY_BACKOFF": "0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.variable, func(t *testing.T) {
			_, err := load(t, tt.env)
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.variable+" ") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q must be one line starting with %s", msg, tt.variable)
			}
		})
	}
}

func TestTrustedOriginPatterns(t *testing.T) {
	c, err := load(t, map[string]string{"BETTER_AUTH_TRUSTED_ORIGINS": "https://*.example.com, http://127.0.0.1:*, https://app-?.example.com, https://exact.example.com/path"})
	if err != nil {
		t.Fatal(err)
	}
	want := "https://*.example.com http://127.0.0.1:* https://app-?.example.com https://exact.example.com http://127.0.0.1:8000"
	if got := strings.Join(c.TrustedOrigins, " "); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestSecretsAreNotEchoed(t *testing.T) {
	_, err := load(t, map[string]string{"BETTER_AUTH_SECRET": "hunter2-hunter2"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v must not show the secret", err)
	}
}

func TestMail(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Mail.Server != nil || !c.Mail.Development || c.Jobs.RetryBackoff != time.Second {
		t.Errorf("development without SMTP_URL: server %v, log sender %v, retry backoff %v", c.Mail.Server, c.Mail.Development, c.Jobs.RetryBackoff)
	}
	c, err = load(t, map[string]string{"APP_ENV": "production", "BETTER_AUTH_SECRET": strings.Repeat("s", 32),
		"BETTER_AUTH_URL": "https://todo.example.com", "SMTP_URL": "smtps://todo%40example.com:pa%3Ass@mail.example.com",
		"MAIL_FROM": "Todo <todo@example.com>", "JOB_RETRY_BACKOFF": "250ms"})
	if err != nil {
		t.Fatal(err)
	}
	if srv := c.Mail.Server; c.Mail.Development || srv == nil || srv.Username != "todo@example.com" || srv.Password != "pa:ss" || srv.Addr() != "mail.example.com:465" {
		t.Errorf("production with SMTP_URL: log sender %v, server %+v", c.Mail.Development, srv)
	}
	if c.Mail.From != "Todo <todo@example.com>" || c.Jobs.RetryBackoff != 250*time.Millisecond {
		t.Errorf("from %q, retry backoff %v", c.Mail.From, c.Jobs.RetryBackoff)
	}
	_, err = load(t, map[string]string{"SMTP_URL": "smtp://user:hunter2@mail.example.com:99999", "MAIL_FROM": "a@example.com"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v must not show the SMTP password", err)
	}
}

func TestProductionNeedsASecretAndItsURL(t *testing.T) {
	_, err := load(t, map[string]string{"APP_ENV": "production"})
	if err == nil || !strings.HasPrefix(err.Error(), "BETTER_AUTH_SECRET") {
		t.Fatalf("got %v", err)
	}
	_, err = load(t, map[string]string{"APP_ENV": "production", "BETTER_AUTH_SECRET": strings.Repeat("s", 32)})
	if err == nil || !strings.HasPrefix(err.Error(), "BETTER_AUTH_URL") {
		t.Fatalf("production without its public URL: got %v", err)
	}
	c, err := load(t, map[string]string{"NODE_ENV": "production", "BETTER_AUTH_SECRET": strings.Repeat("s", 32), "BETTER_AUTH_URL": "https://todo.example.com"})
	if err != nil || !c.Production || !c.RateLimit {
		t.Fatalf("NODE_ENV=production: %+v, %v; want production with rate limits", c, err)
	}
	if len(c.TrustedOrigins) != 0 {
		t.Errorf("production trusts %v beyond its base URL", c.TrustedOrigins)
	}
}

func TestDotEnv(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile(".env", []byte("PORT=9090\nDATABASE_URL=sqlite:///from-dotenv.db\n"), 0o600)
	c, err := config.Load(func(k string) string {
		if k == "PORT" {
			return "7070" // the environment wins over .env
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 7070 || c.Database.URL.Path != "from-dotenv.db" {
		t.Errorf("port %d, database %q", c.Port, c.Database.URL.Path)
	}
}

func TestDevelopmentSecretIsKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, created, err := config.DevelopmentSecret(dir)
	if err != nil || !created || len(first) < 32 {
		t.Fatalf("first: %q %v %v", first, created, err)
	}
	again, created, err := config.DevelopmentSecret(dir)
	if err != nil || created || again != first {
		t.Fatalf("second: %q %v %v; want the same secret", again, created, err)
	}
	info, err := os.Stat(filepath.Join(dir, "better-auth-secret"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode %v, %v; want 0600", info.Mode().Perm(), err)
	}
}

// TestDevelopmentSecretConcurrentFirstUse: instances starting together in development agree
// on one secret, and exactly one of them made it.
func TestDevelopmentSecretConcurrentFirstUse(t *testing.T) {
	for round := 0; round < 20; round++ {
		dir := t.TempDir()
		secrets := make([]string, 8)
		created := make([]bool, 8)
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for i := range secrets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				secrets[i], created[i], errs[i] = config.DevelopmentSecret(dir)
			}()
		}
		wg.Wait()
		made := 0
		for i := range secrets {
			if errs[i] != nil || secrets[i] != secrets[0] {
				t.Fatalf("round %d: instance %d got %q, %v; want %q", round, i, secrets[i], errs[i], secrets[0])
			}
			if created[i] {
				made++
			}
		}
		if made != 1 {
			t.Fatalf("round %d: %d instances say they created the secret, want 1", round, made)
		}
	}
}
