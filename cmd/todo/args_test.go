package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCommandLine: serve's flags are honoured, and anything it does not know is an error
// before anything starts, rather than a server listening where its operator did not ask.
func TestCommandLine(t *testing.T) {
	for _, args := range [][]string{
		{"todo", "serve", "9000"},
		{"todo", "serve", "--port"},
		{"todo", "serve", "--bogus"},
		{"todo", "--port", "9000", "extra"},
		{"todo", "version", "now"},
		{"todo", "frobnicate"},
	} {
		err := run(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("%q: accepted", args)
		}
	}

	// --port wins over PORT, and the server really listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	dir := t.TempDir()
	env := map[string]string{
		"PORT": "1", "DATA_DIR": dir, "BETTER_AUTH_SECRET": testSecret, "LOG_LEVEL": "error",
		"DATABASE_URL": "sqlite:///" + filepath.Join(dir, "todo.db"),
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"todo", "serve", "--host", "127.0.0.1", "--port", port}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	}()
	exited := false
	defer func() {
		cancel()
		if !exited {
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	}()
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get("http://127.0.0.1:" + port + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("healthz: %d", resp.StatusCode)
			}
			return
		}
		select {
		case err := <-done:
			exited = true
			t.Fatalf("serve ended before answering: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
		if !strings.Contains(err.Error(), "refused") {
			t.Fatalf("healthz: %v", err)
		}
	}
}
