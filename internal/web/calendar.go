package web

import (
	"context"
	"net/http"

	"todo/internal/auth"
	"todo/internal/calendar"
	"todo/internal/task"
)

// Calendar is what the settings page asks of the calendar feeds: whether the user has one,
// a new secret URL in place of the old, and an end to it.
type Calendar interface {
	Status(ctx context.Context, userID string) (calendar.Feed, bool, error)
	Rotate(ctx context.Context, userID, origin string) (string, error)
	Revoke(ctx context.Context, userID string) error
}

// feedView is the settings page's calendar feed.
type feedView struct {
	Offered bool // the server has calendar feeds
	Exists  bool
	// Since is when the feed's URL was made, in the user's words.
	Since string
	// URL and TodoURL are the feed's secret URLs, of events and of to-dos: shown only on the
	// page that made them.
	URL, TodoURL string
}

// feed reads the state of the user's feed, when the server has feeds.
func (ui *UI) feed(ctx context.Context, userID string, prefs task.Prefs) (feedView, error) {
	if ui.Calendar == nil {
		return feedView{}, nil
	}
	f, ok, err := ui.Calendar.Status(ctx, userID)
	v := feedView{Offered: true, Exists: ok}
	if ok {
		v.Since = fullDate(task.DateOf(f.CreatedAt.In(prefs.TimeZone)))
	}
	return v, err
}

// CreateCalendarFeed serves POST /settings/calendar: a new secret URL for the user's feed
// (the old one, if any, stops working). The answer is the settings page itself, not a
// redirect, since it is the only place the URL is ever shown.
func (ui *UI) CreateCalendarFeed() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		if ui.Calendar == nil {
			http.NotFound(w, r)
			return
		}
		prefs, err := ui.tasks.Prefs(r.Context(), a.User.ID)
		var url string
		if err == nil {
			url, err = ui.Calendar.Rotate(r.Context(), a.User.ID, requestOrigin(r))
		}
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		v, err := ui.settingsView(r.Context(), a, prefs)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		v.Feed.URL, v.Feed.TodoURL = url, url+"?kind=todo"
		ui.page(w, r, http.StatusOK, "prefs", v)
	})
}

// RevokeCalendarFeed serves POST /settings/calendar/revoke: the feed's URL stops working.
func (ui *UI) RevokeCalendarFeed() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		if ui.Calendar == nil {
			http.NotFound(w, r)
			return
		}
		if err := ui.Calendar.Revoke(r.Context(), a.User.ID); err != nil {
			ui.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/settings?saved=calendar-off#calendar", http.StatusSeeOther)
	})
}

// requestOrigin is the origin the request came to, on which a feed's URL is made when the
// server's public URL is not set.
func requestOrigin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
