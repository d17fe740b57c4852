package load

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// The bounds of a run: a load tool must not be able to run away, whatever its flags say.
const (
	MaxDuration    = 10 * time.Minute
	MaxConcurrency = 1000
	MaxSeed        = 10000
	MaxRequests    = 100_000_000
)

// Auth modes: how virtual users get their tokens.
const (
	// AuthSignup signs each virtual user up through the server's built-in auth and takes JWTs
	// from its /api/auth/token.
	AuthSignup = "signup"
	// AuthJWKS mints Better Auth-shaped JWTs with a key whose JWKS the tool serves itself, for
	// servers started with AUTH_URL pointing at the tool.
	AuthJWKS = "jwks"
)

// Config is one run.
type Config struct {
	BaseURL     string        // the server, e.g. http://127.0.0.1:8000
	AllowRemote bool          // permit a target that is not loopback
	API         string        // APIv1 or APIv2: the workload
	Concurrency int           // virtual users
	Duration    time.Duration // measured time
	Warmup      time.Duration // unmeasured load before it
	MaxRequests int64         // stop the measured phase after this many requests (0: no cap)
	Seed        int           // tasks each user creates before the warm-up
	Timeout     time.Duration // bound on one request

	// CPU reports the CPU time the server (the process listening on BaseURL's port) and, with
	// DBPort, the PostgreSQL cluster listening there, spent per request; the same machine only.
	CPU    bool
	DBPort int

	Auth     string // AuthSignup or AuthJWKS
	JWKSAddr string // AuthJWKS: where the tool serves its JWKS
	Issuer   string // AuthJWKS: iss of minted tokens; default the JWKS origin
	Audience string // AuthJWKS: aud of minted tokens; default the issuer
}

// DefaultConfig is the workload against a local server.
func DefaultConfig() Config {
	return Config{
		BaseURL:     "http://127.0.0.1:8000",
		API:         APIv1,
		Concurrency: 16,
		Duration:    20 * time.Second,
		Seed:        10,
		Timeout:     10 * time.Second,
		Auth:        AuthSignup,
		JWKSAddr:    "127.0.0.1:3000",
	}
}

// Validate rejects a config that would run unbounded, target another machine by accident, or
// cannot work.
func (c Config) Validate() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return fmt.Errorf("-url must be a base URL such as http://127.0.0.1:8000, got %q", c.BaseURL)
	}
	if !c.AllowRemote && !isLoopback(u.Hostname()) {
		return fmt.Errorf("-url %s is not on this machine; pass -allow-remote to load another host", c.BaseURL)
	}
	switch {
	case c.Concurrency < 1 || c.Concurrency > MaxConcurrency:
		return fmt.Errorf("-c must be from 1 to %d, got %d", MaxConcurrency, c.Concurrency)
	case c.Duration <= 0 || c.Duration > MaxDuration:
		return fmt.Errorf("-d must be positive and at most %s, got %s", MaxDuration, c.Duration)
	case c.Warmup < 0 || c.Warmup > MaxDuration:
		return fmt.Errorf("-warmup must be from 0 to %s, got %s", MaxDuration, c.Warmup)
	case c.MaxRequests < 0 || c.MaxRequests > MaxRequests:
		return fmt.Errorf("-n must be from 0 (no cap) to %d, got %d", MaxRequests, c.MaxRequests)
	case c.Seed < 0 || c.Seed > MaxSeed:
		return fmt.Errorf("-seed must be from 0 to %d, got %d", MaxSeed, c.Seed)
	case c.Timeout <= 0 || c.Timeout > time.Minute:
		return fmt.Errorf("-timeout must be positive and at most 1m, got %s", c.Timeout)
	}
	if c.API != APIv1 && c.API != APIv2 {
		return fmt.Errorf("-api must be %s or %s, got %q", APIv1, APIv2, c.API)
	}
	if c.DBPort != 0 && !c.CPU {
		return fmt.Errorf("-cpu-db-port needs -cpu")
	}
	if c.DBPort < 0 || c.DBPort > 65535 {
		return fmt.Errorf("-cpu-db-port must be a TCP port, got %d", c.DBPort)
	}
	if c.CPU && !isLoopback(u.Hostname()) {
		return fmt.Errorf("-cpu reads the server's CPU time on this machine; -url %s is not on it", c.BaseURL)
	}
	switch c.Auth {
	case AuthSignup:
	case AuthJWKS:
		host, _, err := net.SplitHostPort(c.JWKSAddr)
		if err != nil {
			return fmt.Errorf("-jwks-addr must be host:port, got %q", c.JWKSAddr)
		}
		// The key set is served without TLS: keep it off the network unless asked.
		if !c.AllowRemote && !isLoopback(host) {
			return fmt.Errorf("-jwks-addr %s is not loopback; pass -allow-remote to serve the key set on the network", c.JWKSAddr)
		}
	default:
		return fmt.Errorf("-auth must be %s or %s, got %q", AuthSignup, AuthJWKS, c.Auth)
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
