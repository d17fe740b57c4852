package calendar_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/recur"
	"todo/internal/task"
)

// parsed is what testdata/parse_ics.py, python3-icalendar and python3-dateutil, read of a feed.
type parsed struct {
	Calendar   map[string]*string `json:"calendar"`
	Components []component        `json:"components"`
	Timezones  map[string][]int   `json:"timezones"`
}

type component struct {
	Type, UID, Summary string
	Description        *string
	DTStart            *when `json:"dtstart"`
	DTEnd              *when `json:"dtend"`
	Due                *when
	Duration           *int
	DTStamp            *when `json:"dtstamp"`
	LastModified       *when `json:"last_modified"`
	Completed          *when
	Status             *string
	Priority           *int
	Categories         []string
	RRule              *string
	Occurrences        []string
}

// when is a DATE ({"date"}) or a DATE-TIME (its instant in UTC, its local time, and its TZID
// when it has one).
type when struct {
	Date, UTC, Local, TZID string
}

var (
	pythonOnce sync.Once
	pythonPath string
	pythonErr  error
)

// python finds a Python with python3-icalendar: Debian's /usr/bin/python3, where the package
// installs it, then python3 on the PATH. Under CI=true its absence fails the test.
func python(t *testing.T) string {
	t.Helper()
	pythonOnce.Do(func() {
		pythonErr = fmt.Errorf("no python3 with icalendar (apt-get install python3-icalendar)")
		for _, p := range []string{"/usr/bin/python3", "python3"} {
			if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import icalendar, dateutil").Run() == nil {
				pythonPath, pythonErr = path, nil
				return
			}
		}
	})
	if pythonErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-icalendar is required in CI: %v", pythonErr)
		}
		t.Skipf("python3-icalendar not available: %v", pythonErr)
	}
	return pythonPath
}

// parse reads a feed with the Python parser; the offsets of its VTIMEZONEs are asked at instants.
func parse(t *testing.T, feed []byte, instants ...time.Time) parsed {
	t.Helper()
	args := []string{"testdata/parse_ics.py"}
	for _, i := range instants {
		args = append(args, i.UTC().Format(time.RFC3339))
	}
	cmd := exec.Command(python(t), args...)
	cmd.Stdin = bytes.NewReader(feed)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3-icalendar cannot read the feed: %v\n%s\nfeed:\n%s", err, stderr.String(), feed)
	}
	var p parsed
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("parser output: %v\n%s", err, out)
	}
	return p
}

func (p parsed) byUID(t *testing.T) map[string]component {
	t.Helper()
	m := map[string]component{}
	for _, c := range p.Components {
		if _, dup := m[c.UID]; dup {
			t.Errorf("UID %s twice in the feed", c.UID)
		}
		m[c.UID] = c
	}
	return m
}

// created is a task the test made, with what the feed must show of it.
type created struct {
	ID   string
	Due  task.Due
	Rule *recur.Rule
	Done int // occurrences done when the feed is read
}

func (c created) uid() string { return c.ID + "@127.0.0.1" }

// occurrences are the local times of the task's next six dues, as the app computes them.
func (c created) occurrences(loc *time.Location) []string {
	due, done := c.Due, c.Done
	var out []string
	for len(out) < 6 {
		if due.AllDay() {
			out = append(out, due.Date.String()+"T00:00:00")
		} else {
			out = append(out, due.At.In(loc).Format("2006-01-02T15:04:05"))
		}
		early := due.Key(loc).Add(-time.Hour) // done before it was due: the next one is the rule's next
		next, ok := c.Rule.Next(due, done+1, early, loc)
		if !ok {
			break
		}
		due, done = next, done+1
	}
	return out
}

type taskBody struct {
	ID string `json:"id"`
}

func createTask(t *testing.T, s *apptest.Server, token string, body map[string]any) string {
	t.Helper()
	r := s.Do(t, "POST", "/api/v2/tasks", token, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create %v: %d %s", body, r.Status, r.Body)
	}
	var tb taskBody
	r.JSON(t, &tb)
	return tb.ID
}

func toggle(t *testing.T, s *apptest.Server, token, id string) {
	t.Helper()
	if r := s.Do(t, "POST", "/api/v2/tasks/"+id+"/toggle", token, nil); r.Status != http.StatusOK {
		t.Fatalf("toggle: %d %s", r.Status, r.Body)
	}
}

func rule(t *testing.T, s string) *recur.Rule {
	t.Helper()
	r, err := recur.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return &r
}

// feedURL makes (or rotates) the user's feed and returns its path on the server.
func feedURL(t *testing.T, s *apptest.Server, token string) string {
	t.Helper()
	r := s.Do(t, "POST", "/api/v2/calendar", token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("POST /api/v2/calendar: %d %s", r.Status, r.Body)
	}
	var out struct{ URL string }
	r.JSON(t, &out)
	path, ok := strings.CutPrefix(out.URL, s.URL+"/calendar/")
	if !ok || !strings.HasSuffix(path, ".ics") {
		t.Fatalf("feed URL %q is not %s/calendar/<token>.ics", out.URL, s.URL)
	}
	return "/calendar/" + path
}

func TestFeedParsesAsTheTasks(t *testing.T) {
	python(t)
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, nil)
		alice, bob := s.SignUp(t, "alice@example.com"), s.SignUp(t, "bob@example.com")
		paris, _ := time.LoadLocation("Europe/Paris")
		if r := s.Do(t, "PATCH", "/api/v2/settings", alice.Token, map[string]string{"time_zone": "Europe/Paris"}); r.Status != http.StatusOK {
			t.Fatalf("settings: %d %s", r.Status, r.Body)
		}
		year := time.Now().Year() + 1
		date := func(m time.Month, d int) task.Date { return task.Date{Year: year, Month: m, Day: d} }
		monday := date(time.March, 2)
		for monday.Weekday() != time.Monday {
			monday = monday.AddDays(1)
		}

		allDay := created{Due: task.Due{Date: date(time.December, 24)}}
		allDay.ID = createTask(t, s, alice.Token, map[string]any{"title": "Buy gifts", "description": "For everyone; twice, too",
			"priority": "high", "tags": []string{"xmas", "home"}, "due": map[string]string{"date": allDay.Due.Date.String()}})
		timed := created{Due: task.DueAt(date(time.July, 14), 14, 30, paris)}
		timed.ID = createTask(t, s, alice.Token, map[string]any{"title": "Call the bank", "priority": "low",
			"due": map[string]string{"date": date(time.July, 14).String(), "time": "14:30"}})
		weekly := created{Due: task.Due{Date: monday}, Rule: rule(t, "RRULE:FREQ=WEEKLY;BYDAY=MO,TH")}
		weekly.ID = createTask(t, s, alice.Token, map[string]any{"title": "Gym", "due": map[string]string{"date": monday.String()},
			"repeat": map[string]string{"rule": weekly.Rule.String()}})
		// Timed, in a zone with summer time, on a day that four months of six lack.
		monthEnd := created{Due: task.DueAt(date(time.January, 31), 9, 30, paris), Rule: rule(t, "RRULE:FREQ=MONTHLY;BYMONTHDAY=31")}
		monthEnd.ID = createTask(t, s, alice.Token, map[string]any{"title": "Pay the rent", "priority": "medium",
			"due": map[string]string{"date": date(time.January, 31).String(), "time": "09:30"}, "repeat": map[string]string{"rule": monthEnd.Rule.String()}})
		leapYear := year
		for leapYear%4 != 0 {
			leapYear++
		}
		leap := created{Due: task.Due{Date: task.Date{Year: leapYear, Month: time.February, Day: 29}}, Rule: rule(t, "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29")}
		leap.ID = createTask(t, s, alice.Token, map[string]any{"title": "Leap day", "due": map[string]string{"date": leap.Due.Date.String()},
			"repeat": map[string]string{"rule": leap.Rule.String()}})
		// Five times, one of them done: four to come, from its next due.
		counted := created{Due: task.Due{Date: date(time.May, 1)}, Rule: rule(t, "RRULE:FREQ=DAILY;INTERVAL=2;COUNT=5")}
		counted.ID = createTask(t, s, alice.Token, map[string]any{"title": "Pills", "due": map[string]string{"date": date(time.May, 1).String()},
			"repeat": map[string]string{"rule": counted.Rule.String()}})
		toggle(t, s, alice.Token, counted.ID)
		counted.Due, counted.Done = task.Due{Date: date(time.May, 3)}, 1
		fromDone := created{Due: task.Due{Date: date(time.June, 1)}}
		fromDone.ID = createTask(t, s, alice.Token, map[string]any{"title": "Water the plants", "due": map[string]string{"date": date(time.June, 1).String()},
			"repeat": map[string]string{"rule": "RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3"}})
		done := created{Due: task.Due{Date: date(time.February, 2)}}
		done.ID = createTask(t, s, alice.Token, map[string]any{"title": "Done already", "tags": []string{"old"}, "due": map[string]string{"date": date(time.February, 2).String()}})
		toggle(t, s, alice.Token, done.ID)
		longTitle := strings.Repeat("Café 日本 ", 20)
		long := created{Due: task.Due{Date: date(time.August, 8)}}
		long.ID = createTask(t, s, alice.Token, map[string]any{"title": longTitle, "description": "Line one\r\nLine two\x07, ok",
			"due": map[string]string{"date": date(time.August, 8).String()}})
		createTask(t, s, alice.Token, map[string]any{"title": "No due"})
		bobs := createTask(t, s, bob.Token, map[string]any{"title": "Bob's secret", "due": map[string]string{"date": date(time.March, 3).String()}})
		feed := feedURL(t, s, alice.Token)
		feedURL(t, s, bob.Token)

		r := s.Do(t, "GET", feed, "", nil)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("GET the feed: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		var instants []time.Time
		for i := range 24 * 3 {
			instants = append(instants, time.Date(year-1, time.January, 15, 12, 0, 0, 0, time.UTC).AddDate(0, i/2, 15*(i%2)))
		}
		events := parse(t, r.Body, instants...)

		for name, want := range map[string]string{"VERSION": "2.0", "X-WR-CALNAME": "Todo", "X-WR-TIMEZONE": "Europe/Paris",
			"REFRESH-INTERVAL": "PT1H", "X-PUBLISHED-TTL": "PT1H", "PRODID": "-//Todo//Calendar feed//EN"} {
			if got := events.Calendar[name]; got == nil || *got != want {
				t.Errorf("calendar %s = %v, want %q", name, got, want)
			}
		}
		offsets := events.Timezones["Europe/Paris"]
		if len(offsets) != len(instants) {
			t.Fatalf("the feed describes no Europe/Paris: %v", events.Timezones)
		}
		for i, at := range instants {
			if _, want := at.In(paris).Zone(); offsets[i] != want {
				t.Errorf("the VTIMEZONE's offset at %v is %d s, Go says %d s", at, offsets[i], want)
			}
		}

		got := events.byUID(t)
		wantUIDs := []string{allDay.uid(), timed.uid(), weekly.uid(), monthEnd.uid(), leap.uid(), counted.uid(), fromDone.uid(), long.uid()}
		if len(got) != len(wantUIDs) {
			t.Errorf("the event feed has %d events, want %d (the open tasks with a due): %v", len(got), len(wantUIDs), events.Components)
		}
		for _, uid := range wantUIDs {
			c, ok := got[uid]
			if !ok {
				t.Errorf("no event %s", uid)
				continue
			}
			if c.Type != "VEVENT" || c.DTStamp == nil || c.LastModified == nil {
				t.Errorf("%s: %s, DTSTAMP %v, LAST-MODIFIED %v", uid, c.Type, c.DTStamp, c.LastModified)
			}
		}
		for _, uid := range []string{done.uid(), bobs + "@127.0.0.1"} {
			if _, ok := got[uid]; ok {
				t.Errorf("the event feed shows %s (completed, or another user's)", uid)
			}
		}
		if bytes.Contains(r.Body, []byte("Bob's secret")) {
			t.Error("alice's feed shows bob's task")
		}

		c := got[allDay.uid()]
		if c.Summary != "Buy gifts" || c.Description == nil || *c.Description != "For everyone; twice, too" ||
			!slices.Equal(c.Categories, []string{"xmas", "home"}) || c.Priority == nil || *c.Priority != 1 {
			t.Errorf("all-day task: %+v", c)
		}
		if c.DTStart == nil || *c.DTStart != (when{Date: allDay.Due.Date.String()}) ||
			c.DTEnd == nil || *c.DTEnd != (when{Date: allDay.Due.Date.AddDays(1).String()}) || c.RRule != nil {
			t.Errorf("all-day task: DTSTART %+v DTEND %+v RRULE %v, want the date and the next day", c.DTStart, c.DTEnd, c.RRule)
		}
		c = got[long.uid()]
		if c.Summary != strings.TrimSpace(longTitle) || c.Description == nil || *c.Description != "Line one\nLine two, ok" {
			t.Errorf("long title and lines: SUMMARY %q DESCRIPTION %v", c.Summary, c.Description)
		}
		for _, line := range strings.Split(string(r.Body), "\r\n") {
			if len(line) > 75 {
				t.Errorf("a line of %d octets, more than RFC 5545's 75: %q", len(line), line)
			}
		}
		c = got[timed.uid()]
		if c.DTStart == nil || c.DTStart.UTC != timed.Due.At.Format(time.RFC3339) || c.DTStart.TZID != "" ||
			c.Duration == nil || *c.Duration != 15*60 || c.Priority == nil || *c.Priority != 9 {
			t.Errorf("timed task: DTSTART %+v DURATION %v PRIORITY %v, want %v in UTC for 15 minutes", c.DTStart, c.Duration, c.Priority, timed.Due.At)
		}
		for _, rep := range []created{weekly, monthEnd, leap, counted} {
			c := got[rep.uid()]
			if c.RRule == nil {
				t.Errorf("%s (%s) has no RRULE", c.Summary, rep.Rule)
				continue
			}
			want := rep.occurrences(paris)
			if !slices.Equal(c.Occurrences, want) {
				t.Errorf("%s: RRULE %s from %+v repeats on %v;\nthe app on %v", c.Summary, *c.RRule, c.DTStart, c.Occurrences, want)
			}
		}
		if c := got[monthEnd.uid()]; c.DTStart == nil || c.DTStart.TZID != "Europe/Paris" || c.DTStart.UTC != monthEnd.Due.At.Format(time.RFC3339) {
			t.Errorf("repeating timed task: DTSTART %+v, want %v in Europe/Paris", c.DTStart, monthEnd.Due.At)
		}
		if c := got[counted.uid()]; c.RRule == nil || !strings.Contains(*c.RRule, "COUNT=4") || len(c.Occurrences) != 4 {
			t.Errorf("a rule of 5 with 1 done: RRULE %v, occurrences %v; want COUNT=4", c.RRule, c.Occurrences)
		}
		if c := got[fromDone.uid()]; c.RRule != nil || c.DTStart == nil || c.DTStart.Date != fromDone.Due.Date.String() {
			t.Errorf("a rule from completion: RRULE %v DTSTART %+v, want none on %v", c.RRule, c.DTStart, fromDone.Due.Date)
		}

		r = s.Do(t, "GET", feed+"?kind=todo", "", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET the to-do feed: %d %s", r.Status, r.Body)
		}
		todos := parse(t, r.Body).byUID(t)
		if len(todos) != len(wantUIDs)+1 {
			t.Errorf("the to-do feed has %d to-dos, want %d (with the completed one)", len(todos), len(wantUIDs)+1)
		}
		c = todos[done.uid()]
		if c.Type != "VTODO" || c.Status == nil || *c.Status != "COMPLETED" || c.Completed == nil || c.Completed.UTC == "" ||
			c.Due == nil || c.Due.Date != done.Due.Date.String() || !slices.Equal(c.Categories, []string{"old"}) {
			t.Errorf("completed to-do: %+v", c)
		}
		c = todos[timed.uid()]
		if c.Type != "VTODO" || c.Status == nil || *c.Status != "NEEDS-ACTION" || c.Completed != nil ||
			c.Due == nil || c.Due.UTC != timed.Due.At.Format(time.RFC3339) || c.DTStart != nil || c.Priority == nil || *c.Priority != 9 {
			t.Errorf("timed to-do: %+v, want DUE %v", c, timed.Due.At)
		}
		c = todos[weekly.uid()]
		if c.Due == nil || c.DTStart == nil || *c.Due != *c.DTStart || c.Due.Date != monday.String() || c.RRule == nil {
			t.Errorf("repeating to-do: DUE %+v DTSTART %+v RRULE %v, want both on %v", c.Due, c.DTStart, c.RRule, monday)
		}
		if c := todos[monthEnd.uid()]; c.Priority == nil || *c.Priority != 5 {
			t.Errorf("medium priority: PRIORITY %v, want 5", c.Priority)
		}
	})
}

func TestFeedURLs(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, nil)
		u := s.SignUp(t, "carol@example.com")
		createTask(t, s, u.Token, map[string]any{"title": "Dentist", "due": map[string]string{"date": "2030-01-02"}})

		var status struct {
			Exists    bool       `json:"exists"`
			CreatedAt *time.Time `json:"created_at"`
		}
		readStatus := func() {
			t.Helper()
			r := s.Do(t, "GET", "/api/v2/calendar", u.Token, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("GET /api/v2/calendar: %d %s", r.Status, r.Body)
			}
			if bytes.Contains(r.Body, []byte("/calendar/")) {
				t.Errorf("the status shows the URL: %s", r.Body)
			}
			status.CreatedAt = nil
			r.JSON(t, &status)
		}
		get := func(path string, headers ...string) apptest.Response {
			t.Helper()
			return s.Do(t, "GET", path, "", nil, headers...)
		}

		readStatus()
		if status.Exists || status.CreatedAt != nil {
			t.Errorf("before any feed: %+v", status)
		}
		if r := s.Do(t, "POST", "/api/v2/calendar", "", nil); r.Status != http.StatusUnauthorized {
			t.Errorf("POST /api/v2/calendar without a token: %d, want 401", r.Status)
		}
		first := feedURL(t, s, u.Token)
		readStatus()
		if !status.Exists || status.CreatedAt == nil {
			t.Errorf("after POST: %+v", status)
		}
		r := get(first)
		etag := r.Header.Get("ETag")
		if r.Status != http.StatusOK || etag == "" || !bytes.Contains(r.Body, []byte("SUMMARY:Dentist")) {
			t.Fatalf("GET the feed: %d ETag %q\n%s", r.Status, etag, r.Body)
		}
		if r := get(first, "If-None-Match", etag); r.Status != http.StatusNotModified || len(r.Body) != 0 {
			t.Errorf("GET with If-None-Match of the feed's ETag: %d %q, want 304", r.Status, r.Body)
		}
		if r := get(strings.TrimSuffix(first, ".ics")); r.Status != http.StatusOK {
			t.Errorf("GET the feed without .ics: %d", r.Status)
		}
		if r := get(first + "?kind=journal"); r.Status != http.StatusBadRequest {
			t.Errorf("?kind=journal: %d, want 400", r.Status)
		}
		createTask(t, s, u.Token, map[string]any{"title": "Haircut", "due": map[string]string{"date": "2030-01-03"}})
		if r := get(first, "If-None-Match", etag); r.Status != http.StatusOK || r.Header.Get("ETag") == etag {
			t.Errorf("GET with the old ETag after a change: %d, ETag %q (was %q), want 200 and a new ETag", r.Status, r.Header.Get("ETag"), etag)
		}

		second := feedURL(t, s, u.Token)
		if second == first {
			t.Fatal("rotating gave the same URL")
		}
		if r := get(first); r.Status != http.StatusNotFound {
			t.Errorf("the rotated URL: %d, want 404", r.Status)
		}
		if r := get(second); r.Status != http.StatusOK {
			t.Errorf("the new URL: %d, want 200", r.Status)
		}
		unknown := "/calendar/" + strings.Repeat("A", 43) + ".ics"
		if r := get(unknown); r.Status != http.StatusNotFound {
			t.Errorf("an unknown token: %d, want 404", r.Status)
		}

		if r := s.Do(t, "DELETE", "/api/v2/calendar", u.Token, nil); r.Status != http.StatusNoContent {
			t.Fatalf("DELETE /api/v2/calendar: %d %s", r.Status, r.Body)
		}
		if r := get(second); r.Status != http.StatusNotFound {
			t.Errorf("the revoked URL: %d, want 404", r.Status)
		}
		readStatus()
		if status.Exists {
			t.Errorf("after DELETE: %+v", status)
		}
		if r := s.Do(t, "DELETE", "/api/v2/calendar", u.Token, nil); r.Status != http.StatusNoContent {
			t.Errorf("DELETE without a feed: %d, want 204", r.Status)
		}

		logs := s.Logs.String()
		for _, path := range []string{first, second, unknown} {
			token := strings.TrimSuffix(strings.TrimPrefix(path, "/calendar/"), ".ics")
			if strings.Contains(logs, token) {
				t.Errorf("the server's logs hold a feed token:\n%s", logs)
			}
		}
		if !strings.Contains(logs, "/calendar/{token}") {
			t.Errorf("the feed's requests are not logged by their route:\n%s", logs)
		}
	})
}

func TestDeletingTheAccountEndsTheFeed(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, nil)
		u := s.SignUp(t, "dave@example.com")
		createTask(t, s, u.Token, map[string]any{"title": "Dentist", "due": map[string]string{"date": "2030-01-02"}})
		feed := feedURL(t, s, u.Token)
		if r := s.Do(t, "GET", feed, "", nil); r.Status != http.StatusOK {
			t.Fatalf("GET the feed: %d", r.Status)
		}
		req, err := http.NewRequest("POST", s.URL+"/api/auth/delete-user", strings.NewReader(`{"password":"`+apptest.Password+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		apptest.SetHeaders(req, "Content-Type", "application/json", "Origin", s.URL)
		if r := apptest.Send(t, u.Client, req); r.Status != http.StatusOK {
			t.Fatalf("delete-user: %d %s", r.Status, r.Body)
		}
		if r := s.Do(t, "GET", feed, "", nil); r.Status != http.StatusNotFound {
			t.Errorf("the feed of a deleted account: %d, want 404", r.Status)
		}
	})
}
