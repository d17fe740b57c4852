package jwt

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// KeySource finds the public key that a token's kid names.
type KeySource interface {
	// Key returns the key with id kid. It returns ErrUnknownKey when there is no such key and
	// ErrKeysUnavailable when the keys cannot be read right now.
	Key(ctx context.Context, kid string) (PublicKey, error)
}

var (
	// ErrInvalid is wrapped by every reason a token is refused.
	ErrInvalid = errors.New("invalid token")
	// ErrUnknownKey means no key has the token's kid.
	ErrUnknownKey = fmt.Errorf("%w: unknown key id", ErrInvalid)
	// ErrKeysUnavailable means the signing keys could not be fetched, so the token could be
	// neither accepted nor refused.
	ErrKeysUnavailable = errors.New("signing keys unavailable")
)

// Leeway is the clock difference tolerated on exp and nbf.
const Leeway = 30 * time.Second

// DefaultMaxLifetime is how far in the future a token's exp may be, unless the verifier is
// told otherwise: Better Auth issues tokens for 15 minutes, and a token that lives for years
// is a key, not a session.
const DefaultMaxLifetime = 24 * time.Hour

// maxCached bounds the memory of the verified-token cache.
const maxCached = 20000

// Verifier checks tokens the way Better Auth's own verifier does, and more strictly: a kid
// that names a known key, that key's algorithm and no other, a valid signature, iss and aud
// equal to the expected values, exp present and not passed, nbf honoured, sub present.
//
// A verified token is remembered (by its SHA-256) until it expires, so that a client sending
// the same token with every request pays for one signature check, not one per request.
type Verifier struct {
	keys     KeySource
	issuer   string
	audience string
	now      func() time.Time
	// MaxLifetime bounds how far in the future a token's exp may be.
	MaxLifetime time.Duration
	// shared, when set, is the secret of HS256 tokens signed by front ends that share it
	// (BETTER_AUTH_SECRET), which the hackathon brief has them do.
	shared []byte

	mu       sync.RWMutex
	verified map[[32]byte]verifiedToken
}

type verifiedToken struct {
	subject string
	expires time.Time
}

// NewVerifier returns a Verifier of tokens signed by keys from source, issued by issuer for
// audience.
func NewVerifier(source KeySource, issuer, audience string) *Verifier {
	return &Verifier{keys: source, issuer: issuer, audience: audience, now: time.Now,
		MaxLifetime: DefaultMaxLifetime, verified: make(map[[32]byte]verifiedToken)}
}

// AcceptSharedSecret makes the verifier also accept HS256 tokens signed with secret, and no
// other HMAC. It is weaker than asymmetric keys: whoever can verify such a token can also
// mint one. The secret is the only HMAC key: a key of the key source (public by nature) is
// never used as one, and an HS256 token with a kid is refused like any other.
func (v *Verifier) AcceptSharedSecret(secret []byte) { v.shared = secret }

// Verify returns the subject (the user id) of a valid token.
func (v *Verifier) Verify(ctx context.Context, token string) (string, error) {
	sum := sha256.Sum256([]byte(token))
	now := v.now()
	v.mu.RLock()
	hit, ok := v.verified[sum]
	v.mu.RUnlock()
	if ok && now.Before(hit.expires.Add(Leeway)) {
		return hit.subject, nil
	}

	subject, expires, err := v.verify(ctx, token, now)
	if err != nil {
		return "", err
	}
	v.remember(sum, verifiedToken{subject: subject, expires: expires}, now)
	return subject, nil
}

func (v *Verifier) remember(sum [32]byte, t verifiedToken, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.verified) >= maxCached {
		for k, e := range v.verified {
			if !now.Before(e.expires.Add(Leeway)) {
				delete(v.verified, k)
			}
		}
		if len(v.verified) >= maxCached {
			clear(v.verified)
		}
	}
	v.verified[sum] = t
}

type claims struct {
	Sub string   `json:"sub"`
	Iss string   `json:"iss"`
	Aud audience `json:"aud"`
	Exp *float64 `json:"exp"`
	Nbf *float64 `json:"nbf"`
}

// audience is the aud claim, a string or an array of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

func (v *Verifier) verify(ctx context.Context, token string, now time.Time) (string, time.Time, error) {
	p, err := parse(token)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	switch {
	case p.header.Crit != nil:
		return "", time.Time{}, fmt.Errorf("%w: critical header extensions", ErrInvalid)
	case p.header.Typ != "" && !strings.EqualFold(p.header.Typ, "JWT") && !strings.EqualFold(p.header.Typ, "at+jwt"):
		return "", time.Time{}, fmt.Errorf("%w: typ %q", ErrInvalid, p.header.Typ)
	case p.header.Alg == HS256 && p.header.Kid == "" && v.shared != nil:
		if !hmac.Equal(p.sig, hs256(v.shared, p.input)) {
			return "", time.Time{}, fmt.Errorf("%w: bad signature", ErrInvalid)
		}
		return v.checkClaims(p, now)
	case p.header.Kid == "":
		return "", time.Time{}, fmt.Errorf("%w: no kid", ErrInvalid)
	}
	key, err := v.keys.Key(ctx, p.header.Kid)
	if err != nil {
		return "", time.Time{}, err
	}
	if p.header.Alg != key.Alg {
		return "", time.Time{}, fmt.Errorf("%w: alg %q for a %s key", ErrInvalid, p.header.Alg, key.Alg)
	}
	if !verifySignature(key, p.input, p.sig) {
		return "", time.Time{}, fmt.Errorf("%w: bad signature", ErrInvalid)
	}
	return v.checkClaims(p, now)
}

// checkClaims checks the claims of a token whose signature holds.
func (v *Verifier) checkClaims(p parsed, now time.Time) (string, time.Time, error) {
	var c claims
	if err := decodeExact(p.payload, &c); err != nil {
		return "", time.Time{}, fmt.Errorf("%w: claims: %v", ErrInvalid, err)
	}
	if c.Exp == nil {
		return "", time.Time{}, fmt.Errorf("%w: no exp", ErrInvalid)
	}
	exp, ok := seconds(*c.Exp)
	if !ok {
		return "", time.Time{}, fmt.Errorf("%w: exp out of range", ErrInvalid)
	}
	nbf := time.Time{}
	if c.Nbf != nil {
		if nbf, ok = seconds(*c.Nbf); !ok {
			return "", time.Time{}, fmt.Errorf("%w: nbf out of range", ErrInvalid)
		}
	}
	switch {
	case !now.Before(exp.Add(Leeway)):
		return "", time.Time{}, fmt.Errorf("%w: expired", ErrInvalid)
	case exp.After(now.Add(v.MaxLifetime + Leeway)):
		return "", time.Time{}, fmt.Errorf("%w: exp more than %v away", ErrInvalid, v.MaxLifetime)
	case now.Add(Leeway).Before(nbf):
		return "", time.Time{}, fmt.Errorf("%w: not valid yet", ErrInvalid)
	case c.Iss != v.issuer:
		return "", time.Time{}, fmt.Errorf("%w: issuer %q", ErrInvalid, c.Iss)
	case !c.Aud.has(v.audience):
		return "", time.Time{}, fmt.Errorf("%w: audience %q", ErrInvalid, []string(c.Aud))
	case c.Sub == "":
		return "", time.Time{}, fmt.Errorf("%w: no sub", ErrInvalid)
	}
	return c.Sub, exp, nil
}

// hs256 is the HMAC-SHA256 of input under secret.
func hs256(secret, input []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(input)
	return m.Sum(nil)
}

func (a audience) has(want string) bool {
	for _, s := range a {
		if s == want {
			return true
		}
	}
	return false
}

// seconds converts a NumericDate; ok is false for values that no real token carries.
func seconds(f float64) (t time.Time, ok bool) {
	if math.IsNaN(f) || f < 0 || f > 1e11 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}
