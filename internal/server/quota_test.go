package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestTaskQuotaEveryDoor: at QUOTA_TASKS, the task API (v1 and the brief's routes) and the web
// UI's form give the same refusal: 409 with a message that says the limit and what to do.
func TestTaskQuotaEveryDoor(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		t.Parallel()
		s := apptest.Start(t, d, map[string]string{"QUOTA_TASKS": "2"})
		u := s.SignUp(t, "quota@example.com")
		for i := range 2 {
			if r := s.Do(t, "POST", "/api/v1/tasks", u.Token, map[string]string{"title": "t"}); r.Status != http.StatusCreated {
				t.Fatalf("task %d of 2: %d %s", i+1, r.Status, r.Body)
			}
		}
		const want = `{"detail":"Task limit reached: an account may keep at most 2 tasks; delete some (e.g. clear completed ones) to add more"}`
		for _, path := range []string{"/api/v1/tasks", "/api/" + u.ID + "/tasks"} {
			r := s.Do(t, "POST", path, u.Token, map[string]string{"title": "one too many"})
			if r.Status != http.StatusConflict || string(r.Body) != want {
				t.Errorf("POST %s over the quota: got %d %s, want 409 %s", path, r.Status, r.Body, want)
			}
		}
		req, err := http.NewRequest("POST", s.URL+"/tasks", strings.NewReader(url.Values{"title": {"from the form"}}.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		apptest.SetHeaders(req, "Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin",
			"Origin", s.URL, "HX-Request", "true")
		r := apptest.Send(t, u.Client, req)
		if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "at most 2 tasks") {
			t.Errorf("web form over the quota: got %d %s, want 409 with the limit", r.Status, r.Body)
		}
		var list struct{ Total int }
		s.Do(t, "GET", "/api/v1/tasks", u.Token, nil).JSON(t, &list)
		if list.Total != 2 {
			t.Errorf("tasks after the refusals: %d, want 2", list.Total)
		}
	})
}
