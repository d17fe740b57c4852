package web_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp/kb"

	"todo/internal/apptest"
	"todo/internal/browsertest"
	"todo/internal/database"
)

// storedTask is a task as the v2 API reads it back, to check what the UI saved.
type storedTask struct {
	Title     string
	Priority  string
	Tags      []string
	Completed bool
	Due       *struct{ Date, Time string }
}

// storedTasks are the user's tasks, newest first, through the v2 API.
func storedTasks(t *testing.T, srv *apptest.Server, u apptest.User) []storedTask {
	t.Helper()
	var page struct{ Tasks []storedTask }
	res := srv.Do(t, http.MethodGet, "/api/v2/tasks?limit=1000", u.Token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("list tasks: got %d %s", res.Status, res.Body)
	}
	res.JSON(t, &page)
	return page.Tasks
}

// choose picks the option of the menu (a <select>) labelled label within scope, as a user
// does with the mouse or the keyboard: the value changes, and the menu says so.
func (p *page) choose(scope, label, value string) {
	p.t.Helper()
	p.focus(p.the(scope, "combobox", named(label), "menu "+strconv.Quote(label)))
	p.do(evaluateVoid(`(function(){const s = document.activeElement; s.value = ` + strconv.Quote(value) + `;
		s.dispatchEvent(new Event("input", {bubbles: true})); s.dispatchEvent(new Event("change", {bubbles: true}))})()`))
}

// key types one character with the keyboard, to the focused element or the page. The key's
// down event carries its text, as a real keyboard's does, so that a page that handles the
// key down (a shortcut) also keeps the character from being typed.
func (p *page) key(char rune) {
	p.t.Helper()
	k, ok := kb.Keys[char]
	if !ok {
		p.t.Fatalf("no key for %q", char)
	}
	down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: k.Key, Code: k.Code,
		Text: k.Text, UnmodifiedText: k.Unmodified, WindowsVirtualKeyCode: k.Windows, NativeVirtualKeyCode: k.Native}
	if k.Shift {
		down.Modifiers = int64(kb.ModifierShift)
	}
	up := down
	up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
	p.do(browsertest.Call(input.DispatchKeyEvent, down), browsertest.Call(input.DispatchKeyEvent, up))
}

// chips are the texts of the chips of the task titled title, in order.
func (p *page) chips(title string) []string {
	p.t.Helper()
	return evaluate[[]string](p, `(function(){
		const li = Array.from(document.querySelectorAll("#tasks li.task")).find(li => li.querySelector(".task-title").textContent === `+strconv.Quote(title)+`);
		return li ? Array.from(li.querySelectorAll(".chip")).map(c => c.textContent.trim().replace(/\s+/g, " ")) : ["(no task)"];
	})()`)
}

func (p *page) previewChips() []string {
	p.t.Helper()
	return evaluate[[]string](p, `Array.from(document.querySelectorAll("#quick-preview .chip")).map(c => c.textContent.trim())`)
}

func TestQuickAdd(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "quick@example.com")
	day := atNoon(t, srv, u)
	p := signedInAs(t, srv, u, nil)
	title := func() axNode { return p.the("#new-task", "textbox", named("Title"), "Title") }

	// What was recognised shows under the box before anything is saved.
	p.fill(title(), "Submit report #work !high tomorrow at 9:30")
	p.waitFor("the preview", `document.querySelectorAll("#quick-preview .chip").length === 3`)
	if got, want := p.previewChips(), []string{"#work", "High priority", "Tomorrow 09:30"}; !reflect.DeepEqual(got, want) {
		t.Errorf("preview chips %q, want %q", got, want)
	}
	if got := p.text(".preview-title"); got != "Saves as Submit report" {
		t.Errorf("preview title %q", got)
	}

	// A chip's button keeps its words as text; so does editing them away.
	p.click(p.the("#quick-preview", "button", named("Keep “#work” as text"), "the #work chip's button"))
	p.waitFor("the escaped title", `document.getElementById("new-title").value === "Submit report \\#work !high tomorrow at 9:30"`)
	p.waitFor("two chips", `document.querySelectorAll("#quick-preview .chip").length === 2`)
	p.focusLands("after keeping a word", "the title", idIs("new-title"))
	p.fill(title(), "Submit report #work !high tomorrow")
	p.waitFor("the date without a time", `Array.from(document.querySelectorAll("#quick-preview .chip")).some(c => c.textContent.trim() === "Tomorrow")`)
	p.fill(title(), "Submit report #work !high tomorrow at 9:30")
	p.waitFor("the preview again", `document.querySelectorAll("#quick-preview .chip").length === 3`)
	p.press("Enter")
	p.listShows("Submit report")
	p.waitFor("the preview to clear", `document.querySelectorAll("#quick-preview .chip").length === 0`)
	if got, want := p.chips("Submit report"), []string{"Tomorrow 09:30", "High priority", "#work"}; !reflect.DeepEqual(got, want) {
		t.Errorf("the saved task's chips %q, want %q", got, want)
	}
	saved := storedTasks(t, srv, u)[0]
	if saved.Title != "Submit report" || saved.Priority != "high" || !reflect.DeepEqual(saved.Tags, []string{"work"}) ||
		saved.Due == nil || saved.Due.Date != day.date(1) || saved.Due.Time != "09:30" {
		t.Errorf("saved %+v (due %+v), want Submit report, high, [work], due %s 09:30", saved, saved.Due, day.date(1))
	}

	// A backslash keeps a command as text; the form's own fields win over the title.
	p.fill(title(), `\!high jump practice !low`)
	p.waitFor("the preview", `document.querySelectorAll("#quick-preview .chip").length === 1`)
	if got := p.text(".preview-title"); got != "Saves as !high jump practice" {
		t.Errorf("preview title %q", got)
	}
	p.moreOptions()
	p.choose("#new-task", "Priority", "high")
	p.fill(p.the("#new-task", "combobox", named("Tags"), "Tags, with suggestions"), "sport, outdoor")
	p.clickRole("button", "Add task")
	p.listShows("!high jump practice", "Submit report")
	saved = storedTasks(t, srv, u)[0]
	if saved.Priority != "high" || !reflect.DeepEqual(saved.Tags, []string{"sport", "outdoor"}) || saved.Due != nil {
		t.Errorf("saved %+v, want the form's priority and tags over the title's !low", saved)
	}

	// A repeat rule, with its first due.
	p.fill(title(), "Water the plants every monday")
	p.waitFor("the preview", `document.querySelectorAll("#quick-preview .chip").length === 2`)
	monday := day.name((int(time.Monday) - int(day.today.Weekday()) + 7) % 7)
	if got, want := p.previewChips(), []string{"Every week on Mon", monday}; !reflect.DeepEqual(got, want) {
		t.Errorf("preview chips %q, want %q", got, want)
	}
	p.press("Enter")
	p.listShows("Water the plants", "!high jump practice", "Submit report")
	if got, want := p.chips("Water the plants"), []string{monday, "Every week on Mon"}; !reflect.DeepEqual(got, want) {
		t.Errorf("the repeating task's chips %q, want %q", got, want)
	}
	p.samePage()
}

// planningTasks are tasks due around today, in the views' order of creation.
func planningTasks(t *testing.T, srv *apptest.Server, u apptest.User, day planningDay) {
	t.Helper()
	for _, task := range []map[string]any{
		{"title": "Read a novel"},
		{"title": "Old errand", "due": day.due(-1)},
		{"title": "Pay rent", "priority": "high", "tags": []string{"home"}, "due": day.due(-2)},
		{"title": "Water plants", "tags": []string{"home"}, "due": day.due(0)},
		{"title": "Call the bank", "due": map[string]string{"date": day.date(0), "time": "18:00"}},
		{"title": "Dentist", "tags": []string{"health"}, "due": map[string]string{"date": day.date(1), "time": "09:30"}},
		{"title": "Book flights", "tags": []string{"travel"}, "due": day.due(3)},
		{"title": "Renew passport", "tags": []string{"travel"}, "due": day.due(10)},
	} {
		id := createTask(t, srv, u, task)
		if task["title"] == "Old errand" {
			srv.Do(t, http.MethodPost, "/api/v2/tasks/"+id+"/toggle", u.Token, nil)
		}
	}
}

func TestViews(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "views@example.com")
	day := atNoon(t, srv, u)
	planningTasks(t, srv, u, day)
	p := signedInAs(t, srv, u, nil)

	p.listShows("Renew passport", "Book flights", "Dentist", "Call the bank", "Water plants", "Pay rent", "Old errand", "Read a novel")
	// Each view's link says how many open tasks it holds.
	for _, name := range []string{"All 7 open", "Today 3 open", "Upcoming 4 open", "home 2 open", "health 1 open", "travel 2 open"} {
		p.the("#views", "link", named(name), "the view link "+strconv.Quote(name))
	}

	t.Run("Today: due today and overdue, open", func(t *testing.T) {
		p.clickRole("link", "Today 3 open")
		p.waitFor("the Today view", `location.search === "?view=today"`)
		p.listShows("Pay rent", "Water plants", "Call the bank")
		if got := p.text("h1"); got != "Today" {
			t.Errorf("heading %q", got)
		}
		if got, want := p.chips("Pay rent"), []string{"Overdue by 2 days", "High priority", "#home"}; !reflect.DeepEqual(got, want) {
			t.Errorf("the overdue task's chips %q, want %q", got, want)
		}
		if got := evaluate[[]string](p, `Array.from(document.querySelectorAll("#tasks li.is-overdue .task-title")).map(e => e.textContent)`); !reflect.DeepEqual(got, []string{"Pay rent"}) {
			t.Errorf("marked overdue: %q, want only Pay rent", got)
		}
		// Overdue shows by its words and icon, not by colour alone.
		if got := evaluate[string](p, `document.querySelector("li.is-overdue .chip-due use").getAttribute("href")`); got != "#i-alert" {
			t.Errorf("the overdue chip's icon is %q, want the alert", got)
		}
		if got, want := p.chips("Call the bank"), []string{"Today 18:00"}; !reflect.DeepEqual(got, want) {
			t.Errorf("a task due later today: chips %q, want %q", got, want)
		}
		if got := evaluate[string](p, `document.querySelector('#views [aria-current="page"]').id`); got != "view-today" {
			t.Errorf("current view link %q", got)
		}
	})

	t.Run("Upcoming: the next 7 days, by day", func(t *testing.T) {
		p.clickRole("link", "Upcoming 4 open")
		p.waitFor("the Upcoming view", `location.search === "?view=upcoming"`)
		p.listShows("Water plants", "Call the bank", "Dentist", "Book flights")
		groups := evaluate[[]string](p, `Array.from(document.querySelectorAll("#tasks section.day")).map(s =>
			s.querySelector("h3").textContent + ": " + Array.from(s.querySelectorAll(".task-title")).map(e => e.textContent).join(", "))`)
		want := []string{"Today: Water plants, Call the bank", "Tomorrow: Dentist", day.heading(3) + ": Book flights"}
		if !reflect.DeepEqual(groups, want) {
			t.Errorf("days %q, want %q", groups, want)
		}
		weekday := day.today.AddDate(0, 0, 3).Weekday().String()
		if got := p.chips("Book flights"); got[0] != weekday {
			t.Errorf("a due in 3 days reads %q, want %q", got[0], weekday)
		}
		if got := p.chips("Dentist"); got[0] != "Tomorrow 09:30" {
			t.Errorf("tomorrow's due reads %q", got[0])
		}
		// Its order is the days': no sort menu.
		if n := len(p.query("#filters", "combobox", named("Sort by"))); n != 0 {
			t.Error("Upcoming offers a sort menu")
		}
	})

	t.Run("a tag", func(t *testing.T) {
		p.clickRole("link", "travel 2 open")
		p.waitFor("the tag view", `location.search === "?tag=travel"`)
		p.listShows("Renew passport", "Book flights")
		if got := p.text("h1"); got != "#travel" {
			t.Errorf("heading %q", got)
		}
		// A task's tag leads to its view too.
		p.clickRole("link", "All 7 open")
		p.listShows("Renew passport", "Book flights", "Dentist", "Call the bank", "Water plants", "Pay rent", "Old errand", "Read a novel")
		home := p.query("#tasks", "link", named("#home"))
		if len(home) != 2 {
			t.Fatalf("got %d #home links in the list, want 2", len(home))
		}
		p.click(home[0])
		p.waitFor("the home view", `location.search === "?tag=home"`)
		p.listShows("Water plants", "Pay rent")
		p.do(back())
		p.waitFor("All again", `location.search === ""`)
		p.do(back())
		p.waitFor("the travel view again", `location.search === "?tag=travel"`)
		p.listShows("Renew passport", "Book flights")
	})
	p.samePage()
}

func TestSearchFiltersAndSortInTheURL(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "search@example.com")
	for _, task := range []map[string]any{
		{"title": "Zebra crossing survey"},
		{"title": "Café with Ana", "priority": "medium"},
		{"title": "Buy coffee", "priority": "high", "tags": []string{"shop"}},
		{"title": "Buy oat milk", "priority": "low", "tags": []string{"shop"}},
		{"title": "Fix the coffee machine", "priority": "high"},
	} {
		createTask(t, srv, u, task)
	}
	p := signedInAs(t, srv, u, nil)
	all := []string{"Fix the coffee machine", "Buy oat milk", "Buy coffee", "Café with Ana", "Zebra crossing survey"}
	p.listShows(all...)
	at := func(what, want string) {
		t.Helper()
		p.waitFor(what+" at "+want, `location.pathname + location.search === `+strconv.Quote(want))
	}

	// The search applies as it is typed, and the box keeps what is typed.
	search := p.the("#filters", "searchbox", named("Search"), "the search box")
	p.fill(search, "coffee")
	at("the search", "/?q=coffee")
	p.listShows("Fix the coffee machine", "Buy coffee")
	if got := p.focusedID(); got != "search" {
		t.Errorf("while searching, focus is on %q, want the search box", got)
	}
	p.fill(search, "cafe") // accents do not matter
	at("the search", "/?q=cafe")
	p.listShows("Café with Ana")
	p.fill(search, "")
	at("no search", "/")
	p.listShows(all...)

	// Filters, then reload and back.
	p.choose("#filters", "Priority", "high")
	at("the priority filter", "/?priority=high")
	p.listShows("Fix the coffee machine", "Buy coffee")
	p.choose("#filters", "Tag", "shop")
	at("priority and tag", "/?priority=high&tag=shop")
	p.listShows("Buy coffee")
	p.do(reload())
	p.listShows("Buy coffee")
	if got := evaluate[string](p, `document.getElementById("filter-priority").value + " " + document.getElementById("filter-tag").value`); got != "high shop" {
		t.Errorf("after reload, the menus say %q, want high shop", got)
	}
	p.do(back())
	at("back", "/?priority=high")
	p.listShows("Fix the coffee machine", "Buy coffee")
	if got := evaluate[string](p, `document.getElementById("filter-tag").value`); got != "" {
		t.Errorf("after back, the tag menu says %q, want any", got)
	}
	p.clickRole("link", "Clear")
	at("no filter", "/")
	p.listShows(all...)

	// The sort menu: a new sort starts in its own direction; the order menu turns it round.
	p.choose("#filters", "Sort by", "title")
	at("by title", "/?sort=title")
	p.listShows("Buy coffee", "Buy oat milk", "Café with Ana", "Fix the coffee machine", "Zebra crossing survey")
	p.choose("#filters", "Order", "desc")
	at("by title, descending", "/?order=desc&sort=title")
	p.listShows("Zebra crossing survey", "Fix the coffee machine", "Café with Ana", "Buy oat milk", "Buy coffee")
	p.choose("#filters", "Sort by", "priority")
	at("by priority", "/?sort=priority")
	p.listShows("Fix the coffee machine", "Buy coffee", "Café with Ana", "Buy oat milk", "Zebra crossing survey")
	p.do(reload())
	p.listShows("Fix the coffee machine", "Buy coffee", "Café with Ana", "Buy oat milk", "Zebra crossing survey")
	p.do(back())
	at("back to the title order", "/?order=desc&sort=title")
	p.listShows("Zebra crossing survey", "Fix the coffee machine", "Café with Ana", "Buy oat milk", "Buy coffee")

	// Every link of the list keeps the state: the status links, for one.
	p.clickRole("link", "Open")
	at("open tasks by title", "/?order=desc&sort=title&status=open")
}

func TestBulkActions(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	p := signedIn(t, srv, "bulk-actions@example.com", "Email Sam", "Print tickets", "Buy milk", "Walk the dog")
	p.listShows("Walk the dog", "Buy milk", "Print tickets", "Email Sam")
	sel := func(titles ...string) {
		t.Helper()
		for _, title := range titles {
			p.click(p.the("#tasks", "checkbox", named("Select “"+title+"”"), "the selection box of "+title))
		}
		p.waitFor(fmt.Sprintf("%d selected", len(titles)), fmt.Sprintf(`document.getElementById("bulk-status").textContent === "%d selected:"`, len(titles)))
	}
	announced := func(want string) {
		t.Helper()
		p.waitFor("the announcement "+strconv.Quote(want), `document.getElementById("announcer").textContent === `+strconv.Quote(want))
	}

	sel("Email Sam", "Print tickets")
	p.fill(p.the("#bulk", "combobox", named("Tag to add or remove"), "the bulk tag"), "errand")
	p.clickRole("button", "Add tag")
	announced("Tagged 2 tasks “errand”.")
	for _, title := range []string{"Email Sam", "Print tickets"} {
		if got := p.chips(title); !reflect.DeepEqual(got, []string{"#errand"}) {
			t.Errorf("%s: chips %q, want #errand", title, got)
		}
	}
	if got := p.chips("Buy milk"); len(got) != 0 {
		t.Errorf("an unselected task changed: chips %q", got)
	}
	if n := evaluate[int](p, `document.querySelectorAll("#tasks input.select:checked").length`); n != 0 {
		t.Errorf("after the change, %d tasks are still selected", n)
	}

	sel("Email Sam", "Buy milk")
	p.choose("#bulk", "Priority to set", "high")
	p.clickRole("button", "Set priority")
	announced("Set 2 tasks to high priority.")
	if got := p.chips("Buy milk"); !reflect.DeepEqual(got, []string{"High priority"}) {
		t.Errorf("Buy milk: chips %q", got)
	}

	p.click(p.the("#bulk", "checkbox", named("All on this page"), "All on this page"))
	p.waitFor("all selected", `document.getElementById("bulk-status").textContent === "4 selected:"`)
	p.clickRole("button", "Complete")
	p.countShows("0 items left")
	sel("Email Sam")
	p.clickRole("button", "Reopen")
	p.countShows("1 item left")

	sel("Email Sam", "Print tickets")
	p.fill(p.the("#bulk", "combobox", named("Tag to add or remove"), "the bulk tag"), "errand")
	p.clickRole("button", "Remove tag")
	announced("Removed the tag “errand” from 2 tasks.")
	if got := p.chips("Print tickets"); len(got) != 0 {
		t.Errorf("Print tickets: chips %q after removing the tag", got)
	}

	// Deleting asks first, naming how many.
	sel("Buy milk", "Walk the dog")
	p.clickRole("button", "Delete")
	p.waitFor("the dialog", `document.getElementById("confirm-dialog").open`)
	if got := p.text("#confirm-message"); got != "The 2 selected tasks will be deleted. This can't be undone." {
		t.Errorf("dialog says %q", got)
	}
	p.press("Escape")
	p.waitFor("the dialog to close", `!document.getElementById("confirm-dialog").open`)
	p.settled()
	p.listShows("Walk the dog", "Buy milk", "Print tickets", "Email Sam")
	p.clickRole("button", "Delete")
	p.waitFor("the dialog", `document.getElementById("confirm-dialog").open`)
	p.click(p.the("#confirm-dialog", "button", named("Delete"), "Delete"))
	p.listShows("Print tickets", "Email Sam")
	announced("Deleted 2 tasks.")

	// With nothing selected, the actions step back until something is.
	if n := len(p.query("#bulk", "button", named("Complete"))); n != 0 {
		t.Error("the bulk actions show with nothing selected")
	}
	p.samePage()
}

func TestKeyboardShortcuts(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	p := signedIn(t, srv, "keys@example.com", "First", "Second", "Third")
	p.listShows("Third", "Second", "First")
	nowhere := func() { p.do(evaluateVoid(`document.activeElement.blur()`)) }
	focusedTask := func() string {
		return evaluate[string](p, `(function(){const li = document.activeElement.closest("li.task"); return li ? li.querySelector(".task-title").textContent : ""})()`)
	}

	nowhere()
	p.key('/')
	if got := p.focusedID(); got != "search" {
		t.Errorf("/ put the focus on %q, want the search box", got)
	}
	p.key('j') // typing in a field is typing, not a shortcut
	if got := evaluate[string](p, `document.getElementById("search").value`); got != "j" {
		t.Errorf("j in the search box: it holds %q, want j", got)
	}
	// The list follows the box once typing pauses: its search for j comes before the box is
	// emptied, or it would replace the page's head during the next steps.
	p.waitFor("the search for j", `location.search === "?q=j"`)
	p.fill(p.the("#filters", "searchbox", named("Search"), "Search"), "")
	p.waitFor("the whole list", `location.search === ""`)
	p.listShows("Third", "Second", "First")

	nowhere()
	p.key('n')
	if got := p.focusedID(); got != "new-title" {
		t.Errorf("n put the focus on %q, want the new task's title", got)
	}
	if got := evaluate[string](p, `document.getElementById("new-title").value`); got != "" {
		t.Errorf("n typed %q into the title", got)
	}

	nowhere()
	for _, step := range []struct {
		key  rune
		want string
	}{{'j', "Third"}, {'j', "Second"}, {'j', "First"}, {'j', "First"}, {'k', "Second"}} {
		p.key(step.key)
		if got := focusedTask(); got != step.want {
			t.Errorf("after %c, the focus is on %q, want %q", step.key, got, step.want)
		}
	}
	p.key('x')
	p.waitFor("one selected", `document.getElementById("bulk-status").textContent === "1 selected:"`)
	if got := evaluate[string](p, `document.querySelector("#tasks li.task:has(input.select:checked) .task-title").textContent`); got != "Second" {
		t.Errorf("x selected %q, want Second", got)
	}
	p.key('e')
	p.waitFor("the edit form", `!!document.querySelector(".task.is-editing")`)
	p.waitFor("focus in the edit form", `document.activeElement.id.startsWith("edit-title-")`)
	if got := evaluate[string](p, `document.activeElement.value`); got != "Second" {
		t.Errorf("e edits %q, want Second", got)
	}
	p.press("Escape")
	p.waitFor("the edit form to close", `!document.querySelector(".task.is-editing")`)

	// ? lists them, in a dialog with a heading, which Escape closes.
	nowhere()
	p.key('?')
	p.waitFor("the shortcuts", `document.getElementById("shortcuts").open`)
	p.the("", "dialog", named("Keyboard shortcuts"), "the shortcuts dialog")
	if got := evaluate[string](p, `document.querySelector("#shortcuts dl").innerText.trim().replace(/\s+/g, " ")`); got != "/ Search n New task j k Next and previous task x Select the task, for the bulk actions e Edit the task Space Complete the task, or open it again ? This list Esc Close, or cancel an edit" {
		t.Errorf("the dialog lists %q", got)
	}
	p.press("Escape")
	p.waitFor("the dialog to close", `!document.getElementById("shortcuts").open`)
	// And a button opens it, for whoever does not know the key.
	p.clickRole("button", "Keyboard shortcuts")
	p.waitFor("the shortcuts", `document.getElementById("shortcuts").open`)
	p.clickRole("button", "Close")
	p.waitFor("the dialog to close", `!document.getElementById("shortcuts").open`)
	p.samePage()
}

func TestSettings(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "settings@example.com")
	p := signedInAs(t, srv, u, nil, withTimezone("Asia/Tokyo"))
	p.clickRole("link", "Settings")
	p.waitFor("the settings", `location.pathname === "/settings"`)
	if got := evaluate[string](p, `document.getElementById("time-zone").value`); got != "UTC" {
		t.Errorf("the zone of a user who saved none is %q, want UTC", got)
	}
	p.clickRole("button", "Use your browser's time zone (Asia/Tokyo)")
	if got := evaluate[string](p, `document.getElementById("time-zone").value`); got != "Asia/Tokyo" {
		t.Errorf("after using the browser's zone, the menu says %q", got)
	}
	p.choose(".prefs-form", "Week starts on", "Sunday")
	p.clickRole("button", "Save settings")
	p.waitFor("saved", `location.search === "?saved=1"`)
	if got := p.text(".saved"); got != "Your settings are saved." {
		t.Errorf("the page says %q", got)
	}
	var saved struct {
		TimeZone  string `json:"time_zone"`
		WeekStart string `json:"week_start"`
	}
	srv.Do(t, http.MethodGet, "/api/v2/settings", u.Token, nil).JSON(t, &saved)
	if saved.TimeZone != "Asia/Tokyo" || saved.WeekStart != "sunday" {
		t.Errorf("saved %+v, want Asia/Tokyo and sunday", saved)
	}
	if n := len(p.query("", "button", named("Use your browser's time zone (Asia/Tokyo)"))); n != 0 {
		t.Error("the page still offers the zone it has")
	}
}

func TestSignUpTakesTheBrowsersTimeZone(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	p := openPage(t, srv, withTimezone("America/New_York"))
	p.screenshotOnFailure()
	p.signUp("Nora", "nora@example.com", "a password for new york")
	token := evaluateAsync[string](p, `fetch("/api/auth/token").then(r => r.json()).then(b => b.token)`)
	var saved struct {
		TimeZone string `json:"time_zone"`
	}
	srv.Do(t, http.MethodGet, "/api/v2/settings", token, nil).JSON(t, &saved)
	if saved.TimeZone != "America/New_York" {
		t.Errorf("after sign-up, the time zone is %q, want the browser's, America/New_York", saved.TimeZone)
	}
}
