package web_test

import (
	"reflect"
	"strconv"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestWithoutJavaScript goes through everything with scripts off: plain forms, POST, then
// redirect, and confirmation pages instead of the dialog. Quick add, filters, the bulk actions
// and the due date fields all work as the server reads the forms.
func TestWithoutJavaScript(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	p := openPage(t, srv, withoutJavaScript)
	p.screenshotOnFailure()

	p.signUp("Plain Forms", "plain@example.com", "no scripts needed")
	if got := evaluate[string](p, `typeof htmx`); got != "undefined" {
		t.Fatalf("typeof htmx is %q: scripts ran, want them off", got)
	}
	// The page's scripts are off; the test's own requests through DevTools still run.
	token := evaluateAsync[string](p, `fetch("/api/auth/token").then(r => r.json()).then(b => b.token)`)
	u := apptest.User{Email: "plain@example.com", Token: token}
	day := atNoon(t, srv, u)

	// Add, by Enter in the title: the server applies quick add as it posts.
	p.fillRole("#new-task", "Title", "Post a letter #errand !high tomorrow")
	p.press("Enter")
	p.listShows("Post a letter")
	if got, want := p.chips("Post a letter"), []string{"Tomorrow", "High priority", "#errand"}; !reflect.DeepEqual(got, want) {
		t.Errorf("the quick-added task's chips %q, want %q", got, want)
	}
	p.addTask("Buy stamps", "")
	p.listShows("Buy stamps", "Post a letter")
	// A refused one keeps what was typed, and says what quick add would make of it.
	p.fillRole("#new-task", "Title", " ")
	p.moreOptions()
	p.fillRole("#new-task", "Description", "typed before the error")
	p.clickRole("button", "Add task")
	p.waitFor("the error", `!!document.getElementById("new-title-error")`)
	if got := p.fieldValue("#new-task", "Description"); got != "typed before the error" {
		t.Errorf("after the refusal, Description holds %q, want what was typed", got)
	}
	p.fillRole("#new-task", "Title", "Call the plumber #home")
	p.fill(p.the("#new-task", "combobox", named("Tags"), "Tags"), "a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u")
	p.clickRole("button", "Add task")
	p.waitFor("the tags error", `!!document.getElementById("new-tags-error")`)
	if got := p.text("#new-tags-error"); got != "Tags: a task may have at most 20 tags, got 21." {
		t.Errorf("21 tags: the form says %q", got)
	}
	if got := p.text(".preview-title"); got != "Saves as Call the plumber" {
		t.Errorf("the refused form's preview says %q", got)
	}

	// Toggle: the checkbox is a submit button.
	p.click(p.checkbox("Post a letter"))
	p.waitFor("the task to be completed", `!!document.querySelector("#tasks li.is-completed")`)
	p.countShows("1 item left")

	// Edit on a page of its own, with the title focused; the date and time are native fields.
	p.click(p.taskButton("Edit", "Buy stamps"))
	p.waitFor("the edit page", `location.pathname.endsWith("/edit") && !!document.querySelector(".task.is-editing")`)
	p.waitFor("focus on the title", `document.activeElement.id.startsWith("edit-title-")`)
	p.fill(p.the(".task.is-editing", "textbox", named("Title"), "Title"), "Buy ten stamps")
	p.do(evaluateVoid(`document.querySelector(".task.is-editing input[type=date]").value = ` + strconv.Quote(day.date(2)) + `;
		document.querySelector(".task.is-editing input[type=time]").value = "08:15"`))
	p.choose(".task.is-editing", "Priority", "low")
	p.clickRole("button", "Save")
	p.listShows("Buy ten stamps", "Post a letter")
	weekday := day.today.AddDate(0, 0, 2).Weekday().String()
	if got, want := p.chips("Buy ten stamps"), []string{weekday + " 08:15", "Low priority"}; !reflect.DeepEqual(got, want) {
		t.Errorf("the edited task's chips %q, want %q", got, want)
	}

	// Status links; the back button works as for any page.
	p.clickRole("link", "Completed")
	p.waitFor("the completed tasks", `location.search === "?status=completed"`)
	p.listShows("Post a letter")
	p.do(back())
	p.waitFor("the whole list", `location.search === ""`)
	p.listShows("Buy ten stamps", "Post a letter")

	// The filter form applies with its button, and its address is the short one.
	p.choose("#filters", "Priority", "low")
	p.clickRole("button", "Apply")
	p.waitFor("the filtered list", `location.search === "?priority=low"`)
	p.listShows("Buy ten stamps")
	p.clickRole("link", "Clear")
	p.listShows("Buy ten stamps", "Post a letter")

	// Bulk: select, then an action's button.
	p.addTask("Water the plants", "")
	for _, title := range []string{"Buy ten stamps", "Water the plants"} {
		p.click(p.the("#tasks", "checkbox", named("Select “"+title+"”"), "the box of "+title))
	}
	p.clickRole("button", "Complete")
	p.countShows("0 items left")
	// A bulk delete asks on a page of its own.
	p.click(p.the("#tasks", "checkbox", named("Select “Water the plants”"), "the box"))
	p.clickRole("button", "Delete")
	p.waitFor("the confirmation page", `location.pathname === "/tasks/bulk"`)
	if got := p.text("main"); got != "Delete 1 task? The 1 selected task will be deleted. This can't be undone. Cancel Delete 1 task" {
		t.Errorf("confirmation page says %q", got)
	}
	p.clickRole("button", "Delete 1 task")
	p.listShows("Buy ten stamps", "Post a letter")

	// Mark all, then clear the completed tasks after a confirmation page.
	p.click(p.the("#tasks", "checkbox", named("Mark all as complete"), "Mark all as complete"))
	p.countShows("2 items left")
	p.click(p.the("#tasks", "checkbox", named("Mark all as complete"), "Mark all as complete"))
	p.countShows("0 items left")
	p.clickRole("button", "Clear completed")
	p.waitFor("the confirmation page", `location.pathname === "/tasks/clear-completed"`)
	if got := p.text("main"); got != "Clear completed tasks? 2 completed tasks will be deleted. This can't be undone. Cancel Delete completed tasks" {
		t.Errorf("confirmation page says %q", got)
	}
	p.clickRole("button", "Delete completed tasks")
	p.waitFor("the empty list", `location.pathname === "/" && !!document.querySelector(".empty")`)

	// Delete after a confirmation page; Cancel first.
	p.addTask("Last one", "")
	p.click(p.taskButton("Delete", "Last one"))
	p.waitFor("the confirmation page", `location.pathname.endsWith("/delete")`)
	p.clickRole("link", "Cancel")
	p.listShows("Last one")
	p.click(p.taskButton("Delete", "Last one"))
	p.waitFor("the confirmation page", `location.pathname.endsWith("/delete")`)
	p.clickRole("button", "Delete task")
	p.waitFor("the empty list", `location.pathname === "/" && !!document.querySelector(".empty")`)

	p.clickRole("button", "Sign out")
	p.waitFor("the sign-in page", `location.pathname === "/signin"`)
}
