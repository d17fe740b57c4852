package bearer

import (
	"context"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"
)

// ErrDeletedUser refuses the still-valid token of a deleted user, in the words of any other
// token that is no longer good.
var ErrDeletedUser = ErrInvalidToken

// DeletedUsers is the set of users deleted lately, whose tokens, signed before the deletion
// and valid until they expire, must no longer read or write. It is read on every request
// (lock-free, no allocation) and changes rarely (copy on write).
//
// The users come from two places: this instance's own deletions, added the moment they
// happen, and the deleted_users table that every instance writes, read at start and every few
// seconds (Run), so that instances converge within that time. It covers the users this
// server deleted (through its built-in auth, on this database); a user deleted by a Better
// Auth at AUTH_URL that does not share the table is not known here, and their tokens stay
// good until they expire.
type DeletedUsers struct {
	mu  sync.Mutex // serializes writers
	ids atomic.Pointer[map[string]time.Time]
	// keep is how long a deletion matters: the longest a token may live.
	keep time.Duration
	now  func() time.Time
}

// NewDeletedUsers returns an empty set that forgets a deletion keep after it (the longest
// token lifetime), on the clock now (nil: time.Now).
func NewDeletedUsers(keep time.Duration, now func() time.Time) *DeletedUsers {
	if now == nil {
		now = time.Now
	}
	d := &DeletedUsers{keep: keep, now: now}
	d.ids.Store(&map[string]time.Time{})
	return d
}

// Has tells whether the user was deleted. A nil set has no one.
func (d *DeletedUsers) Has(userID string) bool {
	if d == nil {
		return false
	}
	_, ok := (*d.ids.Load())[userID]
	return ok
}

// Add records a deletion at once: the auth service calls it when this instance deletes a user.
func (d *DeletedUsers) Add(userID string, at time.Time) {
	d.merge(map[string]time.Time{userID: at})
}

// merge adds the deletions to the set and drops those older than keep. Nothing else leaves
// the set: a deletion this instance added moments ago may not be in a table read that started
// before it was written.
func (d *DeletedUsers) merge(deleted map[string]time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	next := maps.Clone(*d.ids.Load())
	maps.Copy(next, deleted)
	cutoff := d.now().Add(-d.keep)
	maps.DeleteFunc(next, func(_ string, at time.Time) bool { return at.Before(cutoff) })
	d.ids.Store(&next)
}

// Source reads the recorded deletions since a time (and may prune those before it).
type Source func(ctx context.Context, since time.Time) (map[string]time.Time, error)

// Refresh reads the deletions that still matter from src into the set.
func (d *DeletedUsers) Refresh(ctx context.Context, src Source) error {
	deleted, err := src(ctx, d.now().Add(-d.keep))
	if err != nil {
		return err
	}
	d.merge(deleted)
	return nil
}

// RefreshInterval is how often Run reads the table: how long another instance may still take
// a deleted user's token.
const RefreshInterval = 3 * time.Second

// Run refreshes the set every RefreshInterval until ctx is done; a failed read is logged and
// tried again at the next tick.
func (d *DeletedUsers) Run(ctx context.Context, src Source, log *slog.Logger) {
	tick := time.NewTicker(RefreshInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		rctx, cancel := context.WithTimeout(ctx, RefreshInterval)
		if err := d.Refresh(rctx, src); err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "deleted users not refreshed", "err", err)
		}
		cancel()
	}
}
