package web

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"todo/internal/auth"
	"todo/internal/task"
)

// TaskList serves GET /: one page of the user's tasks in a view, under filters, a search and
// a sort, all read from the address. htmx asks for the list region only, when a link or the
// filter form is followed in place. An address that says the state in other words (a filter
// form sends its empty fields too) is sent on to the canonical one, so that the address bar,
// the history and bookmarks all hold the same short address for the same list.
func (ui *UI) TaskList() http.Handler {
	return ui.withUser(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		s, err := listStateFrom(r.URL.Query())
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		if !isHTMX(r) && "?"+r.URL.RawQuery != s.Query() && r.URL.RawQuery != "" {
			http.Redirect(w, r, s.URL(), http.StatusSeeOther)
			return
		}
		ui.showList(w, r, a, s, http.StatusOK, listChange{})
	})
}

// listChange is what an action wants the list it shows next to say or keep open.
type listChange struct {
	announce string    // what just happened, read out by assistive technology (htmx only)
	alert    string    // what went wrong, shown above the list
	editing  uuid.UUID // the task whose edit form stays open (no JavaScript, or refused)
	form     taskForm  // that edit form's content
	newTask  *taskForm // the add form as it was typed, when it was refused
	// selected are the tasks that stay selected for a bulk action, when one was refused.
	selected map[uuid.UUID]bool
}

// showList answers with the list in state s: the whole page, or for htmx the list region
// with the parts of the page around it that follow the list (the heading, the views and their
// counts, the filters) swapped in beside it, and the address bar set to the list's canonical
// URL.
func (ui *UI) showList(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState, status int, c listChange) {
	p, shown, err := ui.loadPage(r.Context(), a.User.ID, s)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	v := newListView(&a.User, shown, p, c)
	if !isHTMX(r) {
		if r.Method == http.MethodGet && shown != s {
			// The page asked for has emptied; its address would keep showing another one.
			http.Redirect(w, r, shown.URL(), http.StatusSeeOther)
			return
		}
		ui.page(w, r, status, "tasks", v)
		return
	}
	announce := c.announce
	if r.Method == http.MethodGet {
		// A link or the filter form: the new address goes into the history, and what the list
		// now shows is read out, since the page itself stays.
		w.Header().Set("HX-Push-Url", shown.URL())
		announce = v.Summary()
	} else {
		w.Header().Set("HX-Replace-Url", shown.URL())
	}
	parts := []fragment{{"title", v}, {"tasks", v}, {"page-head-oob", v}, {"views-oob", v}, {"announce", announce}, {"alerts", v.Alert}}
	// The filter form is left alone while it is what asked: the user may be typing in it.
	if r.Header.Get("HX-Trigger") != "filters" {
		parts = append(parts, fragment{"filters-oob", v})
	}
	if c.newTask != nil {
		parts = append(parts, fragment{"new-task-oob", v.NewTask})
	}
	ui.write(w, r, status, "tasks", parts...)
}

// loadedPage is what the list page shows: a page of tasks and what surrounds it.
type loadedPage struct {
	page  task.Page
	prefs task.Prefs
	now   time.Time
	// open are the numbers of open tasks of the views.
	open map[view]int64
	tags []task.Tag
	// hasPrev says there is a page before, which starts at prev (nil: the first page).
	hasPrev bool
	prev    *task.Cursor
}

// loadPage reads the page of the user's list that s starts, with the counts of the views and
// the user's tags, and returns the state it shows: a page whose tasks have all gone since its
// link was made (deleted, or moved out of the view) shows the page before instead.
func (ui *UI) loadPage(ctx context.Context, userID string, s listState) (loadedPage, listState, error) {
	p, err := ui.loadTasks(ctx, userID, s)
	if err == nil && s.Cursor != nil && len(p.page.Tasks) == 0 {
		s = s.WithCursor(p.prev)
		p, err = ui.loadTasks(ctx, userID, s)
	}
	if err != nil {
		return loadedPage{}, s, err
	}
	p.open = map[view]int64{viewAll: p.page.Counts.Active()}
	for _, vw := range []view{viewToday, viewUpcoming} {
		q := defaultState(vw).query()
		q.Limit = 1 // only the total is wanted; a limit of 0 is not taken
		counted, _, err := ui.tasks.Query(ctx, userID, q)
		if err != nil {
			return loadedPage{}, s, err
		}
		p.open[vw] = counted.Total
	}
	p.tags, err = ui.tasks.Tags(ctx, userID)
	return p, s, err
}

// loadTasks reads the page that s starts and where the page before it starts.
func (ui *UI) loadTasks(ctx context.Context, userID string, s listState) (loadedPage, error) {
	q := s.query()
	page, prefs, err := ui.tasks.Query(ctx, userID, q)
	if err != nil {
		return loadedPage{}, err
	}
	p := loadedPage{page: page, prefs: prefs, now: ui.tasks.Now()}
	if s.Cursor != nil {
		var first *task.Task
		if len(page.Tasks) > 0 {
			first = &page.Tasks[0]
		}
		p.hasPrev = true
		p.prev, err = ui.pageBefore(ctx, userID, q, first, prefs.TimeZone)
	}
	return p, err
}

// pageBefore is where the page before a page of q starts: nil when it is the first page. first
// is the page's first task, or nil for a page that has emptied, which starts at q's cursor.
// Pages are keyset pages, which only go forward; going back is reading the same list in the
// other direction from the page's start, which finds the tasks before it, nearest first.
func (ui *UI) pageBefore(ctx context.Context, userID string, q task.Query, first *task.Task, loc *time.Location) (*task.Cursor, error) {
	back := q
	back.Desc = !q.Desc
	back.Limit = pageSize + 1 // one more than a page: the task before the page, whose cursor starts it
	if first != nil {
		back.Cursor = task.CursorAfter(*first, q.Sort, back.Desc, loc)
	} else {
		c := *q.Cursor
		c.Desc = back.Desc
		back.Cursor = &c
	}
	page, _, err := ui.tasks.Query(ctx, userID, back)
	if err != nil {
		return nil, err
	}
	before := page.Tasks
	if q.Sort == task.SortDue {
		// A list by due is the tasks with a due, then those without, in either direction; so
		// is the list read backwards. Before a task with a due come only tasks with one; before
		// a task without, those without, then all that have one.
		if (first != nil && first.Due != nil) || (first == nil && !q.Cursor.NoDue) {
			before = withDue(before)
		} else if len(before) <= pageSize {
			dues := back
			dues.Cursor, dues.Limit = nil, pageSize+1-len(before)
			page, _, err := ui.tasks.Query(ctx, userID, dues)
			if err != nil {
				return nil, err
			}
			before = append(before, withDue(page.Tasks)...)
		}
	}
	if len(before) <= pageSize {
		return nil, nil
	}
	return task.CursorAfter(before[pageSize], q.Sort, q.Desc, loc), nil
}

// withDue is the run of tasks with a due at the start of tasks.
func withDue(tasks []task.Task) []task.Task {
	for i, t := range tasks {
		if t.Due == nil {
			return tasks[:i]
		}
	}
	return tasks
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
