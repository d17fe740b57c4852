package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"todo/internal/apptest"
)

// createTasks creates tasks through the task API, oldest first, as another client of the
// same user would.
func createTasks(t *testing.T, srv *apptest.Server, u apptest.User, titles ...string) []string {
	t.Helper()
	ids := make([]string, len(titles))
	for i, title := range titles {
		ids[i] = createTask(t, srv, u, map[string]any{"title": title})
	}
	return ids
}

// createTask creates one task through the v2 API, which takes the whole task (priority,
// tags, due), and returns its id.
func createTask(t *testing.T, srv *apptest.Server, u apptest.User, body map[string]any) string {
	t.Helper()
	res := srv.Do(t, http.MethodPost, "/api/v2/tasks", u.Token, body)
	if res.Status != http.StatusCreated {
		t.Fatalf("create task %v: got %d %s, want 201", body, res.Status, res.Body)
	}
	var created struct{ ID string }
	res.JSON(t, &created)
	return created.ID
}

// planningDay is the clock of a user whose time zone is set so that it is between noon and
// one in the afternoon there while the test runs: "today" cannot turn into "tomorrow" under
// a test, whenever it runs.
type planningDay struct {
	zone  string
	today time.Time // noon today, in the zone
}

// atNoon sets the user's time zone so that it is just past noon there.
func atNoon(t *testing.T, srv *apptest.Server, u apptest.User) planningDay {
	t.Helper()
	now := time.Now().UTC()
	offset := 12 - now.Hour() // hours east of UTC
	zone := "UTC"
	if offset != 0 {
		zone = fmt.Sprintf("Etc/GMT%+d", -offset) // the POSIX sign: Etc/GMT-5 is UTC+5
	}
	if res := srv.Do(t, http.MethodPatch, "/api/v2/settings", u.Token, map[string]string{"time_zone": zone}); res.Status != http.StatusOK {
		t.Fatalf("set the time zone %s: got %d %s", zone, res.Status, res.Body)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	local := now.In(loc)
	return planningDay{zone: zone, today: time.Date(local.Year(), local.Month(), local.Day(), 12, 0, 0, 0, loc)}
}

// date is the day n days from today, as YYYY-MM-DD.
func (d planningDay) date(n int) string { return d.today.AddDate(0, 0, n).Format(time.DateOnly) }

// heading is the day n days from today as the Upcoming view heads it ("Fri 12 Dec").
func (d planningDay) heading(n int) string {
	day := d.today.AddDate(0, 0, n)
	s := day.Format("Mon 2 Jan")
	if day.Year() != d.today.Year() {
		s += day.Format(" 2006")
	}
	return s
}

// name is the day n days from today (0 to 6) as a due reads: "Today", "Tomorrow", "Friday".
func (d planningDay) name(n int) string {
	switch n {
	case 0:
		return "Today"
	case 1:
		return "Tomorrow"
	}
	return d.today.AddDate(0, 0, n).Weekday().String()
}

// due is a task's all-day due n days from today, for createTask.
func (d planningDay) due(n int) map[string]string { return map[string]string{"date": d.date(n)} }
