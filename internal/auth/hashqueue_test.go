package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"todo/internal/apperr"
)

// fakeHashes stand in for scrypt: each runs until the test lets it finish, so that the order
// in which requests get a slot is the queue's doing alone, whatever the machine's speed.
type fakeHashes struct {
	started chan string
	finish  chan struct{}
}

func newFakeHashes() *fakeHashes {
	return &fakeHashes{started: make(chan string, 1000), finish: make(chan struct{})}
}

// enqueue takes a place for client in the test's goroutine, so that places are taken in the
// order of the calls, and waits for the slot and hashes in another. The channel gets run's
// result.
func (f *fakeHashes) enqueue(t *testing.T, ctx context.Context, q *hashQueue, client, name string) <-chan error {
	t.Helper()
	tk, err := q.enter(ctx, client)
	if err != nil {
		t.Fatalf("%s: enter: %v", name, err)
	}
	done := make(chan error, 1)
	go func() { done <- tk.run(ctx, func() { f.started <- name; <-f.finish }) }()
	return done
}

// serve lets the running hash finish n times and returns the names of the hashes that started
// in its place, in order.
func (f *fakeHashes) serve(n int) []string {
	var order []string
	for range n {
		f.finish <- struct{}{}
		order = append(order, <-f.started)
	}
	return order
}

// finishAll lets the running hash finish and waits for the result of every request, failing
// the test on an error.
func (f *fakeHashes) finishAll(t *testing.T, results []<-chan error) {
	t.Helper()
	f.finish <- struct{}{}
	for _, r := range results {
		if err := <-r; err != nil {
			t.Fatal(err)
		}
	}
}

func wantRateLimited(t *testing.T, what string, err error, retry time.Duration) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != apperr.RateLimited {
		t.Fatalf("%s: got %v, want a 429", what, err)
	}
	if retry != 0 && e.RetryAfter != retry {
		t.Errorf("%s: Retry-After %v, want %v", what, e.RetryAfter, retry)
	}
}

func (q *hashQueue) idle() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.running == 0 && len(q.waiting) == 0 && len(q.clients) == 0
}

// TestHashQueueFairOrder: one slot; each waiting client gets one hash per round, its own in
// the order it asked, and a client that was not waiting goes before another's second.
func TestHashQueueFairOrder(t *testing.T) {
	for _, tt := range []struct {
		name    string
		clients string // one letter per request, in the order they are queued
		want    string // the order in which they get the slot
	}{
		{"50 of A, then B", "A" + repeat("A", 49) + "B", "A" + "B" + repeat("A", 49)},
		{"three clients", "AAAAABBBC", "ABCABABAA"},
		{"one client", "AAAA", "AAAA"},
		{"alternating", "ABABAB", "ABABAB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := newHashQueue(1, 100)
			f := newFakeHashes()
			ctx := context.Background()
			var results []<-chan error
			count := map[byte]int{}
			for i := range len(tt.clients) {
				c := tt.clients[i]
				count[c]++
				results = append(results, f.enqueue(t, ctx, q, string(c), fmt.Sprintf("%c%d", c, count[c])))
				if i == 0 {
					<-f.started // the first one runs at once; the others wait behind it
				}
			}
			order := append([]string{fmt.Sprintf("%c1", tt.clients[0])}, f.serve(len(tt.clients)-1)...)
			f.finishAll(t, results)
			// Each client's own requests in the order it made them: the letters say the rest.
			var want []string
			count = map[byte]int{}
			for i := range len(tt.want) {
				c := tt.want[i]
				count[c]++
				want = append(want, fmt.Sprintf("%c%d", c, count[c]))
			}
			if !slices.Equal(order, want) {
				t.Errorf("served %v\nwant   %v", order, want)
			}
			if !q.idle() {
				t.Error("the queue keeps state after every request is done")
			}
		})
	}
}

func repeat(s string, n int) string {
	var b []byte
	for range n {
		b = append(b, s...)
	}
	return string(b)
}

// TestHashQueueRefusesPastDeadline: a request is refused with a 429 when its expected wait
// (its place, times the average hash time, over the slots) and twice the average hash time
// would end after its deadline; the average is what the measured hashes made it. The clock is
// the queue's own and stands still, so nothing depends on the machine's speed.
func TestHashQueueRefusesPastDeadline(t *testing.T) {
	t0 := time.Now()
	clock := t0
	q := newHashQueue(1, 100)
	q.now = func() time.Time { return clock }
	q.avg = 10 * time.Minute
	ctx, cancel := context.WithDeadline(context.Background(), t0.Add(100*time.Minute))
	defer cancel()

	if _, err := q.enter(ctx, "running"); err != nil {
		t.Fatal(err)
	}
	// The k-th waiting client expects k·10 min of wait and 20 min of hash: 8 fit in 100 min.
	for k := 1; k <= 8; k++ {
		if _, err := q.enter(ctx, fmt.Sprint("client ", k)); err != nil {
			t.Fatalf("client %d: %v", k, err)
		}
	}
	_, err := q.enter(ctx, "client 9")
	wantRateLimited(t, "client 9", err, 90*time.Minute)
	// Without a deadline, nothing is too late.
	if _, err := q.enter(context.Background(), "patient"); err != nil {
		t.Fatal(err)
	}
	// Faster hashes: place 10 expects 10·5 min of wait and 10 min of hash.
	q.avg = 5 * time.Minute
	if _, err := q.enter(ctx, "client 9"); err != nil {
		t.Fatalf("client 9 with 5-minute hashes: %v", err)
	}
	// Even with a free slot, a request whose deadline is nearer than two hashes is refused.
	idle := newHashQueue(1, 100)
	idle.now = func() time.Time { return clock }
	idle.avg = 60 * time.Minute
	_, err = idle.enter(ctx, "late")
	wantRateLimited(t, "late, with a free slot", err, 0)
	if !idle.idle() {
		t.Error("a refused request left state behind")
	}
}

// TestHashQueueAverage: the average follows the measured hash times, a quarter of the way
// towards each.
func TestHashQueueAverage(t *testing.T) {
	clock := time.Now()
	q := newHashQueue(1, 2)
	q.now = func() time.Time { return clock }
	q.avg = 10 * time.Minute
	for _, want := range []time.Duration{15 * time.Minute, 18*time.Minute + 45*time.Second} {
		tk, err := q.enter(context.Background(), "a")
		if err != nil {
			t.Fatal(err)
		}
		if err := tk.run(context.Background(), func() { clock = clock.Add(30 * time.Minute) }); err != nil {
			t.Fatal(err)
		}
		if q.avg != want {
			t.Errorf("average: got %v, want %v", q.avg, want)
		}
	}
	if newHashQueue(1, 2).avg != defaultHashTime {
		t.Error("the average does not start at the default")
	}
}

// TestHashQueueClientCap: one client has at most perClient requests waiting; more are
// refused at once, and others are not.
func TestHashQueueClientCap(t *testing.T) {
	q := newHashQueue(1, 2)
	f := newFakeHashes()
	ctx := context.Background()
	results := []<-chan error{f.enqueue(t, ctx, q, "a", "a1")}
	<-f.started
	results = append(results, f.enqueue(t, ctx, q, "a", "a2"), f.enqueue(t, ctx, q, "a", "a3"))
	_, err := q.enter(ctx, "a")
	wantRateLimited(t, "a4", err, 0)
	results = append(results, f.enqueue(t, ctx, q, "b", "b1"))
	if got := f.serve(1); got[0] != "b1" {
		t.Fatalf("after a1: got %s, want b1", got[0])
	}
	// a2 and a3 still wait: still no room for a.
	_, err = q.enter(ctx, "a")
	wantRateLimited(t, "a4 while a2 and a3 wait", err, 0)
	if got := f.serve(1); got[0] != "a2" {
		t.Fatalf("after b1: got %s, want a2", got[0])
	}
	results = append(results, f.enqueue(t, ctx, q, "a", "a4"))
	if got := f.serve(2); !slices.Equal(got, []string{"a3", "a4"}) {
		t.Fatalf("got %v, want a3 a4", got)
	}
	f.finishAll(t, results)
	if !q.idle() {
		t.Error("the queue keeps state after every request is done")
	}
}

// endingCtx is a context whose deadline the test makes pass, without a clock.
type endingCtx struct {
	context.Context
	done chan struct{}
}

func (c *endingCtx) Done() <-chan struct{} { return c.done }

func (c *endingCtx) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// TestHashQueueGivingUp: a request whose client goes away, or whose deadline passes while it
// waits, leaves the queue (the latter with a 429, not a 503), and the next in line gets the
// slot.
func TestHashQueueGivingUp(t *testing.T) {
	q := newHashQueue(1, 10)
	f := newFakeHashes()
	bg := context.Background()
	first := f.enqueue(t, bg, q, "a", "a1")
	<-f.started
	canceled, cancel := context.WithCancel(bg)
	gone := f.enqueue(t, canceled, q, "a", "a2")
	late := &endingCtx{Context: bg, done: make(chan struct{})}
	timedOut := f.enqueue(t, late, q, "b", "b1")
	next := f.enqueue(t, bg, q, "c", "c1")

	cancel()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Errorf("a2, canceled: got %v, want context.Canceled", err)
	}
	close(late.done)
	wantRateLimited(t, "b1, past its deadline", <-timedOut, 0)
	// a gave up its place in the second round, and its next request takes that round, not
	// the third.
	results := []<-chan error{first, next}
	for i := 1; i <= 3; i++ {
		results = append(results, f.enqueue(t, bg, q, "d", fmt.Sprint("d", i)))
	}
	results = append(results, f.enqueue(t, bg, q, "a", "a3"))
	if got, want := f.serve(5), []string{"c1", "d1", "d2", "a3", "d3"}; !slices.Equal(got, want) {
		t.Fatalf("after a1: got %v, want %v", got, want)
	}
	f.finishAll(t, results)
	if !q.idle() {
		t.Error("the queue keeps state after every request is done")
	}
}

// TestHashRateRule: every endpoint that checks a password has the strict limit.
func TestHashRateRule(t *testing.T) {
	for _, path := range []string{signInPath, signUpPath, "/change-password", "/change-email", "/delete-user"} {
		if window, limit := rateRule(path); window != 10*time.Second || limit != 3 {
			t.Errorf("%s: %d per %v, want 3 per 10s", path, limit, window)
		}
	}
	if _, limit := rateRule("/get-session"); limit != 100 {
		t.Errorf("/get-session: %d per 10 s, want 100", limit)
	}
}
