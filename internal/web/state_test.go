package web

import (
	"net/url"
	"testing"

	"github.com/google/uuid"

	"todo/internal/task"
)

// TestStateAddressesRoundTrip: the address of a state reads back as the same state, so that
// a link, a reload and the back button all show the same list.
func TestStateAddressesRoundTrip(t *testing.T) {
	cursor := task.CursorAfter(task.Task{ID: uuid.New(), Title: "x"}, task.SortTitle, true, nil)
	for _, s := range []listState{
		defaultState(viewAll),
		defaultState(viewToday),
		defaultState(viewUpcoming),
		{View: viewAll, Status: task.StatusOpen, Priority: "high", Tag: "work", Q: "café au lait", Sort: task.SortTitle, Desc: true, Cursor: cursor},
		{View: viewToday, Status: task.StatusAll, Sort: task.SortPriority, Desc: false},
		{View: viewUpcoming, Status: task.StatusCompleted, Sort: task.SortDue, Tag: "日本語"},
	} {
		u, err := url.Parse(s.URL())
		if err != nil {
			t.Fatal(err)
		}
		got, err := listStateFrom(u.Query())
		if err != nil {
			t.Errorf("%s: %v", s.URL(), err)
			continue
		}
		if got.URL() != s.URL() {
			t.Errorf("%s reads back as %s", s.URL(), got.URL())
		}
	}
	if got := defaultState(viewAll).URL(); got != "/" {
		t.Errorf("the default list is at %q, want /", got)
	}
}
