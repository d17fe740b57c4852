package auth_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver

	"todo/internal/apptest"
	"todo/internal/database"
)

// password is the password of every test user unless a test says otherwise.
const password = apptest.Password

// isoMillis is how Better Auth writes dates: JavaScript's toISOString.
var isoMillis = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// env is a running server and a direct connection to its database, for looking at and
// changing rows as Better Auth's own tests and captures do.
type env struct {
	srv *apptest.Server
	db  *sql.DB
	pg  bool
}

// start runs the application on the dialect with vars on top of apptest's defaults.
func start(t *testing.T, dialect database.Dialect, vars map[string]string, opts ...apptest.Option) *env {
	t.Helper()
	srv := apptest.Start(t, dialect, vars, opts...)
	e := &env{srv: srv, pg: dialect == database.Postgres}
	u := srv.Config.Database.URL
	var err error
	if e.pg {
		e.db, err = sql.Open("pgx", u.DSN)
	} else {
		e.db, err = sql.Open("sqlite", "file:"+u.Path+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.db.Close() })
	return e
}

// q writes ? placeholders as PostgreSQL's $n.
func (e *env) q(query string) string {
	if !e.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ts is a timestamp as the dialect stores it.
func (e *env) ts(t time.Time) any {
	t = t.UTC().Truncate(time.Millisecond)
	if e.pg {
		return t
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

func (e *env) exec(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	res, err := e.db.Exec(e.q(query), args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	n, _ := res.RowsAffected()
	return n
}

func (e *env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(e.q(query), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// timeOf reads a timestamp column of either dialect.
func timeOf(t *testing.T, v any) time.Time {
	t.Helper()
	switch x := v.(type) {
	case time.Time:
		return x.UTC()
	case string:
		if !isoMillis.MatchString(x) {
			t.Errorf("stored date %q is not ISO 8601 with milliseconds and Z", x)
		}
		p, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			t.Fatal(err)
		}
		return p.UTC()
	}
	t.Fatalf("timestamp of type %T", v)
	return time.Time{}
}

type sessionRow struct {
	ID, UserID                      string
	ExpiresAt, CreatedAt, UpdatedAt time.Time
}

// session reads the session row of token; ok is false when there is none.
func (e *env) session(t *testing.T, token string) (sessionRow, bool) {
	t.Helper()
	var (
		row                 sessionRow
		expires, created, u any
	)
	err := e.db.QueryRow(e.q(`SELECT "id", "userId", "expiresAt", "createdAt", "updatedAt" FROM "session" WHERE "token" = ?`), token).
		Scan(&row.ID, &row.UserID, &expires, &created, &u)
	if err == sql.ErrNoRows {
		return sessionRow{}, false
	}
	if err != nil {
		t.Fatal(err)
	}
	row.ExpiresAt, row.CreatedAt, row.UpdatedAt = timeOf(t, expires), timeOf(t, created), timeOf(t, u)
	return row, true
}

// age moves a session back in time: created (and last refreshed) by ago, expiring as a
// session of lifetime would.
func (e *env) age(t *testing.T, token string, ago, lifetime time.Duration) {
	t.Helper()
	at := time.Now().Add(-ago)
	if n := e.exec(t, `UPDATE "session" SET "createdAt" = ?, "updatedAt" = ?, "expiresAt" = ? WHERE "token" = ?`,
		e.ts(at), e.ts(at), e.ts(at.Add(lifetime)), token); n != 1 {
		t.Fatalf("aging session %s: %d rows", token, n)
	}
}

// client talks to the server like a browser on the server's own origin: it keeps cookies and
// sends Origin on requests that change state.
type client struct {
	e      *env
	origin string
	// headers go with every request, before those of the call.
	headers []string
	mu      sync.Mutex
	jar     map[string]string
}

func (e *env) client() *client {
	return &client{e: e, origin: e.srv.URL, jar: map[string]string{}}
}

// noRedirects answers with a redirect itself instead of following it, so that tests see the
// Location the auth API sends.
var noRedirects = &http.Client{
	Timeout:       time.Minute,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// response is a finished exchange.
type response struct {
	status  int
	header  http.Header
	body    []byte
	cookies []string // the Set-Cookie lines
}

// form is a body sent as application/x-www-form-urlencoded.
type form url.Values

// do sends a request. body: nil (none), string (raw JSON), form, or a value sent as JSON.
// headers are name/value pairs; an empty value removes a header the client would send.
func (c *client) do(t *testing.T, method, path string, body any, headers ...string) *response {
	t.Helper()
	var rd io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, contentType = strings.NewReader(b), "application/json"
	case form:
		rd, contentType = strings.NewReader(url.Values(b).Encode()), "application/x-www-form-urlencoded"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, contentType = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if method != http.MethodGet && c.origin != "" {
		req.Header.Set("Origin", c.origin)
	}
	c.mu.Lock()
	if len(c.jar) > 0 {
		names := make([]string, 0, len(c.jar))
		for n := range c.jar {
			names = append(names, n)
		}
		sort.Strings(names)
		var parts []string
		for _, n := range names {
			parts = append(parts, n+"="+c.jar[n])
		}
		req.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	c.mu.Unlock()
	apptest.SetHeaders(req, c.headers...)
	apptest.SetHeaders(req, headers...)
	resp := apptest.Send(t, noRedirects, req)
	r := &response{status: resp.Status, header: resp.Header, body: resp.Body, cookies: resp.Header.Values("Set-Cookie")}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, line := range r.cookies {
		ck, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatalf("Set-Cookie %q: %v", line, err)
		}
		if ck.MaxAge < 0 {
			delete(c.jar, ck.Name)
		} else {
			c.jar[ck.Name] = ck.Value
		}
	}
	return r
}

func (c *client) get(t *testing.T, path string, headers ...string) *response {
	t.Helper()
	return c.do(t, http.MethodGet, path, nil, headers...)
}

func (c *client) post(t *testing.T, path string, body any, headers ...string) *response {
	t.Helper()
	return c.do(t, http.MethodPost, path, body, headers...)
}

func (c *client) cookie(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.jar[name]
}

func (c *client) setCookie(name, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if value == "" {
		delete(c.jar, name)
		return
	}
	c.jar[name] = value
}

// clone is another browser holding the same cookies.
func (c *client) clone() *client {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := &client{e: c.e, origin: c.origin, headers: c.headers, jar: map[string]string{}}
	for k, v := range c.jar {
		d.jar[k] = v
	}
	return d
}

func (r *response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// want checks the status and, when body is not empty, the exact body.
func (r *response) want(t *testing.T, status int, body string) {
	t.Helper()
	if r.status != status || (body != "" && string(r.body) != body) {
		t.Fatalf("got %d %s\nwant %d %s", r.status, r.body, status, body)
	}
}

// wantError checks a Better Auth error answer, byte for byte.
func (r *response) wantError(t *testing.T, status int, code, message string) {
	t.Helper()
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.Encode(struct {
		Message string `json:"message"`
		Code    string `json:"code,omitempty"`
	}{message, code})
	r.want(t, status, strings.TrimSpace(want.String()))
}

// keys lists the members of a JSON object in order.
func keys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s is not a JSON object", raw)
	}
	var out []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func wantKeys(t *testing.T, what string, raw []byte, want ...string) {
	t.Helper()
	if got := keys(t, raw); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s members: got %v, want %v", what, got, want)
	}
}

var (
	userKeys    = []string{"name", "email", "emailVerified", "image", "createdAt", "updatedAt", "id"}
	sessionKeys = []string{"expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId", "id"}
)

type userJSON struct {
	Name          string  `json:"name"`
	Email         string  `json:"email"`
	EmailVerified bool    `json:"emailVerified"`
	Image         *string `json:"image"`
	CreatedAt     string  `json:"createdAt"`
	UpdatedAt     string  `json:"updatedAt"`
	ID            string  `json:"id"`
}

type sessionJSON struct {
	ExpiresAt string  `json:"expiresAt"`
	Token     string  `json:"token"`
	CreatedAt string  `json:"createdAt"`
	UpdatedAt string  `json:"updatedAt"`
	IPAddress *string `json:"ipAddress"`
	UserAgent *string `json:"userAgent"`
	UserID    string  `json:"userId"`
	ID        string  `json:"id"`
}

type authJSON struct {
	Token string   `json:"token"`
	User  userJSON `json:"user"`
}

type getSessionJSON struct {
	Session sessionJSON `json:"session"`
	User    userJSON    `json:"user"`
}

// signUp creates a user through the API and returns the answer.
func (c *client) signUp(t *testing.T, email string) authJSON {
	t.Helper()
	r := c.post(t, "/api/auth/sign-up/email", map[string]any{"name": "Test User", "email": email, "password": password})
	r.want(t, http.StatusOK, "")
	var a authJSON
	r.decode(t, &a)
	return a
}

func (c *client) signIn(t *testing.T, email, pw string) authJSON {
	t.Helper()
	r := c.post(t, "/api/auth/sign-in/email", map[string]any{"email": email, "password": pw})
	r.want(t, http.StatusOK, "")
	var a authJSON
	r.decode(t, &a)
	return a
}

// session returns get-session's session, or nil for a null answer.
func (c *client) session(t *testing.T) *getSessionJSON {
	t.Helper()
	r := c.get(t, "/api/auth/get-session")
	r.want(t, http.StatusOK, "")
	if string(r.body) == "null" {
		return nil
	}
	var s getSessionJSON
	r.decode(t, &s)
	return &s
}

// sessionCookie is the value of the session cookie of token signed with secret, computed
// here independently of the code under test.
func sessionCookie(secret, token string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(token))
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return token + "." + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(sig)
}

// expiredCookies are the Set-Cookie lines of Better Auth's sign-out.
func expiredCookies(prefix, secure string) []string {
	var out []string
	for _, n := range []string{"session_token", "session_data", "dont_remember"} {
		out = append(out, prefix+"better-auth."+n+"=; Max-Age=0; Path=/; HttpOnly"+secure+"; SameSite=Lax")
	}
	return out
}

func wantCookies(t *testing.T, r *response, want ...string) {
	t.Helper()
	if strings.Join(r.cookies, "\n") != strings.Join(want, "\n") {
		t.Errorf("Set-Cookie:\ngot  %q\nwant %q", r.cookies, want)
	}
}

// jwtParts decodes a compact JWT without verifying it.
func jwtParts(t *testing.T, token string) (header, payload []byte, signingInput string, sig []byte) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a compact JWS", token)
	}
	var err error
	if header, err = base64.RawURLEncoding.DecodeString(parts[0]); err != nil {
		t.Fatal(err)
	}
	if payload, err = base64.RawURLEncoding.DecodeString(parts[1]); err != nil {
		t.Fatal(err)
	}
	if sig, err = base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		t.Fatal(err)
	}
	return header, payload, parts[0] + "." + parts[1], sig
}

type jwkJSON struct {
	Alg string `json:"alg"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kty string `json:"kty"`
	Kid string `json:"kid"`
}

// jwks fetches the server's JWKS.
func (e *env) jwks(t *testing.T) (raw []byte, keys []jwkJSON) {
	t.Helper()
	r := e.client().get(t, "/api/auth/jwks")
	r.want(t, http.StatusOK, "")
	var set struct{ Keys []jwkJSON }
	r.decode(t, &set)
	return r.body, set.Keys
}

// verifyJWT checks token's Ed25519 signature against the server's JWKS, independently of
// internal/jwt, and returns its payload.
func (e *env) verifyJWT(t *testing.T, token string) map[string]any {
	t.Helper()
	header, payload, input, sig := jwtParts(t, token)
	var h struct{ Alg, Kid string }
	if err := json.Unmarshal(header, &h); err != nil {
		t.Fatal(err)
	}
	_, set := e.jwks(t)
	for _, k := range set {
		if k.Kid != h.Kid {
			continue
		}
		x, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			t.Fatalf("JWKS x %q: not an Ed25519 key", k.X)
		}
		if !ed25519.Verify(ed25519.PublicKey(x), []byte(input), sig) {
			t.Fatalf("JWT signature does not verify with key %s", k.Kid)
		}
		var claims map[string]any
		dec := json.NewDecoder(bytes.NewReader(payload))
		dec.UseNumber()
		if err := dec.Decode(&claims); err != nil {
			t.Fatal(err)
		}
		return claims
	}
	t.Fatalf("kid %s not in the JWKS", h.Kid)
	return nil
}

// uniqueEmail makes an address no other test uses.
func uniqueEmail(t *testing.T, local string) string {
	t.Helper()
	name := strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-"))
	return fmt.Sprintf("%s.%s@example.com", local, strings.Trim(name, "-"))
}
