package interop_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
)

const password = apptest.Password

type response struct {
	status int
	header http.Header
	body   []byte
}

// call sends a request; a non-empty body goes as JSON unless headers set another
// Content-Type. headers are name/value pairs.
func call(t *testing.T, method, url, body string, headers ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	apptest.SetHeaders(req, headers...)
	resp := apptest.Send(t, noRedirects, req)
	return response{resp.Status, resp.Header, resp.Body}
}

// noRedirects answers with a redirect itself instead of following it: the Location is part
// of the answer to compare.
var noRedirects = &http.Client{
	Timeout:       time.Minute,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (r response) want(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("got %d %s, want %d", r.status, r.body, status)
	}
	return r
}

// sessionCookie is the Cookie header that carries the session a response set.
func (r response) sessionCookie(t *testing.T) string {
	t.Helper()
	for _, line := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(line, "better-auth.session_token=") {
			return strings.SplitN(line, ";", 2)[0]
		}
	}
	t.Fatalf("no session cookie in %q", r.header.Values("Set-Cookie"))
	return ""
}

type authAnswer struct {
	Token string `json:"token"`
	User  struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	} `json:"user"`
}

func (r response) auth(t *testing.T) authAnswer {
	t.Helper()
	var a authAnswer
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return a
}

func signUp(t *testing.T, base, email string) (authAnswer, string) {
	t.Helper()
	r := call(t, "POST", base+"/api/auth/sign-up/email", fmt.Sprintf(`{"name":"Interop User","email":%q,"password":%q}`, email, password)).want(t, 200)
	return r.auth(t), r.sessionCookie(t)
}

func signIn(t *testing.T, base, email string) (authAnswer, string) {
	t.Helper()
	r := call(t, "POST", base+"/api/auth/sign-in/email", fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)).want(t, 200)
	return r.auth(t), r.sessionCookie(t)
}

// getSession returns get-session's body for the cookie ("null" without a session).
func getSession(t *testing.T, base, cookie string) string {
	t.Helper()
	return string(call(t, "GET", base+"/api/auth/get-session", "", "Cookie", cookie).want(t, 200).body)
}

func token(t *testing.T, base, cookie string) string {
	t.Helper()
	var tok struct{ Token string }
	r := call(t, "GET", base+"/api/auth/token", "", "Cookie", cookie).want(t, 200)
	json.Unmarshal(r.body, &tok)
	if tok.Token == "" {
		t.Fatalf("no token in %s", r.body)
	}
	return tok.Token
}

func kidOf(t *testing.T, jwt string) string {
	t.Helper()
	var h struct{ Kid string }
	part, _, _ := strings.Cut(jwt, ".")
	b, err := base64URL(part)
	if err != nil || json.Unmarshal(b, &h) != nil {
		t.Fatalf("JWT header of %q", jwt)
	}
	return h.Kid
}

// TestInterop runs the real Better Auth and our server on one database and one secret.
func TestInterop(t *testing.T) {
	harness(t)
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		dbURL := apptest.DatabaseURL(t, dialect)
		ours := apptest.Start(t, dialect, map[string]string{"DATABASE_URL": dbURL}) // creates the schema
		ba := startBetterAuth(t, dbURL)
		email := func(who string) string { return who + "." + string(dialect) + "@example.com" }

		t.Run("UsersSignInOnEitherSide", func(t *testing.T) {
			fromBA, _ := signUp(t, ba.URL, email("made.by.better.auth"))
			in, _ := signIn(t, ours.URL, email("made.by.better.auth"))
			if in.User.ID != fromBA.User.ID {
				t.Errorf("our sign-in of Better Auth's user: got user %s, want %s", in.User.ID, fromBA.User.ID)
			}
			fromUs, _ := signUp(t, ours.URL, email("made.by.us"))
			in, _ = signIn(t, ba.URL, email("made.by.us"))
			if in.User.ID != fromUs.User.ID {
				t.Errorf("Better Auth's sign-in of our user: got user %s, want %s", in.User.ID, fromUs.User.ID)
			}
			// A wrong password is refused on both sides.
			for _, base := range []string{ours.URL, ba.URL} {
				call(t, "POST", base+"/api/auth/sign-in/email", fmt.Sprintf(`{"email":%q,"password":"wrong password"}`, email("made.by.us"))).want(t, 401)
			}
		})

		t.Run("SessionCookiesCrossOver", func(t *testing.T) {
			for _, side := range []struct{ name, signUpOn string }{{"Better Auth's cookie", ba.URL}, {"our cookie", ours.URL}} {
				a, cookie := signUp(t, side.signUpOn, email("cookie."+strings.ReplaceAll(side.name, " ", "")))
				fromBA, fromUs := getSession(t, ba.URL, cookie), getSession(t, ours.URL, cookie)
				if !strings.Contains(fromUs, `"token":"`+a.Token+`"`) {
					t.Errorf("%s on our get-session: got %s, want the session", side.name, fromUs)
				}
				// Both read the same rows and must write them identically.
				if fromBA != fromUs {
					t.Errorf("%s: get-session differs\nBetter Auth %s\nours        %s", side.name, fromBA, fromUs)
				}
			}
		})

		t.Run("SignOutOnOneEndsTheOther", func(t *testing.T) {
			for _, side := range []struct{ name, signOutOn, checkOn string }{
				{"signed out through Better Auth", ba.URL, ours.URL},
				{"signed out through us", ours.URL, ba.URL},
			} {
				_, cookie := signUp(t, side.checkOn, email("out."+strings.ReplaceAll(side.name, " ", "")))
				call(t, "POST", side.signOutOn+"/api/auth/sign-out", "", "Cookie", cookie, "Origin", side.signOutOn).want(t, 200)
				for _, base := range []string{ba.URL, ours.URL} {
					if got := getSession(t, base, cookie); got != "null" {
						t.Errorf("%s: get-session on %s got %s, want null", side.name, base, got)
					}
				}
			}
		})

		t.Run("SameJWKS", func(t *testing.T) {
			_, cookie := signUp(t, ours.URL, email("jwks"))
			token(t, ours.URL, cookie) // our server creates the first key
			a := call(t, "GET", ours.URL+"/api/auth/jwks", "").want(t, 200).body
			b := call(t, "GET", ba.URL+"/api/auth/jwks", "").want(t, 200).body
			if !bytes.Equal(a, b) {
				t.Errorf("JWKS differ:\nours        %s\nBetter Auth %s", a, b)
			}
			// Better Auth signs with the key we made, decrypting it with the shared secret.
			if kb, ko := kidOf(t, token(t, ba.URL, cookie)), kidOf(t, token(t, ours.URL, cookie)); kb != ko {
				t.Errorf("Better Auth signs with %s, we with %s; want the same key", kb, ko)
			}
		})

		t.Run("OurJWTVerifiesWithJose", func(t *testing.T) {
			a, cookie := signUp(t, ours.URL, email("jose"))
			jwt := token(t, ours.URL, cookie)
			for _, jwksURL := range []string{ours.URL + "/api/auth/jwks", ba.URL + "/api/auth/jwks"} {
				out, stderr, err := runScript(t, nil, "jose-verify.mjs", jwt, jwksURL, ours.URL, ours.URL)
				if err != nil {
					t.Fatalf("jose-verify against %s: %v\n%s", jwksURL, err, stderr)
				}
				var claims struct {
					Sub, Email, Iss string
					Aud             string
				}
				if err := json.Unmarshal([]byte(out), &claims); err != nil || claims.Sub != a.User.ID || claims.Email != a.User.Email || claims.Aud != ours.URL {
					t.Errorf("jose's payload %s: want sub %s, aud %s", out, a.User.ID, ours.URL)
				}
			}
			// jose really checks: another audience is refused.
			_, stderr, err := runScript(t, nil, "jose-verify.mjs", jwt, ours.URL+"/api/auth/jwks", ours.URL, "https://other.example")
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(stderr, "aud") {
				t.Errorf("jose-verify with a wrong audience: got %v %s, want exit 1 about aud", err, stderr)
			}
		})

		t.Run("BetterAuthJWTDrivesOurTaskAPI", func(t *testing.T) {
			a, cookie := signUp(t, ba.URL, email("task.owner"))
			jwt := token(t, ba.URL, cookie)
			// A server of ours that trusts that Better Auth, on a database of its own.
			api := apptest.Start(t, dialect, map[string]string{"AUTH_URL": ba.URL})
			bearer := "Bearer " + jwt
			created := call(t, "POST", api.URL+"/api/v1/tasks", `{"title":"from Better Auth","description":"via AUTH_URL"}`, "Authorization", bearer).want(t, 201)
			var task struct{ ID, Title string }
			json.Unmarshal(created.body, &task)
			list := call(t, "GET", api.URL+"/api/v1/tasks", "", "Authorization", bearer).want(t, 200)
			if !strings.Contains(string(list.body), task.ID) || !strings.Contains(string(list.body), `"total":1`) {
				t.Errorf("list: got %s, want the created task", list.body)
			}
			var owner string
			if err := openDB(t, api).QueryRow(`SELECT user_id FROM tasks`).Scan(&owner); err != nil || owner != a.User.ID {
				t.Errorf("task owner: got %q, %v; want Better Auth's user %s", owner, err, a.User.ID)
			}
			// Tokens of another issuer are refused: our built-in server's, and Better Auth's at
			// a server that trusts only itself.
			ourJWT := token(t, ours.URL, cookie)
			call(t, "GET", api.URL+"/api/v1/tasks", "", "Authorization", "Bearer "+ourJWT).want(t, 401)
			call(t, "GET", ours.URL+"/api/v1/tasks", "", "Authorization", bearer).want(t, 401)
		})

		t.Run("SameAnswers", func(t *testing.T) { testSameAnswers(t, ba.URL, ours.URL, dialect) })
		t.Run("SameFlows", func(t *testing.T) { testSameFlows(t, ba.URL, ours.URL, dialect) })
	})
}

// testSameAnswers sends the same requests to Better Auth and to us and compares status,
// body, cookies and the headers clients look at. Requests that change state are either
// refused or idempotent, and both sides share the user they act on.
func testSameAnswers(t *testing.T, baURL, ourURL string, dialect database.Dialect) {
	userEmail := "same.answers." + string(dialect) + "@example.com"
	_, cookie := signUp(t, baURL, userEmail)
	signUpBody := func(email, pw string) string {
		return fmt.Sprintf(`{"name":"N","email":%q,"password":%q}`, email, pw)
	}
	signInBody := func(extra string) string {
		return `{"email":"nobody@example.com","password":"whatever password"` + extra + `}`
	}
	const form = "application/x-www-form-urlencoded"
	// The same signature on another token.
	value := strings.TrimPrefix(cookie, "better-auth.session_token=")
	tampered := "better-auth.session_token=x" + value[1:]
	if value[0] == 'x' {
		tampered = "better-auth.session_token=y" + value[1:]
	}
	cases := []struct {
		name, method, path, body string
		headers                  []string // "$ORIGIN" becomes the server's own origin
	}{
		{"sign-up: no fields", "POST", "/sign-up/email", `{}`, nil},
		{"sign-up: array", "POST", "/sign-up/email", `[]`, nil},
		{"sign-up: null", "POST", "/sign-up/email", `null`, nil},
		{"sign-up: bad JSON", "POST", "/sign-up/email", `{"name":`, nil},
		{"sign-up: text/plain", "POST", "/sign-up/email", `{}`, []string{"Content-Type", "text/plain"}},
		{"sign-up: JSON with a charset", "POST", "/sign-up/email", `{"name":1}`, []string{"Content-Type", "application/json; charset=utf-8"}},
		{"sign-up: body without Content-Type", "POST", "/sign-up/email", `{"a":1}`, []string{"Content-Type", ""}},
		{"sign-up: form with rememberMe", "POST", "/sign-up/email", "name=a&email=bad&password=12345678&rememberMe=false", []string{"Content-Type", form}},
		{"sign-up: invalid email", "POST", "/sign-up/email", signUpBody("not-an-email", "12345678"), nil},
		{"sign-up: empty password", "POST", "/sign-up/email", signUpBody("x@example.com", ""), nil},
		{"sign-up: wrong types", "POST", "/sign-up/email", `{"name":1,"email":true,"password":null,"image":5,"rememberMe":"x"}`, nil},
		{"sign-up: callbackURL not a string", "POST", "/sign-up/email", `{"callbackURL":7}`, nil},
		{"sign-up: 7 characters", "POST", "/sign-up/email", signUpBody("x@example.com", "1234567"), nil},
		{"sign-up: 7 UTF-16 units", "POST", "/sign-up/email", signUpBody("x@example.com", "😀😀😀a"), nil},
		{"sign-up: 129 UTF-16 units", "POST", "/sign-up/email", signUpBody("x@example.com", strings.Repeat("é", 129)), nil},
		{"sign-up: existing email", "POST", "/sign-up/email", signUpBody(strings.ToUpper(userEmail), password), nil},
		{"sign-up: foreign Origin", "POST", "/sign-up/email", signUpBody("x@example.com", "12345678"), []string{"Origin", "https://evil.example"}},
		{"sign-in: no fields", "POST", "/sign-in/email", `{}`, nil},
		{"sign-in: invalid email", "POST", "/sign-in/email", `{"email":"nope","password":"x"}`, nil},
		{"sign-in: password too long", "POST", "/sign-in/email", `{"email":"a@example.com","password":"` + strings.Repeat("x", 129) + `"}`, nil},
		{"sign-in: unknown email", "POST", "/sign-in/email", signInBody(""), nil},
		{"sign-in: wrong password", "POST", "/sign-in/email", fmt.Sprintf(`{"email":%q,"password":"wrong password"}`, userEmail), nil},
		{"sign-in: form", "POST", "/sign-in/email", "email=nobody%40example.com&password=a%zz&email=x%40example.com", []string{"Content-Type", form}},
		{"sign-in: untrusted callbackURL", "POST", "/sign-in/email", signInBody(`,"callbackURL":"https://evil.example/x"`), nil},
		{"sign-in: protocol-relative callbackURL", "POST", "/sign-in/email", signInBody(`,"callbackURL":"//evil.example"`), nil},
		{"sign-in: encoded slashes in callbackURL", "POST", "/sign-in/email", signInBody(`,"callbackURL":"/%2F%2Fevil.example"`), nil},
		{"sign-in: encoded slash after the path", "POST", "/sign-in/email", signInBody(`,"callbackURL":"/ok?next=%2Fx"`), nil},
		{"sign-in: callbackURL in the query", "POST", "/sign-in/email?callbackURL=https%3A%2F%2Fevil.example", signInBody(""), nil},
		{"sign-in: repeated callbackURL in the query", "POST", "/sign-in/email?callbackURL=%2Fa&callbackURL=%2Fb", signInBody(""), nil},
		{"sign-in: empty body callbackURL, query one", "POST", "/sign-in/email?callbackURL=https%3A%2F%2Fevil.example", signInBody(`,"callbackURL":""`), nil},
		{"sign-in: callbackURL a number", "POST", "/sign-in/email", signInBody(`,"callbackURL":5`), nil},
		{"sign-in: untrusted redirectTo", "POST", "/sign-in/email", signInBody(`,"redirectTo":"https://evil.example"`), nil},
		{"sign-in: redirectTo in the query is not checked", "POST", "/sign-in/email?redirectTo=https%3A%2F%2Fevil.example", signInBody(""), nil},
		{"sign-in: cross-site navigation", "POST", "/sign-in/email", signInBody(""), []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate"}},
		{"sign-in: cross-site fetch without Origin", "POST", "/sign-in/email", signInBody(""), []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "cors"}},
		{"sign-in: same-origin fetch", "POST", "/sign-in/email", signInBody(""), []string{"Sec-Fetch-Site", "same-origin", "Origin", "$ORIGIN"}},
		{"sign-in: foreign Origin", "POST", "/sign-in/email", signInBody(""), []string{"Origin", "https://evil.example"}},
		{"sign-in: foreign Referer", "POST", "/sign-in/email", signInBody(""), []string{"Referer", "https://evil.example/login"}},
		{"sign-out: no session", "POST", "/sign-out", "", nil},
		{"sign-out: array body", "POST", "/sign-out", `[]`, nil},
		{"sign-out: null body", "POST", "/sign-out", `null`, nil},
		{"sign-out: wrong field types", "POST", "/sign-out", `{"state":1,"disableRedirect":"x"}`, nil},
		{"sign-out: untrusted callbackURL", "POST", "/sign-out", `{"callbackURL":"https://evil.example"}`, nil},
		{"sign-out: form", "POST", "/sign-out", "a=1", []string{"Content-Type", form}},
		{"sign-out: cookie without Origin", "POST", "/sign-out", "", []string{"Cookie", cookie}},
		{"sign-out: cookie, Origin null", "POST", "/sign-out", "", []string{"Cookie", cookie, "Origin", "null"}},
		{"sign-out: cookie, foreign Origin", "POST", "/sign-out", "", []string{"Cookie", cookie, "Origin", "https://evil.example"}},
		{"sign-out: cookie, foreign Referer", "POST", "/sign-out", "", []string{"Cookie", cookie, "Referer", "https://evil.example/"}},
		{"get-session: no cookie", "GET", "/get-session", "", nil},
		{"get-session: tampered cookie", "GET", "/get-session", "", []string{"Cookie", tampered}},
		{"get-session: session", "GET", "/get-session?disableRefresh=true", "", []string{"Cookie", cookie}},
		{"get-session: stale cookie cache", "GET", "/get-session", "", []string{"Cookie", cookie + "; better-auth.session_data=e30"}},
		{"get-session: POST", "POST", "/get-session", "", nil},
		{"get-session: POST with a cookie", "POST", "/get-session", "", []string{"Cookie", cookie}},
		{"get-session: callbackURL in the query of a GET", "GET", "/get-session?callbackURL=https%3A%2F%2Fevil.example", "", nil},
		{"token: no session", "GET", "/token", "", nil},
		{"list-sessions: no session", "GET", "/list-sessions", "", nil},
		{"list-sessions", "GET", "/list-sessions", "", []string{"Cookie", cookie}},
		{"change-password: no fields, no session", "POST", "/change-password", `{}`, nil},
		{"change-password: no session", "POST", "/change-password", `{"newPassword":"longenough","currentPassword":"x"}`, nil},
		{"change-password: no fields", "POST", "/change-password", `{}`, []string{"Cookie", cookie, "Origin", "$ORIGIN"}},
		{"change-password: short", "POST", "/change-password", `{"newPassword":"short","currentPassword":"x"}`, []string{"Cookie", cookie, "Origin", "$ORIGIN"}},
		{"change-password: wrong current", "POST", "/change-password", `{"newPassword":"longenough","currentPassword":"wrong password"}`, []string{"Cookie", cookie, "Origin", "$ORIGIN"}},
		{"change-password: revokeOtherSessions not a boolean", "POST", "/change-password", `{"newPassword":"longenough","currentPassword":"x","revokeOtherSessions":"yes"}`, []string{"Cookie", cookie, "Origin", "$ORIGIN"}},
		{"update-user: array, no session", "POST", "/update-user", `[]`, nil},
		{"update-user: no session", "POST", "/update-user", `{"name":"x"}`, nil},
		{"update-user: nothing", "POST", "/update-user", `{}`, []string{"Cookie", cookie, "Origin", "$ORIGIN"}},
		{"update-user: unknown field", "POST", "/update-user", `{"foo":1,"emailVerified":true}`, []string{"Cookie", cookie, "Origin", "$ORIGIN"}},
		{"update-user: email", "POST", "/update-user", `{"email":"new@example.com"}`, []string{"Cookie", cookie, "Origin", "$ORIGIN"}},
		{"update-user: Origin null, same-origin fetch", "POST", "/update-user", `{"name":"Interop User"}`, []string{"Cookie", cookie, "Origin", "null", "Sec-Fetch-Site", "same-origin"}},
		{"delete-user: no session", "POST", "/delete-user", `{}`, nil},
		{"delete-user: wrong password", "POST", "/delete-user", `{"password":"wrong password"}`, []string{"Cookie", cookie, "Origin", "$ORIGIN"}},
		{"delete-user: token", "POST", "/delete-user", `{"token":"abc"}`, []string{"Cookie", cookie, "Origin", "$ORIGIN"}},
		{"delete-user: wrong types", "POST", "/delete-user", `{"password":1,"token":2,"callbackURL":"/x"}`, []string{"Cookie", cookie, "Origin", "$ORIGIN"}},
		{"revoke-session: no token", "POST", "/revoke-session", `{}`, []string{"Cookie", cookie, "Origin", "$ORIGIN"}},
		{"revoke-session: unknown token", "POST", "/revoke-session", `{"token":"nonexistent"}`, []string{"Cookie", cookie, "Origin", "$ORIGIN"}},
		{"revoke-sessions: no session", "POST", "/revoke-sessions", "", nil},
		{"revoke-other-sessions: no session", "POST", "/revoke-other-sessions", "", nil},
		{"unknown path", "GET", "/nope", "", nil},
		{"wrong method", "GET", "/sign-out", "", nil},
		{"trailing slash", "GET", "/jwks/", "", nil},
		{"HEAD", "HEAD", "/jwks", "", nil},
	}
	for _, tc := range cases {
		var answers [2]string
		for i, base := range []string{baURL, ourURL} {
			headers := append([]string(nil), tc.headers...)
			for j := range headers {
				headers[j] = strings.ReplaceAll(headers[j], "$ORIGIN", base)
			}
			answers[i] = describe(call(t, tc.method, base+"/api/auth"+tc.path, tc.body, headers...))
		}
		if answers[0] != answers[1] {
			t.Errorf("%s: answers differ\nBetter Auth:\n%s\nours:\n%s", tc.name, answers[0], answers[1])
		}
	}
}

var signedValue = regexp.MustCompile(`=[A-Za-z0-9]{32}\.[A-Za-z0-9%]+;`)

// describe is what a client sees of a response: status, the headers that matter, cookies
// (signed tokens masked: each side signs its own new sessions) and body.
func describe(r response) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", r.status)
	for _, h := range []string{"Content-Type", "Cache-Control", "Pragma", "Location", "X-Retry-After", "Access-Control-Expose-Headers"} {
		if v := r.header.Get(h); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", h, v)
		}
	}
	if r.header.Get("Set-Auth-Jwt") != "" {
		b.WriteString("set-auth-jwt: <JWT>\n")
	}
	for _, c := range r.header.Values("Set-Cookie") {
		fmt.Fprintf(&b, "Set-Cookie: %s\n", signedValue.ReplaceAllString(c, "=<signed token>;"))
	}
	b.Write(r.body)
	return b.String()
}

var (
	maskID        = regexp.MustCompile(`"[A-Za-z0-9]{32}"`)
	maskDate      = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"`)
	maskIPAddress = regexp.MustCompile(`"ipAddress":"[^"]*"`)
)

// testSameFlows runs the same account flow on each side, for a user of its own, and compares
// every answer with ids, tokens, dates and the user's email masked, and ipAddress too: we
// record the peer's address where Better Auth, without proxy headers, records "".
func testSameFlows(t *testing.T, baURL, ourURL string, dialect database.Dialect) {
	var transcripts [2][]string
	for i, base := range []string{baURL, ourURL} {
		email := fmt.Sprintf("flow%d.%s@example.com", i, dialect)
		mask := func(r response) string {
			d := describe(r)
			d = strings.ReplaceAll(d, email, "<email>")
			d = maskIPAddress.ReplaceAllString(maskDate.ReplaceAllString(maskID.ReplaceAllString(d, `"<id>"`), `"<date>"`), `"ipAddress":<ip>`)
			return d
		}
		step := func(name string, r response) {
			transcripts[i] = append(transcripts[i], "## "+name+"\n"+mask(r))
		}
		origin := []string{"Origin", base}
		r := call(t, "POST", base+"/api/auth/sign-up/email", fmt.Sprintf(`{"name":"Flow","email":%q,"password":%q,"rememberMe":false}`, email, password))
		step("sign-up, not remembered", r)
		forgotten := r.sessionCookie(t)
		r = call(t, "POST", base+"/api/auth/sign-in/email", fmt.Sprintf(`{"email":%q,"password":%q,"callbackURL":"/home"}`, strings.ToUpper(email), password),
			"Cookie", forgotten+"; better-auth.dont_remember=true.IFP84LtKOifY5xMFrUGAyA4jVoMNkde82qrvMeydaM0%3D", "Origin", base)
		step("sign-in over a dont_remember flag", r)
		cookie := r.sessionCookie(t)
		step("update-user", call(t, "POST", base+"/api/auth/update-user", `{"name":"Renamed","image":"https://img.example/x.png"}`, append([]string{"Cookie", cookie}, origin...)...))
		step("update-user, image null", call(t, "POST", base+"/api/auth/update-user", `{"image":null}`, append([]string{"Cookie", cookie}, origin...)...))
		step("list-sessions", call(t, "GET", base+"/api/auth/list-sessions", "", "Cookie", cookie))
		step("get-session", call(t, "GET", base+"/api/auth/get-session", "", "Cookie", cookie))
		step("revoke-session of the first session", call(t, "POST", base+"/api/auth/revoke-session",
			fmt.Sprintf(`{"token":%q}`, strings.SplitN(strings.TrimPrefix(forgotten, "better-auth.session_token="), ".", 2)[0]), append([]string{"Cookie", cookie}, origin...)...))
		step("get-session of the revoked session", call(t, "GET", base+"/api/auth/get-session", "", "Cookie", forgotten))
		r = call(t, "POST", base+"/api/auth/change-password", `{"newPassword":"a new passphrase","currentPassword":"`+password+`","revokeOtherSessions":true}`,
			append([]string{"Cookie", cookie}, origin...)...)
		step("change-password, revoking", r)
		renewed := r.sessionCookie(t)
		step("get-session of the replaced session", call(t, "GET", base+"/api/auth/get-session", "", "Cookie", cookie))
		step("revoke-other-sessions", call(t, "POST", base+"/api/auth/revoke-other-sessions", "", append([]string{"Cookie", renewed}, origin...)...))
		step("delete-user", call(t, "POST", base+"/api/auth/delete-user", `{"password":"a new passphrase"}`, append([]string{"Cookie", renewed}, origin...)...))
		step("sign-in after deletion", call(t, "POST", base+"/api/auth/sign-in/email", fmt.Sprintf(`{"email":%q,"password":"a new passphrase"}`, email)))
	}
	for i := range transcripts[0] {
		if transcripts[0][i] != transcripts[1][i] {
			t.Errorf("answers differ\nBetter Auth:\n%s\nours:\n%s", transcripts[0][i], transcripts[1][i])
		}
	}
}
