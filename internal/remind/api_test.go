package remind_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/pushtest"
)

// TestRemindersAPI: what the API takes and refuses (422 naming the field, never a 500, and
// nothing changed), and that nobody reaches another user's reminders.
func TestRemindersAPI(t *testing.T) {
	t.Parallel()
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, nil)
		ada, bob := s.SignUp(t, "ada@example.com"), s.SignUp(t, "bob@example.com")
		var tk taskOut
		due := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		call(t, s, "POST", "/api/v2/tasks", ada.Token, map[string]any{"title": "t", "due": map[string]string{"at": due.Format(time.RFC3339)}}, http.StatusCreated, &tk)
		base := "/api/v2/tasks/" + tk.ID + "/reminders"

		var before reminderOut
		call(t, s, "POST", base, ada.Token, map[string]string{"kind": "before", "before": "2h"}, http.StatusCreated, &before)
		if before.Before == nil || *before.Before != "2h" || before.NextFireAt == nil || !before.NextFireAt.Equal(due.Add(-2*time.Hour)) {
			t.Fatalf("a reminder 2h before: %+v, want it next at %v", before, due.Add(-2*time.Hour))
		}

		for _, c := range []struct {
			body  any
			field string
		}{
			{map[string]string{"kind": "soon"}, "kind"},
			{map[string]string{"kind": "before"}, "before"},
			{map[string]string{"kind": "before", "before": "5x"}, "before"},
			{map[string]string{"kind": "before", "before": "31d"}, "before"},
			{map[string]string{"kind": "at"}, "at"},
			{map[string]string{"kind": "at", "at": "tomorrow"}, "at"},
			{map[string]string{"kind": "due", "before": "1h"}, "kind"},
			{map[string]any{}, "kind"},
		} {
			r := s.Do(t, "POST", base, ada.Token, c.body)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"`+c.field+`"`) {
				t.Errorf("POST %v: got %d %s, want 422 naming %s", c.body, r.Status, r.Body, c.field)
			}
		}
		for range 9 {
			call(t, s, "POST", base, ada.Token, map[string]string{"kind": "due"}, http.StatusCreated, nil)
		}
		call(t, s, "POST", base, ada.Token, map[string]string{"kind": "due"}, http.StatusUnprocessableEntity, nil)
		var list struct{ Reminders []reminderOut }
		call(t, s, "GET", base, ada.Token, nil, http.StatusOK, &list)
		if len(list.Reminders) != 10 || list.Reminders[0].ID != before.ID {
			t.Fatalf("%d reminders (first %+v), want the 10 added, oldest first", len(list.Reminders), list.Reminders[0])
		}

		// Another user sees none of it.
		call(t, s, "GET", base, bob.Token, nil, http.StatusNotFound, nil)
		call(t, s, "POST", base, bob.Token, map[string]string{"kind": "due"}, http.StatusNotFound, nil)
		call(t, s, "DELETE", "/api/v2/reminders/"+before.ID, bob.Token, nil, http.StatusNotFound, nil)
		call(t, s, "POST", "/api/v2/reminders/"+before.ID+"/snooze", bob.Token, map[string]string{"for": "1h"}, http.StatusNotFound, nil)
		var none notificationsOut
		call(t, s, "GET", "/api/v2/notifications", bob.Token, nil, http.StatusOK, &none)

		// Snoozing.
		call(t, s, "POST", "/api/v2/reminders/"+before.ID+"/snooze", ada.Token, map[string]string{"for": "2h"}, http.StatusUnprocessableEntity, nil)
		call(t, s, "POST", "/api/v2/reminders/"+before.ID+"/snooze", "", map[string]string{"for": "1h"}, http.StatusUnauthorized, nil)
		call(t, s, "POST", "/api/v2/reminders/"+before.ID+"/snooze", "", map[string]string{"for": "1h", "token": "forged.token"}, http.StatusUnauthorized, nil)
		var snoozed reminderOut
		call(t, s, "PATCH", "/api/v2/settings", ada.Token, map[string]string{"time_zone": "Europe/Paris"}, http.StatusOK, nil)
		call(t, s, "POST", "/api/v2/reminders/"+before.ID+"/snooze", ada.Token, map[string]string{"for": "tomorrow"}, http.StatusOK, &snoozed)
		paris, _ := time.LoadLocation("Europe/Paris")
		if snoozed.SnoozedUntil == nil {
			t.Fatalf("snoozed: %+v, want snoozed_until", snoozed)
		}
		if at := snoozed.SnoozedUntil.In(paris); at.Hour() != 9 || at.Minute() != 0 || at.YearDay() == time.Now().In(paris).YearDay() {
			t.Fatalf("snoozed until tomorrow: %v, want 09:00 tomorrow in Paris", snoozed.SnoozedUntil)
		}
		call(t, s, "DELETE", "/api/v2/reminders/"+before.ID, ada.Token, nil, http.StatusNoContent, nil)
		call(t, s, "DELETE", "/api/v2/reminders/"+before.ID, ada.Token, nil, http.StatusNotFound, nil)
		call(t, s, "DELETE", "/api/v2/reminders/not-a-uuid", ada.Token, nil, http.StatusUnprocessableEntity, nil)

		// Settings.
		var settings struct {
			Channels        map[string]bool   `json:"channels"`
			QuietHours      map[string]string `json:"quiet_hours"`
			DefaultReminder *string           `json:"default_reminder"`
		}
		call(t, s, "GET", "/api/v2/reminder-settings", ada.Token, nil, http.StatusOK, &settings)
		if fmt.Sprint(settings.Channels) != "map[email:false in_page:true push:true]" || settings.QuietHours != nil || settings.DefaultReminder != nil {
			t.Fatalf("default settings %+v, want push and the page, no quiet hours, no default reminder", settings)
		}
		for _, c := range []struct {
			body  string
			field string
		}{
			{`{"quiet_hours":{"start":"22:00","end":"22:00"}}`, "quiet_hours"},
			{`{"quiet_hours":{"start":"25:00","end":"07:00"}}`, "quiet_hours"},
			{`{"default_reminder":"31d"}`, "default_reminder"},
			{`{"default_reminder":"soon"}`, "default_reminder"},
			{`{"channels":{"push":"yes"}}`, "push"},
		} {
			r := s.Do(t, "PATCH", "/api/v2/reminder-settings", ada.Token, c.body)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"`+c.field+`"`) {
				t.Errorf("PATCH %s: got %d %s, want 422 naming %s", c.body, r.Status, r.Body, c.field)
			}
		}
		call(t, s, "PATCH", "/api/v2/reminder-settings", ada.Token, map[string]any{"channels": map[string]bool{"email": true, "push": false},
			"quiet_hours": map[string]string{"start": "22:00", "end": "07:00"}, "default_reminder": "30m"}, http.StatusOK, &settings)
		if !settings.Channels["email"] || settings.Channels["push"] || settings.QuietHours["start"] != "22:00" || *settings.DefaultReminder != "30m" {
			t.Fatalf("saved settings %+v", settings)
		}
		call(t, s, "GET", "/api/v2/reminder-settings", bob.Token, nil, http.StatusOK, &settings)
		if settings.Channels["email"] || settings.DefaultReminder != nil {
			t.Fatalf("another user's settings %+v, want the defaults", settings)
		}

		// The default reminder: a task given a timed due gets it; an all-day due does not.
		var timed, allDay taskOut
		call(t, s, "POST", "/api/v2/tasks", ada.Token, map[string]any{"title": "timed", "due": map[string]string{"at": due.Format(time.RFC3339)}}, http.StatusCreated, &timed)
		call(t, s, "POST", "/api/v2/tasks", ada.Token, map[string]any{"title": "all day", "due": map[string]string{"date": "2030-01-01"}}, http.StatusCreated, &allDay)
		call(t, s, "GET", "/api/v2/tasks/"+timed.ID+"/reminders", ada.Token, nil, http.StatusOK, &list)
		if len(list.Reminders) != 1 || list.Reminders[0].Kind != "before" || *list.Reminders[0].Before != "30m" {
			t.Fatalf("a new timed due's reminders: %+v, want the default, 30m before", list.Reminders)
		}
		call(t, s, "GET", "/api/v2/tasks/"+allDay.ID+"/reminders", ada.Token, nil, http.StatusOK, &list)
		if len(list.Reminders) != 0 {
			t.Fatalf("an all-day due's reminders: %+v, want none", list.Reminders)
		}
		// An all-day due's reminder counts from 09:00 in the user's zone.
		call(t, s, "POST", "/api/v2/tasks/"+allDay.ID+"/reminders", ada.Token, map[string]string{"kind": "before", "before": "1h"}, http.StatusCreated, &before)
		if want := time.Date(2030, 1, 1, 8, 0, 0, 0, paris); before.NextFireAt == nil || !before.NextFireAt.Equal(want) {
			t.Fatalf("an hour before an all-day due: next %v, want %v", before.NextFireAt, want)
		}

		// Push subscriptions.
		receiver := pushtest.Start(t)
		sub := receiver.Subscribe(t)
		bad := sub
		bad.Endpoint = "http://push.example.com/x"
		for _, c := range []struct {
			body  any
			field string
		}{
			{bad, "endpoint"},
			{map[string]any{"endpoint": sub.Endpoint, "keys": map[string]string{"p256dh": "AAAA", "auth": sub.Keys.Auth}}, "p256dh"},
			{map[string]any{"endpoint": sub.Endpoint, "keys": map[string]string{"p256dh": sub.Keys.P256dh, "auth": "AAAA"}}, "auth"},
		} {
			r := s.Do(t, "POST", "/api/v2/push/subscriptions", ada.Token, c.body)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"`+c.field+`"`) {
				t.Errorf("subscribe %v: got %d %s, want 422 naming %s", c.body, r.Status, r.Body, c.field)
			}
		}
		subscribe(t, s, ada.Token, sub)
		call(t, s, "DELETE", "/api/v2/push/subscriptions", bob.Token, map[string]string{"endpoint": sub.Endpoint}, http.StatusNotFound, nil)
		call(t, s, "DELETE", "/api/v2/push/subscriptions", ada.Token, map[string]string{"endpoint": sub.Endpoint}, http.StatusNoContent, nil)
	})
}
