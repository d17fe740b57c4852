package auth

import (
	"context"
	"errors"
	"slices"
	"sort"
	"sync"
	"time"
)

// defaultHashTime seeds the average hash time until hashes have been measured: about what
// Better Auth's scrypt parameters take on one core of a small server.
const defaultHashTime = 100 * time.Millisecond

// hashQueue shares the hasher's slots between clients fairly. A plain semaphore serves
// whoever asked first, so one client's burst (guesses with a stolen cookie, a script signing
// up) queues everyone else behind it until their deadlines pass. Here each request gets a
// round: a client's requests take consecutive rounds, a client that was not waiting joins the
// current one, and slots go by round, then arrival. So each waiting client gets one hash per
// round, its own in FIFO order, and a client's first request waits for at most one request
// of each other client.
//
// A request that is not expected to get its slot and hash in time for its deadline is
// refused at once with a 429 that says when to come back: queued, it would only hold its
// place until it failed as a 503. One client also has a bounded number of requests waiting,
// so that it cannot take the whole queue.
type hashQueue struct {
	slots     int
	perClient int              // most requests one client may have waiting
	now       func() time.Time // the clock of the estimates and of the measured hash times

	mu      sync.Mutex
	running int
	round   uint64        // the round of the request that started last
	waiting []*hashTicket // in the order they will get slots
	clients map[string]*hashClient
	// avg is an exponentially weighted average of measured hash times: it follows what a hash
	// costs under the current load, which is what the wait of a queued request depends on.
	avg time.Duration
}

// hashClient is a client with requests queued or running.
type hashClient struct {
	key      string
	last     uint64 // the round of its latest request, queued or started
	started  uint64 // the round of its latest started request
	queued   int
	inflight int // queued or running
}

// hashTicket is one request's place in the queue.
type hashTicket struct {
	q       *hashQueue
	c       *hashClient
	round   uint64
	ready   chan struct{} // closed when the request has a slot
	granted bool
}

func newHashQueue(slots, perClient int) *hashQueue {
	return &hashQueue{slots: slots, perClient: perClient, now: time.Now, clients: map[string]*hashClient{}, avg: defaultHashTime}
}

// do runs hash in a slot for the client, after the client's turn has come.
func (q *hashQueue) do(ctx context.Context, client string, hash func()) error {
	t, err := q.enter(ctx, client)
	if err != nil {
		return err
	}
	return t.run(ctx, hash)
}

// enter gives the request its place, or refuses it (an *apperr.Error of kind RateLimited)
// when the client already has its share waiting or the request would not be done in time.
func (q *hashQueue) enter(ctx context.Context, client string) (*hashTicket, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	c := q.clients[client]
	if c == nil {
		c = &hashClient{key: client}
	}
	t := &hashTicket{q: q, c: c, round: max(q.round, c.last+1), ready: make(chan struct{})}
	if q.running < q.slots && len(q.waiting) == 0 {
		if !q.fits(ctx, 0) {
			return nil, tooManyRequests(q.avg)
		}
		q.start(t)
	} else {
		// Everyone of an earlier or the same round is served first.
		pos := sort.Search(len(q.waiting), func(i int) bool { return q.waiting[i].round > t.round })
		wait := q.wait(pos)
		if c.queued >= q.perClient || !q.fits(ctx, wait) {
			return nil, tooManyRequests(wait)
		}
		q.waiting = slices.Insert(q.waiting, pos, t)
		c.queued++
		c.last = t.round
	}
	c.inflight++
	q.clients[client] = c
	return t, nil
}

// wait is the expected wait of the request at pos in the queue: with every slot busy, one
// frees up every average hash time divided by the number of slots.
func (q *hashQueue) wait(pos int) time.Duration {
	return time.Duration(pos+1) * q.avg / time.Duration(q.slots)
}

// fits reports whether a request that waits wait can still hash before its deadline, with
// room for a hash that takes twice the average: a request that only just fits would finish
// its hash with no time left for the rest of the request, and fail it as a 503 after all.
func (q *hashQueue) fits(ctx context.Context, wait time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || !q.now().Add(wait+2*q.avg).After(deadline)
}

// start gives t a slot.
func (q *hashQueue) start(t *hashTicket) {
	t.granted = true
	close(t.ready)
	q.running++
	q.round = max(q.round, t.round)
	t.c.last = max(t.c.last, t.round)
	t.c.started = t.round
}

// run waits for t's slot, then hashes.
func (t *hashTicket) run(ctx context.Context, hash func()) error {
	q := t.q
	select {
	case <-t.ready:
	case <-ctx.Done():
	}
	q.mu.Lock()
	if !t.granted {
		q.remove(t)
		retry := q.wait(len(q.waiting))
		q.mu.Unlock()
		return refusal(ctx.Err(), retry)
	}
	// The wait may have been longer than expected: a hash that cannot end in time would only
	// keep the slot from a request that can.
	if err := ctx.Err(); err != nil || !q.fits(ctx, 0) {
		retry := q.wait(len(q.waiting))
		q.release(t)
		q.mu.Unlock()
		return refusal(err, retry)
	}
	q.mu.Unlock()
	start := q.now()
	hash()
	took := q.now().Sub(start)
	q.mu.Lock()
	q.avg += (took - q.avg) / 4
	q.release(t)
	q.mu.Unlock()
	return nil
}

// refusal is the answer to a request that cannot hash in time (err nil) or whose context
// ended while it waited: a passed deadline means the server is busier than it expected, which
// the client should retry later, not a failure of the server; a client that went away reads
// no answer.
func refusal(err error, retry time.Duration) error {
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		return tooManyRequests(retry)
	}
	return err
}

// release frees t's slot for the next request.
func (q *hashQueue) release(t *hashTicket) {
	q.running--
	q.leave(t.c)
	for q.running < q.slots && len(q.waiting) > 0 {
		next := q.waiting[0]
		q.waiting = slices.Delete(q.waiting, 0, 1)
		next.c.queued--
		q.start(next)
	}
}

// remove takes a request that gave up out of the queue. Its client's later requests keep
// their rounds, but its next new one follows its last request still queued or started, so
// that giving up does not cost the client its turns.
func (q *hashQueue) remove(t *hashTicket) {
	q.waiting = slices.DeleteFunc(q.waiting, func(w *hashTicket) bool { return w == t })
	c := t.c
	c.queued--
	c.last = c.started
	for _, w := range q.waiting {
		if w.c == c {
			c.last = max(c.last, w.round)
		}
	}
	q.leave(c)
}

// leave counts one request of c as done. A client with nothing queued or running is
// forgotten, so the queue's memory is bounded by the requests in it; coming back, such a
// client joins the current round behind those already in it, which is where one request at
// a time belongs.
func (q *hashQueue) leave(c *hashClient) {
	if c.inflight--; c.inflight == 0 {
		delete(q.clients, c.key)
	}
}
