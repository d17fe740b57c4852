package jwt

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// defaultFetchTimeout bounds a fetch when Client has no timeout of its own, so that a fetch
// goroutine always ends even if the auth server never answers.
const defaultFetchTimeout = 30 * time.Second

// RemoteKeys is the key set published at a JWKS URL, such as a Better Auth server's
// /api/auth/jwks.
//
// Keys are fetched when first needed (the server may start before the auth server), and that
// first fetch is waited for. After TTL they are fetched again in the background while the
// stale keys keep serving, so that a slow or unreachable auth server does not slow down every
// request; a key the auth server withdrew stays accepted until that fetch lands, as it did for
// TTL anyway. An unknown kid is waited for, since it may be a key rotated in just now. Fetches
// start at most once per MinRefetch, so that a stream of made-up kids cannot flood the auth
// server, and concurrent callers share the one in flight.
type RemoteKeys struct {
	URL        string
	Client     *http.Client
	TTL        time.Duration
	MinRefetch time.Duration
	// Now is the clock that TTL and MinRefetch are measured with; nil means time.Now. Tests
	// set it to step past them without sleeping.
	Now func() time.Time

	mu          sync.RWMutex
	keys        map[string]PublicKey
	fetchedAt   time.Time
	attemptedAt time.Time
	attemptErr  error
	inFlight    *fetchCall
}

// fetchCall is one fetch of the key set, shared by every caller that needs it.
type fetchCall struct {
	done chan struct{}
	err  error // set before done is closed
}

// NewRemoteKeys returns the key set at url with the default timings.
func NewRemoteKeys(url string) *RemoteKeys {
	return &RemoteKeys{
		URL:        url,
		Client:     &http.Client{Timeout: 5 * time.Second},
		TTL:        5 * time.Minute,
		MinRefetch: time.Second,
	}
}

// Key implements KeySource.
func (r *RemoteKeys) Key(ctx context.Context, kid string) (PublicKey, error) {
	now := r.now()
	r.mu.RLock()
	key, known := r.keys[kid]
	fresh := now.Sub(r.fetchedAt) < r.TTL
	r.mu.RUnlock()
	if known && fresh {
		return key, nil
	}

	r.mu.Lock()
	key, known = r.keys[kid]
	if known {
		// Refreshing behind the stale key keeps a slow auth server off this request's path.
		if now.Sub(r.fetchedAt) >= r.TTL && r.inFlight == nil && !r.throttledLocked(now) {
			r.startFetchLocked(ctx)
		}
		r.mu.Unlock()
		return key, nil
	}
	call := r.inFlight
	if call == nil && !r.throttledLocked(now) {
		call = r.startFetchLocked(ctx)
	}
	err := r.attemptErr
	r.mu.Unlock()

	if call != nil {
		select {
		case <-call.done:
			err = call.err
		case <-ctx.Done():
			// The fetch goes on for whoever asks next; only this request gives up on it.
			return PublicKey{}, fmt.Errorf("%w: %v", ErrKeysUnavailable, context.Cause(ctx))
		}
		r.mu.RLock()
		key, known = r.keys[kid]
		r.mu.RUnlock()
		if known {
			return key, nil
		}
	}
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
	}
	return PublicKey{}, ErrUnknownKey
}

func (r *RemoteKeys) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// throttledLocked reports whether the last attempt was too recent to make another, in which
// case that attempt's outcome (attemptErr) stands.
func (r *RemoteKeys) throttledLocked(now time.Time) bool {
	return !r.attemptedAt.IsZero() && now.Sub(r.attemptedAt) < r.MinRefetch
}

// startFetchLocked fetches the key set in a goroutine of its own, so that a caller may stop
// waiting for it (its request ended, or it has a stale key to serve) without failing the fetch
// for everyone else. The fetch keeps ctx's values but not its cancellation, and ends by its
// own timeout at the latest.
func (r *RemoteKeys) startFetchLocked(ctx context.Context) *fetchCall {
	call := &fetchCall{done: make(chan struct{})}
	r.inFlight = call
	timeout := defaultFetchTimeout
	if r.Client != nil && r.Client.Timeout > 0 {
		timeout = r.Client.Timeout
	}
	fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	go func() {
		defer cancel()
		keys, err := r.fetch(fetchCtx)
		now := r.now()
		r.mu.Lock()
		r.attemptedAt, r.attemptErr = now, err
		if err == nil {
			r.keys, r.fetchedAt = keys, now
		}
		r.inFlight = nil
		call.err = err
		r.mu.Unlock()
		close(call.done)
	}()
	return call
}

func (r *RemoteKeys) fetch(ctx context.Context) (map[string]PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	client := r.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", r.URL, resp.Status)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("GET %s: %w", r.URL, err)
	}
	return ParseSet(set.Keys), nil
}

// ParseSet decodes the keys of a JWKS, leaving out any it cannot use (no kid, unsupported
// type or algorithm, weak RSA).
func ParseSet(raw []json.RawMessage) map[string]PublicKey {
	keys := make(map[string]PublicKey, len(raw))
	for _, k := range raw {
		var jwk JWK
		if json.Unmarshal(k, &jwk) != nil || jwk.Kid == "" {
			continue
		}
		if key, err := jwk.PublicKey(""); err == nil {
			keys[jwk.Kid] = key
		}
	}
	return keys
}
