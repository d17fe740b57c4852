package web_test

// Tests of the rules of the planning handlers over HTTP: addresses of the list, task forms,
// bulk changes, settings and ETags. Bad input is a clear 4xx that changes nothing, never a 500.

import (
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// says checks that a page answered with the status and says the message, as people read it.
func (a answer) says(t *testing.T, status int, message string) {
	t.Helper()
	if a.status != status {
		t.Errorf("got %d, want %d", a.status, status)
	}
	if !strings.Contains(html.UnescapeString(a.body), message) {
		t.Errorf("the page does not say %q:\n%s", message, a.body)
	}
}

func TestListAddressesThatCannotBeRead(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "addresses@example.com")
	createTasks(t, srv, u, "Keep me")
	otherSort := base64.RawURLEncoding.EncodeToString([]byte(`{"s":"title","id":"00000000-0000-4000-8000-000000000000"}`))
	for _, tt := range []struct{ query, says string }{
		{"sort=size", `There is no sort "size": choose created, due, priority, title or updated.`},
		{"view=week", `There is no view "week": choose all, today or upcoming.`},
		{"status=done", `There is no status "done": choose all, open or completed.`},
		{"priority=urgent", `There is no priority "urgent": choose high, medium, low or none.`},
		{"order=up", `There is no order "up": choose asc or desc.`},
		{"tag=" + strings.Repeat("t", 33), "is not a tag name: a tag has 1 to 32 characters and no commas."},
		{"q=" + strings.Repeat("q", 201), "A search may have at most 200 characters."},
		{"cursor=not-a-cursor", "This page link is broken. Start again from the first page."},
		{"cursor=" + otherSort, "This page link belongs to another order of the list. Start again from the first page."},
	} {
		t.Run(tt.query, func(t *testing.T) {
			send(t, u.Client, http.MethodGet, srv.URL+"/?"+tt.query, nil).says(t, http.StatusBadRequest, tt.says)
			// With htmx, the same words in the alerts.
			res := send(t, u.Client, http.MethodGet, srv.URL+"/?"+tt.query, nil, "HX-Request", "true")
			res.says(t, http.StatusBadRequest, tt.says)
			if res.header.Get("HX-Retarget") != "#alerts" {
				t.Errorf("htmx: HX-Retarget %q, want the alerts", res.header.Get("HX-Retarget"))
			}
			// A form sent from such an address changes nothing.
			send(t, u.Client, http.MethodPost, srv.URL+"/tasks?"+tt.query, url.Values{"title": {"Not added"}}, sameOrigin(srv)...).says(t, http.StatusBadRequest, tt.says)
			if total, _ := taskCounts(t, srv, u); total != 1 {
				t.Errorf("after the refused form, %d tasks; want 1", total)
			}
		})
	}

	// An address that says the state in other words goes on to the canonical one.
	for from, to := range map[string]string{
		"/?view=&q=&priority=&tag=&sort=created&order=desc": "/",
		"/?view=upcoming&sort=title&order=desc":             "/?view=upcoming",
		"/?tag=%23work&view=today&q=+milk+":                 "/?q=milk&tag=work&view=today",
		"/?view=all&status=all":                             "/",
		"/?sort=due":                                        "/?sort=due",
		"/?sort=due&order=asc":                              "/?sort=due",
		"/?view=today&sort=due&order=desc":                  "/?order=desc&view=today",
	} {
		res := send(t, u.Client, http.MethodGet, srv.URL+from, nil)
		if loc := res.header.Get("Location"); from == to && res.status != http.StatusOK || from != to && (res.status != http.StatusSeeOther || loc != to) {
			t.Errorf("%s: got %d to %q, want %s", from, res.status, loc, to)
		}
	}
}

// taskID of the only task of a user, by the API.
func onlyTask(t *testing.T, srv *apptest.Server, u apptest.User) storedTask {
	t.Helper()
	tasks := storedTasks(t, srv, u)
	if len(tasks) != 1 {
		t.Fatalf("got %d tasks, want 1", len(tasks))
	}
	return tasks[0]
}

func TestTaskFormsRefuseBadPlanning(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "planning@example.com")
	id := createTask(t, srv, u, map[string]any{"title": "As it was", "priority": "low", "tags": []string{"keep"}})
	before := onlyTask(t, srv, u)
	tags := make([]string, 21)
	for i := range tags {
		tags[i] = fmt.Sprintf("tag%d", i)
	}
	for _, tt := range []struct {
		name   string
		fields url.Values
		field  string // the id of the message's field, in the new-task form
		says   string
	}{
		{"a date that does not exist", url.Values{"due_date": {"2026-02-30"}}, "new-due-error", `Due date: "2026-02-30" is not a date of the form YYYY-MM-DD.`},
		{"a time without a date", url.Values{"due_time": {"14:30"}}, "new-due-error", "Choose a date for the time, or clear the time."},
		{"a time that is none", url.Values{"due_date": {"2026-12-24"}, "due_time": {"25:00"}}, "new-due-error", "Due time must be a time of day, like 14:30."},
		{"21 tags", url.Values{"tags": {strings.Join(tags, ", ")}}, "new-tags-error", "Tags: a task may have at most 20 tags, got 21."},
		{"a tag too long", url.Values{"tags": {strings.Repeat("x", 33)}}, "new-tags-error", "Tags must be at most 32 characters, got 33."},
		{"an unknown priority", url.Values{"priority": {"urgent"}}, "new-priority-error", "Choose a priority: high, medium, low or none."},
		{"an empty title", url.Values{"title": {""}}, "new-title-error", "Title must not be empty."},
		{"a title over 200", url.Values{"title": {strings.Repeat("x", 201)}}, "new-title-error", "Title must be at most 200 characters, got 201."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"title": {"A new task"}}
			for k, v := range tt.fields {
				form[k] = v
			}
			res := send(t, u.Client, http.MethodPost, srv.URL+"/tasks", form, sameOrigin(srv)...)
			res.says(t, http.StatusUnprocessableEntity, tt.says)
			if !strings.Contains(res.body, `id="`+tt.field+`"`) {
				t.Errorf("the message is not next to its field, %s", tt.field)
			}
			if n := len(storedTasks(t, srv, u)); n != 1 {
				t.Errorf("the refused task was created: %d tasks", n)
			}
			// The same fields refuse an edit, which changes nothing.
			edit := url.Values{"title": {"Changed"}, "description": {""}, "priority": {"high"}, "tags": {"new"}}
			for k, v := range tt.fields {
				edit[k] = v
			}
			send(t, u.Client, http.MethodPost, srv.URL+"/tasks/"+id+"/edit", edit, sameOrigin(srv)...).says(t, http.StatusUnprocessableEntity, tt.says)
			if got := onlyTask(t, srv, u); !reflect.DeepEqual(got, before) {
				t.Errorf("after the refused edit, the task is %+v, want %+v", got, before)
			}
		})
	}

	// Good fields go through, the edit's due in the user's time zone.
	srv.Do(t, http.MethodPatch, "/api/v2/settings", u.Token, map[string]string{"time_zone": "Europe/Paris"})
	edit := url.Values{"title": {"Planned"}, "description": {""}, "priority": {"high"}, "tags": {"#one, two,, One"}, "due_date": {"2026-12-24"}, "due_time": {"14:30"}}
	if res := send(t, u.Client, http.MethodPost, srv.URL+"/tasks/"+id+"/edit", edit, sameOrigin(srv)...); res.status != http.StatusSeeOther {
		t.Fatalf("edit: got %d\n%s", res.status, res.body)
	}
	got := onlyTask(t, srv, u)
	if got.Title != "Planned" || got.Priority != "high" || !reflect.DeepEqual(got.Tags, []string{"one", "two"}) || got.Due == nil || got.Due.Date != "2026-12-24" || got.Due.Time != "14:30" {
		t.Errorf("after the edit: %+v (due %+v)", got, got.Due)
	}
	// Emptied fields clear the due and the tags.
	edit = url.Values{"title": {"Planned"}, "description": {""}, "priority": {"none"}, "tags": {""}, "due_date": {""}, "due_time": {""}}
	send(t, u.Client, http.MethodPost, srv.URL+"/tasks/"+id+"/edit", edit, sameOrigin(srv)...)
	if got := onlyTask(t, srv, u); got.Priority != "none" || len(got.Tags) != 0 || got.Due != nil {
		t.Errorf("after emptying the fields: %+v", got)
	}
}

var etagField = regexp.MustCompile(`name="etag" value="([^"]*)"`)

func TestEditRefusesAStaleVersion(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "tabs@example.com")
	id := createTasks(t, srv, u, "The first version")[0]

	// Tab one opens the edit form; tab two (here, the API) changes the task meanwhile.
	form := send(t, u.Client, http.MethodGet, srv.URL+"/tasks/"+id+"/edit", nil)
	m := etagField.FindStringSubmatch(form.body)
	if m == nil {
		t.Fatalf("the edit form carries no ETag:\n%s", form.body)
	}
	stale := html.UnescapeString(m[1])
	srv.Do(t, http.MethodPatch, "/api/v2/tasks/"+id, u.Token, map[string]string{"title": "Changed in another tab"})

	for _, headers := range [][]string{sameOrigin(srv), append(sameOrigin(srv), "HX-Request", "true")} {
		res := send(t, u.Client, http.MethodPost, srv.URL+"/tasks/"+id+"/edit", url.Values{"title": {"Mine"}, "description": {""}, "etag": {stale}}, headers...)
		res.says(t, http.StatusConflict, "This task changed in another tab — here is its current version.")
		if !strings.Contains(res.body, `value="Changed in another tab"`) {
			t.Errorf("the form does not hold the current version:\n%s", res.body)
		}
		if got := onlyTask(t, srv, u).Title; got != "Changed in another tab" {
			t.Errorf("the stale edit overwrote the task: %q", got)
		}
		if fresh := etagField.FindStringSubmatch(res.body); fresh == nil || html.UnescapeString(fresh[1]) == stale {
			t.Errorf("the form again carries the stale ETag")
		}
	}
	// Saving the form as it came back goes through.
	res := send(t, u.Client, http.MethodGet, srv.URL+"/tasks/"+id+"/edit", nil)
	current := html.UnescapeString(etagField.FindStringSubmatch(res.body)[1])
	res = send(t, u.Client, http.MethodPost, srv.URL+"/tasks/"+id+"/edit", url.Values{"title": {"Mine"}, "description": {""}, "etag": {current}}, sameOrigin(srv)...)
	if res.status != http.StatusSeeOther || onlyTask(t, srv, u).Title != "Mine" {
		t.Errorf("saving the current version: got %d, title %q", res.status, onlyTask(t, srv, u).Title)
	}
}

func TestBulkFormRules(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		srv := apptest.Start(t, dialect, nil)
		alice := srv.SignUp(t, "alice@example.com")
		bob := srv.SignUp(t, "bob@example.com")
		aliceID := createTasks(t, srv, alice, "Alice's task")[0]
		bobID := createTasks(t, srv, bob, "Bob's task")[0]
		for _, tt := range []struct {
			name   string
			form   url.Values
			status int
			says   string
		}{
			{"no action", url.Values{"id": {bobID}}, http.StatusBadRequest, "Choose what to do with the selected tasks."},
			{"an unknown action", url.Values{"id": {bobID}, "action": {"explode"}}, http.StatusBadRequest, "Choose what to do with the selected tasks."},
			{"nothing selected", url.Values{"action": {"complete"}}, http.StatusUnprocessableEntity, "Select one or more tasks first. Nothing was changed."},
			{"a task that is not an id", url.Values{"action": {"complete"}, "id": {"nope"}}, http.StatusNotFound, "Some of the selected tasks no longer exist"},
			{"another user's task", url.Values{"action": {"complete"}, "id": {bobID, aliceID}}, http.StatusNotFound, "Some of the selected tasks no longer exist"},
			{"another user's task, deleted", url.Values{"action": {"delete"}, "confirm": {"yes"}, "id": {aliceID}}, http.StatusNotFound, "Nothing was changed."},
			{"a tag to add, missing", url.Values{"action": {"add_tag"}, "id": {bobID}}, http.StatusUnprocessableEntity, "Enter the tag to add or remove. Nothing was changed."},
			{"a tag too long", url.Values{"action": {"add_tag"}, "id": {bobID}, "tag": {strings.Repeat("x", 33)}}, http.StatusUnprocessableEntity, "The tag must be at most 32 characters, got 33. Nothing was changed."},
			{"a priority to set, unknown", url.Values{"action": {"set_priority"}, "id": {bobID}, "priority": {"urgent"}}, http.StatusUnprocessableEntity, "Choose the priority to set. Nothing was changed."},
		} {
			t.Run(tt.name, func(t *testing.T) {
				send(t, bob.Client, http.MethodPost, srv.URL+"/tasks/bulk", tt.form, sameOrigin(srv)...).says(t, tt.status, tt.says)
				if total, completed := taskCounts(t, srv, bob); total != 1 || completed != 0 {
					t.Errorf("Bob has %d tasks, %d completed; want 1, 0", total, completed)
				}
				if total, completed := taskCounts(t, srv, alice); total != 1 || completed != 0 {
					t.Errorf("Alice has %d tasks, %d completed; want 1, 0", total, completed)
				}
			})
		}
		// A delete without its confirmation asks, and deletes nothing yet.
		res := send(t, bob.Client, http.MethodPost, srv.URL+"/tasks/bulk?view=today", url.Values{"action": {"delete"}, "id": {bobID}}, sameOrigin(srv)...)
		res.says(t, http.StatusOK, "The 1 selected task will be deleted.")
		if !strings.Contains(res.body, `action="/tasks/bulk?view=today"`) || !strings.Contains(res.body, `name="confirm" value="yes"`) {
			t.Errorf("the confirmation does not post the delete again:\n%s", res.body)
		}
		if total, _ := taskCounts(t, srv, bob); total != 1 {
			t.Errorf("asking deleted: %d tasks", total)
		}
		res = send(t, bob.Client, http.MethodPost, srv.URL+"/tasks/bulk?view=today", url.Values{"action": {"delete"}, "confirm": {"yes"}, "id": {bobID}}, sameOrigin(srv)...)
		if loc := res.header.Get("Location"); res.status != http.StatusSeeOther || loc != "/?view=today" {
			t.Errorf("confirmed delete: got %d to %q", res.status, loc)
		}
		if total, _ := taskCounts(t, srv, bob); total != 0 {
			t.Errorf("after the delete, Bob has %d tasks", total)
		}
	})
}

func TestSettingsRules(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "zones@example.com")
	for _, tt := range []struct {
		name string
		form url.Values
		says string
	}{
		{"an unknown zone", url.Values{"time_zone": {"Mars/Olympus_Mons"}, "week_start": {"Monday"}}, `Choose a time zone from the list; “Mars/Olympus_Mons” is not one.`},
		{"the server's zone", url.Values{"time_zone": {"Local"}, "week_start": {"Monday"}}, `Choose a time zone from the list; “Local” is not one.`},
		{"no zone", url.Values{"week_start": {"Monday"}}, `Choose a time zone from the list; “” is not one.`},
		{"an unknown day", url.Values{"time_zone": {"Europe/Paris"}, "week_start": {"Someday"}}, "Choose the day your week starts on."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			send(t, u.Client, http.MethodPost, srv.URL+"/settings", tt.form, sameOrigin(srv)...).says(t, http.StatusUnprocessableEntity, tt.says)
			var saved struct {
				TimeZone string `json:"time_zone"`
			}
			srv.Do(t, http.MethodGet, "/api/v2/settings", u.Token, nil).JSON(t, &saved)
			if saved.TimeZone != "UTC" {
				t.Errorf("after the refusal, the zone is %q", saved.TimeZone)
			}
		})
	}
	// An alias the zone database knows is taken, and shown as chosen.
	res := send(t, u.Client, http.MethodPost, srv.URL+"/settings", url.Values{"time_zone": {"Asia/Calcutta"}, "week_start": {"sunday"}}, sameOrigin(srv)...)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings?saved=1" {
		t.Fatalf("save: got %d to %q", res.status, res.header.Get("Location"))
	}
	page := send(t, u.Client, http.MethodGet, srv.URL+"/settings?saved=1", nil)
	if !strings.Contains(page.body, `<option value="Asia/Calcutta" selected>`) || !strings.Contains(page.body, `<option value="Sunday" selected>`) {
		t.Errorf("the settings page does not show what was saved:\n%s", page.body)
	}
}

func TestSignUpKeepsAKnownTimeZone(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	for _, tt := range []struct{ sent, want string }{{"Europe/Paris", "Europe/Paris"}, {"Not/A_Zone", "UTC"}, {"", "UTC"}} {
		email := strings.ToLower(strings.ReplaceAll(tt.sent, "/", "-")) + "x@example.com"
		c := anonymousClient()
		res := send(t, c, http.MethodPost, srv.URL+"/signup", url.Values{"name": {"Zed"}, "email": {email}, "password": {apptest.Password}, "time_zone": {tt.sent}}, sameOrigin(srv)...)
		if res.status != http.StatusSeeOther {
			t.Fatalf("sign-up with the zone %q: got %d", tt.sent, res.status)
		}
		page := send(t, c, http.MethodGet, srv.URL+"/settings", nil)
		if !strings.Contains(page.body, `<option value="`+tt.want+`" selected>`) {
			t.Errorf("signed up with %q: the zone is not %s", tt.sent, tt.want)
		}
	}
}

var (
	taskItem = regexp.MustCompile(`<li id="task-([0-9a-f-]{36})"`)
	nextLink = regexp.MustCompile(`id="page-next" class="[^"]*" href="([^"]+)"`)
	prevLink = regexp.MustCompile(`id="page-prev" class="[^"]*" href="([^"]+)"`)
)

// TestPagesByDueGoBothWays walks a list by due, where the tasks with a due come before those
// without in either direction, page by page to its end and back: each task once, and the
// pages going back are the pages going forth.
func TestPagesByDueGoBothWays(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "pages-by-due@example.com")
	for i := range 130 {
		body := map[string]any{"title": fmt.Sprintf("Task %03d", i)}
		if i%2 == 0 {
			body["due"] = map[string]string{"date": fmt.Sprintf("2027-%02d-%02d", 1+i%12, 1+i%28)}
		}
		createTask(t, srv, u, body)
	}
	for _, start := range []string{"/?sort=due", "/?order=desc&sort=due", "/?sort=title", "/"} {
		t.Run(start, func(t *testing.T) {
			var pages [][]string
			seen := map[string]bool{}
			addr := start
			for addr != "" {
				res := send(t, u.Client, http.MethodGet, srv.URL+addr, nil)
				if res.status != http.StatusOK {
					t.Fatalf("%s: got %d", addr, res.status)
				}
				var ids []string
				for _, m := range taskItem.FindAllStringSubmatch(res.body, -1) {
					if seen[m[1]] {
						t.Errorf("task %s again on page %d", m[1], len(pages)+1)
					}
					seen[m[1]] = true
					ids = append(ids, m[1])
				}
				pages = append(pages, ids)
				addr = ""
				if m := nextLink.FindStringSubmatch(res.body); m != nil {
					addr = html.UnescapeString(m[1])
				}
			}
			if len(seen) != 130 || len(pages) != 3 {
				t.Fatalf("went through %d tasks on %d pages, want 130 on 3", len(seen), len(pages))
			}
			// And back, from the last page.
			res := send(t, u.Client, http.MethodGet, srv.URL+addrOfLast(t, u, srv, start), nil)
			for i := len(pages) - 2; i >= 0; i-- {
				m := prevLink.FindStringSubmatch(res.body)
				if m == nil {
					t.Fatalf("page %d has no link to the page before", i+2)
				}
				res = send(t, u.Client, http.MethodGet, srv.URL+html.UnescapeString(m[1]), nil)
				var ids []string
				for _, m := range taskItem.FindAllStringSubmatch(res.body, -1) {
					ids = append(ids, m[1])
				}
				if !reflect.DeepEqual(ids, pages[i]) {
					t.Errorf("going back, page %d differs from going forth", i+1)
				}
			}
			if prevLink.MatchString(res.body) {
				t.Error("the first page links to a page before it")
			}
		})
	}
}

// addrOfLast is the address of the last page of the list at start.
func addrOfLast(t *testing.T, u apptest.User, srv *apptest.Server, start string) string {
	t.Helper()
	addr := start
	for {
		res := send(t, u.Client, http.MethodGet, srv.URL+addr, nil)
		m := nextLink.FindStringSubmatch(res.body)
		if m == nil {
			return addr
		}
		addr = html.UnescapeString(m[1])
	}
}
