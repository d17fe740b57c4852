package main

import (
	"database/sql"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestManyInstances runs three `todo serve` processes on one PostgreSQL database behind a real
// HAProxy (round robin, health checks on /readyz) and checks that nothing that changes an
// answer lives in one process: the first start makes one signing key between them, the
// sign-in limit holds however the requests are spread, a session revoked through one instance
// is refused by the others, and a rolling restart under load loses no request.
func TestManyInstances(t *testing.T) {
	haproxy := haproxyBinary(t)
	dbURL := apptest.DatabaseURL(t, database.Postgres)
	ports := freePorts(t, 5) // the three instances, HAProxy's frontend and its stats
	lb := "http://127.0.0.1:" + strconv.Itoa(ports[3])
	env := map[string]string{
		"DATABASE_URL": dbURL, "DATABASE_MAX_CONNS": "8",
		"APP_ENV": "production", "BETTER_AUTH_URL": lb, "RATE_LIMIT_STORAGE": "database",
		"TRUSTED_PROXIES": "127.0.0.1", "USER_RATE_LIMIT": "0",
		"SHUTDOWN_DRAIN": "1s", "SHUTDOWN_TIMEOUT": "10s",
	}

	// (d) The three start together on the empty database.
	instances := make([]*instance, 3)
	var wg sync.WaitGroup
	for i := range instances {
		wg.Go(func() { instances[i] = startInstance(t, ports[i], env) })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	stats := startHAProxy(t, haproxy, ports)
	waitForServers(t, stats, "UP", "a", "b", "c")

	// A user, signed up through the balancer; each instance issues a token for the session.
	alice := newBrowser(lb)
	if status, body := alice.post(t, lb+"/api/auth/sign-up/email", `{"name":"A","email":"alice@example.com","password":"`+apptest.Password+`"}`); status != http.StatusOK {
		t.Fatalf("sign-up through HAProxy: %d %s", status, body)
	}
	kids := map[string]bool{}
	var token string
	for _, in := range instances {
		token = alice.token(t, in.URL)
		kids[jwtKid(t, token)] = true
	}
	if n := countRows(t, dbURL, `SELECT count(*) FROM "jwks"`); n != 1 || len(kids) != 1 {
		t.Fatalf(`first start of 3 instances: %d rows in "jwks", tokens signed with %d keys; want 1 and 1`, n, len(kids))
	}
	first := alice.get(t, instances[0].URL+"/api/auth/jwks")
	for _, in := range instances[1:] {
		if got := alice.get(t, in.URL+"/api/auth/jwks"); got != first {
			t.Errorf("%s publishes %s, %s publishes %s", instances[0].URL, first, in.URL, got)
		}
	}

	// (a) Four bad sign-ins from one client through the balancer, which sends each to the next
	// instance: the fourth is over the limit of 3 per 10 s.
	var statuses []int
	for range 4 {
		req, _ := http.NewRequest("POST", lb+"/api/auth/sign-in/email", strings.NewReader(`{"email":"alice@example.com","password":"wrong password!"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "203.0.113.9") // the client HAProxy passes on (TRUSTED_PROXIES)
		statuses = append(statuses, send(t, http.DefaultClient, req))
	}
	if want := []int{401, 401, 401, 429}; fmt.Sprint(statuses) != fmt.Sprint(want) {
		t.Errorf("4 bad sign-ins through HAProxy: got %v, want %v", statuses, want)
	}

	// (b) A second session, revoked through instance a: b and c refuse it too.
	second := newBrowser(lb)
	if status, body := second.post(t, lb+"/api/auth/sign-in/email", `{"email":"alice@example.com","password":"`+apptest.Password+`"}`); status != http.StatusOK {
		t.Fatalf("second sign-in: %d %s", status, body)
	}
	var se struct{ Session struct{ Token string } }
	if err := json.Unmarshal([]byte(second.get(t, instances[1].URL+"/api/auth/get-session")), &se); err != nil || se.Session.Token == "" {
		t.Fatalf("the second session: %v", err)
	}
	if status, body := alice.post(t, instances[0].URL+"/api/auth/revoke-session", `{"token":"`+se.Session.Token+`"}`); status != http.StatusOK {
		t.Fatalf("revoke-session on a: %d %s", status, body)
	}
	for _, in := range instances {
		if got := second.get(t, in.URL+"/api/auth/get-session"); got != "null" {
			t.Errorf("%s: the revoked session's get-session: %s, want null", in.URL, got)
		}
		if got := alice.get(t, in.URL+"/api/auth/get-session"); !strings.Contains(got, `"email":"alice@example.com"`) {
			t.Errorf("%s: the other session's get-session: %s, want it alive", in.URL, got)
		}
	}

	// (c) A rolling restart under a steady load through the balancer: every request answered 2xx.
	// Each worker lists, creates a task and deletes it on its next write, so that however long
	// the restarts take, the user's tasks stay far from their quota.
	var (
		answered, failed atomic.Int64
		stop             atomic.Bool
		mu               sync.Mutex
		failures         []string
		load             sync.WaitGroup
	)
	client := &http.Client{Timeout: 30 * time.Second}
	for w := range 4 {
		load.Go(func() {
			var created string // the worker's task, deleted on its next write
			for i := 0; !stop.Load(); i++ {
				method, path, body := "GET", "/api/v1/tasks?limit=20", ""
				switch {
				case i%2 == 1:
				case created == "":
					method, path, body = "POST", "/api/v1/tasks", fmt.Sprintf(`{"title":"w%d-%d"}`, w, i)
				default:
					method, path = "DELETE", "/api/v1/tasks/"+created
				}
				status, resp, err := request(client, method, lb+path, token, body)
				if err == nil && status >= 200 && status < 300 {
					answered.Add(1)
					switch method {
					case "POST":
						var t struct{ ID string }
						if json.Unmarshal(resp, &t) == nil {
							created = t.ID
						}
					case "DELETE":
						created = ""
					}
					continue
				}
				failed.Add(1)
				mu.Lock()
				failures = append(failures, fmt.Sprintf("%s %s: %d %v %.200s", method, path, status, err, resp))
				mu.Unlock()
			}
		})
	}
	defer func() { stop.Store(true); load.Wait() }()
	names := []string{"a", "b", "c"}
	for i, in := range instances {
		before := answered.Load()
		if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := in.wait(t, 30*time.Second); err != nil {
			t.Fatalf("instance %s exited with %v after SIGTERM:\n%s", names[i], err, in.logs)
		}
		instances[i] = startInstance(t, ports[i], env)
		waitForServers(t, stats, "UP", names...)
		waitFor(t, "the load to go on after restarting "+names[i], func() bool { return answered.Load() > before })
	}
	stop.Store(true)
	load.Wait()
	t.Logf("rolling restart: %d requests answered 2xx, %d not", answered.Load(), failed.Load())
	if failed.Load() != 0 {
		t.Errorf("%d requests through HAProxy failed during the rolling restart, e.g. %v", failed.Load(), failures[:min(len(failures), 5)])
	}
	if n := countRows(t, dbURL, `SELECT count(*) FROM "jwks"`); n != 1 {
		t.Errorf(`after the restarts: %d rows in "jwks", want still 1`, n)
	}
}

// haproxyBinary finds haproxy: without it the test skips, or fails under CI=true.
func haproxyBinary(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("haproxy")
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("haproxy is not installed (apt-get install haproxy): %v", err)
	}
	t.Skipf("haproxy is not installed (apt-get install haproxy); skipping: %v", err)
	return ""
}

func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

// instance is a server process on a port of its own, which it keeps across restarts.
type instance struct {
	*process
}

// startInstance is startProcess on a given port, with env over the defaults.
func startInstance(t *testing.T, port int, env map[string]string) *instance {
	t.Helper()
	p := spawn(t, port, env)
	waitFor(t, p.URL+"/readyz to answer 200", func() bool {
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("server on port %d exited before it served: %v\n%s", port, err, p.logs)
		default:
		}
		resp, err := http.Get(p.URL + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return &instance{p}
}

// startHAProxy runs HAProxy in front of the instances on ports[0:3], listening on ports[3],
// with its statistics as CSV on ports[4], and returns the statistics' URL.
func startHAProxy(t *testing.T, haproxy string, ports []int) string {
	t.Helper()
	cfg := fmt.Sprintf(`global
	maxconn 512

defaults
	mode http
	timeout connect 2s
	timeout client 30s
	timeout server 30s
	timeout check 2s
	option forwardfor
	option redispatch
	retries 3
	retry-on conn-failure empty-response

frontend todo
	bind 127.0.0.1:%d
	default_backend instances

backend instances
	balance roundrobin
	option httpchk
	http-check send meth GET uri /readyz
	http-check expect status 200
	default-server check inter 100ms fall 1 rise 2
	server a 127.0.0.1:%d
	server b 127.0.0.1:%d
	server c 127.0.0.1:%d

frontend stats
	bind 127.0.0.1:%d
	stats enable
	stats uri /stats
`, ports[3], ports[0], ports[1], ports[2], ports[4])
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(haproxy, "-c", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	cmd := exec.Command(haproxy, "-db", "-f", path)
	logs := &apptest.LogBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("haproxy:\n%s", logs)
		}
	})
	stats := "http://127.0.0.1:" + strconv.Itoa(ports[4]) + "/stats;csv"
	waitFor(t, "HAProxy's statistics", func() bool {
		select {
		case <-exited:
			t.Fatalf("haproxy exited:\n%s", logs)
		default:
		}
		resp, err := http.Get(stats)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return stats
}

// waitForServers waits until HAProxy's health checks give each named server the status.
func waitForServers(t *testing.T, stats, status string, names ...string) {
	t.Helper()
	waitFor(t, fmt.Sprintf("HAProxy to see %v %s", names, status), func() bool {
		resp, err := http.Get(stats)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		rows, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil || len(rows) == 0 {
			return false
		}
		col := map[string]int{}
		for i, name := range rows[0] {
			col[strings.TrimPrefix(name, "# ")] = i
		}
		got := map[string]string{}
		for _, r := range rows[1:] {
			if len(r) > col["status"] && r[col["pxname"]] == "instances" {
				got[r[col["svname"]]] = r[col["status"]]
			}
		}
		for _, n := range names {
			if got[n] != status {
				return false
			}
		}
		return true
	})
}

// waitFor polls cond until it holds, failing the test after 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// browser is a client with a cookie jar, sending the Origin the server trusts.
type browser struct {
	c      *http.Client
	origin string
}

func newBrowser(origin string) *browser {
	jar, _ := cookiejar.New(nil) // one jar for every port of 127.0.0.1, as cookies ignore ports
	return &browser{c: &http.Client{Jar: jar, Timeout: 10 * time.Second}, origin: origin}
}

func (b *browser) post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", b.origin)
	return b.do(t, req)
}

func (b *browser) get(t *testing.T, url string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	status, body := b.do(t, req)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, status, body)
	}
	return body
}

func (b *browser) do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) token(t *testing.T, baseURL string) string {
	t.Helper()
	var tok struct{ Token string }
	if err := json.Unmarshal([]byte(b.get(t, baseURL+"/api/auth/token")), &tok); err != nil || tok.Token == "" {
		t.Fatalf("token from %s: %v", baseURL, err)
	}
	return tok.Token
}

func send(t *testing.T, c *http.Client, req *http.Request) int {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// jwtKid reads the kid of a token's header.
func jwtKid(t *testing.T, token string) string {
	t.Helper()
	header, _, _ := strings.Cut(token, ".")
	raw, err := base64URL(header)
	var h struct{ Kid string }
	if err != nil || json.Unmarshal(raw, &h) != nil || h.Kid == "" {
		t.Fatalf("token header %q: no kid", header)
	}
	return h.Kid
}

func base64URL(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// countRows runs a count query on the database at url.
func countRows(t *testing.T, url, query string) int {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
