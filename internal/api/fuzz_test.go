package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"todo/internal/apptest"
	"todo/internal/database"
)

// fuzzServer is one application on a real SQLite file, driven in-process for speed.
type fuzzServer struct {
	handler http.Handler
	token   string
	taskID  string
}

func newFuzzServer(f *testing.F) *fuzzServer {
	s := apptest.Start(f, database.SQLite, nil)
	u := s.SignUp(f, "fuzz@example.com")
	fs := &fuzzServer{handler: s.App.Handler(), token: u.Token}
	var tk taskJSON
	s.Do(f, "POST", "/api/v1/tasks", u.Token, map[string]any{"title": "target"}).JSON(f, &tk)
	fs.taskID = tk.ID
	return fs
}

func (fs *fuzzServer) do(method, target string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+fs.token)
	rec := httptest.NewRecorder()
	fs.handler.ServeHTTP(rec, req)
	return rec
}

// checkAnswer holds for every answer: no 5xx, a JSON body with a detail on errors, and a task
// that obeys the rules on success.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, okStatus int) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("server error %d: %s", rec.Code, rec.Body)
	}
	if rec.Code != okStatus {
		var e errorJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Detail == nil || e.Detail == "" {
			t.Fatalf("%d without a JSON detail: %q", rec.Code, rec.Body)
		}
		return
	}
	var tk taskJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &tk); err != nil {
		t.Fatalf("%d body is not a task: %v", rec.Code, err)
	}
	n := utf8.RuneCountInString(tk.Title)
	if n < 1 || n > 200 || tk.Title != strings.TrimFunc(tk.Title, isSpace) || strings.ContainsRune(tk.Title, 0) {
		t.Fatalf("stored title breaks the rules: %q", tk.Title)
	}
	if utf8.RuneCountInString(tk.Description) > 1000 || tk.Description != strings.TrimFunc(tk.Description, isSpace) {
		t.Fatalf("stored description breaks the rules: %q", tk.Description)
	}
}

// isSpace is Python's str.isspace for one character: Unicode White_Space and U+001C to U+001F
// (the task package checks this against Python on every code point).
func isSpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

func FuzzCreateBody(f *testing.F) {
	for _, seed := range []string{
		`{"title":"Buy milk"}`, `{"title":"  x  ","description":" y "}`, `{"title":""}`, `{"title":null}`,
		`{"title":"\u0000"}`, `{"title":"\u001c\u3000"}`, `{"title":5}`, `[]`, `{`, `null`, "{\"title\":\"\xff\"}",
		`{"title":"` + strings.Repeat("é", 200) + `"}`, `{"title":"a","description":"` + strings.Repeat("d", 1001) + `"}`,
		`{"title":"a","extra":{"nested":[1,2,{}]}}`, `{"title":"a","title":"b"}`,
	} {
		f.Add([]byte(seed))
	}
	fs := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAnswer(t, fs.do("POST", "/api/v1/tasks", body), http.StatusCreated)
	})
}

func FuzzPatchBody(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"title":"new"}`, `{"completed":true}`, `{"completed":null}`, `{"description":null}`,
		`{"title":"   "}`, `{"completed":"yes"}`, `{"title":"a\u0000"}`, `"string"`, `{"id":"x","user_id":"y"}`,
	} {
		f.Add([]byte(seed))
	}
	fs := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAnswer(t, fs.do("PATCH", "/api/v1/tasks/"+fs.taskID, body), http.StatusOK)
	})
}

func FuzzListQuery(f *testing.F) {
	for _, seed := range []string{
		"", "completed=true", "completed=NO", "completed=", "completed=maybe", "limit=0", "limit=1000",
		"limit=1001", "limit=-1", "offset=5", "offset=-1", "limit=1e3", "offset=99999999999999999999",
		"limit=50&offset=0&completed=t", "limit=%00", "completed=%ff",
	} {
		f.Add(seed)
	}
	fs := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, query string) {
		rec := fs.do("GET", "/api/v1/tasks?"+url.PathEscape(query), nil)
		if rec.Code >= 500 {
			t.Fatalf("server error %d for %q: %s", rec.Code, query, rec.Body)
		}
		if rec.Code == http.StatusOK {
			var l listJSON
			if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil || l.Tasks == nil || l.Total < int64(len(l.Tasks)) {
				t.Fatalf("bad list for %q: %s", query, rec.Body)
			}
		}
	})
}

func FuzzListV2Query(f *testing.F) {
	for _, seed := range []string{
		"", "q=caf", "q=%E7%89%9B%E4%B9%B3", "q=!!!", "q=a%20b%20", "status=open&sort=due&order=desc",
		"priority=high&priority=low", "tag=work&tag=Home", "due=overdue&due=today", "due=soon",
		"due_after=2026-12-01&due_before=2026-02-30", "sort=title&limit=0", "cursor=bm9wZQ", "cursor=%00",
		"cursor=eyJzIjoiZHVlIiwibiI6dHJ1ZSwiaWQiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAifQ&sort=due",
		"offset=3&cursor=x", "tag=" + strings.Repeat("t", 40), "limit=1001",
	} {
		f.Add(seed)
	}
	fs := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, query string) {
		rec := fs.do("GET", "/api/v2/tasks?"+url.PathEscape(query), nil)
		if rec.Code >= 500 {
			t.Fatalf("server error %d for %q: %s", rec.Code, query, rec.Body)
		}
		if rec.Code == http.StatusOK {
			var p pageV2JSON
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Tasks == nil || p.Total < int64(len(p.Tasks)) {
				t.Fatalf("bad page for %q: %s", query, rec.Body)
			}
		}
	})
}

func FuzzCreateV2Body(f *testing.F) {
	for _, seed := range []string{
		`{"title":"x","priority":"high","tags":["a","A"," b "]}`, `{"title":"x","tags":[""]}`, `{"title":"x","tags":null}`,
		`{"title":"x","due":{"date":"2026-12-24"}}`, `{"title":"x","due":{"date":"2026-12-24","time":"24:00"}}`,
		`{"title":"x","due":{"at":"2026-12-24T13:30:00+01:00"}}`, `{"title":"x","due":{"at":"2026-12-24","date":"2026-12-24"}}`,
		`{"title":"x","due":{}}`, `{"title":"x","due":null}`, `{"title":"x","repeat":{"rule":"RRULE:FREQ=WEEKLY;BYDAY=MO"}}`,
		`{"title":"x","repeat":{"rule":"FREQ=MONTHLY;BYMONTHDAY=31;COUNT=0"}}`, `{"title":"x","repeat":{"rule":""}}`,
		`{"title":"x","repeat":{"rule":"RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3"},"due":{"date":"2026-02-29"}}`,
	} {
		f.Add([]byte(seed))
	}
	fs := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAnswer(t, fs.do("POST", "/api/v2/tasks", body), http.StatusCreated)
	})
}
