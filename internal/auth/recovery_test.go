package auth_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
)

// startRecovery runs a server for the recovery tests: its clients (visitor) come from
// addresses of their own through a trusted proxy, so that parallel tests do not share the
// per-client password-hashing queue.
func startRecovery(t *testing.T, dialect database.Dialect, vars map[string]string, opts ...apptest.Option) *env {
	t.Helper()
	all := map[string]string{"TRUSTED_PROXIES": "127.0.0.1/32"}
	for k, v := range vars {
		all[k] = v
	}
	return start(t, dialect, all, opts...)
}

var visitors atomic.Uint32

// visitor is a browser of its own, from an address of its own.
func (e *env) visitor() *client {
	c := e.client()
	n := visitors.Add(1)
	c.headers = []string{"X-Forwarded-For", fmt.Sprintf("198.18.%d.%d", n/250, n%250+1)}
	return c
}

// queuedMail is a message of the server's outbox.
type queuedMail = apptest.Mail

// mails are the messages the outbox holds for the address, oldest first.
func (e *env) mails(t *testing.T, to string) []queuedMail {
	t.Helper()
	return e.srv.Mails(t, to)
}

// onlyMail is the one message the outbox holds for the address.
func (e *env) onlyMail(t *testing.T, to string) queuedMail {
	t.Helper()
	m := e.mails(t, to)
	if len(m) != 1 {
		t.Fatalf("%d mails to %s, want 1: %+v", len(m), to, m)
	}
	return m[0]
}

// link is the link of a mail into the auth API, as the plain text gives it.
func (e *env) link(t *testing.T, m queuedMail) *url.URL {
	t.Helper()
	found := regexp.MustCompile(regexp.QuoteMeta(e.srv.URL+"/api/auth/")+`\S+`).FindAllString(m.Text, -1)
	if len(found) != 1 {
		t.Fatalf("mail %q: %d links into the auth API, want 1:\n%s", m.Subject, len(found), m.Text)
	}
	u, err := url.Parse(found[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.HTML, `href="`+strings.ReplaceAll(found[0], "&", "&amp;")+`"`) {
		t.Errorf("mail %q: the HTML does not link to %s:\n%s", m.Subject, found[0], m.HTML)
	}
	return u
}

// pathAndQuery is what a client requests of a link.
func pathAndQuery(u *url.URL) string { return u.RequestURI() }

// emailToken signs claims as Better Auth's createEmailVerificationToken does (jose's SignJWT,
// HS256 with the secret itself as the key), written here apart from the code under test.
func emailToken(t *testing.T, claims string) string {
	t.Helper()
	input := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
	mac := hmac.New(sha256.New, []byte(apptest.Secret))
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// emailTokenClaims decodes a token's payload, members in order, without verifying it.
func emailTokenClaims(t *testing.T, token string) (raw []byte, claims map[string]any) {
	t.Helper()
	_, payload, _, _ := jwtParts(t, token)
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return payload, claims
}

// user reads the user row of the email: its id and whether it is verified; ok is false
// when there is none.
func (e *env) user(t *testing.T, email string) (id string, verified, ok bool) {
	t.Helper()
	err := e.db.QueryRow(e.q(`SELECT "id", "emailVerified" FROM "user" WHERE "email" = ?`), email).Scan(&id, &verified)
	if err != nil {
		return "", false, false
	}
	return id, verified, true
}

// clock is a server's clock that the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const resetAnswer = `{"status":true,"message":"If this email exists in our system, check your email for the reset link"}`

// requestReset asks for a reset link for the email and returns its token, read from the mail.
func (e *env) requestReset(t *testing.T, email, redirectTo string) string {
	t.Helper()
	e.visitor().post(t, "/api/auth/request-password-reset", map[string]any{"email": email, "redirectTo": redirectTo}).
		want(t, http.StatusOK, resetAnswer)
	m := e.mails(t, email)
	if len(m) == 0 {
		t.Fatalf("no reset mail to %s", email)
	}
	u := e.link(t, m[len(m)-1])
	token, ok := strings.CutPrefix(u.Path, "/api/auth/reset-password/")
	if !ok {
		t.Fatalf("reset link %s", u)
	}
	return token
}

// TestPasswordReset: request-password-reset answers the same for every address and mails a
// link to those with an account; the link leads to the callback with the token; the token
// sets a new password once.
func TestPasswordReset(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		e := startRecovery(t, dialect, nil)

		t.Run("SameAnswerForEveryAddress", func(t *testing.T) {
			t.Parallel()
			c := e.visitor()
			known := uniqueEmail(t, "known")
			a := c.signUp(t, known)
			unknown := uniqueEmail(t, "unknown")
			for _, email := range []string{unknown, known, strings.ToUpper(known)} {
				r := e.visitor().post(t, "/api/auth/request-password-reset", map[string]any{"email": email, "redirectTo": "/reset-password"})
				r.want(t, http.StatusOK, resetAnswer)
			}
			if m := e.mails(t, unknown); len(m) != 0 {
				t.Errorf("an address without an account got %d mails", len(m))
			}
			mails := e.mails(t, known)
			if len(mails) != 2 {
				t.Fatalf("%d reset mails to the account's address, want 2 (one per request)", len(mails))
			}
			m := mails[0]
			u := e.link(t, m)
			token := strings.TrimPrefix(u.Path, "/api/auth/reset-password/")
			if !regexp.MustCompile(`^[A-Za-z0-9]{24}$`).MatchString(token) || u.RawQuery != "callbackURL=%2Freset-password" {
				t.Errorf("reset link %s: want Better Auth's /api/auth/reset-password/<24 characters>?callbackURL=%%2Freset-password", u)
			}
			for _, want := range []string{"Todo", "reset the password", known, "1 hour", "If you did not ask for this"} {
				if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
					t.Errorf("reset mail lacks %q:\n%s\n%s", want, m.Text, m.HTML)
				}
			}
			if m.Subject != "Todo: Reset your password" {
				t.Errorf("subject %q", m.Subject)
			}
			// Better Auth's row: reset-password:<token> → the user's id, for an hour.
			var value string
			var expires, created any
			if err := e.db.QueryRow(e.q(`SELECT "value", "expiresAt", "createdAt" FROM "verification" WHERE "identifier" = ?`), "reset-password:"+token).
				Scan(&value, &expires, &created); err != nil {
				t.Fatalf("verification row of the token: %v", err)
			}
			if got := timeOf(t, expires).Sub(timeOf(t, created)); value != a.User.ID || got != time.Hour {
				t.Errorf("verification row: value %s, lifetime %v; want the user id %s, 1h", value, got, a.User.ID)
			}
		})

		t.Run("Validation", func(t *testing.T) {
			t.Parallel()
			c := e.visitor()
			c.post(t, "/api/auth/request-password-reset", map[string]any{"email": "not an address"}).
				wantError(t, 400, "VALIDATION_ERROR", "[body.email] Invalid email address")
			c.post(t, "/api/auth/request-password-reset", map[string]any{}).
				wantError(t, 400, "VALIDATION_ERROR", "[body.email] Invalid input: expected string, received undefined")
			c.post(t, "/api/auth/request-password-reset", map[string]any{"email": "a@example.com", "redirectTo": "https://evil.example/steal"}).
				wantError(t, 403, "INVALID_REDIRECT_URL", "Invalid redirectURL")
			if m := e.mails(t, "a@example.com"); len(m) != 0 {
				t.Errorf("a refused request queued %d mails", len(m))
			}
		})

		t.Run("Link", func(t *testing.T) {
			t.Parallel()
			c := e.visitor()
			email := uniqueEmail(t, "link")
			c.signUp(t, email)
			token := e.requestReset(t, email, "/reset-password")
			r := c.get(t, "/api/auth/reset-password/"+token+"?callbackURL=%2Freset-password")
			if r.status != http.StatusFound || r.header.Get("Location") != e.srv.URL+"/reset-password?token="+token || len(r.body) != 0 {
				t.Errorf("the mail's link: got %d Location %q %q, want 302 to the callback with the token", r.status, r.header.Get("Location"), r.body)
			}
			for _, tt := range []struct{ query, location string }{
				{"callbackURL=%2Freset-password%3Fa%3Db", e.srv.URL + "/reset-password?a=b&token=" + token},
				{"callbackURL=" + url.QueryEscape(e.srv.URL+"/page?token=old"), e.srv.URL + "/page?token=" + token},
			} {
				if got := c.get(t, "/api/auth/reset-password/"+token+"?"+tt.query).header.Get("Location"); got != tt.location {
					t.Errorf("?%s: Location %q, want %q", tt.query, got, tt.location)
				}
			}
			for _, bad := range []string{"unknown-token", "%00", "%FF"} {
				r := c.get(t, "/api/auth/reset-password/"+bad+"?callbackURL=%2Freset-password")
				if r.status != http.StatusFound || r.header.Get("Location") != e.srv.URL+"/reset-password?error=INVALID_TOKEN" {
					t.Errorf("token %q: got %d Location %q, want 302 with error=INVALID_TOKEN", bad, r.status, r.header.Get("Location"))
				}
			}
			c.get(t, "/api/auth/reset-password/"+token).
				wantError(t, 400, "VALIDATION_ERROR", "[query.callbackURL] Invalid input: expected string, received undefined")
			c.get(t, "/api/auth/reset-password/"+token+"?callbackURL=https%3A%2F%2Fevil.example").
				wantError(t, 403, "INVALID_CALLBACK_URL", "Invalid callbackURL")
		})

		t.Run("OnceWithTheNewPassword", func(t *testing.T) {
			t.Parallel()
			c := e.visitor()
			email := uniqueEmail(t, "once")
			c.signUp(t, email)
			token := e.requestReset(t, email, "")
			c.post(t, "/api/auth/reset-password", map[string]any{"newPassword": "short", "token": token}).
				wantError(t, 400, "PASSWORD_TOO_SHORT", "Password too short")
			c.post(t, "/api/auth/reset-password", map[string]any{"newPassword": strings.Repeat("x", 129), "token": token}).
				wantError(t, 400, "PASSWORD_TOO_LONG", "Password too long")
			c.post(t, "/api/auth/reset-password", map[string]any{"newPassword": "a brand new password", "token": token}).
				want(t, 200, `{"status":true}`)
			c.post(t, "/api/auth/reset-password", map[string]any{"newPassword": "another new password", "token": token}).
				wantError(t, 400, "INVALID_TOKEN", "Invalid token")
			e.visitor().signIn(t, email, "a brand new password")
			e.visitor().post(t, "/api/auth/sign-in/email", map[string]any{"email": email, "password": password}).
				wantError(t, 401, "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password")
			if n := e.count(t, `SELECT count(*) FROM "verification" WHERE "identifier" = ?`, "reset-password:"+token); n != 0 {
				t.Errorf("%d verification rows left for a used token", n)
			}
			// Better Auth keeps sessions unless revokeSessionsOnPasswordReset.
			if c.session(t) == nil {
				t.Error("the session of before the reset ended; only REVOKE_SESSIONS_ON_PASSWORD_RESET ends it")
			}
		})

		t.Run("TokenInTheQuery", func(t *testing.T) {
			t.Parallel()
			email := uniqueEmail(t, "query")
			e.visitor().signUp(t, email)
			token := e.requestReset(t, email, "")
			e.visitor().post(t, "/api/auth/reset-password?token="+token, map[string]any{"newPassword": "a brand new password"}).
				want(t, 200, `{"status":true}`)
			e.visitor().signIn(t, email, "a brand new password")
		})

		t.Run("BadRequests", func(t *testing.T) {
			t.Parallel()
			c := e.visitor()
			c.post(t, "/api/auth/reset-password", map[string]any{"newPassword": "a brand new password"}).
				wantError(t, 400, "INVALID_TOKEN", "Invalid token")
			c.post(t, "/api/auth/reset-password", map[string]any{"newPassword": "a brand new password", "token": "no-such-token"}).
				wantError(t, 400, "INVALID_TOKEN", "Invalid token")
			c.post(t, "/api/auth/reset-password", map[string]any{"newPassword": "a brand new password", "token": "bad\x00token\xff"}).
				wantError(t, 400, "INVALID_TOKEN", "Invalid token")
			c.post(t, "/api/auth/reset-password", map[string]any{"token": "x"}).
				wantError(t, 400, "VALIDATION_ERROR", "[body.newPassword] Invalid input: expected string, received undefined")
			c.post(t, "/api/auth/reset-password", map[string]any{"newPassword": "a brand new password", "token": 7}).
				wantError(t, 400, "VALIDATION_ERROR", "[body.token] Invalid input: expected string, received number")
		})

		t.Run("RacingRequestsUseTheTokenOnce", func(t *testing.T) {
			t.Parallel()
			email := uniqueEmail(t, "race")
			e.visitor().signUp(t, email)
			token := e.requestReset(t, email, "")
			const racers = 2
			statuses := make(chan int, racers)
			var wg sync.WaitGroup
			for i := range racers {
				wg.Go(func() {
					pw := "racing password " + string(rune('a'+i))
					statuses <- e.visitor().post(t, "/api/auth/reset-password", map[string]any{"newPassword": pw, "token": token}).status
				})
			}
			wg.Wait()
			close(statuses)
			count := map[int]int{}
			for s := range statuses {
				count[s]++
			}
			if count[200] != 1 || count[400] != racers-1 {
				t.Errorf("statuses %v: want one 200 and %d 400s", count, racers-1)
			}
		})

		t.Run("AccountWithoutPassword", func(t *testing.T) {
			t.Parallel()
			// A user who signed in elsewhere (a social provider) has no credential account: a
			// reset gives them one, as in Better Auth.
			email := uniqueEmail(t, "social")
			a := e.visitor().signUp(t, email)
			e.exec(t, `DELETE FROM "account" WHERE "userId" = ?`, a.User.ID)
			token := e.requestReset(t, email, "")
			e.visitor().post(t, "/api/auth/reset-password", map[string]any{"newPassword": "a brand new password", "token": token}).
				want(t, 200, `{"status":true}`)
			e.visitor().signIn(t, email, "a brand new password")
		})
	})
}

// TestResetLinksExpire: a reset token works for RESET_PASSWORD_TOKEN_EXPIRES_IN, by the
// server's clock; then the link and the reset refuse it.
func TestResetLinksExpire(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		clk := newClock()
		e := startRecovery(t, dialect, map[string]string{"RESET_PASSWORD_TOKEN_EXPIRES_IN": "30m"}, apptest.WithClock(clk.Now))
		email := uniqueEmail(t, "expiring")
		e.visitor().signUp(t, email)
		token := e.requestReset(t, email, "/reset-password")
		if m := e.onlyMail(t, email); !strings.Contains(m.Text, "works for 30 minutes") {
			t.Errorf("the mail does not give the link's lifetime:\n%s", m.Text)
		}
		link := "/api/auth/reset-password/" + token + "?callbackURL=%2Freset-password"
		clk.advance(30 * time.Minute)
		if got := e.visitor().get(t, link).header.Get("Location"); got != e.srv.URL+"/reset-password?token="+token {
			t.Errorf("at its expiry, the link leads to %q; want the form, with the token", got)
		}
		clk.advance(time.Millisecond)
		if got := e.visitor().get(t, link).header.Get("Location"); got != e.srv.URL+"/reset-password?error=INVALID_TOKEN" {
			t.Errorf("past its expiry, the link leads to %q; want error=INVALID_TOKEN", got)
		}
		e.visitor().post(t, "/api/auth/reset-password", map[string]any{"newPassword": "a brand new password", "token": token}).
			wantError(t, 400, "INVALID_TOKEN", "Invalid token")
		e.visitor().signIn(t, email, password)
	})
}

// TestResetRevokesSessions: with REVOKE_SESSIONS_ON_PASSWORD_RESET, a reset ends every
// session of the user, and only theirs.
func TestResetRevokesSessions(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		e := startRecovery(t, dialect, map[string]string{"REVOKE_SESSIONS_ON_PASSWORD_RESET": "true"})
		email := uniqueEmail(t, "revoked")
		first := e.visitor()
		first.signUp(t, email)
		second := e.visitor()
		second.signIn(t, email, password)
		bystander := e.visitor()
		bystander.signUp(t, uniqueEmail(t, "bystander"))
		token := e.requestReset(t, email, "")
		e.visitor().post(t, "/api/auth/reset-password", map[string]any{"newPassword": "a brand new password", "token": token}).
			want(t, 200, `{"status":true}`)
		if first.session(t) != nil || second.session(t) != nil {
			t.Error("a session of the user outlived the reset")
		}
		if bystander.session(t) == nil {
			t.Error("another user's session ended")
		}
	})
}

// TestEmailVerification: send-verification-email mails Better Auth's signed link, which sets
// emailVerified; a token signed as Better Auth signs it works; bad and expired links say why.
func TestEmailVerification(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		clk := newClock()
		e := startRecovery(t, dialect, nil, apptest.WithClock(clk.Now))

		t.Run("SignedOutSameAnswer", func(t *testing.T) {
			unverified := uniqueEmail(t, "unverified")
			a := e.visitor().signUp(t, unverified)
			verified := uniqueEmail(t, "verified")
			e.visitor().signUp(t, verified)
			e.exec(t, `UPDATE "user" SET "emailVerified" = ? WHERE "email" = ?`, true, verified)
			unknown := uniqueEmail(t, "nobody")
			for _, email := range []string{unknown, verified, unverified} {
				e.visitor().post(t, "/api/auth/send-verification-email", map[string]any{"email": email, "callbackURL": "/email-verified"}).
					want(t, 200, `{"status":true}`)
			}
			if n, m := len(e.mails(t, unknown)), len(e.mails(t, verified)); n+m != 0 {
				t.Errorf("mails to an unknown address and a verified one: %d, %d; want none", n, m)
			}
			m := e.onlyMail(t, unverified)
			u := e.link(t, m)
			if u.Path != "/api/auth/verify-email" || u.Query().Get("callbackURL") != "/email-verified" {
				t.Errorf("verification link %s: want Better Auth's /api/auth/verify-email?token=…&callbackURL=%%2Femail-verified", u)
			}
			for _, want := range []string{"Todo", "verify", unverified, "1 hour", "If you did not create"} {
				if !strings.Contains(m.Text, want) {
					t.Errorf("verification mail lacks %q:\n%s", want, m.Text)
				}
			}
			// Better Auth's token: HS256, {email, userId, iat, exp}, for an hour.
			raw, claims := emailTokenClaims(t, u.Query().Get("token"))
			if got := keys(t, raw); strings.Join(got, ",") != "email,userId,iat,exp" {
				t.Errorf("token claims %s: want email, userId, iat, exp in that order", raw)
			}
			if claims["email"] != unverified || claims["userId"] != a.User.ID || claims["exp"].(float64)-claims["iat"].(float64) != 3600 {
				t.Errorf("token claims %s", raw)
			}
			r := e.visitor().get(t, pathAndQuery(u))
			if r.status != http.StatusFound || r.header.Get("Location") != "/email-verified" {
				t.Fatalf("the link: got %d Location %q, want 302 to /email-verified", r.status, r.header.Get("Location"))
			}
			if _, verified, _ := e.user(t, unverified); !verified {
				t.Error("the link did not verify the address")
			}
			// A second use changes nothing and says so the same way.
			if r := e.visitor().get(t, pathAndQuery(u)); r.status != http.StatusFound || r.header.Get("Location") != "/email-verified" {
				t.Errorf("the link again: got %d Location %q", r.status, r.header.Get("Location"))
			}
		})

		t.Run("SignedIn", func(t *testing.T) {
			c := e.visitor()
			email := uniqueEmail(t, "me")
			c.signUp(t, email)
			c.post(t, "/api/auth/send-verification-email", map[string]any{"email": "someone.else@example.com"}).
				wantError(t, 400, "EMAIL_MISMATCH", "Email mismatch")
			c.post(t, "/api/auth/send-verification-email", map[string]any{"email": strings.ToUpper(email)}).want(t, 200, `{"status":true}`)
			u := e.link(t, e.onlyMail(t, email))
			if u.Query().Get("callbackURL") != "/" {
				t.Errorf("without a callbackURL, the link's is %q, want /", u.Query().Get("callbackURL"))
			}
			// Without a callback URL the link answers JSON.
			c.get(t, "/api/auth/verify-email?token="+url.QueryEscape(u.Query().Get("token"))).want(t, 200, `{"status":true,"user":null}`)
			if s := c.session(t); s == nil || !s.User.EmailVerified {
				t.Errorf("get-session after verification: %+v, want emailVerified", s)
			}
			c.post(t, "/api/auth/send-verification-email", map[string]any{"email": email}).
				wantError(t, 400, "EMAIL_ALREADY_VERIFIED", "Email is already verified")
		})

		t.Run("BetterAuthsToken", func(t *testing.T) {
			email := uniqueEmail(t, "ba.token")
			a := e.visitor().signUp(t, email)
			now := clk.Now().Unix()
			token := emailToken(t, `{"email":"`+email+`","userId":"`+a.User.ID+`","iat":`+itoa(now)+`,"exp":`+itoa(now+3600)+`}`)
			e.visitor().get(t, "/api/auth/verify-email?token="+token).want(t, 200, `{"status":true,"user":null}`)
			if _, verified, _ := e.user(t, email); !verified {
				t.Error("a token signed as Better Auth signs it did not verify the address")
			}
		})

		t.Run("BadLinks", func(t *testing.T) {
			email := uniqueEmail(t, "bad.links")
			e.visitor().signUp(t, email)
			now := clk.Now().Unix()
			claims := func(extra string) string {
				return `{"email":"` + email + `"` + extra + `,"iat":` + itoa(now) + `,"exp":` + itoa(now+3600) + `}`
			}
			forged := emailToken(t, claims(""))
			forged = forged[:len(forged)-2] + "AA"
			for _, tt := range []struct {
				name, token, code, message string
			}{
				{"not a JWT", "nonsense", "INVALID_TOKEN", "Invalid token"},
				{"wrong signature", forged, "INVALID_TOKEN", "Invalid token"},
				{"another user's id", emailToken(t, claims(`,"userId":"someone-else"`)), "INVALID_TOKEN", "Invalid token"},
				{"no such user", emailToken(t, `{"email":"nobody@example.com","iat":`+itoa(now)+`,"exp":`+itoa(now+60)+`}`), "USER_NOT_FOUND", "User not found"},
				{"expired", emailToken(t, `{"email":"`+email+`","iat":`+itoa(now-7200)+`,"exp":`+itoa(now-3600)+`}`), "TOKEN_EXPIRED", "Token expired"},
				{"HS512", strings.Replace(emailToken(t, claims("")), base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256"}`)),
					base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS512"}`)), 1), "INVALID_TOKEN", "Invalid token"},
			} {
				e.visitor().get(t, "/api/auth/verify-email?token="+url.QueryEscape(tt.token)).wantError(t, 401, tt.code, tt.message)
				r := e.visitor().get(t, "/api/auth/verify-email?callbackURL=%2Femail-verified&token="+url.QueryEscape(tt.token))
				if r.status != http.StatusFound || r.header.Get("Location") != "/email-verified?error="+tt.code {
					t.Errorf("%s, with a callback URL: got %d Location %q, want 302 to /email-verified?error=%s", tt.name, r.status, r.header.Get("Location"), tt.code)
				}
			}
			if _, verified, _ := e.user(t, email); verified {
				t.Error("a bad link verified the address")
			}
			e.visitor().get(t, "/api/auth/verify-email").
				wantError(t, 400, "VALIDATION_ERROR", "[query.token] Invalid input: expected string, received undefined")
			e.visitor().get(t, "/api/auth/verify-email?token=x&callbackURL=https%3A%2F%2Fevil.example").
				wantError(t, 403, "INVALID_CALLBACK_URL", "Invalid callbackURL")
			e.visitor().post(t, "/api/auth/send-verification-email", map[string]any{"email": email, "callbackURL": "https://evil.example"}).
				wantError(t, 403, "INVALID_CALLBACK_URL", "Invalid callbackURL")
		})

		t.Run("LinkExpiresByTheClock", func(t *testing.T) {
			c := e.visitor()
			email := uniqueEmail(t, "clock")
			c.signUp(t, email)
			c.post(t, "/api/auth/send-verification-email", map[string]any{"email": email}).want(t, 200, `{"status":true}`)
			u := e.link(t, e.onlyMail(t, email))
			clk.advance(time.Hour)
			if r := e.visitor().get(t, pathAndQuery(u)); r.status != http.StatusFound || r.header.Get("Location") != "/?error=TOKEN_EXPIRED" {
				t.Errorf("the link an hour later: got %d Location %q, want 302 to /?error=TOKEN_EXPIRED", r.status, r.header.Get("Location"))
			}
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRequireEmailVerification: with REQUIRE_EMAIL_VERIFICATION, sign-up opens no session and
// answers alike for a new address and a taken one; sign-in waits for the address to be
// verified, refusing with Better Auth's 403 EMAIL_NOT_VERIFIED (and, with
// SEND_VERIFICATION_EMAIL_ON_SIGN_IN, mailing a new link).
func TestRequireEmailVerification(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		e := startRecovery(t, dialect, map[string]string{"REQUIRE_EMAIL_VERIFICATION": "true", "SEND_VERIFICATION_EMAIL_ON_SIGN_IN": "true"})
		email := uniqueEmail(t, "required")
		body := map[string]any{"name": "Required", "email": email, "password": password}
		var first, again struct {
			Token *string  `json:"token"`
			User  userJSON `json:"user"`
		}
		r := e.visitor().post(t, "/api/auth/sign-up/email", body)
		r.want(t, 200, "")
		r.decode(t, &first)
		if first.Token != nil || len(r.cookies) != 0 {
			t.Errorf("sign-up: token %v, cookies %q; want null and none", first.Token, r.cookies)
		}
		wantKeys(t, "sign-up answer", r.body, "token", "user")
		if len(e.mails(t, email)) != 1 {
			t.Fatal("sign-up sent no verification mail")
		}
		// The same address again: the same answer, a made-up user, no mail.
		r = e.visitor().post(t, "/api/auth/sign-up/email", body)
		r.want(t, 200, "")
		r.decode(t, &again)
		if again.Token != nil || len(r.cookies) != 0 || again.User.ID == first.User.ID || again.User.Email != email || again.User.EmailVerified {
			t.Errorf("sign-up of a taken address: %+v, cookies %q; want the answer of a new one", again, r.cookies)
		}
		if n := e.count(t, `SELECT count(*) FROM "user" WHERE "email" = ?`, email); n != 1 {
			t.Errorf("%d users with the address", n)
		}

		e.visitor().post(t, "/api/auth/sign-in/email", map[string]any{"email": email, "password": "wrong password"}).
			wantError(t, 401, "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password")
		e.visitor().post(t, "/api/auth/sign-in/email", map[string]any{"email": email, "password": password, "callbackURL": "/welcome"}).
			wantError(t, 403, "EMAIL_NOT_VERIFIED", "Email not verified")
		mails := e.mails(t, email)
		if len(mails) != 2 {
			t.Fatalf("%d mails after a refused sign-in, want 2: the sign-up's and the sign-in's", len(mails))
		}
		u := e.link(t, mails[1])
		if u.Query().Get("callbackURL") != "/welcome" {
			t.Errorf("the sign-in's link leads to %q, want its callbackURL", u.Query().Get("callbackURL"))
		}
		e.visitor().get(t, pathAndQuery(u)).want(t, http.StatusFound, "")
		e.visitor().signIn(t, email, password)
	})
}

// TestChangeEmail: change-email sends Better Auth's link (email, updateTo, requestType
// change-email-verification, userId) to the new address; opening it changes the address.
func TestChangeEmail(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		e := startRecovery(t, dialect, map[string]string{"CHANGE_EMAIL_ENABLED": "true"})

		t.Run("ByTheLink", func(t *testing.T) {
			t.Parallel()
			c := e.visitor()
			old := uniqueEmail(t, "old")
			a := c.signUp(t, old)
			next := uniqueEmail(t, "new")
			c.post(t, "/api/auth/change-email", map[string]any{"newEmail": strings.ToUpper(next), "callbackURL": "/email-verified"}).
				want(t, 200, `{"status":true}`)
			m := e.onlyMail(t, next)
			if len(e.mails(t, old)) != 0 {
				t.Error("a mail went to the old address")
			}
			for _, want := range []string{old, next, "If you did not ask for this"} {
				if !strings.Contains(m.Text, want) {
					t.Errorf("change mail lacks %q:\n%s", want, m.Text)
				}
			}
			u := e.link(t, m)
			raw, claims := emailTokenClaims(t, u.Query().Get("token"))
			if got := strings.Join(keys(t, raw), ","); got != "email,updateTo,requestType,userId,iat,exp" ||
				claims["email"] != old || claims["updateTo"] != next || claims["requestType"] != "change-email-verification" || claims["userId"] != a.User.ID {
				t.Errorf("token claims %s", raw)
			}
			if _, _, ok := e.user(t, next); ok {
				t.Fatal("the address changed before the link was opened")
			}
			// Another user's session cannot use the link.
			other := e.visitor()
			other.signUp(t, uniqueEmail(t, "other"))
			other.get(t, "/api/auth/verify-email?token="+u.Query().Get("token")).wantError(t, 401, "INVALID_USER", "Invalid user")

			r := c.get(t, pathAndQuery(u))
			if r.status != http.StatusFound || r.header.Get("Location") != "/email-verified" {
				t.Fatalf("the link: %d Location %q", r.status, r.header.Get("Location"))
			}
			if len(r.cookies) == 0 || !strings.HasPrefix(r.cookies[len(r.cookies)-1], "better-auth.session_token="+sessionCookie(apptest.Secret, a.Token)) {
				t.Errorf("the link did not send the session cookie again: %q", r.cookies)
			}
			id, verified, ok := e.user(t, next)
			if !ok || id != a.User.ID || verified {
				t.Errorf("after the link: user %s (found %v, verified %v); want the user, unverified as before", id, ok, verified)
			}
			if s := c.session(t); s == nil || s.User.Email != next {
				t.Errorf("get-session after the change: %+v", s)
			}
			// The link was for the old address: it does not work twice.
			c.get(t, "/api/auth/verify-email?token="+u.Query().Get("token")).wantError(t, 401, "INVALID_TOKEN", "Invalid token")
		})

		t.Run("Refusals", func(t *testing.T) {
			t.Parallel()
			c := e.visitor()
			me := uniqueEmail(t, "me")
			c.signUp(t, me)
			taken := uniqueEmail(t, "taken")
			e.visitor().signUp(t, taken)
			c.post(t, "/api/auth/change-email", map[string]any{"newEmail": strings.ToUpper(me)}).wantError(t, 400, "", "Email is the same")
			c.post(t, "/api/auth/change-email", map[string]any{"newEmail": "nope"}).
				wantError(t, 400, "VALIDATION_ERROR", "[body.newEmail] Invalid email address")
			c.post(t, "/api/auth/change-email", map[string]any{"newEmail": taken}).want(t, 200, `{"status":true}`)
			if n := len(e.mails(t, taken)); n != 0 {
				t.Errorf("%d mails to an address that has an account", n)
			}
			e.visitor().post(t, "/api/auth/change-email", map[string]any{"newEmail": uniqueEmail(t, "anon")}).
				wantError(t, 401, "UNAUTHORIZED", "Unauthorized")
		})

		t.Run("AnswerWithoutCallback", func(t *testing.T) {
			t.Parallel()
			c := e.visitor()
			a := c.signUp(t, uniqueEmail(t, "json"))
			next := uniqueEmail(t, "json.new")
			c.post(t, "/api/auth/change-email", map[string]any{"newEmail": next}).want(t, 200, `{"status":true}`)
			token := e.link(t, e.onlyMail(t, next)).Query().Get("token")
			r := c.get(t, "/api/auth/verify-email?token="+token)
			r.want(t, 200, "")
			var res struct {
				Status bool     `json:"status"`
				User   userJSON `json:"user"`
			}
			r.decode(t, &res)
			wantKeys(t, "answer", r.body, "status", "user")
			if !res.Status || res.User.ID != a.User.ID || res.User.Email != next {
				t.Errorf("answer %s: want the status and the changed user", r.body)
			}
		})

		t.Run("BetterAuthsOtherFlows", func(t *testing.T) {
			t.Parallel()
			// Better Auth also makes a token for the current address to approve the change
			// (sendChangeEmailConfirmation), and an older one without requestType that
			// changes the address at once, unverified. A link of either works here.
			old := uniqueEmail(t, "flows")
			a := e.visitor().signUp(t, old)
			e.exec(t, `UPDATE "user" SET "emailVerified" = ? WHERE "id" = ?`, true, a.User.ID)
			next := uniqueEmail(t, "flows.new")
			now := time.Now().Unix()
			confirm := emailToken(t, `{"email":"`+old+`","updateTo":"`+next+`","requestType":"change-email-confirmation","userId":"`+a.User.ID+`","iat":`+itoa(now)+`,"exp":`+itoa(now+3600)+`}`)
			e.visitor().get(t, "/api/auth/verify-email?token="+confirm).want(t, 200, `{"status":true}`)
			token := e.link(t, e.onlyMail(t, next)).Query().Get("token")
			if _, claims := emailTokenClaims(t, token); claims["requestType"] != "change-email-verification" || claims["updateTo"] != next {
				t.Errorf("the approved change sent the new address %v, want a change-email-verification token", claims)
			}
			e.visitor().get(t, "/api/auth/verify-email?token="+token).want(t, 200, "")
			if _, verified, ok := e.user(t, next); !ok || !verified {
				t.Errorf("after the verification link: found %v, verified %v; want the address changed and still verified", ok, verified)
			}

			newer := uniqueEmail(t, "flows.legacy")
			legacy := emailToken(t, `{"email":"`+next+`","updateTo":"`+newer+`","userId":"`+a.User.ID+`","iat":`+itoa(now)+`,"exp":`+itoa(now+3600)+`}`)
			e.visitor().get(t, "/api/auth/verify-email?token="+legacy).want(t, 200, "")
			if _, verified, ok := e.user(t, newer); !ok || verified {
				t.Errorf("after the older flow's link: found %v, verified %v; want the address changed, not verified", ok, verified)
			}
			if _, claims := emailTokenClaims(t, e.link(t, e.onlyMail(t, newer)).Query().Get("token")); claims["email"] != newer || claims["updateTo"] != nil {
				t.Errorf("the older flow asked the new address to verify with %v", claims)
			}
		})
	})
}

// TestChangeEmailOff: without CHANGE_EMAIL_ENABLED, change-email is Better Auth's 400.
func TestChangeEmailOff(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		e := startRecovery(t, dialect, nil)
		c := e.visitor()
		c.signUp(t, uniqueEmail(t, "fixed"))
		c.post(t, "/api/auth/change-email", map[string]any{"newEmail": uniqueEmail(t, "elsewhere")}).
			wantError(t, 400, "CHANGE_EMAIL_DISABLED", "Change email is disabled")
	})
}

// TestRecoveryWithoutMail: in production without SMTP_URL, mail is off, and the endpoints
// that need it say so with Better Auth's errors.
func TestRecoveryWithoutMail(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		e := startRecovery(t, dialect, map[string]string{"APP_ENV": "production", "CHANGE_EMAIL_ENABLED": "true"})
		c := e.visitor()
		email := uniqueEmail(t, "nomail")
		c.signUp(t, email)
		c.post(t, "/api/auth/request-password-reset", map[string]any{"email": email}).
			wantError(t, 400, "RESET_PASSWORD_DISABLED", "Reset password isn't enabled")
		c.post(t, "/api/auth/send-verification-email", map[string]any{"email": email}).
			wantError(t, 400, "VERIFICATION_EMAIL_NOT_ENABLED", "Verification email isn't enabled")
		c.post(t, "/api/auth/change-email", map[string]any{"newEmail": uniqueEmail(t, "other")}).
			wantError(t, 400, "", "Verification email isn't enabled")
	})
}

// TestRecoveryRateLimits: Better Auth's limits: 3 a minute on the paths that mail any
// address, 3 per 10 s on change-email, per client.
func TestRecoveryRateLimits(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		e := startRecovery(t, dialect, map[string]string{"RATE_LIMIT": "true", "CHANGE_EMAIL_ENABLED": "true"})
		signedIn := e.visitor()
		signedIn.signUp(t, uniqueEmail(t, "limited"))
		for _, tt := range []struct {
			path   string
			c      *client
			body   func(i int) map[string]any
			window int
		}{
			{"/api/auth/request-password-reset", e.visitor(), func(int) map[string]any { return map[string]any{"email": "x@example.com"} }, 60},
			{"/api/auth/send-verification-email", e.visitor(), func(int) map[string]any { return map[string]any{"email": "x@example.com"} }, 60},
			{"/api/auth/change-email", signedIn, func(i int) map[string]any {
				return map[string]any{"newEmail": "n" + strconv.Itoa(i) + "@example.com"}
			}, 10},
		} {
			for i := range 3 {
				tt.c.post(t, tt.path, tt.body(i)).want(t, 200, "")
			}
			r := tt.c.post(t, tt.path, tt.body(3))
			r.want(t, http.StatusTooManyRequests, tooManyRequests)
			if s, err := strconv.Atoi(r.header.Get("X-Retry-After")); err != nil || s < 1 || s > tt.window {
				t.Errorf("%s: X-Retry-After %q, want 1 to %d", tt.path, r.header.Get("X-Retry-After"), tt.window)
			}
		}
	})
}

// TestRecoveryTokensNotLogged: reset tokens and verification links appear in no log line
// but the development mail sender's, which writes the mails themselves.
func TestRecoveryTokensNotLogged(t *testing.T) {
	e := startRecovery(t, database.SQLite, nil)
	c := e.visitor()
	email := uniqueEmail(t, "secret")
	c.signUp(t, email)
	reset := e.requestReset(t, email, "/reset-password")
	c.get(t, "/api/auth/reset-password/"+reset+"?callbackURL=%2Freset-password").want(t, http.StatusFound, "")
	c.post(t, "/api/auth/reset-password", map[string]any{"newPassword": "a brand new password", "token": reset}).want(t, 200, "")
	c.post(t, "/api/auth/send-verification-email", map[string]any{"email": email}).want(t, 200, "")
	verify := e.link(t, e.mails(t, email)[1]).Query().Get("token")
	c.get(t, "/api/auth/verify-email?token="+verify).want(t, 200, "")
	for _, line := range strings.Split(e.srv.Logs.String(), "\n") {
		if strings.Contains(line, "email (development") {
			continue
		}
		for _, secret := range []string{reset, verify, verify[strings.LastIndex(verify, ".")+1:]} {
			if strings.Contains(line, secret) {
				t.Errorf("a log line holds a token:\n%s", line)
			}
		}
	}
}
