// Package pushtest is a push service on loopback for tests: browsers' subscriptions that it
// makes itself (with their private keys), and an HTTP endpoint per subscription that checks
// what a real push service and browser would: the VAPID JWT (RFC 8292: ES256 over the
// endpoint's origin, with the key in the header) and the encrypted payload (RFC 8291 over
// RFC 8188's aes128gcm), which it decrypts with the subscription's keys and hands to the test.
//
// The receiving side is written here from the RFCs, apart from the sender's library, so that
// a message it accepts is one a browser would read.
package pushtest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/hkdf"
)

// WaitTimeout bounds Wait: long enough for a loaded machine, short enough to fail clearly.
const WaitTimeout = 60 * time.Second

// cleanupMargin is the time WaitFor leaves before the test binary's deadline for a failed
// test's cleanup (its servers and databases stopped).
const cleanupMargin = 15 * time.Second

// Message is one push message as the browser reads it.
type Message struct {
	Endpoint string
	// Payload is the decrypted payload.
	Payload []byte
	// VAPIDKey is the server's public key from the Authorization header (base64url), Subject
	// the JWT's sub claim.
	VAPIDKey string
	Subject  string
	TTL      int
	Topic    string
	Urgency  string
}

// JSON decodes the payload into v.
func (m Message) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(m.Payload, v); err != nil {
		t.Fatalf("push payload %s: %v", m.Payload, err)
	}
}

// Subscription is a browser's subscription, as the browser gives it to the app
// (PushSubscription.toJSON).
type Subscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

type subscriber struct {
	key  *ecdh.PrivateKey
	auth []byte
	gone bool
}

// Receiver is the push service.
type Receiver struct {
	URL string

	mu       sync.Mutex
	subs     map[string]*subscriber // by path
	received []Message
	failures []string
	arrived  chan struct{} // closed and replaced when a message arrives
}

// Start runs a receiver until the test ends.
func Start(t testing.TB) *Receiver {
	r := &Receiver{subs: map[string]*subscriber{}, arrived: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// Subscribe makes a new subscription, with keys of its own.
func (r *Receiver) Subscribe(t testing.TB) Subscription {
	t.Helper()
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	id := make([]byte, 12)
	rand.Read(id)
	path := "/push/" + base64.RawURLEncoding.EncodeToString(id)
	r.mu.Lock()
	r.subs[path] = &subscriber{key: key, auth: auth}
	r.mu.Unlock()
	var s Subscription
	s.Endpoint = r.URL + path
	s.Keys.P256dh = base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes())
	s.Keys.Auth = base64.RawURLEncoding.EncodeToString(auth)
	return s
}

// Unsubscribe makes the endpoint answer 410 Gone from now on, as a push service does for a
// subscription the browser dropped.
func (r *Receiver) Unsubscribe(s Subscription) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if sub := r.subs[strings.TrimPrefix(s.Endpoint, r.URL)]; sub != nil {
		sub.gone = true
	}
}

// Messages are the messages received so far, in order.
func (r *Receiver) Messages() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.received...)
}

// Failures are the requests the receiver refused for breaking the protocol, each with why.
func (r *Receiver) Failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.failures...)
}

// Wait returns the first message to s's endpoint after the first skip ones, failing the
// test after WaitTimeout, or at once when a request was refused for breaking the protocol.
func (r *Receiver) Wait(t testing.TB, s Subscription, skip int) Message {
	t.Helper()
	var found Message
	r.WaitFor(t, fmt.Sprintf("push message %d to %s", skip+1, s.Endpoint), WaitTimeout, func(ms []Message) bool {
		n := 0
		for _, m := range ms {
			if m.Endpoint == s.Endpoint {
				if n == skip {
					found = m
					return true
				}
				n++
			}
		}
		return false
	})
	return found
}

// WaitFor waits until done holds of the messages received, failing the test after timeout,
// or at once when a request was refused for breaking the protocol. The wait ends early enough
// before the test binary's own deadline (go test -timeout) that the failure says what was
// missing, rather than the binary panicking with every goroutine's stack.
func (r *Receiver) WaitFor(t testing.TB, what string, timeout time.Duration, done func([]Message) bool) {
	t.Helper()
	if tt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if end, ok := tt.Deadline(); ok {
			timeout = min(timeout, time.Until(end)-cleanupMargin)
		}
	}
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		ok, failures, arrived := done(r.received), r.failures, r.arrived
		r.mu.Unlock()
		if len(failures) > 0 {
			t.Fatalf("the push receiver refused %d requests; the first: %s", len(failures), failures[0])
		}
		if ok {
			return
		}
		select {
		case <-arrived:
		case <-deadline:
			t.Fatalf("timed out after %v waiting for %s (%d messages received)", timeout, what, len(r.Messages()))
		}
	}
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	sub := r.subs[req.URL.Path]
	r.mu.Unlock()
	switch {
	case sub == nil:
		http.NotFound(w, req)
		return
	case sub.gone:
		http.Error(w, "subscription gone", http.StatusGone)
		return
	}
	m, status, err := r.read(req, sub)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.failures = append(r.failures, err.Error())
		http.Error(w, err.Error(), status)
		return
	}
	r.received = append(r.received, m)
	close(r.arrived)
	r.arrived = make(chan struct{})
	w.Header().Set("Location", req.URL.Path+"/messages/"+strconv.Itoa(len(r.received)))
	w.WriteHeader(http.StatusCreated)
}

// read checks a push request (RFC 8030 §5: POST, TTL) and its VAPID authorization, and
// decrypts its body.
func (r *Receiver) read(req *http.Request, sub *subscriber) (Message, int, error) {
	m := Message{Endpoint: r.URL + req.URL.Path, Topic: req.Header.Get("Topic"), Urgency: req.Header.Get("Urgency")}
	if req.Method != http.MethodPost {
		return m, http.StatusMethodNotAllowed, fmt.Errorf("method %s, want POST", req.Method)
	}
	ttl, err := strconv.Atoi(req.Header.Get("TTL"))
	if err != nil || ttl < 0 {
		return m, http.StatusBadRequest, fmt.Errorf("TTL header %q, want a number of seconds", req.Header.Get("TTL"))
	}
	m.TTL = ttl
	if m.VAPIDKey, m.Subject, err = checkVAPID(req.Header.Get("Authorization"), r.URL); err != nil {
		return m, http.StatusUnauthorized, err
	}
	if ce := req.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		return m, http.StatusUnsupportedMediaType, fmt.Errorf("Content-Encoding %q, want aes128gcm", ce)
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 8192))
	if err != nil {
		return m, http.StatusBadRequest, err
	}
	if m.Payload, err = decrypt(body, sub); err != nil {
		return m, http.StatusBadRequest, fmt.Errorf("decrypt: %w", err)
	}
	return m, 0, nil
}

// checkVAPID verifies RFC 8292's "vapid t=<JWT>, k=<key>": an ES256 JWT signed by k, for the
// audience origin, not expired and expiring within 24 hours, with a mailto: or https: subject.
func checkVAPID(header, origin string) (key, subject string, err error) {
	rest, ok := strings.CutPrefix(header, "vapid ")
	if !ok {
		return "", "", fmt.Errorf("authorization %q, want the vapid scheme", header)
	}
	params := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		params[name] = value
	}
	token, key := params["t"], params["k"]
	rawKey, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil {
		return "", "", fmt.Errorf("vapid k: not base64url: %v", err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), rawKey)
	if err != nil {
		return "", "", fmt.Errorf("vapid k: not a P-256 point: %v", err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", "", errors.New("vapid t: not a JWS compact serialisation")
	}
	var head struct{ Alg, Typ string }
	if err := decodeJSON(parts[0], &head); err != nil || head.Alg != "ES256" {
		return "", "", fmt.Errorf("vapid t: header %+v (%v), want alg ES256", head, err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return "", "", errors.New("vapid t: the signature is not 64 bytes of base64url (r || s)")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return "", "", errors.New("vapid t: the signature does not verify with k")
	}
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	if err := decodeJSON(parts[1], &claims); err != nil {
		return "", "", fmt.Errorf("vapid t: claims: %v", err)
	}
	now := time.Now()
	switch exp := time.Unix(claims.Exp, 0); {
	case claims.Aud != origin:
		return "", "", fmt.Errorf("vapid t: aud %q, want the push service's origin %q", claims.Aud, origin)
	case !exp.After(now):
		return "", "", fmt.Errorf("vapid t: expired at %v", exp)
	case exp.After(now.Add(24 * time.Hour)):
		return "", "", fmt.Errorf("vapid t: expires at %v, more than 24 hours ahead", exp)
	case !strings.HasPrefix(claims.Sub, "mailto:") && !strings.HasPrefix(claims.Sub, "https:"):
		return "", "", fmt.Errorf("vapid t: sub %q, want a mailto: or https: URL", claims.Sub)
	}
	return key, claims.Sub, nil
}

func decodeJSON(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// decrypt reads RFC 8188's aes128gcm body (salt, record size, key id: the sender's public
// key, then records) with the keys RFC 8291 derives from the subscription's.
func decrypt(body []byte, sub *subscriber) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("body shorter than its header")
	}
	salt, rs, idLen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if rs < 18 || len(body) < 21+idLen {
		return nil, fmt.Errorf("record size %d or key id length %d out of range", rs, idLen)
	}
	senderKey, err := ecdh.P256().NewPublicKey(body[21 : 21+idLen])
	if err != nil {
		return nil, fmt.Errorf("key id is not the sender's P-256 public key: %v", err)
	}
	records := body[21+idLen:]

	// RFC 8291 §3.3-3.4: the input keying material from the shared secret and auth secret.
	shared, err := sub.key.ECDH(senderKey)
	if err != nil {
		return nil, err
	}
	info := append([]byte("WebPush: info\x00"), sub.key.PublicKey().Bytes()...)
	info = append(info, senderKey.Bytes()...)
	ikm := expand(hkdf.Extract(sha256.New, shared, sub.auth), info, 32)
	// RFC 8188 §2.2-2.3: the content encryption key and nonce from the salt.
	prk := hkdf.Extract(sha256.New, ikm, salt)
	cek := expand(prk, []byte("Content-Encoding: aes128gcm\x00"), 16)
	nonce := expand(prk, []byte("Content-Encoding: nonce\x00"), 12)
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	var out []byte
	for seq := uint64(0); len(records) > 0; seq++ {
		n := min(int(rs), len(records))
		record := records[:n]
		records = records[n:]
		iv := bytes.Clone(nonce)
		for i := range 8 {
			iv[11-i] ^= byte(seq >> (8 * i))
		}
		plain, err := gcm.Open(nil, iv, record, nil)
		if err != nil {
			return nil, fmt.Errorf("record %d: %v", seq, err)
		}
		// Data, a delimiter (2 in the last record, 1 before), then zero padding.
		plain = bytes.TrimRight(plain, "\x00")
		if len(plain) == 0 {
			return nil, fmt.Errorf("record %d has no delimiter", seq)
		}
		last := len(records) == 0
		if d := plain[len(plain)-1]; (last && d != 2) || (!last && d != 1) {
			return nil, fmt.Errorf("record %d: delimiter %d (last record: %v)", seq, d, last)
		}
		out = append(out, plain[:len(plain)-1]...)
	}
	return out, nil
}

func expand(prk, info []byte, n int) []byte {
	out := make([]byte, n)
	if _, err := io.ReadFull(hkdf.Expand(sha256.New, prk, info), out); err != nil {
		panic(err) // only for n over 255 hash lengths
	}
	return out
}
