// Package nodetest finds Node.js and the npm packages that tests run JavaScript with (the
// interop/ harness, the Next.js example), for tests only. A missing one skips the test, except
// under CI=true, where every dependency must be installed and a missing one fails.
package nodetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Required reports a missing dependency: a failure under CI=true, where everything must be
// installed, otherwise a skip.
func Required(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("required in CI: %s", msg)
	}
	t.Skipf("%s (with CI=true this fails)", msg)
}

// Node finds node and checks that it is Node.js 20 or later; needs says what needs that
// version, for the error ("Better Auth 1.7 needs").
func Node(needs string) (string, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", errors.New("node is not installed (Node.js 20 or later is needed)")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("node --version: %w", err)
	}
	if m := regexp.MustCompile(`^v(\d+)\.`).FindSubmatch(out); m != nil {
		if major, _ := strconv.Atoi(string(m[1])); major >= 20 {
			return node, nil
		}
	}
	return "", fmt.Errorf("node %s is too old: %s Node.js 20 or later", bytes.TrimSpace(out), needs)
}

// Installed checks that dir holds the files (paths relative to dir); its error names the
// first one missing.
func Installed(dir string, files ...string) error {
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return err
		}
	}
	return nil
}

// Interop returns node and the repository's interop/ directory, found above the working
// directory, with the files installed, by `npm ci` if any is missing (call it once per test
// binary); needs is as for Node.
func Interop(needs string, files ...string) (node, dir string, err error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", "", err
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", "", errors.New("no go.mod above " + wd)
		}
		root = parent
	}
	dir = filepath.Join(root, "interop")
	if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err != nil {
		return "", "", fmt.Errorf("the harness is missing: %w", err)
	}
	if node, err = Node(needs); err != nil {
		return "", "", err
	}
	if Installed(dir, files...) == nil {
		return node, dir, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", "", fmt.Errorf("npm is not installed, and %s is incomplete", dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("npm ci in %s: %v\n%s", dir, err, Tail(output.String(), 3000))
	}
	if err := Installed(dir, files...); err != nil {
		return "", "", fmt.Errorf("npm ci in %s succeeded but left the packages incomplete (%v):\n%s", dir, err, Tail(output.String(), 3000))
	}
	return node, dir, nil
}

// Env is the environment of a node process: ours without the variables that drop selects
// (those that would change how the scripts behave), plus vars.
func Env(drop func(name string) bool, vars ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !drop(name) {
			env = append(env, kv)
		}
	}
	return append(env, vars...)
}

// Tail is the last n bytes of s, for failure messages.
func Tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// StartGroup starts cmd in a process group of its own, so that stopping it stops its workers
// too. exited is closed once cmd has exited; stop sends the group SIGTERM, then SIGKILL after
// grace, and waits for cmd to exit.
func StartGroup(cmd *exec.Cmd, grace time.Duration) (exited <-chan struct{}, stop func(), err error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	stop = func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(grace):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	return done, stop, nil
}
