package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestCalendarFeedURLIsShownOnce: the page that makes the URL is the only one that holds it,
// and no cache keeps it; a forged form makes none.
func TestCalendarFeedURLIsShownOnce(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "calendar-once@example.com")
	res := send(t, u.Client, http.MethodPost, srv.URL+"/settings/calendar", url.Values{}, sameOrigin(srv)...)
	if res.status != http.StatusOK || !strings.Contains(res.body, srv.URL+"/calendar/") {
		t.Fatalf("making the feed: got %d\n%s", res.status, res.body)
	}
	if got := res.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("the page with the URL: Cache-Control %q, want no-store", got)
	}
	if page := send(t, u.Client, http.MethodGet, srv.URL+"/settings", nil); strings.Contains(page.body, srv.URL+"/calendar/") {
		t.Errorf("the settings page shows the URL again:\n%s", page.body)
	}
	send(t, u.Client, http.MethodPost, srv.URL+"/settings/calendar/revoke", url.Values{}, "Origin", "https://evil.example")
	var feed struct{ Exists bool }
	srv.Do(t, http.MethodGet, "/api/v2/calendar", u.Token, nil).JSON(t, &feed)
	if !feed.Exists {
		t.Error("a forged form stopped the feed")
	}
}
