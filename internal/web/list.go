package web

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"todo/internal/auth"
	"todo/internal/task"
)

// TaskList serves GET /: one page of the user's tasks under a filter. htmx asks for the list
// region only, when a filter or page link is followed in place.
func (ui *UI) TaskList() http.Handler {
	return ui.withUser(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		ui.showList(w, r, a, listStateFrom(r.URL.Query()), http.StatusOK, listChange{})
	})
}

// listChange is what an action wants the list it shows next to say or keep open.
type listChange struct {
	announce string    // what just happened, read out by assistive technology (htmx only)
	alert    string    // what went wrong, shown above the list
	editing  uuid.UUID // the task whose edit form stays open (no JavaScript, or refused)
	form     taskForm  // that edit form's content
	newTask  *taskForm // the add form as it was typed, when it was refused
}

// showList answers with the list in state s: the whole page, or for htmx the list region
// with the announcement and alert swapped in beside it, and the address bar set to the
// list's canonical URL (a page past the end becomes the last page).
func (ui *UI) showList(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState, status int, c listChange) {
	page, s, err := ui.loadPage(r.Context(), a.User.ID, s)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	v := newListView(&a.User, s, page, c.editing, c.form)
	v.Alert = c.alert
	if c.newTask != nil {
		v.NewTask = *c.newTask
	}
	if !isHTMX(r) {
		ui.page(w, r, status, "tasks", v)
		return
	}
	announce := c.announce
	if r.Method == http.MethodGet {
		// A filter or page link: the new address goes into the history, and what the list
		// now shows is read out, since the page itself stays.
		w.Header().Set("HX-Push-Url", s.URL())
		announce = v.Summary()
	} else {
		w.Header().Set("HX-Replace-Url", s.URL())
	}
	parts := []fragment{{"title", v}, {"tasks", v}, {"announce", announce}, {"alerts", v.Alert}}
	if c.newTask != nil {
		parts = append(parts, fragment{"new-task-oob", v.NewTask})
	}
	ui.write(w, r, status, "tasks", parts...)
}

// loadPage reads page s.Page of the user's list; past the last page, it reads the last one, so
// that deleting the only task of a last page lands on the page before.
func (ui *UI) loadPage(ctx context.Context, userID string, s listState) (task.Page, listState, error) {
	f := task.Filter{Completed: s.Filter.completed(), Limit: pageSize, Offset: s.offset()}
	page, err := ui.tasks.List(ctx, userID, f)
	if err != nil {
		return task.Page{}, s, err
	}
	if last := lastPage(page.Total); s.Page > last {
		s.Page = last
		f.Offset = s.offset()
		page, err = ui.tasks.List(ctx, userID, f)
	}
	return page, s, err
}

// afterChange answers a successful change of the list: without JavaScript, a redirect to the
// list (POST, then redirect, so reloading does not repeat it), positioned at anchor; with htmx,
// the list region.
func (ui *UI) afterChange(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState, anchor, announce string) {
	if !isHTMX(r) {
		to := s.URL()
		if anchor != "" {
			to += "#" + anchor
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	ui.showList(w, r, a, s, http.StatusOK, listChange{announce: announce})
}
