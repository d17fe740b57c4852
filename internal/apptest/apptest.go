// Package apptest boots the real application for tests: on loopback, on a real SQLite file or
// a real PostgreSQL database, through the same code path as `todo serve`.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"todo/internal/config"
	"todo/internal/database"
	"todo/internal/pgtest"
	"todo/internal/server"
)

// Secret is the BETTER_AUTH_SECRET of test servers (the one of the Better Auth captures).
const Secret = "compat-test-secret-7f3a9c2e5b1d4860af17c3e9d2b5a806"

// Password is the password of the users SignUp makes.
const Password = "correct horse battery staple"

// Dialects are the databases every store and API test runs on.
var Dialects = []database.Dialect{database.SQLite, database.Postgres}

// ForEachDialect runs f as a subtest on each database.
func ForEachDialect(t *testing.T, f func(t *testing.T, dialect database.Dialect)) {
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) { f(t, d) })
	}
}

// DatabaseURL returns the DATABASE_URL of a new, empty database of the dialect.
func DatabaseURL(t testing.TB, dialect database.Dialect) string {
	t.Helper()
	if dialect == database.Postgres {
		return pgtest.NewDatabase(t)
	}
	return "sqlite:///" + filepath.Join(t.TempDir(), "todo.db")
}

// OpenDB opens a new, migrated database of the dialect (MigratedURL), closed when the test
// ends.
func OpenDB(t testing.TB, dialect database.Dialect) *database.DB {
	t.Helper()
	db, _ := OpenDBConfig(t, dialect)
	return db
}

// OpenDBConfig is OpenDB, with the configuration it opened the database with (to migrate it
// again, down or up).
func OpenDBConfig(t testing.TB, dialect database.Dialect) (*database.DB, database.Config) {
	t.Helper()
	u, err := database.ParseURL(MigratedURL(t, dialect))
	if err != nil {
		t.Fatal(err)
	}
	cfg := database.Config{URL: u, ConnectTimeout: 5 * time.Second, StartupTimeout: 10 * time.Second, QueryTimeout: 5 * time.Second}
	db, err := database.Open(context.Background(), cfg, Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db, cfg
}

// Int is the one integer that query (without parameters, the same SQL for both dialects)
// reads from db.
func Int(t testing.TB, db *database.DB, query string) int64 {
	t.Helper()
	var n int64
	var err error
	if db.Dialect == database.Postgres {
		err = db.Postgres.QueryRow(context.Background(), query).Scan(&n)
	} else {
		err = db.SQLite.Read.QueryRow(query).Scan(&n)
	}
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// Server is the application running on loopback.
type Server struct {
	URL    string
	Config config.Config
	App    *server.App
	Logs   *LogBuffer
	stop   context.CancelFunc
	done   chan error
}

// Option changes the configuration of a test server beyond its environment.
type Option func(*config.Config)

// WithClock gives the server's remote key set the clock now.
func WithClock(now func() time.Time) Option { return func(c *config.Config) { c.Now = now } }

// Start runs the application on a free loopback port with env on top of the test defaults:
// a new, migrated database of the dialect (MigratedURL), the test secret and BETTER_AUTH_URL
// on that port. The server stops when the test ends.
func Start(t testing.TB, dialect database.Dialect, env map[string]string, opts ...Option) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	vars := map[string]string{
		"PORT":               strconv.Itoa(port),
		"BETTER_AUTH_URL":    base,
		"BETTER_AUTH_SECRET": Secret,
		"DATA_DIR":           t.TempDir(),
	}
	if _, ok := env["DATABASE_URL"]; !ok {
		vars["DATABASE_URL"] = MigratedURL(t, dialect)
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		ln.Close()
		t.Fatalf("config: %v", err)
	}
	for _, o := range opts {
		o(&cfg)
	}
	logs := &LogBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	app, err := server.New(ctx, cfg, log, "test")
	if err != nil {
		cancel()
		ln.Close()
		t.Fatalf("start server: %v", err)
	}
	s := &Server{URL: base, Config: cfg, App: app, Logs: logs, stop: cancel, done: make(chan error, 1)}
	go func() { s.done <- app.Serve(ctx, ln) }()
	t.Cleanup(func() {
		s.Stop(t)
		app.Close()
		if t.Failed() && os.Getenv("TEST_SERVER_LOGS") != "" {
			t.Logf("server logs:\n%s", logs.String())
		}
	})
	return s
}

// Stop shuts the server down gracefully and waits for it.
func (s *Server) Stop(t testing.TB) {
	if s.stop == nil {
		return
	}
	s.stop()
	s.stop = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("server: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("server did not stop within 15 s")
	}
}

// Logger is a logger for test code, silent unless the test fails verbosely.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// User is a signed-up user of a test server.
type User struct {
	ID     string
	Email  string
	Client *http.Client // carries the session cookie
	Token  string       // a JWT for the task API
}

// SignUp creates a user through the built-in auth and returns their session and a JWT.
func (s *Server) SignUp(t testing.TB, email string) User {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	body := fmt.Sprintf(`{"name":"Test","email":%q,"password":%q}`, email, Password)
	resp, err := c.Post(s.URL+"/api/auth/sign-up/email", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var signup struct {
		User struct{ ID string } `json:"user"`
	}
	decode(t, resp, http.StatusOK, &signup)
	resp, err = c.Get(s.URL + "/api/auth/token")
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	decode(t, resp, http.StatusOK, &tok)
	return User{ID: signup.User.ID, Email: email, Client: c, Token: tok.Token}
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Do sends a request with an optional bearer token and body (a string is sent as is, anything
// else as JSON), and headers as name/value pairs (an empty value removes the header).
func (s *Server) Do(t testing.TB, method, path, token string, body any, headers ...string) Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	SetHeaders(req, headers...)
	return Send(t, nil, req)
}

// SetHeaders sets name/value pairs on req; an empty value removes the header.
func SetHeaders(req *http.Request, pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			req.Header.Del(pairs[i])
		} else {
			req.Header.Set(pairs[i], pairs[i+1])
		}
	}
}

// Send sends req with client (nil: http.DefaultClient) and reads the whole answer.
func Send(t testing.TB, client *http.Client, req *http.Request) Response {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func decode(t testing.TB, resp *http.Response, want int, v any) {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: got %d %s, want %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, b, want)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// LogBuffer collects the server's log lines; its goroutines write while tests read.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
