package jwt_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"todo/internal/jwt"
	"todo/internal/jwt/jwttest"
)

// TestSharedSecretTokens: HS256 tokens signed with the shared secret are accepted only by a
// verifier told to, with every other check unchanged, and no key of the JWKS, public by
// nature, ever serves as an HMAC secret.
func TestSharedSecretTokens(t *testing.T) {
	iss := jwttest.New(t)
	secret := []byte("a-shared-secret-of-at-least-32-characters")
	hs := map[string]any{"alg": "HS256", "typ": "JWT"}
	good := jwttest.HMAC(hs, iss.Claims("alice"), secret)

	off, _, _ := newVerifier(iss)
	if _, err := off.Verify(context.Background(), good); !errors.Is(err, jwt.ErrInvalid) {
		t.Fatalf("HS256 without AcceptSharedSecret: got %v, want refused", err)
	}

	v, _, _ := newVerifier(iss)
	v.AcceptSharedSecret(secret)
	if sub, err := v.Verify(context.Background(), good); err != nil || sub != "alice" {
		t.Fatalf("HS256 with the shared secret: got %q, %v; want alice", sub, err)
	}
	// The asymmetric tokens still verify beside them.
	if sub, err := v.Verify(context.Background(), iss.Token(t, "ed-1", iss.Claims("bob"))); err != nil || sub != "bob" {
		t.Fatalf("EdDSA token: got %q, %v", sub, err)
	}

	// The published key, as bytes of its JWKS entry and of its raw x, is not an HMAC secret.
	resp, err := http.Get(iss.URL + "/api/auth/jwks")
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	json.Unmarshal(jwks, &set)
	x, _ := base64.RawURLEncoding.DecodeString(set.Keys[0]["x"].(string))
	claims := func(change func(map[string]any)) map[string]any {
		c := iss.Claims("alice")
		change(c)
		return c
	}
	same := func(map[string]any) {}
	now := time.Now().Unix()
	for name, token := range map[string]string{
		"wrong secret":         jwttest.HMAC(hs, iss.Claims("alice"), []byte("another-secret-of-at-least-32-characters")),
		"public key as secret": jwttest.HMAC(hs, iss.Claims("alice"), x),
		"JWKS as secret":       jwttest.HMAC(hs, iss.Claims("alice"), jwks),
		"HS256 with a kid":     jwttest.HMAC(map[string]any{"alg": "HS256", "kid": "ed-1"}, iss.Claims("alice"), secret),
		"HS384":                jwttest.HMAC(map[string]any{"alg": "HS384"}, iss.Claims("alice"), secret),
		"alg none":             jwttest.Raw(map[string]any{"alg": "none"}, iss.Claims("alice"), nil),
		"expired":              jwttest.HMAC(hs, claims(func(c map[string]any) { c["exp"] = now - 120 }), secret),
		"wrong iss":            jwttest.HMAC(hs, claims(func(c map[string]any) { c["iss"] = "http://evil.example" }), secret),
		"wrong aud":            jwttest.HMAC(hs, claims(func(c map[string]any) { c["aud"] = "http://evil.example" }), secret),
		"no sub":               jwttest.HMAC(hs, claims(func(c map[string]any) { delete(c, "sub") }), secret),
		"no exp":               jwttest.HMAC(hs, claims(func(c map[string]any) { delete(c, "exp") }), secret),
		"critical header":      jwttest.HMAC(map[string]any{"alg": "HS256", "crit": []string{"b64"}}, claims(same), secret),
		"tampered":             strings.Replace(good, ".", ".e30", 1),
	} {
		if sub, err := v.Verify(context.Background(), token); err == nil {
			t.Errorf("%s: accepted as %q", name, sub)
		}
	}
}
