// Package jwttest is a token issuer for tests: it holds signing keys of every supported
// algorithm, publishes them as a JWKS over real HTTP on loopback, and mints tokens, well-formed
// or deliberately broken.
package jwttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"todo/internal/jwt"
)

// Issuer serves a JWKS at URL + "/api/auth/jwks", like a Better Auth server.
type Issuer struct {
	URL string // origin of the server, also the default iss and aud
	// Fetches counts the JWKS requests served.
	Fetches atomic.Int64

	mu        sync.Mutex
	keys      map[string]Key
	published []string // kids in the JWKS
	down      bool
	held      *hold
}

// hold is a JWKS endpoint that does not answer yet.
type hold struct {
	arrived chan struct{}
	release chan struct{}
}

// Key is a signing key and its algorithm.
type Key struct {
	Kid    string
	Alg    string
	Signer crypto.Signer
}

// New starts an issuer with one published EdDSA key, "ed-1".
func New(t testing.TB) *Issuer {
	t.Helper()
	iss := &Issuer{keys: map[string]Key{}}
	srv := httptest.NewServer(http.HandlerFunc(iss.serveJWKS))
	t.Cleanup(srv.Close)
	iss.URL = srv.URL
	iss.Add(t, "ed-1", jwt.EdDSA, true)
	return iss
}

// Add creates a key of alg; published says whether the JWKS lists it.
func (iss *Issuer) Add(t testing.TB, kid, alg string, published bool) Key {
	t.Helper()
	var (
		signer crypto.Signer
		err    error
	)
	switch alg {
	case jwt.EdDSA:
		_, signer, err = ed25519.GenerateKey(rand.Reader)
	case jwt.ES256:
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jwt.ES512:
		signer, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case jwt.RS256, jwt.PS256:
		signer, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		t.Fatalf("unsupported algorithm %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	k := Key{Kid: kid, Alg: alg, Signer: signer}
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.keys[kid] = k
	if published {
		iss.published = append(iss.published, kid)
	}
	return k
}

// Publish replaces the JWKS with the keys named (key rotation).
func (iss *Issuer) Publish(kids ...string) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.published = kids
}

// SetDown makes the JWKS endpoint answer 503 (down) or work again.
func (iss *Issuer) SetDown(down bool) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.down = down
}

// Hold makes the JWKS endpoint stop answering, like an auth server that hangs, until release
// is called or the client gives up. arrived receives once for each held request, after it has
// been counted in Fetches, so that a test knows a fetch is under way without waiting for one
// on a timer. Release is also called when the test ends, since the test server cannot close
// while a request is held.
func (iss *Issuer) Hold(t testing.TB) (arrived <-chan struct{}, release func()) {
	h := &hold{arrived: make(chan struct{}), release: make(chan struct{})}
	iss.mu.Lock()
	iss.held = h
	iss.mu.Unlock()
	var once sync.Once
	release = func() {
		once.Do(func() {
			iss.mu.Lock()
			if iss.held == h {
				iss.held = nil
			}
			iss.mu.Unlock()
			close(h.release)
		})
	}
	t.Cleanup(release)
	return h.arrived, release
}

func (iss *Issuer) serveJWKS(w http.ResponseWriter, r *http.Request) {
	iss.Fetches.Add(1)
	iss.mu.Lock()
	h := iss.held
	iss.mu.Unlock()
	if h != nil {
		// A test that reads arrived fewer times than requests come must not strand the rest.
		select {
		case h.arrived <- struct{}{}:
		case <-h.release:
		case <-r.Context().Done():
			return
		}
		select {
		case <-h.release:
		case <-r.Context().Done():
			return
		}
	}
	iss.mu.Lock()
	defer iss.mu.Unlock()
	if iss.down || r.URL.Path != "/api/auth/jwks" {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	var keys []json.RawMessage
	for _, kid := range iss.published {
		k := iss.keys[kid]
		pub, err := jwt.PublicJWK(k.Signer.Public())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var m map[string]any
		json.Unmarshal(pub, &m)
		m["alg"], m["kid"] = k.Alg, kid
		b, _ := json.Marshal(m)
		keys = append(keys, b)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"keys": keys})
}

// Claims returns valid claims for subject: issued now, expiring in 15 minutes, iss and aud
// the issuer's URL.
func (iss *Issuer) Claims(subject string) map[string]any {
	now := time.Now().Unix()
	return map[string]any{"sub": subject, "iat": now, "exp": now + 900, "iss": iss.URL, "aud": iss.URL}
}

// Token signs claims with the key kid.
func (iss *Issuer) Token(t testing.TB, kid string, claims map[string]any) string {
	t.Helper()
	iss.mu.Lock()
	k, ok := iss.keys[kid]
	iss.mu.Unlock()
	if !ok {
		t.Fatalf("no key %q", kid)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	token, err := jwt.Sign(k.Alg, kid, k.Signer, payload)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// SignInput signs a JOSE signing input ("header.payload") with the EdDSA key kid and returns
// the base64url signature, for tokens with headers that jwt.Sign does not write.
func (iss *Issuer) SignInput(t testing.TB, kid, input string) string {
	t.Helper()
	iss.mu.Lock()
	k := iss.keys[kid]
	iss.mu.Unlock()
	priv, ok := k.Signer.(ed25519.PrivateKey)
	if !ok {
		t.Fatalf("key %q is not an EdDSA key", kid)
	}
	return base64.RawURLEncoding.EncodeToString(ed25519.Sign(priv, []byte(input)))
}

// Raw assembles a token from a header and claims with the given signature bytes, for tokens
// no honest signer would produce.
func Raw(header, claims map[string]any, signature []byte) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc(h) + "." + enc(c) + "." + enc(signature)
}

// HMAC signs header and claims with HMAC-SHA256 under secret, as front ends that share
// BETTER_AUTH_SECRET sign their tokens.
func HMAC(header, claims map[string]any, secret []byte) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	input := enc(h) + "." + enc(c)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return input + "." + enc(m.Sum(nil))
}

// Clock is a clock that moves only when told to, for RemoteKeys.Now: tests step past a TTL
// or a MinRefetch instead of sleeping through it. It is safe for concurrent use, since
// background fetches read it too.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
