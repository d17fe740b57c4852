package web_test

import (
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestHostileTextIsShownAsText: titles and descriptions are text, on every path that renders
// them: the page, htmx fragments, the edit form and the confirmation dialog.
func TestHostileTextIsShownAsText(t *testing.T) {
	const (
		title       = `<img src=x onerror=alert(1)>`
		description = `<script>alert(2)</script><b>bold?</b>`
	)
	srv := apptest.Start(t, database.SQLite, nil)
	p := signedIn(t, srv, "mallory@example.com")
	p.do(evaluateVoid(`window.alert = () => { window.alerted = true }`))

	noMarkup := func(where string) {
		t.Helper()
		if n := evaluate[int](p, `document.querySelectorAll("#tasks img, #tasks script, #tasks b").length`); n != 0 {
			t.Errorf("%s: the list holds %d elements made from the text", where, n)
		}
		if evaluate[bool](p, `window.alerted === true`) {
			t.Errorf("%s: a script from the text ran", where)
		}
	}

	p.addTask(title, description)
	p.listShows(title)
	if got := p.text("#tasks .task-description"); got != description {
		t.Errorf("description shows %q, want the characters %q", got, description)
	}
	p.checkbox(title) // named by the text, as typed
	noMarkup("after adding")

	p.click(p.taskButton("Edit", title))
	p.waitFor("the edit form", `!!document.querySelector(".task.is-editing")`)
	if got := evaluate[string](p, `document.querySelector(".task.is-editing input[name=title]").value`); got != title {
		t.Errorf("edit form holds %q, want %q", got, title)
	}
	p.press("Escape")
	p.waitFor("the edit form to close", `!document.querySelector(".task.is-editing")`)
	noMarkup("after editing")

	p.click(p.taskButton("Delete", title))
	p.waitFor("the dialog", `document.getElementById("confirm-dialog").open`)
	if got, want := p.text("#confirm-message"), "“"+title+"” will be deleted. This can't be undone."; got != want {
		t.Errorf("dialog says %q, want %q", got, want)
	}
	p.press("Escape")

	p.open("/") // the whole page, rendered by the server
	p.listShows(title)
	noMarkup("after reload")
}
