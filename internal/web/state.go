package web

import (
	"net/url"
	"strconv"

	"todo/internal/task"
)

// pageSize is the number of tasks on one page of the list.
const pageSize = task.DefaultPageSize

// maxPage keeps page numbers from a URL far from overflowing the offset.
const maxPage = 1 << 30

// filter is which tasks the list shows; the zero value shows them all.
type filter string

const (
	showAll       filter = ""
	showActive    filter = "active"
	showCompleted filter = "completed"
)

// filters are the list's filters in the order of their links.
var filters = []struct {
	filter filter
	label  string
}{
	{showAll, "All"},
	{showActive, "Active"},
	{showCompleted, "Completed"},
}

func parseFilter(s string) filter {
	switch f := filter(s); f {
	case showActive, showCompleted:
		return f
	}
	return showAll
}

// completed is the task service's filter for f.
func (f filter) completed() *bool {
	switch f {
	case showActive:
		return new(false)
	case showCompleted:
		return new(true)
	}
	return nil
}

// listState is what the URL of the list says: its filter and page. Every form of the list
// carries it, so that after any change the user comes back to the list they were looking at.
type listState struct {
	Filter filter
	Page   int
}

// listStateFrom reads the state from a query or form; anything unknown falls back to the
// default rather than failing, since the state only ever came from our own links.
func listStateFrom(v url.Values) listState {
	page, err := strconv.Atoi(v.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	return listState{Filter: parseFilter(v.Get("filter")), Page: min(page, maxPage)}
}

// Values are the state's non-default fields, for a URL or hidden form fields.
func (s listState) Values() url.Values {
	v := url.Values{}
	if s.Filter != showAll {
		v.Set("filter", string(s.Filter))
	}
	if s.Page > 1 {
		v.Set("page", strconv.Itoa(s.Page))
	}
	return v
}

// URL is the canonical address of the list in this state: "/", "/?filter=active&page=2", …
func (s listState) URL() string { return "/" + s.Query() }

// Query is the state as a query string, "?filter=active", or "" in the default state.
func (s listState) Query() string {
	if q := s.Values().Encode(); q != "" {
		return "?" + q
	}
	return ""
}

// WithPage is the same list at another page.
func (s listState) WithPage(page int) listState {
	s.Page = page
	return s
}

// WithFilter is the first page of the list under another filter.
func (s listState) WithFilter(f filter) listState {
	return listState{Filter: f, Page: 1}
}

func (s listState) offset() int64 { return int64(s.Page-1) * pageSize }

// lastPage is the number of the last page of a list of n tasks; an empty list has page 1.
func lastPage(n int64) int {
	if n <= 0 {
		return 1
	}
	return int((n + pageSize - 1) / pageSize)
}
