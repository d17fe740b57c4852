package load

import (
	"encoding/json"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"todo/internal/task"
)

var workloads = map[string]*workload{APIv1: v1Workload(), APIv2: v2Workload(time.Now().UTC())}

func TestOpForSplitsAHundredAsTheMix(t *testing.T) {
	for api, w := range workloads {
		var got [numOps]int
		for n := range 100 {
			got[w.opFor(n)]++
		}
		if got != w.mix {
			t.Errorf("%s: requests per 100: got %v, want %v", api, got, w.mix)
		}
	}
	if want := [numOps]int{opList: 40, opCreate: 25, opGet: 10, opPatch: 10, opToggle: 10, opDelete: 5}; workloads[APIv1].mix != want {
		t.Errorf("v1 mix: got %v, want the issue's %v", workloads[APIv1].mix, want)
	}
}

// A user with tasks and a next page sends the mix; the draw must not favour any operation.
func TestUsersDrawTheMix(t *testing.T) {
	for api, w := range workloads {
		t.Run(api, func(t *testing.T) {
			u := &virtualUser{work: w, rng: newRNG(), nextPage: "limit=50&cursor=c",
				tasks: []ownTask{{id: "a", etag: `"1.a"`}, {id: "b"}, {id: "c", etag: `"3.c"`}}}
			const draws = 200_000
			var got [numOps]int
			for range draws {
				req, index := u.next()
				got[req.op]++
				if req.op.needsTask() && (index < 0 || req.taskID != u.tasks[index].id) {
					t.Fatalf("%s: task %q at index %d, want one of the user's tasks", req.op, req.taskID, index)
				}
			}
			for o := range numOps {
				share := float64(got[o]) / draws
				if want := float64(w.mix[o]) / 100; math.Abs(share-want) > 0.005 {
					t.Errorf("%s: share %.4f, want %.2f", o, share, want)
				}
			}
		})
	}
}

func TestUserWithoutTasksOrNextPageListsOrCreates(t *testing.T) {
	for api, w := range workloads {
		u := &virtualUser{work: w, rng: newRNG()}
		for range 1000 {
			if req, _ := u.next(); req.op != opList && req.op != opSearch && req.op != opCreate {
				t.Fatalf("%s: a user without tasks or next page sent %s", api, req.op)
			}
		}
	}
}

// The requests of v2 are what the API takes: the server's answers prove it in the runs
// against the app; here, that they vary as the workload says.
func TestV2RequestsVary(t *testing.T) {
	u := &virtualUser{work: workloads[APIv2], rng: newRNG(), tasks: []ownTask{{id: "a", etag: `"1.a"`}}}
	params, patched := map[string]bool{}, map[string]bool{}
	for range 2000 {
		for _, o := range []op{opList, opSearch} {
			q, err := url.ParseQuery(u.request(o, -1).query)
			if err != nil {
				t.Fatal(err)
			}
			if q.Get("limit") != "50" || q.Get("sort") == "" {
				t.Fatalf("%s: query %v, want a page of 50 in a sort", o, q)
			}
			for k, vs := range q {
				for _, v := range vs {
					params[k+"="+v] = true
				}
			}
		}
		var draft v2Draft
		if err := json.Unmarshal(u.request(opCreate, -1).body, &draft); err != nil || draft.Title == "" {
			t.Fatalf("create body: %v, %+v", err, draft)
		}
		patch := u.request(opPatch, 0)
		var change map[string]any
		if err := json.Unmarshal(patch.body, &change); err != nil || len(change) != 1 || patch.ifMatch != `"1.a"` {
			t.Fatalf("patch: body %s (%v), If-Match %q; want one change and the task's ETag", patch.body, err, patch.ifMatch)
		}
		for k, v := range change {
			if v == nil {
				k += " null"
			}
			patched[k] = true
		}
	}
	for _, want := range []string{"status=open", "status=completed", "priority=high", "tag=work", "due=overdue",
		"due=today", "due=upcoming", "due=none", "due=any", "order=asc", "order=desc", "q=week", "q=pre", "q=pay bill"} {
		if !params[want] {
			t.Errorf("no list or search with %s", want)
		}
	}
	for _, s := range v2Sorts {
		if !params["sort="+s] {
			t.Errorf("no list or search sorted by %s", s)
		}
	}
	for _, want := range []string{"title", "description", "priority", "tags", "due", "due null"} {
		if !patched[want] {
			t.Errorf("no patch of %s", want)
		}
	}
}

// Every search of v2 finds words of the tasks, as the server's search folds them (the last
// word of a query may be the start of one).
func TestV2SearchesFindTasks(t *testing.T) {
	var terms []string
	for _, s := range slices.Concat(v2Titles, v2Descriptions) {
		terms = append(terms, task.SearchTerms(s, "", nil)...)
	}
	for _, q := range v2Searches {
		for _, word := range task.SearchTerms(q, "", nil) {
			if !slices.ContainsFunc(terms, func(term string) bool { return strings.HasPrefix(term, word) }) {
				t.Errorf("search %q: no task has a word starting with %q", q, word)
			}
		}
	}
}

func TestApplyKeepsTheUsersTasksAndNextPage(t *testing.T) {
	u := &virtualUser{tasks: []ownTask{{id: "a"}, {id: "b", etag: "1"}, {id: "c"}}}
	u.apply(request{op: opCreate}, -1, answer{createdID: "d", etag: "4"})
	u.apply(request{op: opDelete}, 0, answer{})
	u.apply(request{op: opToggle}, 1, answer{etag: "2"})
	if want := []ownTask{{id: "d", etag: "4"}, {id: "b", etag: "2"}, {id: "c"}}; !slices.Equal(u.tasks, want) {
		t.Errorf("tasks: got %v, want %v", u.tasks, want)
	}

	steps := []struct {
		req      request
		next     string
		wantNext string
	}{
		{request{op: opList, query: "status=open&limit=50"}, "c1", "status=open&limit=50&cursor=c1"},
		{request{op: opSearch, query: "q=week&limit=50"}, "", "status=open&limit=50&cursor=c1"}, // one page only
		{request{op: opNext, query: "status=open&limit=50&cursor=c1"}, "c/2=", "status=open&limit=50&cursor=c%2F2%3D"},
		{request{op: opNext, query: "status=open&limit=50&cursor=c%2F2%3D"}, "", ""}, // the last page
	}
	for _, s := range steps {
		u.apply(s.req, -1, answer{next: s.next})
		if u.nextPage != s.wantNext {
			t.Errorf("after %s %q with next %q: next page %q, want %q", s.req.op, s.req.query, s.next, u.nextPage, s.wantNext)
		}
	}
}

func TestNextCursorOfAPage(t *testing.T) {
	tests := []struct{ page, want string }{
		{`{"tasks":[],"total":0,"next_cursor":null}`, ""},
		{`{"tasks":[{"description":"\"next_cursor\":\"no\""}],"total":51,"next_cursor":"eyJzIjoiY3JlYXRlZCJ9"}` + "\n", "eyJzIjoiY3JlYXRlZCJ9"},
		{`{"tasks":[{"description":"\"next_cursor\":\"no\""}],"total":1,"next_cursor":null}`, ""},
		{`{"tasks":[],"total":0}`, ""}, // v1
	}
	for _, tt := range tests {
		if got := nextCursor([]byte(tt.page)); got != tt.want {
			t.Errorf("nextCursor(%s): got %q, want %q", tt.page, got, tt.want)
		}
	}
}
