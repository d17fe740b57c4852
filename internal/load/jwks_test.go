package load

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"todo/internal/jwt"
)

// The server's own verifier, reading the key set over HTTP as it does from AUTH_URL, must
// accept what the minter signs: otherwise every run in jwks mode would be all 401s.
func TestMintedTokensVerifyWithTheServersVerifier(t *testing.T) {
	m, err := NewMinter("http://127.0.0.1:3000", "http://127.0.0.1:3000")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.JWKSHandler())
	defer srv.Close()
	verifier := jwt.NewVerifier(jwt.NewRemoteKeys(srv.URL+"/api/auth/jwks"), "http://127.0.0.1:3000", "http://127.0.0.1:3000")

	now := time.Now()
	token, expires, err := m.Mint("user-1", now)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := expires.Sub(now), 15*time.Minute; got != want {
		t.Errorf("lifetime: got %s, want %s", got, want)
	}
	sub, err := verifier.Verify(context.Background(), token)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if sub != "user-1" {
		t.Errorf("subject: got %q, want user-1", sub)
	}
	if got, err := expiry(token); err != nil || got.Unix() != expires.Unix() {
		t.Errorf("expiry: got %v, %v, want %v", got, err, expires)
	}
}

func TestMintedTokensOfAnotherIssuerAreRefused(t *testing.T) {
	m, err := NewMinter("http://elsewhere:3000", "http://127.0.0.1:3000")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.JWKSHandler())
	defer srv.Close()
	verifier := jwt.NewVerifier(jwt.NewRemoteKeys(srv.URL+"/api/auth/jwks"), "http://127.0.0.1:3000", "http://127.0.0.1:3000")
	token, _, err := m.Mint("user-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifier.Verify(context.Background(), token); err == nil {
		t.Error("a token of another issuer was accepted")
	}
}
