package web_test

import (
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestWithoutJavaScript goes through everything with scripts off: plain forms, POST, then
// redirect, and confirmation pages instead of the dialog.
func TestWithoutJavaScript(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	p := openPage(t, srv, withoutJavaScript)
	p.screenshotOnFailure()

	p.signUp("Plain Forms", "plain@example.com", "no scripts needed")
	if got := evaluate[string](p, `typeof htmx`); got != "undefined" {
		t.Fatalf("typeof htmx is %q: scripts ran, want them off", got)
	}

	// Add, by Enter in the title; then a refused one keeps what was typed.
	p.fillRole("#new-task", "Title", "Post a letter")
	p.press("Enter")
	p.listShows("Post a letter")
	p.addTask("Buy stamps", "")
	p.listShows("Buy stamps", "Post a letter")
	p.fillRole("#new-task", "Title", " ")
	p.fillRole("#new-task", "Description", "typed before the error")
	p.clickRole("button", "Add task")
	p.waitFor("the error", `!!document.getElementById("new-title-error")`)
	if got := p.fieldValue("#new-task", "Description"); got != "typed before the error" {
		t.Errorf("after the refusal, Description holds %q, want what was typed", got)
	}

	// Toggle: the checkbox is a submit button.
	p.click(p.checkbox("Post a letter"))
	p.waitFor("the task to be completed", `!!document.querySelector("#tasks li.is-completed")`)
	p.countShows("1 item left")

	// Edit on a page of its own, with the title focused.
	p.click(p.taskButton("Edit", "Buy stamps"))
	p.waitFor("the edit page", `location.pathname.endsWith("/edit") && !!document.querySelector(".task.is-editing")`)
	p.waitFor("focus on the title", `document.activeElement.id.startsWith("edit-title-")`)
	p.fill(p.the(".task.is-editing", "textbox", named("Title"), "Title"), "Buy ten stamps")
	p.press("Enter")
	p.listShows("Buy ten stamps", "Post a letter")

	// Filters are links; the back button works as for any page.
	p.clickRole("link", "Completed")
	p.waitFor("the completed tasks", `location.search === "?filter=completed"`)
	p.listShows("Post a letter")
	p.do(back())
	p.waitFor("the whole list", `location.search === ""`)
	p.listShows("Buy ten stamps", "Post a letter")

	// Mark all, then clear the completed tasks after a confirmation page.
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
