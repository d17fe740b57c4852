package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/pgtest"
)

// TestMain lets the test binary be the server: with TODO_TEST_SERVE=1 it runs `todo serve`,
// so that fault tests can kill and restart a real server process without building one.
func TestMain(m *testing.M) {
	if os.Getenv("TODO_TEST_SERVE") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, []string{"todo", "serve"}, os.Getenv, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "todo:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	pgtest.Main(m)
}

// process is a `todo serve` running as a child process.
type process struct {
	URL  string
	cmd  *exec.Cmd
	done chan error
	logs *apptest.LogBuffer
}

const testSecret = "process-test-secret-0123456789abcdef0123"

// startProcess runs the server with env (DATABASE_URL at least) on a free port and waits until
// /healthz answers.
func startProcess(t *testing.T, env map[string]string) *process {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	p := spawn(t, port, env, "BETTER_AUTH_URL=http://127.0.0.1:"+strconv.Itoa(port))
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case err := <-p.done:
			t.Fatalf("server exited before it served: %v\n%s", err, p.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not answer /healthz:\n%s", p.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// spawn runs the server on port with the test defaults, then vars, then env, and collects its
// log; the process is killed when the test ends. It does not wait for the server to serve.
func spawn(t *testing.T, port int, env map[string]string, vars ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TODO_TEST_SERVE=1", "PORT="+strconv.Itoa(port),
		"BETTER_AUTH_SECRET="+testSecret, "DATA_DIR="+t.TempDir(), "LOG_LEVEL=warn")
	cmd.Env = append(cmd.Env, vars...)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, done: make(chan error, 1), logs: &apptest.LogBuffer{}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logged := make(chan struct{})
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			p.logs.Write([]byte(s.Text() + "\n"))
		}
		close(logged)
	}()
	go func() { <-logged; p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait returns the process's exit error, failing the test after timeout.
func (p *process) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case err := <-p.done:
		return err
	case <-time.After(timeout):
		t.Fatalf("the server did not exit within %v", timeout)
		return nil
	}
}

// signUp creates a user and returns a JWT for the task API.
func signUp(t *testing.T, baseURL, email string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := c.Post(baseURL+"/api/auth/sign-up/email", "application/json",
		strings.NewReader(fmt.Sprintf(`{"name":"P","email":%q,"password":%q}`, email, apptest.Password)))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-up: %d", resp.StatusCode)
	}
	return signIn(t, baseURL, email)
}

func signIn(t *testing.T, baseURL, email string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := c.Post(baseURL+"/api/auth/sign-in/email", "application/json",
		strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, email, apptest.Password)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = c.Get(baseURL + "/api/auth/token")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Token == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return tok.Token
}

func request(client *http.Client, method, url, token, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
