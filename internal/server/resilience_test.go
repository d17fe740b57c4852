package server_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"todo/internal/apptest"
	"todo/internal/config"
	"todo/internal/database"
	"todo/internal/jobs"
	"todo/internal/pgtest"
	"todo/internal/server"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestPgBouncerTransactionMode proves the query mode chosen for a transaction pooler (Neon's
// -pooler endpoints): through a real PgBouncer in transaction mode with one server connection
// shared by every client, the default named prepared statements collide, and the mode the
// server picks does not.
func TestPgBouncerTransactionMode(t *testing.T) {
	cluster := pgtest.Shared(t)
	name := cluster.CreateDatabase(t)
	bouncer := pgtest.StartBouncer(t, cluster, 1)
	ctx := context.Background()

	t.Run("named prepared statements break", func(t *testing.T) {
		a, err := pgx.Connect(ctx, bouncer.URL(name))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close(ctx)
		b, err := pgx.Connect(ctx, bouncer.URL(name))
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close(ctx)
		const q = `SELECT $1::int + 1`
		var n int
		if err := a.QueryRow(ctx, q, 1).Scan(&n); err != nil {
			t.Fatal(err)
		}
		err = b.QueryRow(ctx, q, 1).Scan(&n)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || (pgErr.Code != "42P05" && pgErr.Code != "26000") {
			t.Fatalf("second client on the same server connection: got %v, want a prepared-statement clash", err)
		}
	})

	t.Run("the application works through the pooler", func(t *testing.T) {
		s := apptest.Start(t, database.Postgres, map[string]string{
			"DATABASE_URL":        bouncer.URL(name) + "&pgbouncer=true",
			"DATABASE_URL_DIRECT": cluster.URL(name),
			"DATABASE_MAX_CONNS":  "8",
			// A correctness test, not a race: on a busy machine the default deadline of 5 s
			// could turn a slow answer into a 503.
			"DATABASE_QUERY_TIMEOUT": "60s",
		})
		const workers, rounds = 12, 15
		users := make([]apptest.User, workers)
		for i := range users {
			users[i] = s.SignUp(t, fmt.Sprintf("pooled%d@example.com", i))
		}
		var wg sync.WaitGroup
		errs := make(chan string, workers*rounds)
		for _, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range rounds {
					r := s.Do(t, "POST", "/api/v1/tasks", u.Token, map[string]any{"title": fmt.Sprint("task ", i)})
					if r.Status != http.StatusCreated {
						errs <- fmt.Sprintf("create: %d %s", r.Status, r.Body)
						continue
					}
					var tk struct{ ID string }
					r.JSON(t, &tk)
					for _, c := range []struct {
						method, path string
						want         int
					}{
						{"GET", "/api/v1/tasks", 200},
						{"PATCH", "/api/v1/tasks/" + tk.ID, 200},
						{"POST", "/api/v1/tasks/" + tk.ID + "/toggle", 200},
						{"GET", "/api/v1/tasks/" + tk.ID, 200},
					} {
						if r := s.Do(t, c.method, c.path, u.Token, map[string]any{"title": "patched"}); r.Status != c.want {
							errs <- fmt.Sprintf("%s %s: %d %s", c.method, c.path, r.Status, r.Body)
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		r := s.Do(t, "GET", "/api/v1/tasks?limit=0", users[0].Token, nil)
		if !strings.Contains(string(r.Body), fmt.Sprintf(`"total":%d`, rounds)) {
			t.Errorf("list through the pooler: %s", r.Body)
		}
	})
}

// TestDatabaseOutage stops PostgreSQL under a running server and under load: requests get 503
// with Retry-After promptly, never a 500 or a hang, and the server recovers by itself within 5 s
// of PostgreSQL's return.
func TestDatabaseOutage(t *testing.T) {
	cluster := pgtest.Own(t)
	s := apptest.Start(t, database.Postgres, map[string]string{
		"DATABASE_URL":           cluster.URL(cluster.CreateDatabase(t)),
		"DATABASE_QUERY_TIMEOUT": "2s",
		// Six clients of one user at full speed are over the per-user rate limit, whose 429s
		// are not what this test is about.
		"USER_RATE_LIMIT": "0",
	})
	u := s.SignUp(t, "outage@example.com")
	r := s.Do(t, "POST", "/api/v1/tasks", u.Token, map[string]any{"title": "before"})
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}

	// Background load for the whole test: every answer must be a success or a 503 with
	// Retry-After, and none may take much longer than the 2 s deadline.
	var (
		stop     = make(chan struct{})
		loadDone sync.WaitGroup
		problems = make(chan string, 100)
		answers  sync.Map
	)
	for w := range 6 {
		loadDone.Add(1)
		go func() {
			defer loadDone.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				method, path := "GET", "/api/v1/tasks"
				if (w+i)%2 == 0 {
					method = "POST"
				}
				start := time.Now()
				r := s.Do(t, method, path, u.Token, map[string]any{"title": "load"})
				elapsed := time.Since(start)
				n, _ := answers.LoadOrStore(r.Status, new(atomic.Int64))
				n.(*atomic.Int64).Add(1)
				switch {
				case r.Status == http.StatusServiceUnavailable && r.Header.Get("Retry-After") == "":
					problems <- "503 without Retry-After"
				case r.Status != http.StatusOK && r.Status != http.StatusCreated && r.Status != http.StatusServiceUnavailable:
					problems <- fmt.Sprintf("%s %s: %d %s", method, path, r.Status, r.Body)
				case elapsed > 4*time.Second:
					problems <- fmt.Sprintf("%s %s hung for %v", method, path, elapsed)
				}
			}
		}()
	}
	defer func() {
		close(stop)
		loadDone.Wait()
		close(problems)
		for p := range problems {
			t.Error(p)
		}
		counts := map[any]int64{}
		answers.Range(func(k, v any) bool { counts[k] = v.(*atomic.Int64).Load(); return true })
		if counts[http.StatusServiceUnavailable] == 0 || counts[http.StatusOK] == 0 {
			t.Errorf("the load saw %v; want successes and 503s", counts)
		}
		t.Logf("answers under load: %v", counts)
	}()
	time.Sleep(300 * time.Millisecond)

	if err := cluster.Halt(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/tasks"},
		{"POST", "/api/v1/tasks"},
		{"GET", "/readyz"},
	} {
		for range 3 {
			start := time.Now()
			r := s.Do(t, c.method, c.path, u.Token, map[string]any{"title": "during"})
			elapsed := time.Since(start)
			if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
				t.Fatalf("%s %s while PostgreSQL is down: %d %s, want 503 with Retry-After", c.method, c.path, r.Status, r.Body)
			}
			if elapsed > 4*time.Second {
				t.Fatalf("%s %s took %v to fail; the deadline is 2 s", c.method, c.path, elapsed)
			}
		}
	}
	if r := s.Do(t, "GET", "/healthz", "", nil); r.Status != http.StatusOK {
		t.Fatalf("healthz follows the process, not the database: %d", r.Status)
	}

	if err := cluster.Resume(); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	for {
		r := s.Do(t, "GET", "/api/v1/tasks?limit=0", u.Token, nil)
		if r.Status == http.StatusOK {
			break
		}
		if r.Status != http.StatusServiceUnavailable {
			t.Fatalf("while recovering: %d %s", r.Status, r.Body)
		}
		if time.Since(back) > 5*time.Second {
			t.Fatal("not recovered 5 s after PostgreSQL came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("recovered %v after PostgreSQL came back", time.Since(back).Round(time.Millisecond))
	time.Sleep(300 * time.Millisecond) // some successes after the recovery, under load
}

// TestDeadPooledConnections terminates the pooled connection while idle, as a restart or
// pg_terminate_backend does between two requests: the next statement meets the dead
// connection and is replayed once on a fresh one, so the client sees no error, and no write
// happens twice.
func TestDeadPooledConnections(t *testing.T) {
	cluster := pgtest.Shared(t)
	name := cluster.CreateDatabase(t)
	s := startServer(t, map[string]string{"DATABASE_URL": cluster.URL(name), "DATABASE_MAX_CONNS": "1"}, func(cfg *config.Config) {
		// pgxpool checks a connection idle for over a second before handing it out and replaces
		// a dead one itself: whether a statement met the dead connection would depend on how
		// long the test took between two requests. Unchecked, every statement after a
		// termination meets it.
		cfg.Database.CheckIdleAfter = time.Hour
	})
	u := s.SignUp(t, "dead@example.com")
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, cluster.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	// One pooled connection (DATABASE_MAX_CONNS), so the replay's connection is certainly a
	// new one: RetryOnce replays once, and the pool does not know which others are dead.
	terminate := func() {
		t.Helper()
		var killed int
		// With a timeout, pg_terminate_backend returns once the backend has ended.
		err := admin.QueryRow(ctx, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity
			WHERE datname = $1 AND backend_type = 'client backend' AND application_name <> $2`, name, jobs.ConnectionName).Scan(&killed)
		if err != nil || killed != 1 {
			t.Fatalf("terminate the pooled connection: %d terminated, %v; want 1", killed, err)
		}
	}
	for round := range 3 {
		terminate()
		before := replays(t, s)
		r := s.Do(t, "POST", "/api/v1/tasks", u.Token, map[string]any{"title": fmt.Sprint("round ", round)})
		if r.Status != http.StatusCreated {
			t.Fatalf("create after the connection died: %d %s", r.Status, r.Body)
		}
		if n := replays(t, s) - before; n != 1 {
			t.Fatalf("create after the connection died: %d replays, want 1", n)
		}

		terminate()
		before = replays(t, s)
		r = s.Do(t, "GET", "/api/v1/tasks", u.Token, nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), fmt.Sprintf(`"total":%d`, round+1)) {
			t.Fatalf("list after the connection died: %d %s; want %d tasks, each once", r.Status, r.Body, round+1)
		}
		if n := replays(t, s) - before; n != 1 {
			t.Fatalf("list after the connection died: %d replays, want 1", n)
		}
	}
}

// replays reads the server's count of replayed statements from its metrics.
func replays(t *testing.T, s *apptest.Server) int {
	t.Helper()
	r := s.Do(t, "GET", "/metrics", "", nil)
	m := replaysMetric.FindSubmatch(r.Body)
	if r.Status != http.StatusOK || m == nil {
		t.Fatalf("metrics: %d, no todo_db_replays_total in\n%s", r.Status, r.Body)
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var replaysMetric = regexp.MustCompile(`(?m)^todo_db_replays_total (\d+)$`)

// startServer is apptest.Start for a configuration that no environment variable sets: edit
// changes the configuration loaded from env before the server starts.
func startServer(t *testing.T, env map[string]string, edit func(*config.Config)) *apptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	vars := map[string]string{
		"PORT":               strconv.Itoa(ln.Addr().(*net.TCPAddr).Port),
		"BETTER_AUTH_URL":    base,
		"BETTER_AUTH_SECRET": apptest.Secret,
		"DATA_DIR":           t.TempDir(),
	}
	maps.Copy(vars, env)
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	edit(&cfg)
	ctx, cancel := context.WithCancel(context.Background())
	app, err := server.New(ctx, cfg, apptest.Logger(t), "test")
	if err != nil {
		cancel()
		ln.Close()
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("server: %v", err)
		}
		app.Close()
	})
	return &apptest.Server{URL: base, Config: cfg, App: app}
}

// TestColdStart starts the server while PostgreSQL is still down, as after a Neon cold start:
// it retries, and comes up when the database does.
func TestColdStart(t *testing.T) {
	cluster := pgtest.Own(t)
	url := cluster.URL(cluster.CreateDatabase(t))
	if err := cluster.Halt(); err != nil {
		t.Fatal(err)
	}
	load := func(timeout string) config.Config {
		env := map[string]string{"DATABASE_URL": url, "BETTER_AUTH_SECRET": apptest.Secret, "DATABASE_STARTUP_TIMEOUT": timeout, "DATA_DIR": t.TempDir()}
		cfg, err := config.Load(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}

	t.Run("gives up after the startup timeout", func(t *testing.T) {
		start := time.Now()
		_, err := server.New(context.Background(), load("2s"), apptest.Logger(t), "test")
		if err == nil || !strings.Contains(err.Error(), "connect to") {
			t.Fatalf("got %v, want a connection error", err)
		}
		if elapsed := time.Since(start); elapsed > 15*time.Second {
			t.Fatalf("gave up after %v", elapsed)
		}
	})

	t.Run("comes up when the database does", func(t *testing.T) {
		go func() {
			time.Sleep(1500 * time.Millisecond)
			cluster.Resume()
		}()
		app, err := server.New(context.Background(), load("30s"), apptest.Logger(t), "test")
		if err != nil {
			t.Fatal(err)
		}
		app.Close()
	})
}
