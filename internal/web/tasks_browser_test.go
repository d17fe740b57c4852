package web_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
)

// signedIn opens a tab signed in as a new user with the given tasks (oldest first), on the
// task list.
func signedIn(t *testing.T, srv *apptest.Server, email string, titles ...string) *page {
	t.Helper()
	return signedInAs(t, srv, srv.SignUp(t, email), titles)
}

// signedInAs opens a tab signed in as u, after creating the tasks.
func signedInAs(t *testing.T, srv *apptest.Server, u apptest.User, titles []string, opts ...pageOption) *page {
	t.Helper()
	createTasks(t, srv, u, titles...)
	p := openPage(t, srv, opts...)
	p.screenshotOnFailure()
	p.open("/signin")
	p.fillRole("form", "Email", u.Email)
	p.fillRole("form", "Password", apptest.Password)
	p.clickRole("button", "Sign in")
	p.waitFor("the task list", `location.pathname === "/" && !!document.getElementById("new-task")`)
	// Changes must happen in place: a full page load would lose this mark.
	p.do(evaluateVoid(`window.stillTheSamePage = true`))
	return p
}

// samePage fails the test if the page was loaded again since signedIn.
func (p *page) samePage() {
	p.t.Helper()
	if !evaluate[bool](p, `window.stillTheSamePage === true`) {
		p.t.Error("the page was reloaded; want htmx to update it in place")
	}
}

func TestAddTask(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	p := signedIn(t, srv, "add@example.com")

	if got := p.text(".empty-title"); got != "Nothing to do yet" {
		t.Errorf("empty list says %q, want %q", got, "Nothing to do yet")
	}
	p.focusLands("on load", "the Title field", idIs("new-title"))

	// Keyboard: type the title and the description, then Enter in the title.
	p.fillRole("#new-task", "Title", "Buy milk")
	p.moreOptions()
	p.fillRole("#new-task", "Description", "Two litres,\nsemi-skimmed")
	p.focus(p.the("#new-task", "textbox", named("Title"), "Title"))
	p.press("Enter")
	p.listShows("Buy milk")
	p.countShows("1 item left")
	if got := p.text("#tasks .task-description"); got != "Two litres, semi-skimmed" {
		t.Errorf("description shows %q", got)
	}
	if got := p.fieldValue("#new-task", "Title"); got != "" {
		t.Errorf("after adding, Title holds %q, want it empty", got)
	}
	p.focusLands("after adding", "the Title field for the next task", idIs("new-title"))
	p.waitFor("the announcement", `document.getElementById("announcer").textContent.includes("Added “Buy milk”")`)

	// With the mouse, and spaces around the title, which are trimmed.
	p.fillRole("#new-task", "Title", "  Walk the dog  ")
	p.clickRole("button", "Add task")
	p.listShows("Walk the dog", "Buy milk") // newest first
	p.countShows("2 items left")
	p.waitFor("focus back in the Title field", `document.activeElement.id === "new-title"`)

	// A blank title is refused next to the field, and what was typed stays.
	p.fillRole("#new-task", "Title", "   ")
	p.moreOptions()
	p.fillRole("#new-task", "Description", "kept")
	p.clickRole("button", "Add task")
	p.waitFor("the error", `(document.getElementById("new-title-error") || {}).textContent === "Title must not be blank."`)
	p.listShows("Walk the dog", "Buy milk")
	if got := p.fieldValue("#new-task", "Description"); got != "kept" {
		t.Errorf("after the refusal, Description holds %q, want what was typed", got)
	}
	if got := p.fieldValue("#new-task", "Title"); got != "   " {
		t.Errorf("after the refusal, Title holds %q, want what was typed", got)
	}
	if got := evaluate[string](p, `document.getElementById("new-title").getAttribute("aria-invalid")`); got != "true" {
		t.Errorf("refused Title has aria-invalid=%q, want true", got)
	}
	p.samePage()
}

func TestEditTask(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	p := signedIn(t, srv, "edit@example.com", "Buy milk", "Call mum")
	p.listShows("Call mum", "Buy milk")

	t.Run("Enter saves", func(t *testing.T) {
		p.click(p.taskButton("Edit", "Buy milk"))
		p.waitFor("the edit form", `!!document.querySelector(".task.is-editing")`)
		field := p.the(".task.is-editing", "textbox", named("Title"), "the edit form's Title")
		p.waitFor("focus in the edit form", `document.activeElement && document.activeElement.id.startsWith("edit-title-")`)
		if got := evaluate[string](p, `document.activeElement.value`); got != "Buy milk" {
			t.Errorf("edit form holds %q, want the title", got)
		}
		p.fill(field, "Buy oat milk")
		p.press("Enter")
		p.listShows("Call mum", "Buy oat milk")
		p.waitFor("focus on the task's Edit button", `document.activeElement && document.activeElement.id.startsWith("edit-") && !document.activeElement.id.startsWith("edit-title")`)
	})

	t.Run("Escape cancels", func(t *testing.T) {
		p.click(p.taskButton("Edit", "Call mum"))
		p.waitFor("the edit form", `!!document.querySelector(".task.is-editing")`)
		field := p.the(".task.is-editing", "textbox", named("Title"), "the edit form's Title")
		p.fill(field, "Call dad")
		p.press("Escape")
		p.waitFor("the edit form to close", `!document.querySelector(".task.is-editing")`)
		p.listShows("Call mum", "Buy oat milk")
		p.waitFor("focus back on the Edit button", `document.activeElement && document.activeElement.id.startsWith("edit-")`)
	})

	t.Run("an empty title is refused", func(t *testing.T) {
		p.click(p.taskButton("Edit", "Call mum"))
		p.waitFor("the edit form", `!!document.querySelector(".task.is-editing")`)
		field := p.the(".task.is-editing", "textbox", named("Title"), "the edit form's Title")
		p.fill(field, "")
		p.press("Enter")
		p.waitFor("the error", `!!document.querySelector(".task.is-editing .field-error")`)
		if got := p.text(".task.is-editing .field-error"); got != "Title must not be empty." {
			t.Errorf("error says %q", got)
		}
		p.press("Escape")
		p.listShows("Call mum", "Buy oat milk")
	})

	t.Run("an open edit survives other changes", func(t *testing.T) {
		p.click(p.taskButton("Edit", "Call mum"))
		p.waitFor("the edit form", `!!document.querySelector(".task.is-editing")`)
		p.fill(p.the(".task.is-editing", "textbox", named("Title"), "Title"), "Call mum tonight")
		p.click(p.checkbox("Buy oat milk")) // replaces the list
		p.waitFor("the other task to be completed", `!!document.querySelector("#tasks li.is-completed")`)
		field := p.the(".task.is-editing", "textbox", named("Title"), "Title")
		p.focus(field)
		if got := evaluate[string](p, `document.activeElement.value`); got != "Call mum tonight" {
			t.Errorf("after the list changed, the open edit form holds %q, want what was typed", got)
		}
		p.press("Enter")
		p.listShows("Call mum tonight", "Buy oat milk")
	})

	t.Run("double-click edits, description too", func(t *testing.T) {
		p.do(evaluateVoid(`document.querySelector("#tasks .task-title").dispatchEvent(new MouseEvent("dblclick", {bubbles: true}))`))
		p.waitFor("the edit form", `!!document.querySelector(".task.is-editing")`)
		p.fill(p.the(".task.is-editing", "textbox", named("Description"), "Description"), "Sunday evening")
		p.clickRole("button", "Save")
		p.waitFor("the description", `!document.querySelector(".task.is-editing") && document.querySelector("#tasks .task-description") !== null`)
		if got := p.text("#tasks .task-description"); got != "Sunday evening" {
			t.Errorf("description shows %q", got)
		}
	})
	p.samePage()
}

func TestToggleTask(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	p := signedIn(t, srv, "toggle@example.com", "Water plants", "Pay rent")
	p.countShows("2 items left")

	p.click(p.checkbox("Pay rent"))
	p.waitFor("the task to be completed", `document.querySelector("#tasks li.task.is-completed .task-title").textContent === "Pay rent"`)
	p.countShows("1 item left")
	if got := p.checkbox("Pay rent").Checked; got != "true" {
		t.Errorf("checkbox of a completed task: checked=%q, want true", got)
	}
	p.focusLands("after toggling", "the checkbox", func(id string) bool { return strings.HasPrefix(id, "toggle-") })
	p.samePage()

	p.open("/") // completion is stored, not just shown
	if got := p.checkbox("Pay rent").Checked; got != "true" {
		t.Errorf("after reload, checked=%q, want true", got)
	}

	// Keyboard: Space on the focused checkbox.
	p.focus(p.checkbox("Pay rent"))
	p.press(" ")
	p.countShows("2 items left")
	if got := p.checkbox("Pay rent").Checked; got != "false" {
		t.Errorf("after Space, checked=%q, want false", got)
	}
}

func TestStatusLinksKeepTheirURL(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	p := signedIn(t, srv, "filters@example.com", "Read a book", "Fix the bike")
	p.click(p.checkbox("Fix the bike"))
	p.countShows("1 item left")

	steps := []struct {
		name      string
		act       func()
		wantPath  string
		wantTasks []string
		wantLink  string
	}{
		{"click Open", func() { p.clickRole("link", "Open") }, "/?status=open", []string{"Read a book"}, "Open"},
		{"click Completed", func() { p.clickRole("link", "Completed") }, "/?status=completed", []string{"Fix the bike"}, "Completed"},
		{"reload", func() { p.do(reload()) }, "/?status=completed", []string{"Fix the bike"}, "Completed"},
		{"back", func() { p.do(back()) }, "/?status=open", []string{"Read a book"}, "Open"},
		{"back again", func() { p.do(back()) }, "/", []string{"Fix the bike", "Read a book"}, "All"},
		{"forward", func() { p.do(forward()) }, "/?status=open", []string{"Read a book"}, "Open"},
		{"click All", func() { p.clickRole("link", "All") }, "/", []string{"Fix the bike", "Read a book"}, "All"},
	}
	for _, s := range steps {
		s.act()
		p.waitFor(s.name+": the address "+s.wantPath, fmt.Sprintf(`location.pathname + location.search === %q`, s.wantPath))
		p.listShows(s.wantTasks...)
		p.waitFor(s.name+": "+s.wantLink+" as the current status",
			fmt.Sprintf(`(document.querySelector('.filters [aria-current="page"]') || {}).textContent === %q`, s.wantLink))
	}
	// Following a status link stays on the page, and says what it shows.
	p.clickRole("link", "Completed")
	p.listShows("Fix the bike")
	p.waitFor("the announcement", `document.getElementById("announcer").textContent === "Showing 1 completed task."`)
	p.focusLands("after following a status link", "the link", idIs("status-completed"))
	if got := evaluate[string](p, `document.title`); got != "All tasks · Todo" {
		t.Errorf("title is %q", got)
	}

	// A task completed under Open leaves the list; the focus goes to the next one.
	p.clickRole("link", "All")
	p.listShows("Fix the bike", "Read a book")
	p.addTask("Plan the trip", "")
	p.clickRole("link", "Open")
	p.listShows("Plan the trip", "Read a book")
	p.click(p.checkbox("Plan the trip"))
	p.listShows("Read a book")
	p.waitFor("focus on the next task's checkbox", `document.activeElement && document.activeElement.getAttribute("aria-labelledby") === document.querySelector("#tasks .task-title").id`)
}

func TestMarkAllAndClearCompleted(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	p := signedIn(t, srv, "bulk@example.com", "One", "Two", "Three")
	p.countShows("3 items left")

	markAll := func() axNode {
		return p.the("#tasks", "checkbox", named("Mark all as complete"), "Mark all as complete")
	}
	p.click(markAll())
	p.countShows("0 items left")
	for _, title := range []string{"One", "Two", "Three"} {
		if got := p.checkbox(title).Checked; got != "true" {
			t.Errorf("after Mark all as complete, %q checked=%q, want true", title, got)
		}
	}
	if got := markAll().Checked; got != "true" {
		t.Errorf("Mark all as complete: checked=%q once all are done, want true", got)
	}
	p.click(markAll()) // and back
	p.countShows("3 items left")
	if got := markAll().Checked; got != "false" {
		t.Errorf("Mark all as complete: checked=%q, want false", got)
	}

	// Completing every task one by one checks "Mark all as complete" too.
	for _, step := range []struct{ title, count string }{
		{"One", "2 items left"}, {"Two", "1 item left"}, {"Three", "0 items left"},
	} {
		p.click(p.checkbox(step.title))
		p.countShows(step.count)
	}
	if got := markAll().Checked; got != "true" {
		t.Errorf("Mark all as complete: checked=%q after completing each task, want true", got)
	}
	p.click(p.checkbox("Two"))
	p.countShows("1 item left")
	if got := markAll().Checked; got != "false" {
		t.Errorf("Mark all as complete: checked=%q with a task to do, want false", got)
	}

	// The confirmation names what will go; Cancel keeps it.
	p.clickRole("button", "Clear completed")
	p.waitFor("the dialog", `document.getElementById("confirm-dialog").open`)
	if got := p.text("#confirm-message"); got != "2 completed tasks will be deleted. This can't be undone." {
		t.Errorf("dialog says %q", got)
	}
	if got := p.focusedID(); got != "confirm-cancel" {
		t.Errorf("dialog focus on %q, want Cancel", got)
	}
	p.press("Escape")
	p.waitFor("the dialog to close", `!document.getElementById("confirm-dialog").open`)
	p.settled()
	p.listShows("Three", "Two", "One")

	p.clickRole("button", "Clear completed")
	p.waitFor("the dialog", `document.getElementById("confirm-dialog").open`)
	p.click(p.the("#confirm-dialog", "button", named("Delete"), "Delete"))
	p.listShows("Two")
	p.countShows("1 item left")
	if n := len(p.query("#tasks", "button", named("Clear completed"))); n != 0 {
		t.Errorf("Clear completed still shown with nothing completed")
	}
	p.waitFor("the announcement", `document.getElementById("announcer").textContent === "Deleted 2 completed tasks."`)
	p.samePage()
}

func TestDeleteTask(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	p := signedIn(t, srv, "delete@example.com", "Keep me", "Delete me", "Also keep")
	p.listShows("Also keep", "Delete me", "Keep me")

	p.click(p.taskButton("Delete", "Delete me"))
	p.waitFor("the dialog", `document.getElementById("confirm-dialog").open`)
	if got := p.text("#confirm-message"); got != "“Delete me” will be deleted. This can't be undone." {
		t.Errorf("dialog says %q", got)
	}
	p.clickRole("button", "Cancel")
	p.waitFor("the dialog to close", `!document.getElementById("confirm-dialog").open`)
	p.settled()
	p.listShows("Also keep", "Delete me", "Keep me")

	// Keyboard: Enter on Delete, Tab from Cancel to the dialog's Delete, Enter.
	p.focus(p.taskButton("Delete", "Delete me"))
	p.press("Enter")
	p.waitFor("the dialog", `document.getElementById("confirm-dialog").open`)
	p.press("Tab")
	p.press("Enter")
	p.listShows("Also keep", "Keep me")
	p.countShows("2 items left")
	// The focus moves to the same control of the next task, not to the top of the page.
	p.waitFor("focus on the next task's Delete button", `document.activeElement.id === "delete-" + document.querySelectorAll("#tasks li.task")[1].id.slice(5)`)
	p.waitFor("the announcement", `document.getElementById("announcer").textContent === "Deleted “Delete me”."`)
	p.samePage()
}

func TestPaging(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	titles := make([]string, 53)
	for i := range titles {
		titles[i] = fmt.Sprintf("Task %02d", i+1)
	}
	p := signedIn(t, srv, "pages@example.com", titles...)

	p.waitFor("50 tasks on the first page", `document.querySelectorAll("#tasks li.task").length === 50`)
	if got := p.titles(); got[0] != "Task 53" || got[49] != "Task 04" {
		t.Errorf("first page runs %q … %q, want the newest 50, Task 53 … Task 04", got[0], got[49])
	}
	if got := p.text(".pager-status"); got != "50 of 53 tasks" {
		t.Errorf("pager says %q", got)
	}
	if n := len(p.query(".pager", "link", named("Previous"))); n != 0 {
		t.Error("the first page links to a page before it")
	}
	p.countShows("53 items left")

	p.clickRole("link", "Next")
	p.waitFor("page 2", `new URLSearchParams(location.search).has("cursor")`)
	p.listShows("Task 03", "Task 02", "Task 01")
	second := p.path()
	if got := p.text(".pager-status"); got != "3 of 53 tasks" {
		t.Errorf("pager says %q", got)
	}
	p.do(reload())
	p.listShows("Task 03", "Task 02", "Task 01")

	// A task added meanwhile comes before the cursor: the second page stays as it was, and the
	// page before it is the 50 tasks just before it, so that nothing is skipped or repeated;
	// the new task is on the page before that, the first.
	p.addTask("Task 54", "")
	p.open(second)
	p.listShows("Task 03", "Task 02", "Task 01")
	p.clickRole("link", "Previous")
	p.waitFor("the page before", `document.querySelector("#tasks .task-title").textContent === "Task 53"`)
	if got := p.titles(); len(got) != 50 || got[49] != "Task 04" {
		t.Errorf("the page before has %d tasks, to %q; want 50, Task 53 … Task 04", len(got), got[len(got)-1])
	}
	p.clickRole("link", "Previous")
	p.waitFor("the first page", `location.search === ""`)
	if got := p.titles(); got[0] != "Task 54" || got[49] != "Task 05" {
		t.Errorf("the first page runs %q … %q, want Task 54 … Task 05", got[0], got[49])
	}
	p.do(back())
	p.do(back())
	p.waitFor("page 2 again", `location.pathname + location.search === `+strconv.Quote(second))
	p.listShows("Task 03", "Task 02", "Task 01")

	// Deleting the tasks of the last page lands on the page before.
	for _, title := range []string{"Task 03", "Task 02", "Task 01"} {
		p.click(p.taskButton("Delete", title))
		p.waitFor("the dialog", `document.getElementById("confirm-dialog").open`)
		p.click(p.the("#confirm-dialog", "button", named("Delete"), "Delete"))
		p.waitFor(title+" to go", fmt.Sprintf(`!Array.from(document.querySelectorAll("#tasks .task-title")).some(e => e.textContent === %q)`, title))
	}
	// The 50 tasks before the emptied page, newest first: Task 54 … Task 05, which is the first
	// page now; Task 04 is on the next.
	var before []string
	for i := 54; i >= 5; i-- {
		before = append(before, fmt.Sprintf("Task %02d", i))
	}
	p.listShows(before...)
	p.waitFor("the first page's address", `location.search === ""`)
	p.clickRole("link", "Next")
	p.listShows("Task 04")
}

func TestTimesInTheReadersTimeZone(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	p := signedInAs(t, srv, srv.SignUp(t, "tz@example.com"), []string{"Catch the train"}, withTimezone("Asia/Tokyo"))
	datetime := evaluate[string](p, `document.querySelector("#tasks .task-created time").getAttribute("datetime")`)
	created, err := time.Parse(time.RFC3339, datetime)
	if err != nil {
		t.Fatalf("datetime %q: %v", datetime, err)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	shown := p.text("#tasks .task-created time")
	// The hour as the browser's locale writes it: "0:08" or "00:08" past midnight, so the
	// check holds at every hour of the day.
	local := created.In(tokyo)
	if want := fmt.Sprintf("%d:%02d", local.Hour(), local.Minute()); !strings.Contains(shown, want) {
		t.Errorf("time shows %q, want Tokyo's %s", shown, want)
	}
	if strings.Contains(shown, "UTC") {
		t.Errorf("time shows %q, want local time, not UTC", shown)
	}
}

func TestUsersSeeOnlyTheirOwnTasks(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		srv := apptest.Start(t, dialect, nil)
		alice := signedIn(t, srv, "alice@example.com", "Alice's secret")
		bob := signedIn(t, srv, "bob@example.com", "Bob's plan")

		alice.listShows("Alice's secret")
		bob.listShows("Bob's plan")
		alice.addTask("Alice's second", "")
		bob.open("/")
		bob.listShows("Bob's plan")

		// Bob cannot reach Alice's task even by its address: to him it does not exist.
		aliceID := strings.TrimPrefix(evaluate[string](alice, `document.querySelector("#tasks li.task").id`), "task-")
		for _, req := range []struct {
			method, path string
			want         int
		}{
			{"GET", "/tasks/" + aliceID + "/edit", 404},
			{"POST", "/tasks/" + aliceID + "/edit", 404},
			{"POST", "/tasks/" + aliceID + "/toggle", 404},
			{"GET", "/tasks/" + aliceID + "/delete", 404},
			// "Deleted already", as for any missing task: a redirect, which fetch reports as 0.
			{"POST", "/tasks/" + aliceID + "/delete", 0},
		} {
			opts := `{redirect: "manual"}`
			if req.method == "POST" {
				opts = `{method: "POST", redirect: "manual", body: new URLSearchParams({title: "pwned", description: ""})}`
			}
			if got := evaluateAsync[int](bob, fmt.Sprintf(`fetch(%q, %s).then(r => r.status)`, req.path, opts)); got != req.want {
				t.Errorf("Bob's %s %s: got %d, want %d", req.method, req.path, got, req.want)
			}
		}
		alice.open("/")
		alice.listShows("Alice's second", "Alice's secret")
		if got := alice.checkbox("Alice's second").Checked; got != "false" {
			t.Errorf("Bob toggled Alice's task: checked=%q", got)
		}
	})
}

// Two quick Backs: the history cache is off, so each page returned to is fetched again. The
// answer for the page passed through must not land over the page arrived at, even when it
// comes last, which the test makes sure of by holding it until the second Back has landed.
func TestBackTwiceShowsThePageArrivedAt(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	titles := make([]string, 53)
	for i := range titles {
		titles[i] = fmt.Sprintf("Task %02d", i+1)
	}
	p := signedIn(t, srv, "back@example.com", titles...)
	var first []string
	for i := 53; i >= 4; i-- {
		first = append(first, fmt.Sprintf("Task %02d", i))
	}
	p.listShows(first...)
	p.clickRole("link", "Next")
	p.listShows("Task 03", "Task 02", "Task 01")
	second := p.path()
	p.clickRole("link", "Previous")
	p.waitFor("the first page", `location.search === ""`)
	p.listShows(first...)

	// loadend fires after load, whose handler swaps; so once a fetch has ended, what it would
	// swap is on the page.
	p.do(evaluateVoid(`window.restoresEnded = [];
		document.addEventListener("htmx:historyCacheMiss", e => e.detail.xhr.addEventListener("loadend", () => restoresEnded.push(e.detail.path)))`))
	held := p.hold(second)
	p.do(back())
	restore := held.next()
	p.do(back())
	p.waitFor("the first page's address", `location.search === ""`)
	p.listShows(first...)
	held.release(restore)
	p.waitFor("the fetch of page 2 to end", `restoresEnded.includes(`+strconv.Quote(second)+`)`)
	if got := p.titles(); !slices.Equal(got, first) {
		t.Errorf("after the held answer for page 2 ended, the list shows %q; want the first page", got)
	}
}
