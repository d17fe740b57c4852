package server_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestRequestLog: one line per request with its id, method, route, status, duration and user,
// and never a token, cookie, password or secret.
func TestRequestLog(t *testing.T) {
	s := apptest.Start(t, database.SQLite, nil)
	u := s.SignUp(t, "logs@example.com")
	r := s.Do(t, "POST", "/api/v1/tasks", u.Token, map[string]any{"title": "logged"}, "X-Request-ID", "client-chosen-id-42")
	if r.Status != http.StatusCreated || r.Header.Get("X-Request-ID") != "client-chosen-id-42" {
		t.Fatalf("got %d, X-Request-ID %q", r.Status, r.Header.Get("X-Request-ID"))
	}
	for _, unsafe := range []string{`bad id" level=ERROR msg="forged`, strings.Repeat("x", 200)} {
		r = s.Do(t, "GET", "/api/v1/tasks", u.Token, nil, "X-Request-ID", unsafe)
		if id := r.Header.Get("X-Request-ID"); id == "" || id == unsafe {
			t.Fatalf("an unsafe request id must be replaced, got %q", id)
		}
	}
	s.Do(t, "GET", "/api/v1/tasks", "", nil) // a refused request is logged too

	logs := s.Logs.String()
	var line string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "request_id=client-chosen-id-42") {
			line = l
		}
	}
	for _, want := range []string{"msg=request", "method=POST", `route="POST /api/v1/tasks"`, "status=201", "duration=", "user_id=" + u.ID} {
		if !strings.Contains(line, want) {
			t.Errorf("log line %q lacks %s", line, want)
		}
	}
	if got := strings.Count(logs, "msg=request "); got < 5 {
		t.Errorf("%d request lines for at least 5 requests", got)
	}
	for _, secret := range []string{u.Token, strings.Split(u.Token, ".")[2], apptest.Secret, apptest.Password, "better-auth.session_token"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains a secret: %q", secret)
		}
	}
}

// TestMetrics: requests by route and status, a latency histogram, the pool, auth failures.
func TestMetrics(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, nil)
		u := s.SignUp(t, "metrics@example.com")
		s.Do(t, "GET", "/api/v1/tasks", u.Token, nil)
		s.Do(t, "GET", "/api/v1/tasks", "", nil)
		s.Do(t, "GET", "/api/v1/tasks", "not.a.token", nil)
		s.Do(t, "POST", "/api/auth/sign-in/email", "", `{"email":"metrics@example.com","password":"wrong password"}`)
		r := s.Do(t, "GET", "/metrics", "", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("metrics: %d", r.Status)
		}
		text := string(r.Body)
		for _, pattern := range []string{
			`todo_http_requests_total\{method="GET",route="GET /api/v1/tasks",status="200"\} 1`,
			`todo_http_requests_total\{method="GET",route="GET /api/v1/tasks",status="401"\} 2`,
			`todo_http_request_duration_seconds_bucket\{method="GET",route="GET /api/v1/tasks",le="0.005"\} \d`,
			`todo_auth_failures_total\{reason="missing"\} 1`,
			`todo_auth_failures_total\{reason="invalid"\} 1`,
			`todo_auth_failures_total\{reason="sign_in"\} 1`,
			`todo_http_requests_total\{method="POST",route="POST /api/auth/sign-in/email",status="401"\} 1`,
			`todo_db_pool_max_connections\{pool="[a-z-]+"\} \d+`,
			`todo_db_pool_in_use_connections\{pool="[a-z-]+"\} \d+`,
			`go_goroutines \d+`,
		} {
			if !regexp.MustCompile(pattern).MatchString(text) {
				t.Errorf("metrics lack %s", pattern)
			}
		}
	})
}

// TestMethodLabelsAreBounded: any token is a method, so metrics and logs name methods from a
// fixed set; requests with made-up methods neither add series nor grow what /metrics holds.
func TestMethodLabelsAreBounded(t *testing.T) {
	s := apptest.Start(t, database.SQLite, nil)
	send := func(n int) {
		for i := range n {
			method := fmt.Sprintf("X%d%s", i, strings.Repeat("M", 1000+i%3000))
			req, err := http.NewRequest(method, s.URL+"/healthz", nil)
			if err != nil {
				t.Fatal(err)
			}
			apptest.Send(t, http.DefaultClient, req)
		}
	}
	// The series of our own metrics: their number must not grow with the methods sent.
	series := func() int {
		n := 0
		for _, line := range strings.Split(string(s.Do(t, "GET", "/metrics", "", nil).Body), "\n") {
			if strings.HasPrefix(line, "todo_") {
				n++
			}
		}
		return n
	}
	send(50)
	series() // the scrape itself is a series from the next scrape on
	before := series()
	send(500)
	if after := series(); after != before {
		t.Fatalf("todo_ series went from %d to %d over 500 made-up methods", before, after)
	}
	if text := string(s.Do(t, "GET", "/metrics", "", nil).Body); !strings.Contains(text, `method="OTHER"`) || strings.Contains(text, "MMMM") {
		t.Fatalf("made-up methods are not labelled OTHER")
	}
	if strings.Contains(s.Logs.String(), "MMMM") {
		t.Fatalf("a made-up method reached the log")
	}
}

// TestMetricsAccess: in production /metrics is off without METRICS_TOKEN and asks for it
// with one; in development it is open.
func TestMetricsAccess(t *testing.T) {
	prod := apptest.Start(t, database.SQLite, map[string]string{"APP_ENV": "production"})
	if r := prod.Do(t, "GET", "/metrics", "", nil); r.Status != http.StatusNotFound {
		t.Errorf("production without METRICS_TOKEN: got %d, want 404", r.Status)
	}
	guarded := apptest.Start(t, database.SQLite, map[string]string{"APP_ENV": "production", "METRICS_TOKEN": "scrape-me-0123456789"})
	for token, want := range map[string]int{"": http.StatusUnauthorized, "wrong": http.StatusUnauthorized, "scrape-me-0123456789": http.StatusOK} {
		r := guarded.Do(t, "GET", "/metrics", token, nil)
		// The pool's size is there from the start, whichever request came first.
		if r.Status != want || (want == http.StatusOK) != strings.Contains(string(r.Body), "todo_db_pool_max_connections") {
			t.Errorf("METRICS_TOKEN, bearer %q: got %d %.80q, want %d", token, r.Status, r.Body, want)
		}
	}
	if r := apptest.Start(t, database.SQLite, nil).Do(t, "GET", "/metrics", "", nil); r.Status != http.StatusOK {
		t.Errorf("development: got %d, want 200", r.Status)
	}
}
