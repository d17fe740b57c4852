package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/pushtest"
)

func TestServiceWorkerScript(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	res := send(t, anonymousClient(), http.MethodGet, srv.URL+"/sw.js", nil)
	if res.status != http.StatusOK || !strings.Contains(res.body, "showNotification") {
		t.Fatalf("got %d\n%s", res.status, res.body)
	}
	for name, want := range map[string]string{
		"Content-Type":            "text/javascript; charset=utf-8",
		"Cache-Control":           "no-cache",
		"Content-Security-Policy": "default-src 'none'; connect-src 'self'; img-src 'self'",
		"X-Content-Type-Options":  "nosniff",
	} {
		if got := res.header.Get(name); got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	again := send(t, anonymousClient(), http.MethodGet, srv.URL+"/sw.js", nil, "If-None-Match", res.header.Get("ETag"))
	if again.status != http.StatusNotModified {
		t.Errorf("with its ETag: got %d, want 304", again.status)
	}
}

// TestReminderFormsRules: the reminder forms refuse what makes no reminder or setting (422,
// nothing changed), and reach only the user's own tasks and reminders.
func TestReminderFormsRules(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		srv := apptest.Start(t, dialect, nil)
		alice := srv.SignUp(t, "alice-reminders@example.com")
		bob := srv.SignUp(t, "bob-reminders@example.com")
		task := createTask(t, srv, alice, map[string]any{"title": "Alice's", "due": map[string]string{"date": "2030-01-01"}})
		bobs := createTask(t, srv, bob, map[string]any{"title": "Bob's"})
		reminder := reminderIn(t, srv, alice, task, 24*time.Hour)
		post := func(u apptest.User, path string, form url.Values, headers ...string) answer {
			t.Helper()
			return send(t, u.Client, http.MethodPost, srv.URL+path, form, append(sameOrigin(srv), headers...)...)
		}

		for _, tt := range []struct {
			name string
			form url.Values
			says string
		}{
			{"an unknown kind", url.Values{"reminder_kind": {"later"}}, "Choose when the reminder fires."},
			{"0 minutes before", url.Values{"reminder_kind": {"before"}, "reminder_amount": {"0"}, "reminder_unit": {"minutes"}}, "Choose how long before the due, like 30 minutes."},
			{"31 days before", url.Values{"reminder_kind": {"before"}, "reminder_amount": {"31"}, "reminder_unit": {"days"}}, "A reminder can be at most 30 days before the due."},
			{"weeks before", url.Values{"reminder_kind": {"before"}, "reminder_amount": {"1"}, "reminder_unit": {"weeks"}}, "Choose how long before the due, like 30 minutes."},
			{"a time that is none", url.Values{"reminder_kind": {"at"}, "reminder_at": {"2030-02-30T08:00"}}, "Choose the date and time of the reminder."},
		} {
			t.Run(tt.name, func(t *testing.T) {
				for _, headers := range [][]string{nil, {"HX-Request", "true"}} {
					post(alice, "/tasks/"+task+"/reminders", tt.form, headers...).says(t, http.StatusUnprocessableEntity, tt.says)
				}
				if got := storedReminders(t, srv, alice, task); len(got) != 1 {
					t.Errorf("after the refusal, reminders %q", got)
				}
			})
		}
		// Eleven is one too many.
		for range 9 {
			if res := post(alice, "/tasks/"+task+"/reminders", url.Values{"reminder_kind": {"due"}}); res.status != http.StatusSeeOther {
				t.Fatalf("adding a reminder: got %d\n%s", res.status, res.body)
			}
		}
		post(alice, "/tasks/"+task+"/reminders", url.Values{"reminder_kind": {"due"}}).says(t, http.StatusUnprocessableEntity, "A task may have at most 10 reminders.")

		// Bob reaches none of Alice's.
		post(bob, "/tasks/"+task+"/reminders", url.Values{"reminder_kind": {"due"}}).says(t, http.StatusNotFound, "This task no longer exists.")
		post(bob, "/tasks/"+task+"/reminders/"+reminder+"/delete", nil).says(t, http.StatusNotFound, "This task no longer exists.")
		post(bob, "/tasks/"+bobs+"/reminders/"+reminder+"/delete", nil)
		post(bob, "/reminders/"+reminder+"/snooze", url.Values{"for": {"10m"}}).says(t, http.StatusNotFound, "This reminder no longer exists")
		if got := storedReminders(t, srv, alice, task); len(got) != 10 {
			t.Errorf("after Bob's forms, Alice has %d reminders, want 10", len(got))
		}
		if !snoozedUntil(t, srv, alice, task, reminder).IsZero() {
			t.Error("Bob snoozed Alice's reminder")
		}
		post(alice, "/reminders/"+reminder+"/snooze", url.Values{"for": {"a week"}}).says(t, http.StatusUnprocessableEntity, "Choose how long to snooze")
		if res := post(alice, "/reminders/"+reminder+"/snooze", url.Values{"for": {"tomorrow"}}); res.status != http.StatusSeeOther || snoozedUntil(t, srv, alice, task, reminder).IsZero() {
			t.Errorf("Alice's snooze: got %d", res.status)
		}
	})
}

// reminderSettings are the user's reminder settings, through the API.
func reminderSettings(t *testing.T, srv *apptest.Server, u apptest.User) string {
	t.Helper()
	return string(srv.Do(t, http.MethodGet, "/api/v2/reminder-settings", u.Token, nil).Body)
}

func TestReminderSettingsForm(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "reminder-settings@example.com")
	save := func(form url.Values) answer {
		t.Helper()
		return send(t, u.Client, http.MethodPost, srv.URL+"/settings/reminders", form, sameOrigin(srv)...)
	}
	form := url.Values{"email": {"on"}, "quiet": {"on"}, "quiet_start": {"22:30"}, "quiet_end": {"06:45"}, "default_reminder": {"1h"}}
	if res := save(form); res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings?saved=reminders#reminders" {
		t.Fatalf("save: got %d to %q\n%s", res.status, res.header.Get("Location"), res.body)
	}
	var got struct {
		Channels        struct{ Push, Email, InPage bool } `json:"channels"`
		QuietHours      *struct{ Start, End string }       `json:"quiet_hours"`
		DefaultReminder *string                            `json:"default_reminder"`
	}
	srv.Do(t, http.MethodGet, "/api/v2/reminder-settings", u.Token, nil).JSON(t, &got)
	if got.Channels.Push || !got.Channels.Email || got.Channels.InPage || got.QuietHours == nil || *got.QuietHours != (struct{ Start, End string }{"22:30", "06:45"}) ||
		got.DefaultReminder == nil || *got.DefaultReminder != "1h" {
		t.Errorf("saved %+v", got)
	}
	page := send(t, u.Client, http.MethodGet, srv.URL+"/settings?saved=reminders", nil)
	page.says(t, http.StatusOK, "Your reminder settings are saved.")
	for _, want := range []string{`<option value="1h" selected>1 hour before the due</option>`, `name="quiet_start" type="time" value="22:30"`, `name="email" value="on" checked`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the settings page lacks %q", want)
		}
	}

	before := reminderSettings(t, srv, u)
	for _, tt := range []struct {
		name   string
		change url.Values
		says   string
	}{
		{"a time that is none", url.Values{"quiet_start": {"25:00"}}, "Quiet hours start and end at times of day, like 22:00 and 07:00."},
		{"the same start and end", url.Values{"quiet_start": {"06:45"}}, "Quiet hours must not start and end at the same time."},
		{"an unknown default", url.Values{"default_reminder": {"soon"}}, "Choose a default reminder from the list."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := url.Values{}
			for k, v := range form {
				bad[k] = v
			}
			for k, v := range tt.change {
				bad[k] = v
			}
			save(bad).says(t, http.StatusUnprocessableEntity, tt.says)
			if after := reminderSettings(t, srv, u); after != before {
				t.Errorf("the refused form saved %s", after)
			}
		})
	}

	// With notices in the page off, the page stops asking for them.
	poll := send(t, u.Client, http.MethodGet, srv.URL+"/notifications?since=0", nil, "HX-Request", "true")
	if poll.status != http.StatusOK || strings.Contains(poll.body, "hx-get") {
		t.Errorf("the notices' poll with in-page notices off: got %d\n%s", poll.status, poll.body)
	}
	save(url.Values{"in_page": {"on"}})
	send(t, u.Client, http.MethodGet, srv.URL+"/notifications?since=x", nil, "HX-Request", "true").says(t, http.StatusBadRequest, "Reload the page.")
	if poll := send(t, u.Client, http.MethodGet, srv.URL+"/notifications", nil, "HX-Request", "true"); !strings.Contains(poll.body, `hx-get="/notifications?since=0"`) {
		t.Errorf("the first poll of a user without notices:\n%s", poll.body)
	}
}

func TestPushSubscriptionForm(t *testing.T) {
	receiver := pushtest.Start(t)
	sub := receiver.Subscribe(t)
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "push-form@example.com")
	post := func(path string, form url.Values) answer {
		t.Helper()
		return send(t, u.Client, http.MethodPost, srv.URL+path, form, sameOrigin(srv)...)
	}
	if res := post("/settings/push", url.Values{"endpoint": {"ftp://example.com/x"}, "p256dh": {sub.Keys.P256dh}, "auth": {sub.Keys.Auth}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("a bad endpoint: got %d", res.status)
	}
	if res := post("/settings/push", url.Values{"endpoint": {sub.Endpoint}, "p256dh": {sub.Keys.P256dh}, "auth": {sub.Keys.Auth}}); res.status != http.StatusNoContent {
		t.Fatalf("subscribe: got %d\n%s", res.status, res.body)
	}
	for _, want := range []int{http.StatusNoContent, http.StatusNoContent} { // the second time, there is none to stop
		if res := post("/settings/push/delete", url.Values{"endpoint": {sub.Endpoint}}); res.status != want {
			t.Errorf("unsubscribe: got %d, want %d", res.status, want)
		}
	}
	if res := srv.Do(t, http.MethodDelete, "/api/v2/push/subscriptions", u.Token, map[string]string{"endpoint": sub.Endpoint}); res.Status != http.StatusNotFound {
		t.Errorf("after the form stopped it, the API finds the subscription (%d)", res.Status)
	}
}
