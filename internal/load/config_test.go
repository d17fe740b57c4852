package load

import (
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*Config)
		wantErr string // "" = valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"localhost", func(c *Config) { c.BaseURL = "http://localhost:8000/" }, ""},
		{"IPv6 loopback", func(c *Config) { c.BaseURL = "http://[::1]:8000" }, ""},
		{"remote refused", func(c *Config) { c.BaseURL = "https://todo.example.com" }, "-allow-remote"},
		{"remote allowed", func(c *Config) { c.BaseURL = "https://todo.example.com"; c.AllowRemote = true }, ""},
		{"LAN address refused", func(c *Config) { c.BaseURL = "http://192.168.1.10:8000" }, "-allow-remote"},
		{"path refused", func(c *Config) { c.BaseURL = "http://127.0.0.1:8000/api" }, "base URL"},
		{"no scheme", func(c *Config) { c.BaseURL = "127.0.0.1:8000" }, "base URL"},
		{"no users", func(c *Config) { c.Concurrency = 0 }, "-c"},
		{"too many users", func(c *Config) { c.Concurrency = MaxConcurrency + 1 }, "-c"},
		{"unbounded duration", func(c *Config) { c.Duration = 0 }, "-d"},
		{"too long", func(c *Config) { c.Duration = MaxDuration + time.Second }, "-d"},
		{"longest", func(c *Config) { c.Duration = MaxDuration }, ""},
		{"negative warm-up", func(c *Config) { c.Warmup = -time.Second }, "-warmup"},
		{"negative cap", func(c *Config) { c.MaxRequests = -1 }, "-n"},
		{"huge seed", func(c *Config) { c.Seed = MaxSeed + 1 }, "-seed"},
		{"no timeout", func(c *Config) { c.Timeout = 0 }, "-timeout"},
		{"API v2", func(c *Config) { c.API = APIv2 }, ""},
		{"unknown API", func(c *Config) { c.API = "v3" }, "-api"},
		{"unknown auth", func(c *Config) { c.Auth = "basic" }, "-auth"},
		{"jwks", func(c *Config) { c.Auth = AuthJWKS }, ""},
		{"jwks on the network refused", func(c *Config) { c.Auth = AuthJWKS; c.JWKSAddr = "0.0.0.0:3000" }, "-jwks-addr"},
		{"jwks address without port", func(c *Config) { c.Auth = AuthJWKS; c.JWKSAddr = "127.0.0.1" }, "-jwks-addr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.change(&cfg)
			err := cfg.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want valid", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, want an error about %s", err, tt.wantErr)
			}
		})
	}
}

func TestFlagsFillTheConfig(t *testing.T) {
	cfg, asJSON, err := parseFlags([]string{"-url", "http://localhost:9000", "-api", "v2", "-c", "4", "-d", "3s",
		"-warmup", "1s", "-n", "500", "-seed", "7", "-auth", "jwks", "-jwks-addr", "127.0.0.1:0",
		"-issuer", "http://auth.test", "-json"}, new(strings.Builder))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.API = APIv2
	want.BaseURL, want.Concurrency, want.Duration, want.Warmup = "http://localhost:9000", 4, 3*time.Second, time.Second
	want.MaxRequests, want.Seed, want.Auth, want.JWKSAddr, want.Issuer = 500, 7, AuthJWKS, "127.0.0.1:0", "http://auth.test"
	if cfg != want || !asJSON {
		t.Errorf("got %+v json=%v,\nwant %+v json=true", cfg, asJSON, want)
	}
	if _, _, err := parseFlags([]string{"extra"}, new(strings.Builder)); err == nil {
		t.Error("a stray argument was accepted")
	}
}
