// Package calendar serves each user's tasks with a due as an iCalendar feed (RFC 5545) at a
// secret URL, /calendar/<token>.ics, which calendar apps subscribe to and poll. The URL is
// its own credential: whoever has it reads the feed, without signing in, until its user
// rotates it (a new URL, the old one stops working) or revokes it.
//
// The token is 32 random bytes in base64url. Only its SHA-256 is stored, so that the table
// alone opens no calendar; a URL is shown once, when it is made. An unknown, rotated or
// revoked token is the same 404, found out by the same lookup of a hash, and the request log
// names the route's pattern, never the path that carries the token.
//
// The feed holds at most MaxTasks tasks, soonest due first, as events (the default) or, with
// ?kind=todo, as to-dos; see Kind.
package calendar

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"todo/internal/database"
	"todo/internal/task"
	"todo/internal/userrate"
)

// MaxTasks bounds a feed: a calendar app reads it whole on every poll.
const MaxTasks = 5000

// CompletedFor is how long a completed task stays in the to-do feed, so that a client sees it
// done (rather than deleted) before it goes.
const CompletedFor = 30 * 24 * time.Hour

// Service makes, rotates and revokes feeds and serves them.
type Service struct {
	store *store
	tasks *task.Service
	// base is the public URL of the server (BETTER_AUTH_URL) when it is set; feed URLs are
	// made on it, else on the origin the request came to.
	base *url.URL
	// host names the app in the UIDs of its tasks.
	host string
	log  *slog.Logger
	now  func() time.Time
	// Limit, when set, is the per-user rate limit that every door onto the tasks shares.
	Limit *userrate.Limiter
}

// New returns the service over db's calendar_feeds table and tasks. base is the server's
// public URL: it names the app in the tasks' UIDs, and when set (baseSet) the feed URLs are
// made on it.
func New(db *database.DB, tasks *task.Service, base *url.URL, baseSet bool, log *slog.Logger) *Service {
	s := &Service{store: newStore(db), tasks: tasks, host: base.Hostname(), log: log, now: time.Now}
	if baseSet {
		s.base = base
	}
	return s
}

// Feed is what may be said of a user's feed once it exists: not its URL, which is shown once.
type Feed struct {
	CreatedAt time.Time
}

// Rotate gives the user a new feed URL, on origin unless the server's public URL is set, and
// ends the one they had.
func (s *Service) Rotate(ctx context.Context, userID, origin string) (string, error) {
	secret := make([]byte, 32)
	rand.Read(secret) // never fails (crypto/rand)
	token := base64.RawURLEncoding.EncodeToString(secret)
	if err := s.store.put(ctx, userID, hash(token), s.now().UTC().Truncate(time.Microsecond)); err != nil {
		return "", err
	}
	if s.base != nil {
		origin = s.base.String()
	}
	return strings.TrimSuffix(origin, "/") + "/calendar/" + token + ".ics", nil
}

// Revoke ends the user's feed URL, if they have one.
func (s *Service) Revoke(ctx context.Context, userID string) error {
	return s.store.remove(ctx, userID)
}

// Status is the user's feed; ok is false when they have none.
func (s *Service) Status(ctx context.Context, userID string) (f Feed, ok bool, err error) {
	at, ok, err := s.store.created(ctx, userID)
	return Feed{CreatedAt: at}, ok, err
}

// DeleteUserData removes the user's feed: part of deleting their account.
func (s *Service) DeleteUserData(ctx context.Context, userID string) error {
	return s.store.remove(ctx, userID)
}

// hash is what is stored of a token.
func hash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
