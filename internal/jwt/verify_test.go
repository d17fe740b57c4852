package jwt_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"todo/internal/jwt"
	"todo/internal/jwt/jwttest"
)

var ctx = context.Background()

// newVerifier trusts iss's JWKS, fetched on a fake clock: no test depends on how long it
// takes to run.
func newVerifier(iss *jwttest.Issuer) (*jwt.Verifier, *jwt.RemoteKeys, *jwttest.Clock) {
	keys, clock := newRemoteKeys(iss)
	return jwt.NewVerifier(keys, iss.URL, iss.URL), keys, clock
}

func newRemoteKeys(iss *jwttest.Issuer) (*jwt.RemoteKeys, *jwttest.Clock) {
	keys := jwt.NewRemoteKeys(iss.URL + "/api/auth/jwks")
	keys.MinRefetch = 50 * time.Millisecond
	clock := jwttest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	keys.Now = clock.Now
	return keys, clock
}

func TestVerifyAlgorithms(t *testing.T) {
	iss := jwttest.New(t)
	for _, alg := range []string{jwt.ES256, jwt.ES512, jwt.RS256, jwt.PS256} {
		iss.Add(t, strings.ToLower(alg), alg, true)
	}
	v, _, _ := newVerifier(iss)
	for _, kid := range []string{"ed-1", "es256", "es512", "rs256", "ps256"} {
		t.Run(kid, func(t *testing.T) {
			sub, err := v.Verify(ctx, iss.Token(t, kid, iss.Claims("user-"+kid)))
			if err != nil || sub != "user-"+kid {
				t.Fatalf("got %q, %v; want user-%s", sub, err, kid)
			}
		})
	}
}

// TestVerifyRefuses is the matrix of tokens that must not pass.
func TestVerifyRefuses(t *testing.T) {
	iss := jwttest.New(t)
	rsa := iss.Add(t, "rs", jwt.RS256, true)
	iss.Add(t, "unpublished", jwt.EdDSA, false)
	v, _, _ := newVerifier(iss)
	now := time.Now().Unix()

	with := func(change func(map[string]any)) map[string]any {
		c := iss.Claims("alice")
		change(c)
		return c
	}
	good := iss.Token(t, "ed-1", iss.Claims("alice"))
	parts := strings.Split(good, ".")
	rsaPublicJWK, _ := jwt.PublicJWK(rsa.Signer.Public())

	hs256 := func(secret []byte) string {
		unsigned := jwttest.Raw(map[string]any{"alg": "HS256", "kid": "rs"}, iss.Claims("alice"), nil)
		unsigned = strings.TrimSuffix(unsigned, ".")
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(unsigned))
		return unsigned + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	}

	tests := map[string]string{
		"empty":                        "",
		"not a JWT":                    "not-a-token",
		"two parts":                    parts[0] + "." + parts[1],
		"bad base64":                   parts[0] + ".%%%." + parts[2],
		"header not JSON":              base64.RawURLEncoding.EncodeToString([]byte("nope")) + "." + parts[1] + "." + parts[2],
		"alg none":                     jwttest.Raw(map[string]any{"alg": "none", "kid": "ed-1"}, iss.Claims("alice"), nil),
		"alg none with a signature":    jwttest.Raw(map[string]any{"alg": "none", "kid": "ed-1"}, iss.Claims("alice"), []byte("x")),
		"HS256 keyed with the RSA JWK": hs256(rsaPublicJWK),
		"HS256 keyed with nothing":     hs256(nil),
		"alg of another key type":      jwttest.Raw(map[string]any{"alg": "RS256", "kid": "ed-1"}, iss.Claims("alice"), []byte("sig")),
		"no kid":                       jwttest.Raw(map[string]any{"alg": "EdDSA"}, iss.Claims("alice"), []byte("sig")),
		"unknown kid":                  iss.Token(t, "unpublished", iss.Claims("alice")),
		"tampered payload":             parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"mallory","exp":9999999999,"iss":"`+iss.URL+`","aud":"`+iss.URL+`"}`)) + "." + parts[2],
		"tampered signature":           parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 64)),
		"expired":                      iss.Token(t, "ed-1", with(func(c map[string]any) { c["exp"] = now - 120 })),
		"not yet valid":                iss.Token(t, "ed-1", with(func(c map[string]any) { c["nbf"] = now + 300 })),
		"no exp":                       iss.Token(t, "ed-1", with(func(c map[string]any) { delete(c, "exp") })),
		"exp not a number":             iss.Token(t, "ed-1", with(func(c map[string]any) { c["exp"] = "tomorrow" })),
		"wrong iss":                    iss.Token(t, "ed-1", with(func(c map[string]any) { c["iss"] = "https://evil.example" })),
		"wrong aud":                    iss.Token(t, "ed-1", with(func(c map[string]any) { c["aud"] = "https://evil.example" })),
		"aud list without us":          iss.Token(t, "ed-1", with(func(c map[string]any) { c["aud"] = []string{"a", "b"} })),
		"no sub":                       iss.Token(t, "ed-1", with(func(c map[string]any) { delete(c, "sub") })),
		"empty sub":                    iss.Token(t, "ed-1", with(func(c map[string]any) { c["sub"] = "" })),
		"sub not a string":             iss.Token(t, "ed-1", with(func(c map[string]any) { c["sub"] = 42 })),
		"critical extension":           jwttest.Raw(map[string]any{"alg": "EdDSA", "kid": "ed-1", "crit": []string{"exp"}}, iss.Claims("alice"), []byte("x")),
		"typ of something else":        jwttest.Raw(map[string]any{"alg": "EdDSA", "kid": "ed-1", "typ": "dpop+jwt"}, iss.Claims("alice"), []byte("x")),
		"signature of the right key over other bytes": parts[0] + "." + strings.Split(iss.Token(t, "ed-1", iss.Claims("bob")), ".")[1] + "." + parts[2],
	}
	for name, token := range tests {
		t.Run(name, func(t *testing.T) {
			sub, err := v.Verify(ctx, token)
			if err == nil {
				t.Fatalf("accepted as %q", sub)
			}
			if !errors.Is(err, jwt.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
	if _, err := v.Verify(ctx, good); err != nil {
		t.Fatalf("the untouched token must still pass: %v", err)
	}
}

func TestVerifyAccepts(t *testing.T) {
	iss := jwttest.New(t)
	v, _, _ := newVerifier(iss)
	now := time.Now().Unix()
	sign := func(header map[string]any, claims map[string]any) string {
		t.Helper()
		if header == nil {
			return iss.Token(t, "ed-1", claims)
		}
		// jwt.Sign writes no typ; other issuers do.
		return signWithHeader(t, iss, header, claims)
	}
	claims := func(change func(map[string]any)) map[string]any {
		c := iss.Claims("alice")
		change(c)
		return c
	}
	tests := map[string]string{
		"no typ (Better Auth)":       sign(nil, iss.Claims("alice")),
		"typ JWT":                    sign(map[string]any{"alg": "EdDSA", "kid": "ed-1", "typ": "JWT"}, iss.Claims("alice")),
		"typ at+jwt":                 sign(map[string]any{"alg": "EdDSA", "kid": "ed-1", "typ": "at+jwt"}, iss.Claims("alice")),
		"aud as a list":              sign(nil, claims(func(c map[string]any) { c["aud"] = []string{"other", iss.URL} })),
		"expired within the leeway":  sign(nil, claims(func(c map[string]any) { c["exp"] = now - 10 })),
		"nbf within the leeway":      sign(nil, claims(func(c map[string]any) { c["nbf"] = now + 10 })),
		"nbf in the past":            sign(nil, claims(func(c map[string]any) { c["nbf"] = now - 10 })),
		"the whole Better Auth user": sign(nil, claims(func(c map[string]any) { c["name"], c["email"], c["image"] = "A", "a@example.com", nil })),
	}
	for name, token := range tests {
		t.Run(name, func(t *testing.T) {
			if sub, err := v.Verify(ctx, token); err != nil || sub != "alice" {
				t.Fatalf("got %q, %v; want alice", sub, err)
			}
		})
	}
}

func signWithHeader(t *testing.T, iss *jwttest.Issuer, header, claims map[string]any) string {
	t.Helper()
	// Sign the given header and claims with ed-1 through a token minted for the same claims:
	// only the header differs, so sign the new signing input directly.
	token := iss.Token(t, "ed-1", claims)
	payload := strings.Split(token, ".")[1]
	h := strings.Split(jwttest.Raw(header, claims, nil), ".")[0]
	return h + "." + payload + "." + iss.SignInput(t, "ed-1", h+"."+payload)
}

func TestKeyRotationAtTheJWKS(t *testing.T) {
	iss := jwttest.New(t)
	v, keys, clock := newVerifier(iss)
	old := iss.Token(t, "ed-1", iss.Claims("alice"))
	if _, err := v.Verify(ctx, old); err != nil {
		t.Fatal(err)
	}
	// The auth server rotates: a new key appears and the old one leaves the JWKS.
	iss.Add(t, "ed-2", jwt.EdDSA, false)
	iss.Publish("ed-2")
	clock.Advance(keys.MinRefetch)
	fresh := iss.Token(t, "ed-2", iss.Claims("bob"))
	if sub, err := v.Verify(ctx, fresh); err != nil || sub != "bob" {
		t.Fatalf("token of the new key: got %q, %v", sub, err)
	}
	// A token signed by the withdrawn key is refused once it is not cached.
	other := iss.Token(t, "ed-1", iss.Claims("carol"))
	if _, err := v.Verify(ctx, other); !errors.Is(err, jwt.ErrUnknownKey) {
		t.Fatalf("token of the withdrawn key: got %v, want ErrUnknownKey", err)
	}
}

func TestUnknownKidsCannotFloodTheJWKS(t *testing.T) {
	iss := jwttest.New(t)
	keys, _ := newRemoteKeys(iss)
	keys.MinRefetch = time.Hour
	v := jwt.NewVerifier(keys, iss.URL, iss.URL)
	if _, err := v.Verify(ctx, iss.Token(t, "ed-1", iss.Claims("alice"))); err != nil {
		t.Fatal(err)
	}
	iss.Add(t, "ghost", jwt.EdDSA, false)
	for range 50 {
		if _, err := v.Verify(ctx, iss.Token(t, "ghost", iss.Claims("alice"))); !errors.Is(err, jwt.ErrUnknownKey) {
			t.Fatalf("got %v, want ErrUnknownKey", err)
		}
	}
	if got := iss.Fetches.Load(); got > 2 {
		t.Fatalf("the JWKS was fetched %d times for 50 unknown kids; want at most 2", got)
	}
}

func TestJWKSUnreachable(t *testing.T) {
	iss := jwttest.New(t)
	iss.SetDown(true)
	v, keys, clock := newVerifier(iss)
	token := iss.Token(t, "ed-1", iss.Claims("alice"))
	// The verifier exists before the auth server answers; tokens wait for it.
	if _, err := v.Verify(ctx, token); !errors.Is(err, jwt.ErrKeysUnavailable) {
		t.Fatalf("JWKS down: got %v, want ErrKeysUnavailable", err)
	}
	iss.SetDown(false)
	clock.Advance(keys.MinRefetch)
	if sub, err := v.Verify(ctx, token); err != nil || sub != "alice" {
		t.Fatalf("JWKS back: got %q, %v", sub, err)
	}
	// Once known, keys keep working while the JWKS is down again, even after their TTL.
	iss.SetDown(true)
	clock.Advance(keys.TTL)
	if sub, err := v.Verify(ctx, iss.Token(t, "ed-1", iss.Claims("bob"))); err != nil || sub != "bob" {
		t.Fatalf("stale key while the JWKS is down: got %q, %v", sub, err)
	}
	// ... and after the refresh that the stale key set off has failed.
	waitForFetch(keys)
	if sub, err := v.Verify(ctx, iss.Token(t, "ed-1", iss.Claims("carol"))); err != nil || sub != "carol" {
		t.Fatalf("stale key after a failed refresh: got %q, %v", sub, err)
	}
}

func TestVerifiedTokensAreCachedUntilTheyExpire(t *testing.T) {
	iss := jwttest.New(t)
	v, _, _ := newVerifier(iss)
	token := iss.Token(t, "ed-1", iss.Claims("alice"))
	for range 3 {
		if _, err := v.Verify(ctx, token); err != nil {
			t.Fatal(err)
		}
	}
	if got := iss.Fetches.Load(); got != 1 {
		t.Fatalf("JWKS fetched %d times, want 1", got)
	}
	// The cache is keyed by the whole token: a forgery reusing its claims is checked anew.
	parts := strings.Split(token, ".")
	if _, err := v.Verify(ctx, parts[0]+"."+parts[1]+"."+base64.RawURLEncoding.EncodeToString(make([]byte, 64))); err == nil {
		t.Fatal("a token with the cached claims but another signature was accepted")
	}
}
