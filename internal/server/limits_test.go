package server_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/jobs"
	"todo/internal/pgtest"
)

// TestSlowClientsAreCutOff: a client that stalls while sending headers or a body, or keeps an
// idle connection, loses its connection after the configured timeout.
func TestSlowClientsAreCutOff(t *testing.T) {
	s := apptest.Start(t, database.SQLite, map[string]string{
		"HTTP_READ_HEADER_TIMEOUT": "300ms",
		"HTTP_READ_TIMEOUT":        "600ms",
		"HTTP_IDLE_TIMEOUT":        "600ms",
	})
	addr := strings.TrimPrefix(s.URL, "http://")
	closedWithin := func(t *testing.T, conn net.Conn, limit time.Duration) {
		t.Helper()
		conn.SetReadDeadline(time.Now().Add(limit))
		start := time.Now()
		_, err := io.Copy(io.Discard, conn) // returns when the server closes the connection
		var netErr net.Error
		if errors.As(err, &netErr) && netErr.Timeout() {
			t.Fatalf("the server still held the connection after %v", limit)
		}
		t.Logf("closed after %v", time.Since(start).Round(10*time.Millisecond))
	}

	t.Run("headers never finished", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n"))
		closedWithin(t, conn, 3*time.Second)
	})

	t.Run("body never finished", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write([]byte("POST /api/auth/sign-in/email HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"email\":"))
		closedWithin(t, conn, 3*time.Second)
	})

	t.Run("idle keep-alive connection", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("first request: %v", err)
		}
		resp.Body.Close()
		closedWithin(t, conn, 3*time.Second)
	})
}

// TestPoolBoundUnderBurst fires 500 concurrent requests at a server with a pool of 5: all are
// answered, and PostgreSQL never sees more than 5 connections from it.
func TestPoolBoundUnderBurst(t *testing.T) {
	cluster := pgtest.Shared(t)
	name := cluster.CreateDatabase(t)
	s := apptest.Start(t, database.Postgres, map[string]string{
		"DATABASE_URL":           cluster.URL(name),
		"DATABASE_MAX_CONNS":     "5",
		"DATABASE_QUERY_TIMEOUT": "30s",
	})
	u := s.SignUp(t, "burst@example.com")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	monitor, err := pgx.Connect(ctx, cluster.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer monitor.Close(context.Background())
	var peak atomic.Int64
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for ctx.Err() == nil {
			var n int64
			// The job queue's connections are a pool of their own (jobs.ConnectionName).
			if err := monitor.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name <> $2`,
				name, jobs.ConnectionName).Scan(&n); err == nil && n > peak.Load() {
				peak.Store(n)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 500}, Timeout: 60 * time.Second}
	var wg sync.WaitGroup
	statuses := make(chan int, 500)
	start := make(chan struct{})
	for i := range 500 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			method, body := "GET", ""
			if i%4 == 0 {
				method, body = "POST", `{"title":"burst"}`
			}
			req, _ := http.NewRequest(method, s.URL+"/api/v1/tasks", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+u.Token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	cancel()
	<-sampled
	close(statuses)
	counts := map[int]int{}
	for st := range statuses {
		counts[st]++
	}
	if counts[200] != 375 || counts[201] != 125 {
		t.Errorf("answers %v, want 375 × 200 and 125 × 201", counts)
	}
	if p := peak.Load(); p > 5 || p == 0 {
		t.Errorf("peak connections from the server: %d, want 1 to 5", p)
	}
	t.Logf("peak pool connections %d, answers %v", peak.Load(), counts)
}
