package interop_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	harnessOnce sync.Once
	harnessDir  string
	harnessErr  error
)

// harness returns the interop/ directory, ready to run: Node.js and npm present and its
// node_modules installed (by `npm ci` if missing, once per test binary). Without them the test
// skips, or fails under CI=true.
func harness(t *testing.T) string {
	t.Helper()
	harnessOnce.Do(func() { harnessDir, harnessErr = prepareHarness() })
	if harnessErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the Better Auth harness is required in CI: %v", harnessErr)
		}
		t.Skipf("Better Auth harness not available (with CI=true this fails): %v", harnessErr)
	}
	return harnessDir
}

func prepareHarness() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", errors.New("no go.mod above " + wd)
		}
		root = parent
	}
	dir := filepath.Join(root, "interop")
	if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err != nil {
		return "", fmt.Errorf("the harness is missing: %w", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return "", errors.New("node is not installed (Node.js 20 or later is needed)")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("node --version: %w", err)
	}
	if m := regexp.MustCompile(`^v(\d+)\.`).FindSubmatch(out); m == nil || atoi(string(m[1])) < 20 {
		return "", fmt.Errorf("node %s is too old: Better Auth 1.7 needs Node.js 20 or later", strings.TrimSpace(string(out)))
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", errors.New("npm is not installed")
	}
	if installed(dir) {
		return dir, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm ci in %s: %v\n%s", dir, err, tail(output.String(), 3000))
	}
	if !installed(dir) {
		return "", fmt.Errorf("npm ci in %s succeeded but left the packages incomplete:\n%s", dir, tail(output.String(), 3000))
	}
	return dir, nil
}

// installed reports whether interop/node_modules has what the scripts load, including the
// compiled better-sqlite3 binding.
func installed(dir string) bool {
	for _, p := range []string{
		"node_modules/better-auth/package.json",
		"node_modules/jose/package.json",
		"node_modules/pg/package.json",
		"node_modules/better-sqlite3/build/Release/better_sqlite3.node",
	} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return false
		}
	}
	return true
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// nodeEnv is the environment of a harness script: ours without anything that would change how
// Better Auth behaves (NODE_ENV=test or TEST would even switch its origin check off), plus vars.
func nodeEnv(vars ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "NODE_ENV", name == "TEST", name == "DATABASE_URL", name == "PORT", name == "AUTH_SECRET", name == "BASE_URL",
			strings.HasPrefix(name, "BETTER_AUTH"), strings.Contains(name, "BETTER_AUTH_URL"), strings.HasPrefix(name, "NUXT_PUBLIC_"):
			continue
		}
		env = append(env, kv)
	}
	return append(env, vars...)
}

// baServer is a running Better Auth (interop/server.mjs).
type baServer struct {
	URL    string
	stderr *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startBetterAuth runs Better Auth on a free loopback port over the database at databaseURL,
// with the test secret, and stops it (its whole process group) when the test ends.
func startBetterAuth(t *testing.T, databaseURL string, vars ...string) *baServer {
	t.Helper()
	dir := harness(t)
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // the free port may be taken before node binds it
		s, err := tryStartBetterAuth(t, dir, databaseURL, vars)
		if err == nil {
			return s
		}
		lastErr = err
	}
	t.Fatalf("start Better Auth: %v", lastErr)
	return nil
}

func tryStartBetterAuth(t *testing.T, dir, databaseURL string, vars []string) (*baServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &baServer{URL: "http://127.0.0.1:" + strconv.Itoa(port), stderr: &syncBuffer{}}
	cmd := exec.Command("node", "server.mjs")
	cmd.Dir = dir
	cmd.Env = nodeEnv(append([]string{
		"DATABASE_URL=" + databaseURL,
		"BETTER_AUTH_SECRET=" + apptest.Secret,
		"BETTER_AUTH_URL=" + s.URL,
		"PORT=" + strconv.Itoa(port),
	}, vars...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = s.stderr
	ready := make(chan string, 1)
	cmd.Stdout = &firstLine{ch: ready}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop := func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}
	select {
	case line := <-ready:
		if line != "READY "+strconv.Itoa(port) {
			stop()
			return nil, fmt.Errorf("server.mjs said %q, want READY %d; stderr:\n%s", line, port, tail(s.stderr.String(), 3000))
		}
	case <-exited:
		return nil, fmt.Errorf("server.mjs exited: %v; stderr:\n%s", cmd.ProcessState, tail(s.stderr.String(), 3000))
	case <-time.After(60 * time.Second):
		stop()
		return nil, fmt.Errorf("server.mjs not READY within 60 s; stderr:\n%s", tail(s.stderr.String(), 3000))
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("Better Auth at %s, stderr:\n%s", s.URL, tail(s.stderr.String(), 5000))
		}
	})
	return s, nil
}

// firstLine sends the first line written to it and discards the rest.
type firstLine struct {
	buf  []byte
	sent bool
	ch   chan<- string
}

func (f *firstLine) Write(p []byte) (int, error) {
	if !f.sent {
		f.buf = append(f.buf, p...)
		if line, _, ok := bytes.Cut(f.buf, []byte("\n")); ok {
			f.sent = true
			f.ch <- string(line)
		}
	}
	return len(p), nil
}

// runScript runs a harness script to completion and returns its stdout; err is non-nil when
// it exits with another status than 0 (the *exec.ExitError carries the code).
func runScript(t *testing.T, vars []string, script string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	dir := harness(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	cmd.Dir = dir
	cmd.Env = nodeEnv(vars...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("node %s timed out; stderr:\n%s", script, tail(errOut.String(), 3000))
	}
	return out.String(), errOut.String(), err
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
