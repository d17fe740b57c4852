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

// RemoteKeys is the key set published at a JWKS URL, such as a Better Auth server's
// /api/auth/jwks. Keys are fetched when first needed (the server may start before the auth
// server), kept for TTL, fetched again at once for an unknown kid (at most once per
// MinRefetch, so that a stream of made-up kids cannot flood the auth server), and still used
// while the URL is unreachable.
type RemoteKeys struct {
	URL        string
	Client     *http.Client
	TTL        time.Duration
	MinRefetch time.Duration

	mu        sync.RWMutex
	keys      map[string]PublicKey
	fetchedAt time.Time

	fetchMu     sync.Mutex
	attemptedAt time.Time
	attemptErr  error
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
	key, known, fresh := r.lookup(kid)
	if known && fresh {
		return key, nil
	}
	err := r.refresh(ctx)
	if known {
		return key, nil // a stale key serves while the JWKS cannot be fetched
	}
	if key, known, _ = r.lookup(kid); known {
		return key, nil
	}
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
	}
	return PublicKey{}, ErrUnknownKey
}

func (r *RemoteKeys) lookup(kid string) (key PublicKey, known, fresh bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	key, known = r.keys[kid]
	return key, known, r.keys != nil && time.Since(r.fetchedAt) < r.TTL
}

// refresh fetches the key set unless an attempt was made within MinRefetch, in which case it
// returns that attempt's outcome. Concurrent callers share one fetch.
func (r *RemoteKeys) refresh(ctx context.Context) error {
	r.fetchMu.Lock()
	defer r.fetchMu.Unlock()
	if !r.attemptedAt.IsZero() && time.Since(r.attemptedAt) < r.MinRefetch {
		return r.attemptErr
	}
	keys, err := r.fetch(ctx)
	r.attemptedAt, r.attemptErr = time.Now(), err
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.keys, r.fetchedAt = keys, time.Now()
	r.mu.Unlock()
	return nil
}

func (r *RemoteKeys) fetch(ctx context.Context) (map[string]PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.Client.Do(req)
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
