package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// serverUser is the user PostgreSQL and PgBouncer run as: they refuse root, so a test run as
// root starts them as the postgres user.
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs a postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// command runs path as the given user (nil: the current one), so that signals reach the
// program itself rather than a wrapper such as runuser.
func command(as *syscall.Credential, dir, path string, args ...string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	if as != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: as}
	}
	return cmd
}

// newTempDir makes a temporary directory owned by as and records the test process that owns
// it, so that a later run can clean up after a run that was killed.
func newTempDir(prefix string, as *syscall.Credential) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", err
	}
	if as != nil {
		if err := os.Chown(dir, int(as.Uid), int(as.Gid)); err != nil {
			return "", err
		}
	}
	writePID(dir, "owner.pid", os.Getpid())
	return dir, nil
}

func writePID(dir, name string, pid int) {
	os.WriteFile(filepath.Join(dir, name), []byte(strconv.Itoa(pid)), 0o644)
}

func readPID(dir, name string) int {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

func alive(pid int) bool {
	return pid > 0 && !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// reapLeftovers stops the servers of test runs that died without stopping them (killed by a
// timeout or by hand), so that they do not pile up on a machine.
func reapLeftovers(as *syscall.Credential) {
	bin, _ := binDir()
	for _, prefix := range []string{"pgtest-", "pgbouncer-"} {
		dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
		for _, dir := range dirs {
			owner := readPID(dir, "owner.pid")
			if owner == 0 || alive(owner) {
				continue
			}
			if pid := readPID(dir, "process.pid"); alive(pid) {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			if data := filepath.Join(dir, "data"); bin != "" {
				if _, err := os.Stat(data); err == nil {
					command(as, dir, filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop").Run()
				}
			}
			os.RemoveAll(dir)
		}
	}
}
