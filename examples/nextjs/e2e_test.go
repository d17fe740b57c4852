// Package nextjs_test runs the Next.js example front end against the Go backend, as the
// specification deploys them: Better Auth in the Next.js app owns the accounts on a PostgreSQL
// database, the browser gets JWTs from it and calls the Go task API with them, and the Go
// server trusts that Better Auth's JWKS (AUTH_URL) and allows its origin (CORS_ORIGINS).
//
// It needs Node.js 20+, the example's npm packages (`npm ci` in examples/nextjs), PostgreSQL
// and Chromium. Without them it skips, except under CI=true, where it fails.
package nextjs_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/nodetest"
	"todo/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// exampleDir checks that Node.js 20+ and the example's npm packages are there, and returns the
// example's directory (the test's working directory).
func exampleDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodetest.Node("Next.js 15 and Better Auth 1.7 need"); err != nil {
		nodetest.Required(t, "%v", err)
	}
	for _, pkg := range []string{"next", "react", "react-dom", "better-auth", "pg"} {
		if nodetest.Installed(dir, filepath.Join("node_modules", pkg, "package.json")) != nil {
			nodetest.Required(t, "the example's npm packages are not installed (%s is missing): run `npm ci` in examples/nextjs", pkg)
		}
	}
	return dir
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// lockExample keeps other test runs of this package (another engineer's `go test ./...`) from
// building into, or serving from, the same .next directory at the same time.
func lockExample(t *testing.T, dir string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "node_modules", ".todo-e2e.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}

// nodeEnv is the environment of a node process: ours without anything that would change how
// Next.js or Better Auth behave (NODE_ENV=test or TEST would even switch Better Auth's origin
// check off), plus vars.
func nodeEnv(vars ...string) []string {
	return nodetest.Env(func(name string) bool {
		switch {
		case name == "NODE_ENV", name == "TEST", name == "DATABASE_URL", name == "PORT", name == "HOSTNAME",
			name == "AUTH_SECRET", name == "BASE_URL", name == "AUTH_URL",
			strings.HasPrefix(name, "BETTER_AUTH"), strings.HasPrefix(name, "NEXT_"), strings.HasPrefix(name, "__NEXT"),
			strings.HasPrefix(name, "NUXT_PUBLIC_"), strings.HasPrefix(name, "PUBLIC_BETTER_AUTH"):
			return true
		}
		return false
	}, append([]string{"NEXT_TELEMETRY_DISABLED=1"}, vars...)...)
}

// nextCommand runs the example's own Next.js (node_modules/next), not one from the PATH.
func nextCommand(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("node", append([]string{filepath.Join("node_modules", "next", "dist", "bin", "next")}, args...)...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so that stopping it stops its workers too
	return cmd
}

// build runs `next build` in the example. The API URL is not baked in: the app reads it when
// it runs, so one build serves whatever backend the test starts later.
func build(t *testing.T, dir string) {
	t.Helper()
	started := time.Now()
	cmd := nextCommand(dir, "build")
	cmd.Env = nodeEnv()
	var out apptest.LogBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("next build: %v", err)
	}
	stop := stopOnCleanup(t, cmd)
	err := waitExit(cmd, 10*time.Minute)
	stop()
	if err != nil {
		t.Fatalf("next build: %v\n%s", err, nodetest.Tail(out.String(), 6000))
	}
	t.Logf("next build took %s", time.Since(started).Round(100*time.Millisecond))
}

// waitExit waits for cmd to exit, killing its process group if it runs past limit.
func waitExit(cmd *exec.Cmd, limit time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return fmt.Errorf("did not finish within %s", limit)
	}
}

// stopOnCleanup stops cmd's process group when the test ends (SIGTERM, then SIGKILL after
// 10 s) unless it has been waited for. It returns a function that marks it waited for.
func stopOnCleanup(t *testing.T, cmd *exec.Cmd) (waited func()) {
	var mu sync.Mutex
	finished := false
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if !finished {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	return func() { mu.Lock(); finished = true; mu.Unlock() }
}

// nextServer is `next start` running on loopback.
type nextServer struct {
	URL    string
	output *apptest.LogBuffer
}

// startNext runs `next start` on port with the example's environment and waits until Better
// Auth answers under /api/auth. It is stopped (its whole process group) when the test ends.
func startNext(t *testing.T, dir string, port int, databaseURL, apiURL string) (*nextServer, error) {
	origin := "http://127.0.0.1:" + strconv.Itoa(port)
	s := &nextServer{URL: origin, output: &apptest.LogBuffer{}}
	cmd := nextCommand(dir, "start", "--hostname", "127.0.0.1", "--port", strconv.Itoa(port))
	cmd.Env = nodeEnv(
		"DATABASE_URL="+databaseURL,
		"BETTER_AUTH_SECRET="+apptest.Secret,
		"BETTER_AUTH_URL="+origin,
		"NEXT_PUBLIC_API_URL="+apiURL,
	)
	cmd.Stdout, cmd.Stderr = s.output, s.output
	exited, stop, err := nodetest.StartGroup(cmd, 10*time.Second)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case <-exited:
			return nil, fmt.Errorf("next start exited: %v\n%s", cmd.ProcessState, nodetest.Tail(s.output.String(), 4000))
		default:
		}
		if resp, err := client.Get(origin + "/api/auth/ok"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("next start did not answer /api/auth/ok within 90 s\n%s", nodetest.Tail(s.output.String(), 4000))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("next start at %s, output:\n%s", origin, nodetest.Tail(s.output.String(), 8000))
		}
	})
	return s, nil
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// stack is the two servers of the example, over one database.
type stack struct {
	next        *nextServer
	api         *apptest.Server
	databaseURL string
}

// startStack starts the Go server with AUTH_URL and CORS_ORIGINS set to the Next.js origin
// (its migrations create Better Auth's tables, so it starts first), then the Next.js app
// pointed at it. The Next.js port is chosen first, since each server must know the other's
// address; if another process takes that port before Next.js binds it, both start again.
func startStack(t *testing.T, dir, databaseURL string) stack {
	t.Helper()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		origin := "http://127.0.0.1:" + strconv.Itoa(freePort(t))
		api := apptest.Start(t, database.Postgres, map[string]string{
			"DATABASE_URL": databaseURL,
			"AUTH_URL":     origin,
			"CORS_ORIGINS": origin,
		})
		port := atoi(origin[strings.LastIndex(origin, ":")+1:])
		next, err := startNext(t, dir, port, databaseURL, api.URL+"/api/v1")
		if err == nil {
			return stack{next: next, api: api, databaseURL: databaseURL}
		}
		lastErr = err
		api.Stop(t)
	}
	t.Fatalf("start the example: %v", lastErr)
	return stack{}
}

// TestNextJSFrontEnd signs a user up in the Next.js UI, keeps a task list through the Go task
// API, and checks that the tasks persist, belong to that user and stay hidden from another.
func TestNextJSFrontEnd(t *testing.T) {
	dir := exampleDir(t)
	browser := startBrowser(t)
	databaseURL := pgtest.NewDatabase(t)
	lockExample(t, dir)
	build(t, dir)
	s := startStack(t, dir, databaseURL)

	const (
		aliceEmail = "alice@example.com"
		bobEmail   = "bob@example.com"
	)

	// Alice arrives signed out, is sent to sign in, and signs up instead.
	alice := newTab(t, browser, s.next.URL)
	alice.screenshotOnFailure("alice")
	alice.open("/")
	alice.waitForPath("/sign-in")
	alice.the("heading", "Sign in")
	alice.clickRole("link", "Create an account")
	alice.waitForPath("/sign-up")
	alice.signUp("Alice", aliceEmail)
	alice.listShows()
	alice.the("heading", "Your tasks")

	// Three tasks: one to complete, one to rename, one to delete.
	alice.addTask("Buy milk")
	alice.addTask("Write report")
	alice.addTask("Call the plumber")
	alice.listShows("[ ] Call the plumber", "[ ] Write report", "[ ] Buy milk")

	alice.clickRole("checkbox", "Buy milk")
	alice.listShows("[ ] Call the plumber", "[ ] Write report", "[x] Buy milk")

	alice.clickRole("button", "Edit “Write report”")
	alice.fill("New title for “Write report”", "Write the report")
	alice.pressEnter()
	alice.listShows("[ ] Call the plumber", "[ ] Write the report", "[x] Buy milk")

	alice.clickRole("button", "Delete “Call the plumber”")
	alice.listShows("[ ] Write the report", "[x] Buy milk")
	alice.countShows("2 tasks, 1 completed")

	alice.reload()
	alice.listShows("[ ] Write the report", "[x] Buy milk")

	// Signing out ends the session; signing in again brings the same list back.
	alice.clickRole("button", "Sign out")
	alice.waitForPath("/sign-in")
	alice.open("/")
	alice.waitForPath("/sign-in")
	alice.fill("Email", aliceEmail)
	alice.fill("Password", apptest.Password)
	alice.clickRole("button", "Sign in")
	alice.waitForPath("/")
	alice.listShows("[ ] Write the report", "[x] Buy milk")

	// Through the task API, with a JWT from the Next.js Better Auth: the tasks are Alice's.
	aliceToken, aliceClaims := signIn(t, s.next.URL, aliceEmail)
	if aliceClaims.Iss != s.next.URL || aliceClaims.Aud != s.next.URL || aliceClaims.Email != aliceEmail {
		t.Errorf("Alice's JWT: got iss %q aud %q email %q, want iss and aud %q, email %q",
			aliceClaims.Iss, aliceClaims.Aud, aliceClaims.Email, s.next.URL, aliceEmail)
	}
	aliceTasks := listTasks(t, s.api, aliceToken)
	if got, want := aliceTasks.summary(), []string{"[ ] Write the report", "[x] Buy milk"}; !slices.Equal(got, want) || aliceTasks.Total != 2 {
		t.Errorf("Alice's tasks through the API: got %q (total %d), want %q (total 2)", got, aliceTasks.Total, want)
	}
	if got, want := owners(t, s.databaseURL), map[string]string{"Write the report": aliceEmail, "Buy milk": aliceEmail}; !maps.Equal(got, want) {
		t.Errorf("task owners in the database: got %v, want %v", got, want)
	}

	// Bob signs up in his own browser context: he sees none of Alice's tasks, in the UI or
	// through the API, and cannot reach one by its id.
	bob := newTab(t, browser, s.next.URL)
	bob.screenshotOnFailure("bob")
	bob.open("/sign-up")
	bob.signUp("Bob", bobEmail)
	bob.listShows()
	bob.addTask("Bob's own task")
	bob.listShows("[ ] Bob's own task")

	// Bob's token comes from his browser session, as the page gets its own.
	bobToken := evaluate[string](bob, `fetch("/api/auth/token").then(r => r.json()).then(b => b.token)`)
	bobTasks := listTasks(t, s.api, bobToken)
	if got, want := bobTasks.summary(), []string{"[ ] Bob's own task"}; !slices.Equal(got, want) || bobTasks.Total != 1 {
		t.Errorf("Bob's tasks through the API: got %q (total %d), want %q (total 1)", got, bobTasks.Total, want)
	}
	aliceTask := aliceTasks.Tasks[0].ID
	for _, method := range []string{http.MethodGet, http.MethodPatch, http.MethodDelete} {
		var body any
		if method == http.MethodPatch {
			body = map[string]any{"title": "Bob was here"}
		}
		if r := s.api.Do(t, method, "/api/v1/tasks/"+aliceTask, bobToken, body); r.Status != http.StatusNotFound {
			t.Errorf("%s Alice's task with Bob's token: got %d %s, want 404", method, r.Status, r.Body)
		}
	}
	if got := listTasks(t, s.api, aliceToken).summary(); !slices.Equal(got, []string{"[ ] Write the report", "[x] Buy milk"}) {
		t.Errorf("Alice's tasks after Bob's visit: got %q", got)
	}
	alice.reload()
	alice.listShows("[ ] Write the report", "[x] Buy milk")
	if got, want := owners(t, s.databaseURL), map[string]string{"Write the report": aliceEmail, "Buy milk": aliceEmail, "Bob's own task": bobEmail}; !maps.Equal(got, want) {
		t.Errorf("task owners in the database: got %v, want %v", got, want)
	}
}

// signUp fills in the sign-up form that the tab shows, with the test password, sends it and
// waits for the task list's address.
func (p *tab) signUp(name, email string) {
	p.t.Helper()
	p.fill("Name", name)
	p.fill("Email", email)
	p.fill("Password", apptest.Password)
	p.clickRole("button", "Sign up")
	p.waitForPath("/")
}

// listShows waits until no request is in flight and the list shows exactly these tasks, top to
// bottom, each as "[x] title" (completed) or "[ ] title".
func (p *tab) listShows(tasks ...string) {
	p.t.Helper()
	if tasks == nil {
		tasks = []string{}
	}
	want, _ := json.Marshal(tasks)
	p.waitFor("the list to show "+string(want), `(() => {
		const section = document.querySelector("section.tasks");
		if (!section || section.getAttribute("aria-busy") !== "false") return false;
		const rows = Array.from(document.querySelectorAll("#tasks li.task")).map(li =>
			(li.querySelector("input[type=checkbox]")?.checked ? "[x] " : "[ ] ") + (li.querySelector(".task-title")?.textContent ?? "(editing)"));
		return JSON.stringify(rows) === `+strconv.Quote(string(want))+`;
	})()`)
}

// countShows waits until the footer counts the tasks so.
func (p *tab) countShows(want string) {
	p.t.Helper()
	p.waitFor("the count to say "+strconv.Quote(want),
		`(document.querySelector(".count")?.textContent ?? "").trim().replace(/\s+/g, " ") === `+strconv.Quote(want))
}

// addTask adds a task through the form and waits until the list has it and the form is clear.
func (p *tab) addTask(title string) {
	p.t.Helper()
	p.fill("Title", title)
	p.clickRole("button", "Add task")
	p.waitFor("the task "+strconv.Quote(title)+" to appear", `(() => {
		const section = document.querySelector("section.tasks");
		return section && section.getAttribute("aria-busy") === "false" &&
			document.getElementById("new-title").value === "" &&
			Array.from(document.querySelectorAll("#tasks .task-title")).some(e => e.textContent === `+strconv.Quote(title)+`);
	})()`)
}

// claims are the JWT fields the test looks at.
type claims struct {
	Sub, Email, Iss, Aud string
}

// signIn signs in through the Next.js Better Auth's HTTP API, as any client can, and returns a
// JWT for the task API from /api/auth/token, with its claims.
func signIn(t *testing.T, nextURL, email string) (string, claims) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, email, apptest.Password)
	resp, err := c.Post(nextURL+"/api/auth/sign-in/email", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	readJSON(t, resp, nil)
	resp, err = c.Get(nextURL + "/api/auth/token")
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	readJSON(t, resp, &tok)
	parts := strings.Split(tok.Token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", tok.Token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var cl claims
	if err := json.Unmarshal(payload, &cl); err != nil {
		t.Fatalf("JWT payload %s: %v", payload, err)
	}
	return tok.Token, cl
}

func readJSON(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: got %d %s, want 200", resp.Request.Method, resp.Request.URL, resp.StatusCode, b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
	}
}

type taskPage struct {
	Tasks []struct {
		ID        string `json:"id"`
		Title     string `json:"title"`
		Completed bool   `json:"completed"`
	} `json:"tasks"`
	Total int `json:"total"`
}

func (p taskPage) summary() []string {
	s := []string{}
	for _, task := range p.Tasks {
		mark := "[ ] "
		if task.Completed {
			mark = "[x] "
		}
		s = append(s, mark+task.Title)
	}
	return s
}

func listTasks(t *testing.T, api *apptest.Server, token string) taskPage {
	t.Helper()
	r := api.Do(t, http.MethodGet, "/api/v1/tasks", token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/v1/tasks: got %d %s, want 200", r.Status, r.Body)
	}
	var page taskPage
	r.JSON(t, &page)
	return page
}

// owners maps each task's title to the email of the Better Auth user who owns it, read from
// the database both servers share.
func owners(t *testing.T, databaseURL string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT t.title, coalesce(u.email, '(no such user: ' || t.user_id || ')')
		FROM tasks t LEFT JOIN "user" u ON u.id = t.user_id`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var title, email string
		if err := rows.Scan(&title, &email); err != nil {
			t.Fatal(err)
		}
		got[title] = email
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}
