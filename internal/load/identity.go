package load

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"time"
)

// renewBefore is how long before its expiry a token is replaced, so that no request of the
// run ever carries an expired one.
const renewBefore = time.Minute

// identity is a virtual user as the task API knows it: a bearer token, renewed in time.
type identity struct {
	bearer  string // "Bearer <JWT>", ready for the Authorization header
	renewAt time.Time
	renew   func(ctx context.Context, now time.Time) (token string, expires time.Time, err error)
}

// authorization returns the Authorization header value, renewing the token first when it is
// close to its expiry.
func (id *identity) authorization(ctx context.Context, now time.Time) (string, error) {
	if id.bearer != "" && now.Before(id.renewAt) {
		return id.bearer, nil
	}
	token, expires, err := id.renew(ctx, now)
	if err != nil {
		if id.bearer != "" {
			// The current token is still good for a while: try again shortly rather than
			// before every request.
			id.renewAt = now.Add(5 * time.Second)
		}
		return id.bearer, err
	}
	id.bearer = "Bearer " + token
	id.renewAt = expires.Add(-renewBefore)
	return id.bearer, nil
}

// mintedIdentity is a user that exists only in the tokens the minter signs.
func mintedIdentity(m *Minter, sub string) *identity {
	return &identity{renew: func(_ context.Context, now time.Time) (string, time.Time, error) {
		return m.Mint(sub, now)
	}}
}

// signedUpIdentity signs a new user up through the server's built-in auth (Better Auth's
// POST /api/auth/sign-up/email) and takes tokens from GET /api/auth/token with the session
// cookie, as a browser front end does.
func signedUpIdentity(ctx context.Context, base string, transport http.RoundTripper, timeout time.Duration, email string) (*identity, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Jar: jar, Transport: transport, Timeout: timeout}
	body, err := json.Marshal(map[string]string{
		"name": "Load test user", "email": email, "password": "load-test password " + email,
	})
	if err != nil {
		return nil, err
	}
	if _, err := authCall(ctx, client, http.MethodPost, base+"/api/auth/sign-up/email", body); err != nil {
		return nil, fmt.Errorf("sign up: %w", err)
	}
	renew := func(ctx context.Context, _ time.Time) (string, time.Time, error) {
		answer, err := authCall(ctx, client, http.MethodGet, base+"/api/auth/token", nil)
		if err != nil {
			return "", time.Time{}, fmt.Errorf("get token: %w", err)
		}
		var got struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(answer, &got); err != nil || got.Token == "" {
			return "", time.Time{}, fmt.Errorf("get token: no token in %.200q", answer)
		}
		expires, err := expiry(got.Token)
		if err != nil {
			return "", time.Time{}, fmt.Errorf("get token: %w", err)
		}
		return got.Token, expires, nil
	}
	return &identity{renew: renew}, nil
}

// authCall sends one request of the auth API and returns the body of its 200 answer.
func authCall(ctx context.Context, client *http.Client, method, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %.200s", resp.Status, answer)
	}
	return answer, nil
}

// expiry reads the exp claim of a JWT without verifying it: the client only needs to know
// when to ask for the next one.
func expiry(token string) (time.Time, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, errors.New("token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, errors.New("token payload is not base64url")
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Exp == 0 {
		return time.Time{}, errors.New("token has no exp claim")
	}
	return time.Unix(claims.Exp, 0), nil
}
