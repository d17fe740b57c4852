package auth

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"todo/internal/apperr"
)

// TestTrusted matches origins and callback URLs against trusted-origin patterns as Better
// Auth's matchesOriginPattern does.
func TestTrusted(t *testing.T) {
	t.Parallel()
	s := &Service{origins: []string{
		"http://127.0.0.1:3000",
		"https://*.example.com",
		"*.example.org",
		"http://192.168.*.*:8080",
		"10.0.0.?",
	}}
	tests := []struct {
		url  string
		want bool
	}{
		{"http://127.0.0.1:3000", true},
		{"http://127.0.0.1:3000/some/page?x=1", true}, // a Referer
		{"HTTP://127.0.0.1:3000/", true},
		{"http://127.0.0.1:3001", false},
		{"https://127.0.0.1:3000", false},
		{"http://127.0.0.1:3000.evil.io", false},
		{"http://127.0.0.1:3000@evil.io", false},
		{"https://app.example.com", true},
		{"https://a.b.example.com", true}, // * crosses dots, as in Better Auth
		{"https://APP.Example.com:443/x", true},
		{"https://example.com", false},
		{"http://app.example.com", false},
		{"https://app.example.com.evil.io", false},
		{"https://app.example.org", true},
		{"http://app.example.org:8443", false}, // a host pattern also matches the port
		{"http://192.168.1.20:8080", true},
		{"http://192.168.evil.com:8080", false}, // an IP pattern admits only IPv4 addresses
		{"http://10.0.0.7", true},
		{"http://10.0.0.x", false},
		{"null", false},
		{"", false},
		{"javascript:alert(1)", false},
		{"/relative", false},
	}
	for _, tt := range tests {
		if got := s.Trusted(tt.url); got != tt.want {
			t.Errorf("Trusted(%q): got %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestCheckRedirect(t *testing.T) {
	t.Parallel()
	s := &Service{origins: []string{"http://127.0.0.1:3000"}}
	tests := []struct {
		url  string
		want bool
	}{
		{"", true},
		{"/dashboard", true},
		{"/a/b?next=%2Fc#top", true}, // encoded slashes after the path are harmless
		{"http://127.0.0.1:3000/after", true},
		{"//evil.example", false},
		{"/\\evil.example", false},
		{"/a%2F%2Fevil", false},
		{"/a%5Cevil", false},
		{"/a\tb", false},
		{"/a\u0085b", false},
		{"https://evil.example/x", false},
		{"evil.example", false},
	}
	for _, tt := range tests {
		err := s.checkRedirect(tt.url, "INVALID_CALLBACK_URL", "callbackURL")
		if got := err == nil; got != tt.want {
			t.Errorf("checkRedirect(%q): got %v, want allowed=%v", tt.url, err, tt.want)
		}
		if err != nil && err.(*apperr.Error).Code != "INVALID_CALLBACK_URL" {
			t.Errorf("checkRedirect(%q): got code %s, want INVALID_CALLBACK_URL", tt.url, err.(*apperr.Error).Code)
		}
	}
}

// TestRateLimiter follows Better Auth's memory store: a window runs from the last allowed
// request, refused requests are not counted, and the rule depends on the path.
func TestRateLimiter(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	l := newRateLimiter()
	l.now = func() time.Time { return now }
	allow := func(ip, path string) (bool, time.Duration) { return l.allow(ip, path) }

	for i := 1; i <= 3; i++ {
		if i > 1 {
			now = now.Add(time.Second)
		}
		if ok, _ := allow("1.2.3.4", "/sign-in/email"); !ok {
			t.Fatalf("sign-in %d: refused, want allowed", i)
		}
	}
	now = now.Add(2 * time.Second)
	ok, retry := allow("1.2.3.4", "/sign-in/email")
	if ok || retry != 8*time.Second {
		t.Fatalf("4th sign-in: got %v, retry %v; want refused, retry 8s (10 s after the 3rd)", ok, retry)
	}
	if ok, _ := allow("1.2.3.5", "/sign-in/email"); !ok {
		t.Error("another IP was refused")
	}
	if ok, _ := allow("1.2.3.4", "/sign-up/email"); !ok {
		t.Error("another path was refused")
	}
	now = now.Add(7 * time.Second) // 9 s after the 3rd allowed request, after a refusal at 2 s
	if ok, _ := allow("1.2.3.4", "/sign-in/email"); ok {
		t.Error("allowed 9 s after the 3rd request, want refused")
	}
	now = now.Add(time.Second) // 10 s: the refused requests did not extend the window
	if ok, _ := allow("1.2.3.4", "/sign-in/email"); !ok {
		t.Error("refused 10 s after the 3rd allowed request, want a new window")
	}

	for i := 1; i <= 100; i++ {
		if ok, _ := allow("1.2.3.4", "/get-session"); !ok {
			t.Fatalf("get-session %d: refused, want 100 per window", i)
		}
	}
	if ok, _ := allow("1.2.3.4", "/get-session"); ok {
		t.Error("101st get-session allowed")
	}
	for i := 1; i <= 3; i++ {
		allow("1.2.3.4", "/request-password-reset")
	}
	now = now.Add(30 * time.Second)
	if ok, retry := allow("1.2.3.4", "/request-password-reset"); ok || retry != 30*time.Second {
		t.Errorf("password reset after 30 s: got %v, retry %v; want refused for 30 s more (60 s window)", ok, retry)
	}
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	direct := &Service{}
	proxied := &Service{proxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}}
	tests := []struct {
		name   string
		s      *Service
		remote string
		xff    []string
		want   string
	}{
		{"peer", direct, "203.0.113.9:5000", nil, "203.0.113.9"},
		{"forged X-Forwarded-For without trusted proxies", direct, "203.0.113.9:5000", []string{"1.1.1.1"}, "203.0.113.9"},
		{"behind a trusted proxy", proxied, "127.0.0.1:5000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"the client's own X-Forwarded-For is not believed", proxied, "127.0.0.1:5000", []string{"6.6.6.6, 198.51.100.7, 10.1.2.3"}, "198.51.100.7"},
		{"several headers", proxied, "10.9.9.9:1", []string{"6.6.6.6", "198.51.100.7"}, "198.51.100.7"},
		{"untrusted peer's header ignored", proxied, "203.0.113.9:5000", []string{"198.51.100.7"}, "203.0.113.9"},
		{"garbage in the header", proxied, "127.0.0.1:5000", []string{"not-an-ip"}, "127.0.0.1"},
		// Some proxies write the client's port: it must not make the proxy the client.
		{"a hop with its port", proxied, "127.0.0.1:5000", []string{"198.51.100.7:51234"}, "198.51.100.7"},
		{"an IPv6 hop with its port", proxied, "127.0.0.1:5000", []string{"[2001:db8:1:2::9]:443"}, "2001:db8:1:2::"},
		{"an IPv6 hop in brackets", proxied, "127.0.0.1:5000", []string{"[2001:db8:1:2::9]"}, "2001:db8:1:2::"},
		{"IPv4-mapped peer", direct, "[::ffff:203.0.113.9]:5000", nil, "203.0.113.9"},
		{"IPv6 cut to /64", direct, "[2001:db8:1:2:3:4:5:6]:5000", nil, "2001:db8:1:2::"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := tt.s.ClientIP(r); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestParseForm reads form bodies as URLSearchParams does.
func TestParseForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want map[string]any
	}{
		{"email=a%40b.co&password=p+w", map[string]any{"email": "a@b.co", "password": "p w"}},
		{"a=1&a=2", map[string]any{"a": "2"}},
		{"a=%zz&b=%4", map[string]any{"a": "%zz", "b": "%4"}},
		{"a;b=1&&c", map[string]any{"a;b": "1", "c": ""}},
		{"n=%C3%A9", map[string]any{"n": "é"}},
	}
	for _, tt := range tests {
		if got := parseForm(tt.raw); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseForm(%q): got %v, want %v", tt.raw, got, tt.want)
		}
	}
}

func TestTruthy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v    any
		want bool
	}{
		{nil, false}, {false, false}, {true, true}, {"", false}, {"0", true},
		{json.Number("0"), false}, {json.Number("0.0"), false}, {json.Number("-0"), false},
		{json.Number("1e-400"), false}, {json.Number("2"), true},
		{[]any{}, true}, {map[string]any{}, true},
	}
	for _, tt := range tests {
		if got := truthy(tt.v); got != tt.want {
			t.Errorf("truthy(%#v): got %v, want %v", tt.v, got, tt.want)
		}
	}
}

// TestRateLimiterIsBounded: made-up paths share one bucket, and a flood from more clients than
// the limiter keeps shares an overflow bucket per path instead of growing the map or lifting
// the limit.
func TestRateLimiterIsBounded(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{
		"/api/auth/sign-in/email": "/sign-in/email", "/api/auth/sign-in/email//": "/sign-in/email",
		"/api/auth/get-session": "/get-session", "/api/auth/x9f3": "/*", "/api/auth/sign-in/emailx": "/*",
		"/api/auth": "/*",
	} {
		if got := rateKey(path); got != want {
			t.Errorf("rateKey(%q) = %q, want %q", path, got, want)
		}
	}

	now := time.Unix(1_800_000_000, 0)
	l := newRateLimiter()
	l.now = func() time.Time { return now }
	for i := range maxBuckets + 1000 {
		l.allow(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), "/sign-in/email")
	}
	if n := len(l.buckets); n > maxBuckets+1 {
		t.Fatalf("%d buckets, want at most %d and the overflow one", n, maxBuckets+1)
	}
	// The overflow bucket holds the limit for the clients it serves.
	if ok, _ := l.allow("192.0.2.1", "/sign-in/email"); ok {
		t.Fatal("a new client past the bound was allowed with a full overflow bucket")
	}
	// Once the windows pass, the buckets go and new clients get their own again.
	now = now.Add(longestRateWindow)
	if ok, _ := l.allow("192.0.2.1", "/sign-in/email"); !ok || len(l.buckets) != 1 {
		t.Fatalf("after the windows: allowed %v with %d buckets, want allowed with 1", ok, len(l.buckets))
	}
}

// BenchmarkRateLimiterFlood is a request from a new client while the buckets are full, as in a
// flood from very many addresses: it should cost a map lookup, not a pass over every bucket.
func BenchmarkRateLimiterFlood(b *testing.B) {
	now := time.Unix(1_800_000_000, 0)
	l := newRateLimiter()
	l.now = func() time.Time { return now }
	for i := range maxBuckets {
		l.allow(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), "/get-session")
	}
	clients := make([]string, 1024)
	for i := range clients {
		clients[i] = fmt.Sprintf("192.0.%d.%d", i>>8, i&255)
	}
	i := 0
	for b.Loop() {
		l.allow(clients[i%len(clients)], "/get-session")
		i++
	}
}
