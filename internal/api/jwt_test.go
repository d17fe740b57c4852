package api_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/jwt"
	"todo/internal/jwt/jwttest"
)

// TestExternalAuthServer is the JWT matrix against the task API when it trusts the JWKS of a
// Better Auth server at AUTH_URL.
func TestExternalAuthServer(t *testing.T) {
	iss := jwttest.New(t)
	iss.SetDown(true) // the auth server starts after us
	clock := jwttest.NewClock(time.Now())
	s := apptest.Start(t, database.SQLite, map[string]string{"AUTH_URL": iss.URL}, apptest.WithClock(clock.Now))

	good := iss.Token(t, "ed-1", iss.Claims("alice"))
	r := s.Do(t, "GET", "/api/v1/tasks", good, nil)
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("JWKS unreachable: got %d %s, want 503 with Retry-After", r.Status, r.Body)
	}
	iss.SetDown(false)
	clock.Advance(1100 * time.Millisecond) // past the throttle: the key set is fetched at most once a second

	r = s.Do(t, "POST", "/api/v1/tasks", good, map[string]any{"title": "from Next.js"})
	expectStatus(t, r, http.StatusCreated)

	now := time.Now().Unix()
	with := func(change func(map[string]any)) map[string]any {
		c := iss.Claims("alice")
		change(c)
		return c
	}
	parts := strings.Split(good, ".")
	iss.Add(t, "unpublished", jwt.EdDSA, false)
	refused := map[string]string{
		"malformed":        "abc.def",
		"expired":          iss.Token(t, "ed-1", with(func(c map[string]any) { c["exp"] = now - 120 })),
		"not yet valid":    iss.Token(t, "ed-1", with(func(c map[string]any) { c["nbf"] = now + 600 })),
		"wrong iss":        iss.Token(t, "ed-1", with(func(c map[string]any) { c["iss"] = "http://evil.example" })),
		"wrong aud":        iss.Token(t, "ed-1", with(func(c map[string]any) { c["aud"] = "http://evil.example" })),
		"unknown kid":      iss.Token(t, "unpublished", iss.Claims("alice")),
		"alg none":         jwttest.Raw(map[string]any{"alg": "none", "kid": "ed-1"}, iss.Claims("alice"), nil),
		"HS256":            jwttest.Raw(map[string]any{"alg": "HS256", "kid": "ed-1"}, iss.Claims("alice"), []byte("mac")),
		"tampered payload": parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"mallory","exp":9999999999}`)) + "." + parts[2],
	}
	for name, token := range refused {
		t.Run(name, func(t *testing.T) {
			r := s.Do(t, "GET", "/api/v1/tasks", token, nil)
			if r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("got %d %s (WWW-Authenticate %q), want 401 Bearer", r.Status, r.Body, r.Header.Get("WWW-Authenticate"))
			}
			var e errorJSON
			r.JSON(t, &e)
			if e.Detail != "Invalid or expired token" {
				t.Fatalf("detail %q must be general", e.Detail)
			}
		})
	}
	// The log says why each token was refused, and never holds a token.
	logs := s.Logs.String()
	for _, want := range []string{"token not checked: signing keys unavailable", "token refused", `issuer \"http://evil.example\"`,
		`audience [\"http://evil.example\"]`, "expired", "unknown key id"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	for name, token := range refused {
		if sig := token[strings.LastIndex(token, ".")+1:]; len(sig) > 8 && strings.Contains(logs, sig) {
			t.Errorf("log holds the %s token", name)
		}
	}
	if strings.Contains(logs, good) {
		t.Error("log holds a token")
	}

	// The auth server rotates its key: tokens of the new key work at once.
	iss.Add(t, "ed-2", jwt.EdDSA, false)
	iss.Publish("ed-2")
	clock.Advance(1100 * time.Millisecond)
	r = s.Do(t, "GET", "/api/v1/tasks", iss.Token(t, "ed-2", iss.Claims("alice")), nil)
	expectStatus(t, r, http.StatusOK)
	var l listJSON
	r.JSON(t, &l)
	if l.Total != 1 || l.Tasks[0].Title != "from Next.js" {
		t.Fatalf("the same user (sub) must see the same tasks: %+v", l)
	}

	// Built-in sessions still exist for the web UI, but the API trusts only AUTH_URL.
	local := s.SignUp(t, "local@example.com")
	r = s.Do(t, "GET", "/api/v1/tasks", local.Token, nil)
	expectStatus(t, r, http.StatusUnauthorized)
}

// TestSharedSecretTokensThroughTheAPI: with JWT_ACCEPT_SHARED_SECRET, a token that a front end
// signs with BETTER_AUTH_SECRET (HS256, as the hackathon brief has it) drives the task API and
// the brief's routes; without it, the same token is refused.
func TestSharedSecretTokensThroughTheAPI(t *testing.T) {
	for _, accept := range []bool{false, true} {
		t.Run(fmt.Sprint("accept=", accept), func(t *testing.T) {
			env := map[string]string{}
			if accept {
				env["JWT_ACCEPT_SHARED_SECRET"] = "true"
			}
			s := apptest.Start(t, database.SQLite, env)
			now := time.Now().Unix()
			claims := map[string]any{"sub": "brief-user", "iat": now, "exp": now + 900, "iss": s.URL, "aud": s.URL}
			token := jwttest.HMAC(map[string]any{"alg": "HS256", "typ": "JWT"}, claims, []byte(apptest.Secret))
			r := s.Do(t, "POST", "/api/brief-user/tasks", token, map[string]any{"title": "signed by the front end"})
			if !accept {
				if r.Status != http.StatusUnauthorized {
					t.Fatalf("shared-secret token while off: got %d %s, want 401", r.Status, r.Body)
				}
				return
			}
			expectStatus(t, r, http.StatusCreated)
			expectStatus(t, s.Do(t, "GET", "/api/v1/tasks", token, nil), http.StatusOK)
			// Another secret, or our own keys' JWKS as the secret, is still refused.
			forged := jwttest.HMAC(map[string]any{"alg": "HS256"}, claims, []byte("not-the-secret-but-32-characters-long"))
			if r := s.Do(t, "GET", "/api/v1/tasks", forged, nil); r.Status != http.StatusUnauthorized {
				t.Fatalf("forged: got %d, want 401", r.Status)
			}
			jwks := s.Do(t, "GET", "/api/auth/jwks", "", nil).Body
			confused := jwttest.HMAC(map[string]any{"alg": "HS256"}, claims, jwks)
			if r := s.Do(t, "GET", "/api/v1/tasks", confused, nil); r.Status != http.StatusUnauthorized {
				t.Fatalf("the JWKS as an HMAC secret: got %d, want 401", r.Status)
			}
		})
	}
}
