package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// feedAnswer is what a calendar app gets from the feed's URL: the status, and the body.
func feedAnswer(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

func TestCalendarFeedSettings(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "calendar@example.com")
	day := atNoon(t, srv, u)
	createTask(t, srv, u, map[string]any{"title": "Dentist", "due": day.due(2)})
	p := signedInAs(t, srv, u, nil)
	p.grant("clipboard-read", "clipboard-write")
	feedURL := func() string {
		t.Helper()
		return evaluate[string](p, `document.getElementById("calendar-url").value`)
	}

	p.open("/settings")
	p.clickRole("button", "Create a calendar feed")
	p.waitFor("the feed's URL", `!!document.getElementById("calendar-url")`)
	first := feedURL()
	if !strings.HasPrefix(first, srv.URL+"/calendar/") || !strings.HasSuffix(first, ".ics") {
		t.Fatalf("the feed's URL is %q", first)
	}
	p.focusLands("once the feed is made", "the URL", idIs("calendar-url"))
	if got := evaluate[string](p, `document.getElementById("calendar-todo-url").value`); got != first+"?kind=todo" {
		t.Errorf("the to-do feed's URL is %q", got)
	}
	p.the("#calendar", "heading", named("How to subscribe"), "the help")
	// The copy button puts the URL on the clipboard, and says so.
	p.clickRole("button", "Copy the feed URL")
	p.waitFor("the copy", `document.querySelector("[data-copy=calendar-url]").textContent === "Copied"`)
	if got := evaluateAsync[string](p, `navigator.clipboard.readText()`); got != first {
		t.Errorf("the clipboard holds %q, want the URL", got)
	}
	if status, body := feedAnswer(t, first); status != http.StatusOK || !strings.Contains(body, "SUMMARY:Dentist") {
		t.Errorf("the feed answers %d:\n%s", status, body)
	}

	// The URL is shown once: the page says when it was made, and offers a new one.
	p.open("/settings")
	if got := p.text("#calendar-state"); !strings.Contains(got, "made on "+day.today.Format("Monday 2 January 2006")) {
		t.Errorf("the feed's section says %q", got)
	}
	if n := evaluate[int](p, `document.querySelectorAll("#calendar-url").length`); n != 0 {
		t.Error("the URL is shown again")
	}
	p.clickRole("button", "Make a new URL")
	p.waitFor("the new URL", `!!document.getElementById("calendar-url")`)
	second := feedURL()
	if second == first {
		t.Fatal("the new URL is the old one")
	}
	if status, _ := feedAnswer(t, first); status != http.StatusNotFound {
		t.Errorf("the old URL answers %d, want 404", status)
	}
	if status, _ := feedAnswer(t, second); status != http.StatusOK {
		t.Errorf("the new URL answers %d, want 200", status)
	}

	// Stopping it ends the URL.
	p.clickRole("button", "Stop the feed")
	p.waitFor("the message", `location.search === "?saved=calendar-off"`)
	if got := p.text(".saved"); got != "Your calendar feed is stopped: its URL no longer works." {
		t.Errorf("the page says %q", got)
	}
	if status, _ := feedAnswer(t, second); status != http.StatusNotFound {
		t.Errorf("the stopped feed answers %d, want 404", status)
	}
	p.the("#calendar", "button", named("Create a calendar feed"), "the button to make one again")

	// Without JavaScript the URL is there to select; there is no button to copy it.
	plain := signedInAs(t, srv, u, nil, withoutJavaScript)
	plain.open("/settings")
	plain.clickRole("button", "Create a calendar feed")
	plain.waitFor("the feed's URL", `!!document.getElementById("calendar-url")`)
	if n := evaluate[int](plain, `Array.from(document.querySelectorAll("#calendar [data-copy]")).filter(b => b.checkVisibility()).length`); n != 0 {
		t.Errorf("without JavaScript, %d Copy buttons", n)
	}
	if status, _ := feedAnswer(t, evaluate[string](plain, `document.getElementById("calendar-url").value`)); status != http.StatusOK {
		t.Errorf("the feed made without JavaScript answers %d", status)
	}
}
