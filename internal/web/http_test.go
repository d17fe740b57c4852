package web_test

// Tests of the UI's HTTP contract, without a browser: headers, cross-site protection,
// redirects, fragments, static files and failures.

import (
	"compress/gzip"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/pgtest"
)

type answer struct {
	status int
	header http.Header
	body   string
}

// send makes a request with a form body (nil for none) and header name/value pairs, and does
// not follow redirects, so that they can be checked.
func send(t *testing.T, c *http.Client, method, u string, form url.Values, headers ...string) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	apptest.SetHeaders(req, headers...)
	nc := *c
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res := apptest.Send(t, &nc, req)
	return answer{status: res.Status, header: res.Header, body: string(res.Body)}
}

var (
	startTag  = regexp.MustCompile(`<[a-zA-Z][^\s/>]*((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*/?>`)
	attribute = regexp.MustCompile(`\s+([^\s=/>]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?`)
)

// attributeNames are the names of the attributes of every tag of an HTML page, lower case.
func attributeNames(page string) []string {
	var names []string
	for _, tag := range startTag.FindAllStringSubmatch(page, -1) {
		for _, attr := range attribute.FindAllStringSubmatch(tag[1], -1) {
			names = append(names, strings.ToLower(attr[1]))
		}
	}
	return names
}

func anonymousClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// sameOrigin are the headers a browser sends with a form of the page's own site.
func sameOrigin(srv *apptest.Server) []string {
	return []string{"Sec-Fetch-Site", "same-origin", "Origin", srv.URL}
}

// taskCounts reads the user's tasks through the API: how many, and how many completed.
func taskCounts(t *testing.T, srv *apptest.Server, u apptest.User) (total, completed int) {
	t.Helper()
	var list struct {
		Tasks []struct{ Completed bool }
		Total int
	}
	srv.Do(t, http.MethodGet, "/api/v1/tasks?limit=1000", u.Token, nil).JSON(t, &list)
	for _, task := range list.Tasks {
		if task.Completed {
			completed++
		}
	}
	return list.Total, completed
}

func TestPagesSetSecurityHeaders(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "headers@example.com")
	id := createTasks(t, srv, u, `<img src=x onerror=alert(1)>`)[0]

	inlineScript := regexp.MustCompile(`(?i)<script\b[^>]*>\s*[^<\s]`)
	for _, tt := range []struct {
		path   string
		client *http.Client
		status int
	}{
		{"/signin", anonymousClient(), http.StatusOK},
		{"/signup", anonymousClient(), http.StatusOK},
		{"/", u.Client, http.StatusOK},
		{"/?status=open", u.Client, http.StatusOK},
		{"/?view=today", u.Client, http.StatusOK},
		{"/?tag=x&view=upcoming", u.Client, http.StatusOK},
		{"/?sort=size", u.Client, http.StatusBadRequest},
		{"/settings", u.Client, http.StatusOK},
		{"/tasks/preview?title=" + url.QueryEscape("<b>x</b> #tag"), u.Client, http.StatusOK},
		{"/tasks/" + id + "/edit", u.Client, http.StatusOK},
		{"/tasks/" + id + "/delete", u.Client, http.StatusOK},
		{"/tasks/clear-completed", u.Client, http.StatusOK},
		{"/tasks/00000000-0000-4000-8000-000000000000/edit", u.Client, http.StatusNotFound},
	} {
		t.Run(tt.path, func(t *testing.T) {
			res := send(t, tt.client, http.MethodGet, srv.URL+tt.path, nil)
			if res.status != tt.status {
				t.Fatalf("got %d, want %d", res.status, tt.status)
			}
			csp := res.header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
				if !strings.Contains(csp, want+";") && !strings.HasSuffix(csp, want) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe") {
				t.Errorf("Content-Security-Policy %q allows something unsafe", csp)
			}
			for name, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "same-origin",
				"Cache-Control":          "no-store",
				"Content-Type":           "text/html; charset=utf-8",
			} {
				if got := res.header.Get(name); got != want {
					t.Errorf("%s: got %q, want %q", name, got, want)
				}
			}
			if m := inlineScript.FindString(res.body); m != "" {
				t.Errorf("page has an inline script: %q", m)
			}
			for _, name := range attributeNames(res.body) {
				if strings.HasPrefix(name, "on") || name == "style" {
					t.Errorf("page has an inline %s attribute", name)
				}
			}
			if strings.Contains(res.body, "<img src=x") {
				t.Error("the hostile title reached the page as markup")
			}
		})
	}
}

func TestFormsRefuseCrossSiteRequests(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "victim@example.com")
	id := createTasks(t, srv, u, "Keep me", "And me")[0]

	forged := map[string][]string{
		"Fetch Metadata says cross-site": {"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"},
		"Origin of another site":         {"Origin", "https://evil.example"},
		// The site's host, but another scheme or port: another origin all the same.
		"Origin of another scheme": {"Origin", strings.Replace(srv.URL, "http://", "https://", 1)},
		"Origin of another port":   {"Origin", srv.URL + "1"},
	}
	forms := []struct {
		path string
		form url.Values
	}{
		{"/tasks", url.Values{"title": {"Forged"}}},
		{"/tasks/" + id + "/toggle", url.Values{}},
		{"/tasks/" + id + "/edit", url.Values{"title": {"Forged"}, "description": {""}}},
		{"/tasks/" + id + "/delete", url.Values{}},
		{"/tasks/complete-all", url.Values{"completed": {"true"}}},
		{"/tasks/clear-completed", url.Values{}},
		{"/tasks/bulk", url.Values{"action": {"complete"}, "id": {id}}},
		{"/settings", url.Values{"time_zone": {"Asia/Tokyo"}, "week_start": {"Sunday"}}},
		{"/settings/calendar", url.Values{}},
		{"/settings/calendar/revoke", url.Values{}},
		{"/settings/reminders", url.Values{"in_page": {"on"}}},
		{"/settings/push", url.Values{"endpoint": {"http://127.0.0.1:1/x"}}},
		{"/settings/push/delete", url.Values{"endpoint": {"http://127.0.0.1:1/x"}}},
		{"/tasks/" + id + "/reminders", url.Values{"reminder_kind": {"due"}}},
		{"/tasks/" + id + "/reminders/00000000-0000-4000-8000-000000000000/delete", url.Values{}},
		{"/reminders/00000000-0000-4000-8000-000000000000/snooze", url.Values{"for": {"10m"}}},
		{"/signout", url.Values{}},
		{"/signin", url.Values{"email": {u.Email}, "password": {apptest.Password}}},
		{"/signup", url.Values{"name": {"Forged"}, "email": {"forged@example.com"}, "password": {"forged password"}}},
	}
	for how, headers := range forged {
		for _, f := range forms {
			t.Run(how+" "+f.path, func(t *testing.T) {
				res := send(t, u.Client, http.MethodPost, srv.URL+f.path, f.form, headers...)
				if res.status != http.StatusForbidden {
					t.Errorf("got %d, want 403", res.status)
				}
				if total, completed := taskCounts(t, srv, u); total != 2 || completed != 0 {
					t.Errorf("after the forged request: %d tasks, %d completed; want 2, 0", total, completed)
				}
			})
		}
	}
	// The same form from the site itself goes through.
	res := send(t, u.Client, http.MethodPost, srv.URL+"/tasks/"+id+"/toggle", url.Values{}, sameOrigin(srv)...)
	if res.status != http.StatusSeeOther {
		t.Errorf("same-origin toggle: got %d, want 303", res.status)
	}
	if _, completed := taskCounts(t, srv, u); completed != 1 {
		t.Errorf("same-origin toggle: %d completed, want 1", completed)
	}
}

func TestSignInGoesOnToLocalPagesOnly(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "redirect@example.com")
	for _, tt := range []struct{ next, want string }{
		{"", "/"},
		{"/", "/"},
		{"/?status=open&view=today", "/?status=open&view=today"},
		{"/tasks/clear-completed", "/tasks/clear-completed"},
		{"//evil.example/", "/"},
		{"https://evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"/%2F%2Fevil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"/\tevil", "/"},
	} {
		t.Run(tt.next, func(t *testing.T) {
			form := url.Values{"email": {u.Email}, "password": {apptest.Password}, "next": {tt.next}}
			res := send(t, anonymousClient(), http.MethodPost, srv.URL+"/signin", form, sameOrigin(srv)...)
			if res.status != http.StatusSeeOther {
				t.Fatalf("got %d, want 303", res.status)
			}
			if got := res.header.Get("Location"); got != tt.want {
				t.Errorf("next=%q went to %q, want %q", tt.next, got, tt.want)
			}
		})
	}
}

func TestPasswordHintMatchesTheAuthService(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	for _, tt := range []struct {
		password string
		status   int
	}{
		{"seven77", http.StatusBadRequest},
		{"eight888", http.StatusSeeOther},
	} {
		form := url.Values{"name": {"Pat"}, "email": {tt.password + "@example.com"}, "password": {tt.password}}
		res := send(t, anonymousClient(), http.MethodPost, srv.URL+"/signup", form, sameOrigin(srv)...)
		if res.status != tt.status {
			t.Errorf("password of %d characters: got %d, want %d", len(tt.password), res.status, tt.status)
		}
		if tt.status != http.StatusSeeOther && !strings.Contains(html.UnescapeString(res.body), "use at least 8 characters") {
			t.Errorf("password of %d characters: the page does not say the minimum", len(tt.password))
		}
	}
	if res := send(t, anonymousClient(), http.MethodGet, srv.URL+"/signup", nil); !strings.Contains(html.UnescapeString(res.body), "At least 8 characters") {
		t.Error("the sign-up page does not give the minimum")
	}
}

func TestHTMXGetsFragments(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "htmx@example.com")
	htmx := append(sameOrigin(srv), "HX-Request", "true")

	res := send(t, u.Client, http.MethodPost, srv.URL+"/tasks?status=open&tag=work", url.Values{"title": {"Fragment #work"}}, htmx...)
	if res.status != http.StatusOK || strings.Contains(res.body, "<html") || !strings.Contains(res.body, `<section id="tasks"`) {
		t.Errorf("htmx add: got %d, want 200 and the list region only:\n%s", res.status, res.body)
	}
	if got := res.header.Get("HX-Replace-Url"); got != "/?status=open&tag=work" {
		t.Errorf("htmx add: HX-Replace-Url %q, want the list's address", got)
	}
	// What follows the list comes with it: the views and their counts, the heading, the filters.
	for _, part := range []string{`<div id="views-slot" hx-swap-oob="innerHTML">`, `<div id="page-head-slot" hx-swap-oob="innerHTML">`, `<div id="filters-slot" hx-swap-oob="innerHTML">`} {
		if !strings.Contains(res.body, part) {
			t.Errorf("htmx add: the answer lacks %s", part)
		}
	}
	// …but not the filter form while it is what asked: the user may be typing in it.
	res = send(t, u.Client, http.MethodGet, srv.URL+"/?q=frag", nil, "HX-Request", "true", "HX-Trigger", "filters")
	if strings.Contains(res.body, `id="filters-slot"`) || !strings.Contains(res.body, "Fragment") {
		t.Errorf("htmx search: want the list without the filter form:\n%s", res.body)
	}

	// The quick-add preview is a fragment of chips.
	res = send(t, u.Client, http.MethodGet, srv.URL+"/tasks/preview?title="+url.QueryEscape("Call mum #family !low"), nil, "HX-Request", "true")
	if body := html.UnescapeString(res.body); res.status != http.StatusOK || strings.Contains(body, "<html") ||
		!strings.Contains(body, "#family") || !strings.Contains(body, "Low priority") || !strings.Contains(body, "Saves as</span> Call mum") {
		t.Errorf("preview: got %d:\n%s", res.status, res.body)
	}
	if res = send(t, u.Client, http.MethodGet, srv.URL+"/tasks/preview?title=plain", nil, "HX-Request", "true"); strings.Contains(res.body, "chip") {
		t.Errorf("preview of a title with nothing to recognise: %s", res.body)
	}

	res = send(t, u.Client, http.MethodPost, srv.URL+"/tasks", url.Values{"title": {""}}, htmx...)
	if res.status != http.StatusUnprocessableEntity || res.header.Get("HX-Retarget") != "#new-task" || !strings.Contains(html.UnescapeString(res.body), "Title must not be empty.") {
		t.Errorf("htmx add of an empty title: got %d, HX-Retarget %q:\n%s", res.status, res.header.Get("HX-Retarget"), res.body)
	}

	res = send(t, u.Client, http.MethodGet, srv.URL+"/?status=completed", nil, "HX-Request", "true")
	if got := res.header.Get("HX-Push-Url"); got != "/?status=completed" || strings.Contains(res.body, "<html") {
		t.Errorf("htmx filter: HX-Push-Url %q, want the filter's address, and a fragment", got)
	}
	// The back button asks for the whole page.
	res = send(t, u.Client, http.MethodGet, srv.URL+"/?status=completed", nil, "HX-Request", "true", "HX-History-Restore-Request", "true")
	if !strings.Contains(res.body, "<html") {
		t.Error("history restore: got a fragment, want the whole page")
	}
	if got := res.header.Get("Vary"); !strings.Contains(got, "HX-Request") {
		t.Errorf("Vary %q, want HX-Request", got)
	}

	// A form too large to read is refused, and with htmx, nothing typed is touched.
	res = send(t, u.Client, http.MethodPost, srv.URL+"/tasks", url.Values{"title": {strings.Repeat("x", 70<<10)}}, htmx...)
	if res.status != http.StatusRequestEntityTooLarge || res.header.Get("HX-Retarget") != "#alerts" {
		t.Errorf("htmx add of 70 KB: got %d, HX-Retarget %q; want 413 into the alerts", res.status, res.header.Get("HX-Retarget"))
	}

	// A session that ended sends the whole window to sign in.
	res = send(t, anonymousClient(), http.MethodPost, srv.URL+"/tasks?status=open", url.Values{"title": {"x"}}, htmx...)
	if want := "/signin?next=%2F%3Fstatus%3Dopen"; res.header.Get("HX-Redirect") != want {
		t.Errorf("htmx without a session: HX-Redirect %q, want %q", res.header.Get("HX-Redirect"), want)
	}
}

func TestStaticFiles(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	page := send(t, anonymousClient(), http.MethodGet, srv.URL+"/signin", nil)
	versioned := regexp.MustCompile(`/static/app\.css\?v=[0-9a-f]+`).FindString(page.body)
	if versioned == "" {
		t.Fatal("the page links no versioned app.css")
	}
	for _, tt := range []struct {
		path, contentType, cache string
		status                   int
	}{
		{versioned, "text/css; charset=utf-8", "public, max-age=31536000, immutable", http.StatusOK},
		{"/static/app.css", "text/css; charset=utf-8", "no-cache", http.StatusOK},
		{"/static/app.css?v=old", "text/css; charset=utf-8", "no-cache", http.StatusOK},
		{"/static/htmx.min.js", "text/javascript; charset=utf-8", "no-cache", http.StatusOK},
		{"/static/favicon.svg", "image/svg+xml", "no-cache", http.StatusOK},
		{"/static/VENDOR.md", "", "", http.StatusNotFound},
		{"/static/htmx.LICENSE", "", "", http.StatusNotFound},
		{"/static/web.go", "", "", http.StatusNotFound},
	} {
		t.Run(tt.path, func(t *testing.T) {
			res := send(t, anonymousClient(), http.MethodGet, srv.URL+tt.path, nil)
			if res.status != tt.status {
				t.Fatalf("got %d, want %d", res.status, tt.status)
			}
			if tt.status != http.StatusOK {
				return
			}
			if got := res.header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if got := res.header.Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control %q, want %q", got, tt.cache)
			}
			etag := res.header.Get("ETag")
			if again := send(t, anonymousClient(), http.MethodGet, srv.URL+tt.path, nil, "If-None-Match", etag); again.status != http.StatusNotModified {
				t.Errorf("with If-None-Match %s: got %d, want 304", etag, again.status)
			}
		})
	}

	// Compressed for clients that accept it (Go's client asks, and unzips, on its own).
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/static/htmx.min.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(zr); !strings.HasPrefix(string(b), "var htmx=") {
		t.Errorf("unzipped htmx.min.js starts %q", string(b[:min(20, len(b))]))
	}
}

// TestDatabaseOutageIsA503 stops PostgreSQL under a signed-in user: pages and forms answer
// 503 with a message for people, never a 500.
func TestDatabaseOutageIsA503(t *testing.T) {
	srv := apptest.Start(t, database.Postgres, map[string]string{"DATABASE_QUERY_TIMEOUT": "2s", "DATABASE_CONNECT_TIMEOUT": "1s"})
	u := srv.SignUp(t, "outage@example.com")
	cluster := pgtest.Shared(t)
	if err := cluster.Halt(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cluster.Resume(); err != nil {
			t.Fatalf("restart PostgreSQL: %v", err)
		}
	})
	for _, tt := range []struct {
		method, path string
		form         url.Values
		headers      []string
		want         string
	}{
		{http.MethodGet, "/", nil, nil, "We can't reach the database right now"},
		{http.MethodPost, "/tasks", url.Values{"title": {"Lost?"}}, sameOrigin(srv), "We can't reach the database right now"},
		{http.MethodPost, "/tasks", url.Values{"title": {"Lost?"}}, append(sameOrigin(srv), "HX-Request", "true"), "We can't reach the database right now"},
		{http.MethodPost, "/signin", url.Values{"email": {u.Email}, "password": {apptest.Password}}, sameOrigin(srv), "We can't reach the database right now"},
	} {
		t.Run(fmt.Sprint(tt.method, " ", tt.path, " ", tt.headers), func(t *testing.T) {
			res := send(t, u.Client, tt.method, srv.URL+tt.path, tt.form, tt.headers...)
			if res.status != http.StatusServiceUnavailable {
				t.Errorf("got %d, want 503", res.status)
			}
			if !strings.Contains(html.UnescapeString(res.body), tt.want) {
				t.Errorf("body does not say %q:\n%s", tt.want, res.body)
			}
			if res.header.Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
		})
	}
}
