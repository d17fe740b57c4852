package web

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"todo/internal/apperr"
	"todo/internal/task"
)

// pageSize is the number of tasks on one page of the list.
const pageSize = task.DefaultPageSize

// maxSearchLength bounds the search box, as the v2 API's q.
const maxSearchLength = 200

// view is which tasks the list starts from, before any filter.
type view string

const (
	viewAll      view = ""
	viewToday    view = "today"    // due today, and overdue
	viewUpcoming view = "upcoming" // due today or in the six days after, by day
)

// name is the view's name in the URL and in ids.
func (v view) name() string {
	if v == viewAll {
		return "all"
	}
	return string(v)
}

// views are the views in the order of their links.
var views = []struct {
	view        view
	label, icon string
}{
	{viewAll, "All", "inbox"},
	{viewToday, "Today", "today"},
	{viewUpcoming, "Upcoming", "upcoming"},
}

// statuses are the names of the status filter in the URL, in the order of its links.
var statuses = []struct {
	name   string
	status task.Status
	label  string
}{
	{"all", task.StatusAll, "All"},
	{"open", task.StatusOpen, "Open"},
	{"completed", task.StatusCompleted, "Completed"},
}

// sortLabels name the sorts in the sort menu.
var sortLabels = []struct {
	sort  task.Sort
	label string
}{
	{task.SortCreated, "Date added"},
	{task.SortDue, "Due date"},
	{task.SortPriority, "Priority"},
	{task.SortTitle, "Title"},
	{task.SortUpdated, "Last changed"},
}

// listState is what the URL of the list says: the view, the filters, the search, the sort and
// where the page starts. Every link and form of the list carries it, so that after any change
// the user is back on the list they were looking at, and the back button and reload work.
type listState struct {
	View     view
	Status   task.Status
	Priority string // a priority's name, or "" for any
	Tag      string
	Q        string
	Sort     task.Sort
	Desc     bool
	// Cursor is where the page starts (after the last task of the page before); nil on the
	// first page.
	Cursor *task.Cursor
}

// defaultState is the first page of a view with no filter, in the view's order: Today and
// Upcoming show open tasks, soonest first; All, everything, newest first.
func defaultState(v view) listState {
	switch v {
	case viewToday, viewUpcoming:
		return listState{View: v, Status: task.StatusOpen, Sort: task.SortDue}
	}
	return listState{View: v, Status: task.StatusAll, Sort: task.SortCreated, Desc: true}
}

// defaultDesc is the direction of a sort when the URL names none, as the v2 API's: the newest,
// latest changed and most important first; due dates and titles from the start.
func defaultDesc(s task.Sort) bool {
	return s == task.SortCreated || s == task.SortUpdated || s == task.SortPriority
}

// badState is the refusal of an address whose state cannot be read: a link that was edited by
// hand, or has aged (a page link of a sort that no longer applies).
func badState(format string, args ...any) error {
	return &apperr.Error{Kind: apperr.BadRequest, Code: "BAD_LIST_ADDRESS", Message: fmt.Sprintf(format, args...)}
}

// listStateFrom reads the state from a query. Parameters it does not know are left alone (a
// form's other fields); a value it does not know is refused with a message that says what
// would do, rather than quietly showing another list than the one asked for.
func listStateFrom(v url.Values) (listState, error) {
	var s listState
	switch name := v.Get("view"); name {
	case "", "all":
		s = defaultState(viewAll)
	case string(viewToday), string(viewUpcoming):
		s = defaultState(view(name))
	default:
		return s, badState("There is no view %q: choose all, today or upcoming.", name)
	}
	if name := v.Get("status"); name != "" {
		found := false
		for _, st := range statuses {
			if st.name == name {
				s.Status, found = st.status, true
			}
		}
		if !found {
			return s, badState("There is no status %q: choose all, open or completed.", name)
		}
	}
	if name := v.Get("priority"); name != "" {
		p, ok := task.ParsePriority(name)
		if !ok {
			return s, badState("There is no priority %q: choose high, medium, low or none.", name)
		}
		s.Priority = p.String()
	}
	if tag := strings.TrimPrefix(strings.TrimSpace(v.Get("tag")), "#"); tag != "" {
		name, err := task.CleanTag(tag)
		if err != nil {
			return s, badState("%q is not a tag name: a tag has 1 to %d characters and no commas.", tag, task.MaxTagLength)
		}
		s.Tag = name
	}
	s.Q = strings.TrimSpace(v.Get("q"))
	if !utf8.ValidString(s.Q) || utf8.RuneCountInString(s.Q) > maxSearchLength {
		return s, badState("A search may have at most %d characters.", maxSearchLength)
	}
	// Upcoming is a calendar of the days ahead: it is always in the order of the dues.
	if name := v.Get("sort"); name != "" && s.View != viewUpcoming {
		sort, ok := task.ParseSort(name)
		if !ok {
			return s, badState("There is no sort %q: choose created, due, priority, title or updated.", name)
		}
		s.Sort, s.Desc = sort, defaultDesc(sort)
	}
	switch order := v.Get("order"); {
	case order == "" || s.View == viewUpcoming:
	case order == "asc":
		s.Desc = false
	case order == "desc":
		s.Desc = true
	default:
		return s, badState("There is no order %q: choose asc or desc.", order)
	}
	if raw := v.Get("cursor"); raw != "" {
		c, err := task.ParseCursor(raw)
		if err != nil {
			return s, badState("This page link is broken. Start again from the first page.")
		}
		if c.Sort != s.Sort || c.Desc != s.Desc {
			return s, badState("This page link belongs to another order of the list. Start again from the first page.")
		}
		s.Cursor = c
	}
	return s, nil
}

// Values are the state's fields that differ from the view's defaults, for a URL or hidden
// form fields.
func (s listState) Values() url.Values {
	v := url.Values{}
	d := defaultState(s.View)
	if s.View != viewAll {
		v.Set("view", string(s.View))
	}
	if s.Status != d.Status {
		v.Set("status", s.statusName())
	}
	if s.Priority != "" {
		v.Set("priority", s.Priority)
	}
	if s.Tag != "" {
		v.Set("tag", s.Tag)
	}
	if s.Q != "" {
		v.Set("q", s.Q)
	}
	if s.Sort != d.Sort {
		v.Set("sort", s.Sort.String())
	}
	if s.Desc != defaultDesc(s.Sort) {
		v.Set("order", map[bool]string{false: "asc", true: "desc"}[s.Desc])
	}
	if s.Cursor != nil {
		v.Set("cursor", s.Cursor.String())
	}
	return v
}

func (s listState) statusName() string {
	for _, st := range statuses {
		if st.status == s.Status {
			return st.name
		}
	}
	return ""
}

// URL is the canonical address of the list in this state: "/", "/?view=today&tag=work", …
func (s listState) URL() string { return "/" + s.Query() }

// Query is the state as a query string, "?view=today", or "" in the default state.
func (s listState) Query() string {
	if q := s.Values().Encode(); q != "" {
		return "?" + q
	}
	return ""
}

// FilterValues are the state's fields that the filter form does not have (the view and the
// status), as its hidden fields.
func (s listState) FilterValues() url.Values {
	v := s.WithoutCursor().Values()
	for _, name := range []string{"priority", "tag", "q", "sort", "order"} {
		v.Del(name)
	}
	return v
}

// WithoutCursor is the first page of the same list.
func (s listState) WithoutCursor() listState {
	s.Cursor = nil
	return s
}

// WithCursor is the same list from another place on; nil is the first page.
func (s listState) WithCursor(c *task.Cursor) listState {
	s.Cursor = c
	return s
}

// WithStatus is the first page of the same list under another status filter.
func (s listState) WithStatus(st task.Status) listState {
	s.Status, s.Cursor = st, nil
	return s
}

// Filtered tells whether a filter or a search narrows the view.
func (s listState) Filtered() bool {
	return s.Priority != "" || s.Tag != "" || s.Q != "" || s.Status != defaultState(s.View).Status
}

// SortLocked tells whether the view has an order of its own (Upcoming, by day).
func (s listState) SortLocked() bool { return s.View == viewUpcoming }

// query is the task service's query of the state's page.
func (s listState) query() task.Query {
	q := task.Query{Search: task.ParseSearch(s.Q), Status: s.Status, Sort: s.Sort, Desc: s.Desc, Limit: pageSize, Cursor: s.Cursor}
	if p, ok := task.ParsePriority(s.Priority); ok && s.Priority != "" {
		q.Priorities = []task.Priority{p}
	}
	if s.Tag != "" {
		q.Tags = []string{s.Tag}
	}
	switch s.View {
	case viewToday:
		q.Due = []task.DueFilter{task.DueOverdue, task.DueToday}
	case viewUpcoming:
		q.Due = []task.DueFilter{task.DueUpcoming}
	}
	return q
}
