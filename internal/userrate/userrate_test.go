package userrate_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"todo/internal/userrate"
)

// clock is a fake clock that tests move by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestLimiter(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := userrate.New(10, 20, c.now)

	for i := range 20 {
		if err := l.Allow("alice"); err != nil {
			t.Fatalf("request %d of a burst of 20: %v", i+1, err)
		}
	}
	err := l.Allow("alice")
	if err == nil {
		t.Fatal("request 21 with no time passed: allowed, want refused")
	}
	h := http.Header{}
	err.SetHeaders(h)
	if err.Status() != http.StatusTooManyRequests || h.Get("Retry-After") != "1" || err.RetryAfter != 100*time.Millisecond {
		t.Errorf("refusal: status %d, Retry-After %q, RetryAfter %v; want 429, 1, 100ms", err.Status(), h.Get("Retry-After"), err.RetryAfter)
	}
	if err := l.Allow("bob"); err != nil {
		t.Errorf("another user: %v, want allowed (a bucket each)", err)
	}

	c.advance(100 * time.Millisecond) // one token back
	if err := l.Allow("alice"); err != nil {
		t.Errorf("after 100 ms at 10/s: %v, want allowed", err)
	}
	if err := l.Allow("alice"); err == nil {
		t.Error("the token of 100 ms taken twice")
	}

	c.advance(time.Hour) // the bucket fills up to the burst, no further
	for i := range 20 {
		if err := l.Allow("alice"); err != nil {
			t.Fatalf("after an hour, request %d: %v", i+1, err)
		}
	}
	if err := l.Allow("alice"); err == nil {
		t.Error("after an hour: more than the burst allowed")
	}
}

func TestDisabled(t *testing.T) {
	for _, rb := range [][2]int{{0, 10}, {10, 0}, {0, 0}} {
		l := userrate.New(rb[0], rb[1], nil)
		for range 100 {
			if err := l.Allow("alice"); err != nil {
				t.Fatalf("rate %d burst %d: %v, want no limit", rb[0], rb[1], err)
			}
		}
	}
}

// TestForgetsIdleUsers: the buckets of users who stopped calling go, and forgetting them
// changes no answer (a bucket that is full again is the same as a new one).
func TestForgetsIdleUsers(t *testing.T) {
	c := &clock{t: time.Unix(0, 0)}
	l := userrate.New(1, 1, c.now)
	for i := range 100_000 {
		if err := l.Allow("user-" + strconv.Itoa(i)); err != nil {
			t.Fatalf("first request of user %d: %v", i, err)
		}
		c.advance(time.Millisecond)
	}
	if got := userrate.Buckets(l); got > 64*2*1024+64 {
		t.Errorf("buckets kept for 100,000 users who call once a second each: %d, want the recent ones only", got)
	}
	if err := l.Allow("user-99999"); err == nil {
		t.Error("the newest user's empty bucket was forgotten")
	}
}

// TestAllowDoesNotAllocate: the check of a known user costs no allocation.
func TestAllowDoesNotAllocate(t *testing.T) {
	l := userrate.New(1_000_000_000, 1_000_000_000, nil)
	l.Allow("alice")
	if n := testing.AllocsPerRun(1000, func() { l.Allow("alice") }); n != 0 {
		t.Errorf("allocations per Allow: %v, want 0", n)
	}
}

func BenchmarkAllow(b *testing.B) {
	l := userrate.New(1_000_000_000, 1_000_000_000, nil)
	users := make([]string, 16)
	for i := range users {
		users[i] = "user-" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if err := l.Allow(users[i%len(users)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
