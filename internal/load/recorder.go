package load

import (
	"sync"
	"sync/atomic"
	"time"
)

// recorder collects the outcome of every request of one phase of the run, from all virtual
// users at once.
type recorder struct {
	latency [numOps]*histogram // of the successful requests
	errors  [numOps]atomic.Int64

	mu    sync.Mutex
	kinds map[string]int64 // "operation: what went wrong" → count
}

func newRecorder() *recorder {
	r := &recorder{kinds: make(map[string]int64)}
	for o := range r.latency {
		r.latency[o] = newHistogram()
	}
	return r
}

func (r *recorder) success(o op, d time.Duration) { r.latency[o].record(d) }

func (r *recorder) failure(o op, kind string) {
	r.errors[o].Add(1)
	r.mu.Lock()
	r.kinds[o.String()+": "+kind]++
	r.mu.Unlock()
}

func (r *recorder) totals() (successes, failures int64) {
	for o := range numOps {
		successes += int64(r.latency[o].count())
		failures += r.errors[o].Load()
	}
	return successes, failures
}
