package load

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// tokenLifetime is that of Better Auth's jwt plugin (and of the built-in auth): a token
// minted here is as long-lived as a real one, so refreshing is exercised the same way.
const tokenLifetime = 15 * time.Minute

// Minter plays a Better Auth server's jwt plugin: it holds an Ed25519 key, publishes it as a
// JWKS and signs access tokens shaped like Better Auth's (header {"alg":"EdDSA","kid"}; claims
// iat, sub, exp, iss, aud). It is written against the standard library alone, not the
// server's own JWT code, so that a load run also checks that the server accepts tokens it did
// not make.
type Minter struct {
	key      ed25519.PrivateKey
	kid      string
	issuer   string
	audience string
	jwks     []byte
}

// NewMinter makes a fresh key for tokens issued by issuer for audience.
func NewMinter(issuer, audience string) (*Minter, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	m := &Minter{key: key, kid: rand.Text(), issuer: issuer, audience: audience}
	type jwk struct {
		Crv string `json:"crv"`
		X   string `json:"x"`
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}
	pub := key.Public().(ed25519.PublicKey)
	m.jwks, err = json.Marshal(struct {
		Keys []jwk `json:"keys"`
	}{[]jwk{{Crv: "Ed25519", X: b64(pub), Kty: "OKP", Kid: m.kid, Alg: "EdDSA"}}})
	return m, err
}

// JWKSHandler serves the key set at /api/auth/jwks, where verifiers look for it under their
// AUTH_URL.
func (m *Minter) JWKSHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/auth/jwks", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(m.jwks)
	})
	return mux
}

// Mint signs a token for user sub, valid from now for tokenLifetime.
func (m *Minter) Mint(sub string, now time.Time) (token string, expires time.Time, err error) {
	expires = now.Add(tokenLifetime)
	header, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}{"EdDSA", m.kid})
	if err != nil {
		return "", time.Time{}, err
	}
	claims, err := json.Marshal(struct {
		Iat int64  `json:"iat"`
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
		Iss string `json:"iss"`
		Aud string `json:"aud"`
	}{now.Unix(), sub, expires.Unix(), m.issuer, m.audience})
	if err != nil {
		return "", time.Time{}, err
	}
	var b strings.Builder
	b.WriteString(b64(header))
	b.WriteByte('.')
	b.WriteString(b64(claims))
	sig := ed25519.Sign(m.key, []byte(b.String()))
	b.WriteByte('.')
	b.WriteString(b64(sig))
	return b.String(), expires, nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
