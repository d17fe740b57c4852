package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestKillDuringWrites kills the server with SIGKILL while clients create tasks, restarts it on
// the same database, and checks that every task acknowledged with 201 is there.
func TestKillDuringWrites(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		env := map[string]string{"DATABASE_URL": apptest.DatabaseURL(t, d)}
		p := startProcess(t, env)
		token := signUp(t, p.URL, "crash@example.com")

		var (
			mu    sync.Mutex
			acked []string
			stop  atomic.Bool
			wg    sync.WaitGroup
		)
		client := &http.Client{Timeout: 5 * time.Second}
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; !stop.Load(); i++ {
					status, body, err := request(client, "POST", p.URL+"/api/v1/tasks", token, fmt.Sprintf(`{"title":"w%d-%d"}`, w, i))
					if err != nil || status != http.StatusCreated {
						continue // the server is being killed: unacknowledged writes may be lost
					}
					var tk struct{ ID string }
					if json.Unmarshal(body, &tk) == nil {
						mu.Lock()
						acked = append(acked, tk.ID)
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(1500 * time.Millisecond)
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		p.wait(t, 10*time.Second)
		stop.Store(true)
		wg.Wait()
		if len(acked) < 20 {
			t.Fatalf("only %d tasks acknowledged before the kill; the test did not load the server", len(acked))
		}

		p = startProcess(t, env)
		token = signIn(t, p.URL, "crash@example.com")
		stored := map[string]bool{}
		for offset := 0; ; offset += 1000 {
			status, body, err := request(client, "GET", fmt.Sprintf("%s/api/v1/tasks?limit=1000&offset=%d", p.URL, offset), token, "")
			if err != nil || status != http.StatusOK {
				t.Fatalf("list after restart: %d %v", status, err)
			}
			var page struct {
				Tasks []struct{ ID string }
				Total int
			}
			json.Unmarshal(body, &page)
			for _, tk := range page.Tasks {
				stored[tk.ID] = true
			}
			if len(page.Tasks) < 1000 {
				break
			}
		}
		missing := 0
		for _, id := range acked {
			if !stored[id] {
				missing++
			}
		}
		if missing > 0 {
			t.Fatalf("%d of %d acknowledged tasks lost by the crash", missing, len(acked))
		}
		t.Logf("%d acknowledged tasks, all kept (%d stored)", len(acked), len(stored))
	})
}

// TestGracefulShutdown sends SIGTERM under load: every request the server has begun gets its
// full, successful answer, among them one provably in flight while the server already refuses
// new connections, and the process exits 0 well within 10 s.
//
// Which requests the server began is read from its own log (one line per request it handled,
// under the client's X-Request-ID), not guessed from the client's clock: a request the client
// sent before the signal may still sit unread in a connection the server never served, and
// net/http's Shutdown closes those without an answer.
func TestGracefulShutdown(t *testing.T) {
	// Sixteen clients of one user at full speed may pass the per-user rate limit, whose 429s
	// are not what this test is about.
	p := startProcess(t, map[string]string{"DATABASE_URL": apptest.DatabaseURL(t, database.SQLite), "LOG_LEVEL": "info",
		"USER_RATE_LIMIT": "0"})
	token := signUp(t, p.URL, "term@example.com")

	// A new connection per request, so that the load keeps arriving at the listener as it closes.
	client := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	type outcome struct {
		method, path string
		status       int
		err          error
	}
	var (
		mu       sync.Mutex
		outcomes = map[string]outcome{} // by request id
		answered atomic.Int64
		loaded   = make(chan struct{})
		stop     atomic.Bool
		wg       sync.WaitGroup
	)
	// Only the task API: a password hash per request would queue the load behind the
	// server's few hashing slots and meet the request deadline, which is not shutdown's doing.
	work := func(w, i int) (string, string, string) {
		if i%2 == 0 {
			return "POST", "/api/v1/tasks", fmt.Sprintf(`{"title":"t%d-%d"}`, w, i)
		}
		return "GET", "/api/v1/tasks?limit=200", ""
	}
	for w := range 16 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				id := fmt.Sprintf("term-%d-%d", w, i)
				method, path, body := work(w, i)
				status, err := requestWithID(client, method, p.URL+path, token, body, id)
				mu.Lock()
				outcomes[id] = outcome{method, path, status, err}
				mu.Unlock()
				if err == nil && status < 300 && answered.Add(1) == 100 {
					close(loaded)
				}
			}
		})
	}
	defer func() { // also when the test fails early: the load must not outlive it
		stop.Store(true)
		wg.Wait()
	}()
	select {
	case <-loaded:
	case err := <-p.done:
		t.Fatalf("the server exited under load, before the signal: %v\n%s", err, p.logs)
	case <-time.After(time.Minute):
		t.Fatal("the load got no 100 successful answers in a minute")
	}

	held := holdRequest(t, p.URL, token)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitUntilRefused(t, p.URL)
	status, body := held.finish(t)
	start := time.Now()
	err := p.wait(t, 10*time.Second)
	stop.Store(true)
	wg.Wait() // every outcome is in before they are checked
	if err != nil {
		t.Fatalf("exit: %v\n%s", err, p.logs)
	}
	t.Logf("exited 0 %v after the held request's answer; %d requests answered", time.Since(start).Round(time.Millisecond), answered.Load())

	var created struct{ ID string }
	if status != http.StatusCreated || json.Unmarshal(body, &created) != nil || created.ID == "" {
		t.Errorf("the request in flight at the signal: got %d %s, want 201 and the task", status, body)
	}
	begun := serverRequestIDs(p.logs.String())
	for id, o := range outcomes {
		switch {
		case o.err == nil && o.status >= 300:
			t.Errorf("%s %s (%s) answered %d", o.method, o.path, id, o.status)
		case o.err != nil && begun[id]:
			t.Errorf("%s %s (%s) was begun by the server, but its answer did not arrive: %v", o.method, o.path, id, o.err)
		case o.err == nil && !begun[id]:
			t.Errorf("%s %s (%s) answered %d, but is not in the server's log: the log is not read right", o.method, o.path, id, o.status)
		}
	}
}

// requestWithID is request with the X-Request-ID the server logs the request under.
func requestWithID(client *http.Client, method, url, token, body, id string) (int, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Request-ID", id)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// heldRequest is a task creation whose handler is running, waiting for the request's body.
type heldRequest struct {
	conn net.Conn
	r    *bufio.Reader
	body string
}

// holdRequest sends a creation's headers with Expect: 100-continue and withholds the body.
// The server answers 100 Continue only once the handler reads the body, so when it arrives
// the request is in flight by the server's own account.
func holdRequest(t *testing.T, baseURL, token string) *heldRequest {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	h := &heldRequest{conn: conn, r: bufio.NewReader(conn), body: `{"title":"in flight at SIGTERM"}`}
	fmt.Fprintf(conn, "POST /api/v1/tasks HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		u.Host, token, len(h.body))
	resp, err := http.ReadResponse(h.r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusContinue {
		t.Fatalf("held request: got %s before its body, want 100 Continue", resp.Status)
	}
	return h
}

// finish sends the withheld body and reads the whole answer.
func (h *heldRequest) finish(t *testing.T) (int, []byte) {
	t.Helper()
	if _, err := io.WriteString(h.conn, h.body); err != nil {
		t.Fatalf("held request: send the body: %v", err)
	}
	resp, err := http.ReadResponse(h.r, nil)
	if err != nil {
		t.Fatalf("held request: no answer: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("held request: the answer was cut: %v", err)
	}
	return resp.StatusCode, b
}

// waitUntilRefused returns once the server refuses new connections: it has begun shutting down.
func waitUntilRefused(t *testing.T, baseURL string) {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.Dial("tcp", u.Host)
		// A reset is the same news: the listener closed while this connection was being set up.
		if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
			return
		}
		if err != nil {
			t.Fatalf("dial while the server shuts down: %v", err)
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 10 s after SIGTERM")
		}
		time.Sleep(time.Millisecond)
	}
}

// serverRequestIDs returns the ids of the requests the server's log says it handled.
func serverRequestIDs(logs string) map[string]bool {
	ids := map[string]bool{}
	for _, m := range requestLine.FindAllStringSubmatch(logs, -1) {
		ids[m[1]] = true
	}
	return ids
}

var requestLine = regexp.MustCompile(`(?m)\bmsg=request request_id=(\S+)`)
