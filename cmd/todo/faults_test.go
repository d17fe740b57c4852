package main

import (
	"encoding/json"
	"fmt"
	"net/http"
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

// TestGracefulShutdown sends SIGTERM under load: every request begun before it gets its full
// answer, and the process exits 0 well within 10 s.
func TestGracefulShutdown(t *testing.T) {
	p := startProcess(t, map[string]string{"DATABASE_URL": apptest.DatabaseURL(t, database.SQLite)})
	token := signUp(t, p.URL, "term@example.com")

	// A new connection per request: a request has begun once its connection is accepted.
	client := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var (
		sigterm  atomic.Int64 // unix nanos of the signal; 0 before
		begunOK  atomic.Int64
		failures = make(chan string, 1000)
		wg       sync.WaitGroup
	)
	// Sign-ins hash a password (tens of milliseconds), so some are surely in flight at the signal.
	work := func(w, i int) (string, string, string) {
		switch i % 3 {
		case 0:
			return "POST", "/api/v1/tasks", fmt.Sprintf(`{"title":"t%d-%d"}`, w, i)
		case 1:
			return "GET", "/api/v1/tasks?limit=200", ""
		}
		return "POST", "/api/auth/sign-in/email", `{"email":"term@example.com","password":"` + apptest.Password + `"}`
	}
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				start := time.Now().UnixNano()
				if s := sigterm.Load(); s != 0 && start > s+int64(500*time.Millisecond) {
					return
				}
				method, path, body := work(w, i)
				status, _, err := request(client, method, p.URL+path, token, body)
				s := sigterm.Load()
				// A request begun before the signal (with a margin for the client's own
				// scheduling) must be answered; after it, refusing the connection is the way
				// to turn clients away, but an accepted request must still be answered well.
				begun := s == 0 || start < s-int64(50*time.Millisecond)
				switch {
				case err == nil && status < 300:
					if begun {
						begunOK.Add(1)
					}
				case begun:
					failures <- fmt.Sprintf("begun before SIGTERM: %s %s: %d %v", method, path, status, err)
				case err == nil:
					failures <- fmt.Sprintf("after SIGTERM, %s %s got %d", method, path, status)
				}
			}
		}()
	}
	time.Sleep(1 * time.Second)
	sigterm.Store(time.Now().UnixNano())
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := p.wait(t, 10*time.Second)
	if err != nil {
		t.Fatalf("exit: %v\n%s", err, p.logs)
	}
	t.Logf("exited 0 %v after SIGTERM; %d requests answered", time.Since(start).Round(time.Millisecond), begunOK.Load())
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
}
