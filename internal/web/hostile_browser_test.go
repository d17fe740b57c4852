package web_test

import (
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestHostileTextIsShownAsText: titles, descriptions and tags are text, on every path that
// renders them: the page, htmx fragments, the edit form, the confirmation dialog, the views
// and menus, and quick add's preview.
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

	// Tags, in the list, the views, the menus and the suggestions; and quick add's preview.
	const tag = `<i>x</i>`
	p.click(p.taskButton("Edit", title))
	p.waitFor("the edit form", `!!document.querySelector(".task.is-editing")`)
	p.fill(p.the(".task.is-editing", "combobox", named("Tags"), "Tags"), tag)
	p.clickRole("button", "Save")
	p.waitFor("the tag", `!document.querySelector(".task.is-editing") && !!document.querySelector("#tasks .chip-tag")`)
	if got := p.text("#tasks .chip-tag"); got != "#"+tag {
		t.Errorf("the tag shows %q, want the characters %q", got, "#"+tag)
	}
	p.the("#views", "link", named(tag+" 1 open"), "the tag's view")
	if n := evaluate[int](p, `document.querySelectorAll("main i, #views i, #filters i, datalist i").length`); n != 0 {
		t.Errorf("the page holds %d elements made from the tag", n)
	}
	p.fillRole("#new-task", "Title", `<img src=x onerror=alert(3)> #tag`)
	p.waitFor("the preview", `!!document.querySelector("#quick-preview .chip")`)
	if got := p.text(".preview-title"); got != "Saves as <img src=x onerror=alert(3)>" {
		t.Errorf("the preview shows %q", got)
	}
	if n := evaluate[int](p, `document.querySelectorAll("#quick-preview img").length`); n != 0 || evaluate[bool](p, `window.alerted === true`) {
		t.Error("the preview made markup of the title")
	}
}
