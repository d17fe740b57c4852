// Package pgtest gives tests a real PostgreSQL: a throwaway cluster that the test binary starts
// on loopback from the machine's PostgreSQL binaries, and a fresh database per test.
//
// A package that uses it runs its tests through Main, which stops the cluster at the end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Without PostgreSQL binaries a test is skipped, unless CI=true, where it fails.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a running PostgreSQL server.
type Cluster struct {
	Port int
	dir  string
	bin  string
	as   *syscall.Credential // the user the server runs as (nil: the current one)
	log  string
}

var (
	once    sync.Once
	shared  *Cluster
	started error
	dbSeq   atomic.Int64
)

// Main runs the package's tests and then stops the cluster if one was started.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.Stop()
	}
	os.Exit(code)
}

// Required reports a missing PostgreSQL: a failure under CI=true, where every dependency must
// be installed, otherwise a skip.
func Required(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL is required in CI: %v", err)
	}
	t.Skipf("PostgreSQL not available: %v", err)
}

// Own starts a cluster for the test alone (to stop or break it), stopped when the test ends.
func Own(t testing.TB) *Cluster {
	t.Helper()
	c, err := Start(Options{Fast: true})
	if err != nil {
		Required(t, err)
	}
	t.Cleanup(c.Stop)
	return c
}

// Shared returns the package's cluster, starting it on first use.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	once.Do(func() { shared, started = Start(Options{Fast: true}) })
	if started != nil {
		Required(t, started)
	}
	return shared
}

// NewDatabase creates an empty database on the shared cluster for the test and returns its URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	c := Shared(t)
	return c.URL(c.CreateDatabase(t))
}

// CreateDatabase creates an empty database on c and returns its name.
func (c *Cluster) CreateDatabase(t testing.TB) string {
	t.Helper()
	return c.CopyDatabase(t, "template1")
}

// CopyDatabase creates a database on c as a copy of template, which nobody may be connected
// to, and returns its name.
func (c *Cluster) CopyDatabase(t testing.TB, template string) string {
	t.Helper()
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatalf("connect to test cluster: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	return name
}

// Options tune a cluster.
type Options struct {
	// Fast turns off durability (fsync, full page writes): for tests that do not crash the
	// server, never for measurements or crash tests.
	Fast bool
	// Settings are extra postgresql.conf settings.
	Settings map[string]string
}

// Start initialises and starts a new cluster in a temporary directory.
func Start(opts Options) (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	as, err := serverUser()
	if err != nil {
		return nil, err
	}
	reapLeftovers(as)
	dir, err := newTempDir("pgtest-", as)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin, as: as, log: filepath.Join(dir, "server.log")}
	if out, err := c.run("initdb", "-D", c.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	if c.Port, err = freePort(); err != nil {
		return nil, err
	}
	settings := map[string]string{
		"listen_addresses":        "127.0.0.1",
		"port":                    strconv.Itoa(c.Port),
		"unix_socket_directories": dir,
		"max_connections":         "300",
	}
	if opts.Fast {
		settings["fsync"] = "off"
		settings["full_page_writes"] = "off"
		settings["synchronous_commit"] = "off"
	}
	for k, v := range opts.Settings {
		settings[k] = v
	}
	if err := c.start(settings); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// start writes settings and starts the server.
func (c *Cluster) start(settings map[string]string) error {
	var conf strings.Builder
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&conf, "%s = '%s'\n", k, settings[k])
	}
	path := filepath.Join(c.data(), "postgresql.auto.conf")
	if err := os.WriteFile(path, []byte(conf.String()), 0o644); err != nil {
		return err
	}
	if c.as != nil {
		if err := os.Chown(path, int(c.as.Uid), int(c.as.Gid)); err != nil {
			return err
		}
	}
	return c.Resume()
}

// Halt stops the server, disconnecting every client, and keeps its data.
func (c *Cluster) Halt() error {
	if out, err := c.run("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	return nil
}

// Resume starts a halted server again.
func (c *Cluster) Resume() error {
	if out, err := c.run("pg_ctl", "-D", c.data(), "-l", c.log, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(c.log)
		return fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
	}
	return nil
}

// Stop stops the server and removes its files.
func (c *Cluster) Stop() {
	c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.dir)
}

// URL is the connection URL of database on the cluster.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, database)
}

func (c *Cluster) run(program string, args ...string) ([]byte, error) {
	return command(c.as, c.dir, filepath.Join(c.bin, program), args...).CombinedOutput()
}

// binDir finds the PostgreSQL server programs: $PG_BIN, then the newest
// /usr/lib/postgresql/*/bin, then the PATH.
func binDir() (string, error) {
	if dir := os.Getenv("PG_BIN"); dir != "" {
		return dir, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no initdb: install PostgreSQL's server programs (Debian: postgresql) or set PG_BIN")
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
