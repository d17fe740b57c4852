// Package config reads the application's settings from the environment and an optional .env
// file, applies defaults, and rejects bad values before anything starts.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"

	"todo/internal/auth"
	"todo/internal/database"
	"todo/internal/jobs"
	"todo/internal/jwt"
	"todo/internal/mail"
	"todo/internal/push"
	"todo/internal/remind"
)

// Config is every setting of the server. Secrets live here only in memory; nothing prints them.
type Config struct {
	// Now is the clock of the remote key set's refresh timings and of the per-user rate
	// buckets; nil is time.Now. It is no setting: tests set it to step over a refetch throttle
	// or refill a bucket instead of sleeping.
	Now func() time.Time

	Production bool // APP_ENV (or NODE_ENV, as Better Auth reads it) is "production"
	Host       string
	Port       int
	DataDir    string // where the default SQLite file and the development secret live

	Database database.Config
	// Jobs tunes the background jobs (JOB_RETRY_BACKOFF).
	Jobs jobs.Config
	// Mail is where email goes (SMTP_URL, MAIL_FROM).
	Mail mail.Config
	// Reminders: the window past which a reminder is missed (REMINDER_MISSED_WINDOW) and
	// the VAPID contact of Web Push (VAPID_SUBJECT).
	Reminders remind.Config

	// AuthURL, when set, is an external Better Auth server whose JWKS the task API trusts.
	AuthURL     *url.URL
	JWTIssuer   string
	JWTAudience string
	// AcceptSharedSecret (JWT_ACCEPT_SHARED_SECRET) also accepts HS256 tokens signed with
	// BETTER_AUTH_SECRET, as the hackathon brief's front ends sign them; off by default.
	AcceptSharedSecret bool
	// JWTMaxLifetime (JWT_MAX_LIFETIME) bounds how far in the future a token's exp may be.
	JWTMaxLifetime time.Duration

	// BaseURL is the public URL of the built-in auth (BETTER_AUTH_URL). BaseURLSet tells whether
	// it was configured or derived from PORT.
	BaseURL        *url.URL
	BaseURLSet     bool
	Secret         string // BETTER_AUTH_SECRET; empty in development until GenerateSecret fills it
	TrustedOrigins []string
	CORSOrigins    []string
	RateLimit      bool
	// RateLimitStorage (RATE_LIMIT_STORAGE) is where the auth limits count: "memory" (each
	// instance apart) or "database" (every instance, in Better Auth's rateLimit table).
	RateLimitStorage string
	TrustedProxies   []netip.Prefix
	// KeyRotation, when positive, is the lifetime of each JWT signing key.
	KeyRotation time.Duration
	// Email sets the account flows that send mail (password reset, email verification, change
	// of address), each setting one of Better Auth's options.
	Email auth.EmailOptions

	// MetricsToken (METRICS_TOKEN), when set, is the bearer token /metrics asks for. In
	// production without one, /metrics is off: it tells the world the server's traffic.
	MetricsToken string

	LogLevel  slog.Level
	LogFormat string // "text" or "json"

	// QuotaTasks (QUOTA_TASKS) and QuotaSessions (QUOTA_SESSIONS) bound what one user keeps:
	// tasks, and sessions (a sign-in beyond it ends the oldest); 0 is no limit.
	QuotaTasks    int64
	QuotaSessions int
	// UserRateLimit (USER_RATE_LIMIT, requests a second) and UserRateBurst (USER_RATE_BURST)
	// are each user's token bucket on the task API, the MCP tools and the web UI; 0 is off.
	UserRateLimit int
	UserRateBurst int

	// HTTP bounds what a client may take of the server: slow or stalled clients are cut off.
	HTTP            HTTPTimeouts
	ShutdownTimeout time.Duration
	// ShutdownDrain (SHUTDOWN_DRAIN) is the first part of ShutdownTimeout, during which a
	// stopping server still serves new requests while /readyz answers 503; 0 is none.
	ShutdownDrain time.Duration
}

// HTTPTimeouts are the limits of one client connection.
type HTTPTimeouts struct {
	ReadHeader time.Duration // to send the request headers
	Read       time.Duration // to send the whole request
	Write      time.Duration // to take the whole response
	Idle       time.Duration // between requests on a kept-alive connection
}

// Addr is the listen address.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// Origin returns scheme://host[:port] of u.
func Origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// Load builds the Config from getenv, falling back to the .env file in the working directory
// for variables the environment does not set. The error names the variable and what is wrong.
func Load(getenv func(string) string) (Config, error) {
	dotenv, err := godotenv.Read(".env")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Config{}, fmt.Errorf(".env: %w", err)
	}
	env := func(key string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return dotenv[key]
	}
	r := reader{env: env}
	c := Config{}

	switch mode := strings.ToLower(r.str("APP_ENV", env("NODE_ENV"))); mode {
	case "", "development", "dev", "test":
	case "production", "prod":
		c.Production = true
	default:
		r.fail("APP_ENV", "must be development or production, got %q", mode)
	}
	c.Host = r.str("HOST", "127.0.0.1")
	c.Port = r.intIn("PORT", 8000, 0, 65535)
	c.DataDir = r.str("DATA_DIR", "data")

	c.Database = database.Config{
		MaxConns:       r.intIn("DATABASE_MAX_CONNS", 0, 0, 1000),
		ConnectTimeout: r.duration("DATABASE_CONNECT_TIMEOUT", 10*time.Second),
		StartupTimeout: r.duration("DATABASE_STARTUP_TIMEOUT", 60*time.Second),
		QueryTimeout:   r.duration("DATABASE_QUERY_TIMEOUT", 5*time.Second),
	}
	dbURL := r.str("DATABASE_URL", "sqlite:///"+filepath.Join(c.DataDir, "todo.db"))
	if c.Database.URL, err = database.ParseURL(dbURL); err != nil {
		r.fail("DATABASE_URL", "%v", err)
	}
	if direct := r.str("DATABASE_URL_DIRECT", ""); direct != "" {
		if c.Database.DirectURL, err = database.ParseURL(direct); err != nil {
			r.fail("DATABASE_URL_DIRECT", "%v", err)
		} else if c.Database.DirectURL.Dialect != c.Database.URL.Dialect {
			r.fail("DATABASE_URL_DIRECT", "must use the same database as DATABASE_URL")
		}
	}

	c.AuthURL = r.url("AUTH_URL")
	c.BaseURL = r.url("BETTER_AUTH_URL")
	c.BaseURLSet = c.BaseURL != nil
	if c.BaseURL == nil {
		c.BaseURL = &url.URL{Scheme: "http", Host: net.JoinHostPort("localhost", strconv.Itoa(c.Port))}
	}
	trustedOrigin := Origin(c.BaseURL)
	if c.AuthURL != nil {
		trustedOrigin = Origin(c.AuthURL)
	}
	c.JWTIssuer = r.str("JWT_ISSUER", trustedOrigin)
	c.JWTAudience = r.str("JWT_AUDIENCE", trustedOrigin)
	c.AcceptSharedSecret = r.boolean("JWT_ACCEPT_SHARED_SECRET", false)
	c.MetricsToken = r.str("METRICS_TOKEN", "")
	c.JWTMaxLifetime = r.duration("JWT_MAX_LIFETIME", jwt.DefaultMaxLifetime)

	c.Secret = r.str("BETTER_AUTH_SECRET", env("AUTH_SECRET"))
	switch {
	case c.Secret == "" && c.Production:
		r.fail("BETTER_AUTH_SECRET", "is required in production (at least 32 characters; e.g. `openssl rand -base64 32`)")
	case c.Secret != "" && len(c.Secret) < 32:
		r.fail("BETTER_AUTH_SECRET", "must be at least 32 characters, got %d", len(c.Secret))
	}
	if !c.BaseURLSet && c.Production {
		// The public URL decides the JWT issuer, trusted origins and secure cookies: guessing
		// it in production would be wrong in every one of them.
		r.fail("BETTER_AUTH_URL", "is required in production: the public URL of this server, such as https://todo.example.com")
	}
	c.TrustedOrigins = r.origins("BETTER_AUTH_TRUSTED_ORIGINS", nil, true)
	if !c.BaseURLSet && !c.Production {
		// The default base URL says localhost; a browser pointed at 127.0.0.1 must work too.
		c.TrustedOrigins = append(c.TrustedOrigins, "http://"+net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port)))
	}
	c.KeyRotation = r.durationOr0("JWKS_ROTATION_INTERVAL")
	var corsDefault []string
	if c.AuthURL != nil {
		corsDefault = []string{Origin(c.AuthURL)}
	}
	c.CORSOrigins = r.origins("CORS_ORIGINS", corsDefault, false)
	c.RateLimit = r.boolean("RATE_LIMIT", c.Production)
	if c.RateLimitStorage = r.str("RATE_LIMIT_STORAGE", "memory"); c.RateLimitStorage != "memory" && c.RateLimitStorage != "database" {
		r.fail("RATE_LIMIT_STORAGE", "must be memory or database, got %q", c.RateLimitStorage)
	}
	c.TrustedProxies = r.prefixes("TRUSTED_PROXIES")

	if err := c.LogLevel.UnmarshalText([]byte(r.str("LOG_LEVEL", "info"))); err != nil {
		r.fail("LOG_LEVEL", "must be debug, info, warn or error")
	}
	c.LogFormat = r.str("LOG_FORMAT", "text")
	if c.LogFormat != "text" && c.LogFormat != "json" {
		r.fail("LOG_FORMAT", "must be text or json, got %q", c.LogFormat)
	}
	c.HTTP = HTTPTimeouts{
		ReadHeader: r.duration("HTTP_READ_HEADER_TIMEOUT", 5*time.Second),
		Read:       r.duration("HTTP_READ_TIMEOUT", 30*time.Second),
		Write:      r.duration("HTTP_WRITE_TIMEOUT", 60*time.Second),
		Idle:       r.duration("HTTP_IDLE_TIMEOUT", 120*time.Second),
	}
	c.ShutdownTimeout = r.duration("SHUTDOWN_TIMEOUT", 10*time.Second)
	if c.ShutdownDrain = r.durationOr0("SHUTDOWN_DRAIN"); c.ShutdownDrain >= c.ShutdownTimeout {
		r.fail("SHUTDOWN_DRAIN", "must be shorter than SHUTDOWN_TIMEOUT (%v), got %v", c.ShutdownTimeout, c.ShutdownDrain)
	}
	c.Jobs.RetryBackoff = r.duration("JOB_RETRY_BACKOFF", jobs.DefaultRetryBackoff)
	c.Mail = mail.Config{Development: !c.Production, From: r.str("MAIL_FROM", "")}
	if s := r.str("SMTP_URL", ""); s != "" {
		if c.Mail.Server, err = mail.ParseServerURL(s); err != nil {
			r.fail("SMTP_URL", "%v", err)
		} else if c.Mail.From == "" {
			r.fail("MAIL_FROM", "is required with SMTP_URL: the sender, such as Todo <todo@example.com>")
		}
	}
	if c.Mail.From != "" {
		if _, err := netmail.ParseAddress(c.Mail.From); err != nil {
			r.fail("MAIL_FROM", "must be an email address, optionally with a name (Todo <todo@example.com>), got %q", c.Mail.From)
		}
	}
	c.Reminders = remind.Config{Production: c.Production, VAPIDSubject: r.str("VAPID_SUBJECT", ""),
		MissedWindow: r.duration("REMINDER_MISSED_WINDOW", remind.DefaultMissedWindow)}
	if s := c.Reminders.VAPIDSubject; s != "" {
		if err := push.CheckSubject(s); err != nil {
			r.fail("VAPID_SUBJECT", "%v", err)
		}
	}
	c.QuotaTasks = int64(r.intIn("QUOTA_TASKS", 10_000, 0, 1<<31-1))
	c.QuotaSessions = r.intIn("QUOTA_SESSIONS", 100, 0, 1<<31-1)
	c.UserRateLimit = r.intIn("USER_RATE_LIMIT", 1000, 0, 1<<31-1)
	c.UserRateBurst = r.intIn("USER_RATE_BURST", 2000, 0, 1<<31-1)
	c.Email = auth.EmailOptions{
		ResetPasswordTokenExpiresIn:   r.duration("RESET_PASSWORD_TOKEN_EXPIRES_IN", time.Hour),
		RevokeSessionsOnPasswordReset: r.boolean("REVOKE_SESSIONS_ON_PASSWORD_RESET", false),
		RequireEmailVerification:      r.boolean("REQUIRE_EMAIL_VERIFICATION", false),
		VerificationExpiresIn:         r.duration("EMAIL_VERIFICATION_EXPIRES_IN", time.Hour),
		SendOnSignIn:                  r.boolean("SEND_VERIFICATION_EMAIL_ON_SIGN_IN", false),
		ChangeEmail:                   r.boolean("CHANGE_EMAIL_ENABLED", false),
	}
	// As in Better Auth, sign-up sends the link by default when sign-in will need it.
	c.Email.SendOnSignUp = r.boolean("SEND_VERIFICATION_EMAIL_ON_SIGN_UP", c.Email.RequireEmailVerification)
	if c.Email.RequireEmailVerification && c.Production && c.Mail.Server == nil {
		r.fail("REQUIRE_EMAIL_VERIFICATION", "needs email: set SMTP_URL, or no address could be verified and nobody could sign in")
	}
	return c, r.err
}

// reader parses variables and keeps the first error, so that start-up reports one clear line.
type reader struct {
	env func(string) string
	err error
}

func (r *reader) fail(key, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%s %s", key, fmt.Sprintf(format, args...))
	}
}

func (r *reader) str(key, def string) string {
	if v := strings.TrimSpace(r.env(key)); v != "" {
		return v
	}
	return def
}

func (r *reader) intIn(key string, def, lo, hi int) int {
	s := r.str(key, "")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		r.fail(key, "must be an integer from %d to %d, got %q", lo, hi, s)
		return def
	}
	return n
}

func (r *reader) duration(key string, def time.Duration) time.Duration {
	s := r.str(key, "")
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		if secs, err2 := strconv.ParseFloat(s, 64); err2 == nil {
			d, err = time.Duration(secs*float64(time.Second)), nil
		}
	}
	if err != nil || d <= 0 {
		r.fail(key, "must be a positive duration such as 10s or 500ms, got %q", s)
		return def
	}
	return d
}

// durationOr0 is an optional duration: unset means 0 (off).
func (r *reader) durationOr0(key string) time.Duration {
	if r.str(key, "") == "" {
		return 0
	}
	return r.duration(key, 0)
}

func (r *reader) boolean(key string, def bool) bool {
	s := r.str(key, "")
	if s == "" {
		return def
	}
	switch strings.ToLower(s) {
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	}
	r.fail(key, "must be true or false, got %q", s)
	return def
}

func (r *reader) url(key string) *url.URL {
	s := r.str(key, "")
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.fail(key, "must be an absolute http(s) URL such as http://localhost:3000, got %q", s)
		return nil
	}
	return u
}

// origins reads a comma-separated list of origins. With patterns, entries holding * or ? are
// kept as written, for Better Auth's glob matching (https://*.example.com, http://127.0.0.1:*).
func (r *reader) origins(key string, def []string, patterns bool) []string {
	s := r.str(key, "")
	if s == "" {
		return def
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if part == "*" {
			r.fail(key, "must list origins explicitly; a wildcard would trust every site")
			return def
		}
		if strings.ContainsAny(part, "*?") {
			if !patterns {
				r.fail(key, "must list exact origins, got the pattern %q", part)
				return def
			}
			out = append(out, part)
			continue
		}
		u, err := url.Parse(part)
		if err != nil || u.Scheme == "" || u.Host == "" {
			r.fail(key, "must be a comma-separated list of origins such as https://app.example.com, got %q", part)
			return def
		}
		out = append(out, Origin(u))
	}
	return out
}

func (r *reader) prefixes(key string) []netip.Prefix {
	s := r.str(key, "")
	if s == "" {
		return nil
	}
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, err2 := netip.ParseAddr(part)
			if err2 != nil {
				r.fail(key, "must be a comma-separated list of IP addresses or CIDR ranges, got %q", part)
				return nil
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out
}
