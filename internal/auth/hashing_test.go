package auth_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"todo/internal/database"
)

// send is c.post through hc for goroutines other than the test's: a failed exchange is
// returned, not fatal, and the cookies are left as they are.
func (c *client) send(hc *http.Client, path string, body any, headers ...string) (*response, error) {
	j, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, c.e.srv.URL+path, bytes.NewReader(j))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", c.origin)
	c.mu.Lock()
	var cookies []string
	for name, value := range c.jar {
		cookies = append(cookies, name+"="+value)
	}
	c.mu.Unlock()
	if len(cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// checkRefusal reports what is wrong with a 429: it must say when to come back and carry
// Better Auth's JSON body.
func checkRefusal(r *response) error {
	if n, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || n < 1 {
		return fmt.Errorf("429 with Retry-After %q", r.header.Get("Retry-After"))
	}
	var body struct{ Message string }
	if err := json.Unmarshal(r.body, &body); err != nil || body.Message == "" {
		return fmt.Errorf("429 with body %s", r.body)
	}
	return nil
}

// hashingServer is a server where only the hasher's queue limits password checks (no rate
// limit), and the proxy on loopback names each client in X-Forwarded-For; and an HTTP client
// for many requests at once. The client's connections are closed before the server stops: a
// connection dialled for a request that another connection took never sends one, and the
// server's graceful stop would wait 5 s for it.
func hashingServer(t *testing.T) (*env, *http.Client) {
	e := start(t, database.SQLite, map[string]string{"RATE_LIMIT": "false", "TRUSTED_PROXIES": "127.0.0.1/32"})
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return e, &http.Client{Transport: tr}
}

// TestHashingFairUnderFlood: someone with a stolen session cookie floods delete-user with
// password guesses from one address, for as long as the victim takes to sign in from
// another. The guesses wait in their own queue, most of them are refused at once, and the
// victim's sign-in waits for at most a hash or so of theirs: it succeeds, where a first come,
// first served hasher made it wait for every guess and fail at the deadline.
func TestHashingFairUnderFlood(t *testing.T) {
	e, hc := hashingServer(t)
	email := uniqueEmail(t, "victim")
	stolen := e.client()
	stolen.signUp(t, email)

	const attackers = 60
	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		failures []string
		wg       sync.WaitGroup
		once     sync.Once
		answered int
	)
	flooding := make(chan struct{}) // the guesses fill their queue: some were refused
	done := make(chan struct{})     // the victim has signed in
	for i := range attackers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each goroutine guesses again as soon as a guess is answered, so the flood
			// lasts until the victim is done; one that is refused stops, so it never spins.
			for round := range 20 {
				r, err := stolen.send(hc, "/api/auth/delete-user", map[string]any{"password": fmt.Sprintf("guess %d.%d", i, round)},
					"X-Forwarded-For", "203.0.113.66")
				mu.Lock()
				switch {
				case err != nil:
					failures = append(failures, err.Error())
				case r.status == http.StatusTooManyRequests:
					if err := checkRefusal(r); err != nil {
						failures = append(failures, err.Error())
					}
				case r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "INVALID_PASSWORD"):
					failures = append(failures, fmt.Sprintf("delete-user: %d %s", r.status, r.body))
				}
				if err == nil {
					statuses[r.status]++
				}
				if answered++; answered == attackers || (err == nil && r.status == http.StatusTooManyRequests) {
					once.Do(func() { close(flooding) })
				}
				mu.Unlock()
				if err != nil || r.status == http.StatusTooManyRequests {
					return
				}
				select {
				case <-done:
					return
				default:
				}
			}
		}()
	}
	<-flooding
	r := e.client().post(t, "/api/auth/sign-in/email", map[string]any{"email": email, "password": password},
		"X-Forwarded-For", "198.51.100.7")
	close(done)
	wg.Wait()
	if r.status != http.StatusOK {
		t.Errorf("the victim's sign-in during the flood: got %d %s, want 200", r.status, r.body)
	}
	for _, f := range failures {
		t.Error(f)
	}
	if statuses[http.StatusTooManyRequests] == 0 {
		t.Error("no guess of the flood was refused: the queue of one client is not bounded")
	}
	t.Logf("guesses answered: %v", statuses)
}

// TestHashingSignUpBurst: a burst of sign-ups from many clients, more than the hasher gets
// through before the request deadline. Each is done or refused with a 429 that says when to
// come back; none waits until the deadline to fail with a 5xx.
func TestHashingSignUpBurst(t *testing.T) {
	e, hc := hashingServer(t)
	const clients = 100
	results := make([]*response, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := e.client()
			results[i], errs[i] = c.send(hc, "/api/auth/sign-up/email",
				map[string]any{"name": "Burst", "email": uniqueEmail(t, fmt.Sprint("burst", i)), "password": password},
				"X-Forwarded-For", fmt.Sprintf("192.0.2.%d", i+1))
		}()
	}
	wg.Wait()
	statuses := map[int]int{}
	for i, r := range results {
		if errs[i] != nil {
			t.Errorf("sign-up %d: %v", i, errs[i])
			continue
		}
		statuses[r.status]++
		switch r.status {
		case http.StatusOK:
		case http.StatusTooManyRequests:
			if err := checkRefusal(r); err != nil {
				t.Errorf("sign-up %d: %v", i, err)
			}
		default:
			t.Errorf("sign-up %d: got %d %s, want 200 or 429", i, r.status, r.body)
		}
	}
	if statuses[http.StatusOK] == 0 {
		t.Error("no sign-up of the burst got through")
	}
	t.Logf("sign-ups answered: %v", statuses)
}
