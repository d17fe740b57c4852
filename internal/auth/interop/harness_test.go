package interop_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/nodetest"
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
		nodetest.Required(t, "the Better Auth harness is not available: %v", harnessErr)
	}
	return harnessDir
}

func prepareHarness() (string, error) {
	// installed: what the scripts load, including the compiled better-sqlite3 binding.
	_, dir, err := nodetest.Interop("Better Auth 1.7 needs",
		"node_modules/better-auth/package.json",
		"node_modules/jose/package.json",
		"node_modules/pg/package.json",
		"node_modules/better-sqlite3/build/Release/better_sqlite3.node",
	)
	return dir, err
}

// nodeEnv is the environment of a harness script: ours without anything that would change how
// Better Auth behaves (NODE_ENV=test or TEST would even switch its origin check off), plus vars.
func nodeEnv(vars ...string) []string {
	return nodetest.Env(func(name string) bool {
		switch {
		case name == "NODE_ENV", name == "TEST", name == "DATABASE_URL", name == "PORT", name == "AUTH_SECRET", name == "BASE_URL", name == "MAIL_FILE",
			strings.HasPrefix(name, "BETTER_AUTH"), strings.Contains(name, "BETTER_AUTH_URL"), strings.HasPrefix(name, "NUXT_PUBLIC_"):
			return true
		}
		return false
	}, vars...)
}

// baServer is a running Better Auth (interop/server.mjs).
type baServer struct {
	URL    string
	stderr *apptest.LogBuffer
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
	s := &baServer{URL: "http://127.0.0.1:" + strconv.Itoa(port), stderr: &apptest.LogBuffer{}}
	cmd := exec.Command("node", "server.mjs")
	cmd.Dir = dir
	cmd.Env = nodeEnv(append([]string{
		"DATABASE_URL=" + databaseURL,
		"BETTER_AUTH_SECRET=" + apptest.Secret,
		"BETTER_AUTH_URL=" + s.URL,
		"PORT=" + strconv.Itoa(port),
	}, vars...)...)
	cmd.Stderr = s.stderr
	ready := make(chan string, 1)
	cmd.Stdout = &firstLine{ch: ready}
	exited, stop, err := nodetest.StartGroup(cmd, 5*time.Second)
	if err != nil {
		return nil, err
	}
	select {
	case line := <-ready:
		if line != "READY "+strconv.Itoa(port) {
			stop()
			return nil, fmt.Errorf("server.mjs said %q, want READY %d; stderr:\n%s", line, port, nodetest.Tail(s.stderr.String(), 3000))
		}
	case <-exited:
		return nil, fmt.Errorf("server.mjs exited: %v; stderr:\n%s", cmd.ProcessState, nodetest.Tail(s.stderr.String(), 3000))
	case <-time.After(60 * time.Second):
		stop()
		return nil, fmt.Errorf("server.mjs not READY within 60 s; stderr:\n%s", nodetest.Tail(s.stderr.String(), 3000))
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("Better Auth at %s, stderr:\n%s", s.URL, nodetest.Tail(s.stderr.String(), 5000))
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
		t.Fatalf("node %s timed out; stderr:\n%s", script, nodetest.Tail(errOut.String(), 3000))
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
