// Package userrate limits how fast one user may call the task doors (the task API, the MCP
// tools, the web UI's task pages and forms): a token bucket per user id, shared by the doors.
//
// The buckets live in this process's memory: with several instances behind a load balancer,
// each one limits on its own, so a user may reach the limit once per instance. That is enough
// for what these limits are for (one account cannot take the whole machine); the auth limits,
// which guard passwords, are the ones kept in the database for every instance together.
package userrate

import (
	"fmt"
	"hash/maphash"
	"sync"
	"time"

	"todo/internal/apperr"
)

// Limiter is a token bucket per user: rate tokens a second, at most burst of them saved up,
// one taken per request. A nil *Limiter allows everything.
type Limiter struct {
	rate   float64 // tokens per nanosecond
	burst  float64
	now    func() time.Time
	epoch  time.Time
	seed   maphash.Seed
	shards [64]shard
	// refusal is the message of every refusal: the limit, and what to do.
	refusal string
}

// shard is a part of the buckets under its own lock, so that users on different shards do
// not wait for each other.
type shard struct {
	mu      sync.Mutex
	buckets map[string]bucket
	// sweepAt is the size at which the shard next drops its full buckets (users who have not
	// called for burst/rate): the map stays as large as the users active lately.
	sweepAt int
	_       [40]byte // keeps shards on separate cache lines
}

type bucket struct {
	tokens float64
	at     int64 // nanoseconds since epoch when tokens was counted
}

const minSweep = 1024

// New returns a limiter of rate requests a second per user with bursts of burst, on the clock
// now (nil: time.Now); nil, which limits nothing, when either is 0.
func New(rate, burst int, now func() time.Time) *Limiter {
	if rate <= 0 || burst <= 0 {
		return nil
	}
	if now == nil {
		now = time.Now
	}
	l := &Limiter{
		rate: float64(rate) / float64(time.Second), burst: float64(burst),
		now: now, epoch: now(), seed: maphash.MakeSeed(),
		refusal: fmt.Sprintf("Too many requests: at most %d a second per user (bursts of %d); wait for the time in Retry-After and try again", rate, burst),
	}
	for i := range l.shards {
		l.shards[i].buckets = make(map[string]bucket)
		l.shards[i].sweepAt = minSweep
	}
	return l
}

// Allow takes a token from the user's bucket, or says when one will be there: a RateLimited
// error with RetryAfter. It allocates nothing for a user it already has a bucket for.
func (l *Limiter) Allow(userID string) *apperr.Error {
	if l == nil {
		return nil
	}
	now := int64(l.now().Sub(l.epoch))
	s := &l.shards[maphash.String(l.seed, userID)%uint64(len(l.shards))]
	s.mu.Lock()
	b, ok := s.buckets[userID]
	if !ok {
		b = bucket{tokens: l.burst, at: now}
		if len(s.buckets) >= s.sweepAt {
			s.sweep(l, now)
		}
	}
	b.tokens = min(l.burst, b.tokens+float64(now-b.at)*l.rate)
	b.at = now
	allowed := b.tokens >= 1
	if allowed {
		b.tokens--
	}
	s.buckets[userID] = b
	missing := 1 - b.tokens
	s.mu.Unlock()
	if allowed {
		return nil
	}
	return &apperr.Error{Kind: apperr.RateLimited, Code: "USER_RATE_LIMITED", Message: l.refusal,
		RetryAfter: time.Duration(missing / l.rate)}
}

// sweep drops the buckets that have filled up again: forgetting them changes nothing, since
// a new bucket starts full.
func (s *shard) sweep(l *Limiter, now int64) {
	for id, b := range s.buckets {
		if b.tokens+float64(now-b.at)*l.rate >= l.burst {
			delete(s.buckets, id)
		}
	}
	s.sweepAt = max(minSweep, 2*len(s.buckets))
}
