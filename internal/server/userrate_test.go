package server_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestUserRateLimit: one token bucket per user across the task API (v1 and the brief's
// routes), the MCP endpoint and the web UI; over it, 429 with Retry-After, in each door's
// shape; a bad token is refused before it can take anyone's tokens.
func TestUserRateLimit(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	s := apptest.Start(t, database.SQLite, map[string]string{"USER_RATE_LIMIT": "1", "USER_RATE_BURST": "2"},
		apptest.WithClock(clock.now))
	alice := s.SignUp(t, "alice@example.com")
	bob := s.SignUp(t, "bob@example.com")

	for i := range 2 {
		if r := s.Do(t, "GET", "/api/v1/tasks", alice.Token, nil); r.Status != http.StatusOK {
			t.Fatalf("request %d of a burst of 2: %d %s", i+1, r.Status, r.Body)
		}
	}
	const detail = `{"detail":"Too many requests: at most 1 a second per user (bursts of 2); wait for the time in Retry-After and try again"}`
	for _, path := range []string{"/api/v1/tasks", "/api/" + alice.ID + "/tasks"} {
		r := s.Do(t, "GET", path, alice.Token, nil)
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" || string(r.Body) != detail {
			t.Errorf("GET %s over the limit: got %d Retry-After %q %s; want 429, 1, %s", path, r.Status, r.Header.Get("Retry-After"), r.Body, detail)
		}
	}
	r := s.Do(t, "POST", "/mcp", alice.Token, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "Accept", "application/json, text/event-stream")
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" || !strings.Contains(string(r.Body), "at most 1 a second") {
		t.Errorf("MCP over the limit: got %d Retry-After %q %s; want 429", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	req, _ := http.NewRequest("GET", s.URL+"/", nil)
	if r := apptest.Send(t, alice.Client, req); r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" {
		t.Errorf("web UI over the limit: got %d Retry-After %q; want 429, 1", r.Status, r.Header.Get("Retry-After"))
	}
	if r := s.Do(t, "GET", "/api/v1/tasks", bob.Token, nil); r.Status != http.StatusOK {
		t.Errorf("another user: got %d %s, want 200 (a bucket each)", r.Status, r.Body)
	}
	if r := s.Do(t, "GET", "/api/v1/tasks", alice.Token+"x", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("a bad token over the limit: got %d, want 401 before the limit", r.Status)
	}

	clock.advance(time.Second)
	req, _ = http.NewRequest("GET", s.URL+"/", nil)
	if r := apptest.Send(t, alice.Client, req); r.Status != http.StatusOK {
		t.Errorf("web UI a second later: got %d, want 200", r.Status)
	}
	if r := s.Do(t, "GET", "/api/v1/tasks", alice.Token, nil); r.Status != http.StatusTooManyRequests {
		t.Errorf("the second's one token taken twice: got %d, want 429", r.Status)
	}
}

// TestUserRateLimitDefaults: the defaults leave the benchmark's load alone (about 500
// requests a second per user): a burst of that many requests in no time passes.
func TestUserRateLimitDefaults(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	s := apptest.Start(t, database.SQLite, nil, apptest.WithClock(clock.now))
	if s.Config.UserRateLimit != 1000 || s.Config.UserRateBurst != 2000 {
		t.Fatalf("defaults: %d/s burst %d, want 1000/s burst 2000", s.Config.UserRateLimit, s.Config.UserRateBurst)
	}
	u := s.SignUp(t, "heavy@example.com")
	for i := range 500 {
		if r := s.Do(t, "GET", "/api/v1/tasks?limit=0", u.Token, nil); r.Status != http.StatusOK {
			t.Fatalf("request %d of 500 in no time: %d %s", i+1, r.Status, r.Body)
		}
	}
}
