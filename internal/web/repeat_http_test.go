package web_test

import (
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestRepeatFormRules: the edit form's Repeat control over HTTP. The form as shown changes
// nothing; a choice that makes no rule is a 422 next to the control that changes nothing; a
// form without the control keeps the rule.
func TestRepeatFormRules(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "repeat-rules@example.com")
	id := createTask(t, srv, u, map[string]any{"title": "Bins", "due": map[string]string{"date": "2026-12-16"},
		"repeat": map[string]string{"rule": "RRULE:FREQ=WEEKLY"}})
	stored := func() string {
		t.Helper()
		return string(srv.Do(t, http.MethodGet, "/api/v2/tasks/"+id, u.Token, nil).Body)
	}
	edit := func(change url.Values, headers ...string) answer {
		t.Helper()
		form := url.Values{"title": {"Bins"}, "description": {""}, "priority": {"none"}, "tags": {""}, "due_date": {"2026-12-16"},
			"repeat": {"weekly"}, "repeat_anchor": {"2026-12-16"}, "repeat_days": {"wednesday"}, "repeat_interval": {"1"},
			"repeat_unit": {"week"}, "repeat_monthly": {"16"}, "repeat_yearly": {"12-16"}, "repeat_end": {"never"}}
		maps.Copy(form, change)
		return send(t, u.Client, http.MethodPost, srv.URL+"/tasks/"+id+"/edit", form, append(sameOrigin(srv), headers...)...)
	}

	// Wednesday 16 December: the stored rule leaves the weekday to the due, the form names it.
	before := stored()
	if res := edit(nil); res.status != http.StatusSeeOther {
		t.Fatalf("saving the form as shown: got %d\n%s", res.status, res.body)
	}
	if after := stored(); after != before {
		t.Errorf("the form as shown changed the task:\n%s\nwas\n%s", after, before)
	}

	for _, tt := range []struct {
		name   string
		change url.Values
		says   string
	}{
		{"an unknown preset", url.Values{"repeat": {"hourly"}}, "Choose how the task repeats."},
		{"every 0 days", url.Values{"repeat": {"custom"}, "repeat_interval": {"0"}}, "Choose every how many, a whole number from 1 to 999."},
		{"a last date before the due", url.Values{"repeat_end": {"until"}, "repeat_until": {"2026-12-15"}}, "The last date must be on or after Wednesday 16 December 2026, when it is first due."},
		{"a last date that is none", url.Values{"repeat_end": {"until"}, "repeat_until": {"2026-02-30"}}, "Choose the last date it repeats on, like 2026-12-24."},
		{"-3 times", url.Values{"repeat_end": {"count"}, "repeat_count": {"-3"}}, "Choose how many times it is due in all, a whole number from 1."},
		{"weekdays from completion", url.Values{"repeat": {"weekdays"}, "repeat_from": {"completion"}}, "“Every weekday” keeps to the days of the week, so it cannot count from when the task was done."},
		{"a weekday that is none", url.Values{"repeat": {"custom"}, "repeat_unit": {"month"}, "repeat_monthly": {"2 funday"}}, "Choose the day it repeats on."},
		{"30 February", url.Values{"repeat": {"custom"}, "repeat_unit": {"year"}, "repeat_yearly": {"2-30"}}, "Choose the day it repeats on."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, headers := range [][]string{nil, {"HX-Request", "true"}} {
				res := edit(tt.change, headers...)
				res.says(t, http.StatusUnprocessableEntity, tt.says)
				if !strings.Contains(res.body, `id="edit-repeat-error-`+id+`"`) {
					t.Errorf("the message is not next to the Repeat control:\n%s", res.body)
				}
				if after := stored(); after != before {
					t.Errorf("the refused edit changed the task:\n%s", after)
				}
			}
		})
	}

	// A form without the control (a page from before it) keeps the rule; Never stops it.
	plain := url.Values{"title": {"Bins on Wednesday"}, "description": {""}, "due_date": {"2026-12-16"}}
	send(t, u.Client, http.MethodPost, srv.URL+"/tasks/"+id+"/edit", plain, sameOrigin(srv)...)
	if rule, _ := repeatOf(t, srv, u, id); rule != "RRULE:FREQ=WEEKLY" {
		t.Errorf("a form without the control left the rule %q", rule)
	}
	edit(url.Values{"repeat": {"never"}})
	if rule, due := repeatOf(t, srv, u, id); rule != "" || due != "2026-12-16" {
		t.Errorf("after Never: rule %q, due %q; want none, and the due kept", rule, due)
	}
	// A rule for a task without a due gives it its first one.
	edit(url.Values{"due_date": {""}, "repeat": {"custom"}, "repeat_unit": {"day"}, "repeat_interval": {"2"}})
	if rule, due := repeatOf(t, srv, u, id); rule != "RRULE:FREQ=DAILY;INTERVAL=2" || due == "" {
		t.Errorf("a rule without a due: rule %q, due %q", rule, due)
	}
}

// TestRepeatControlForAnotherDue: the Repeat control that htmx asks for when the due date
// changes reads the new date, and is the user's own task's only.
func TestRepeatControlForAnotherDue(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	alice := srv.SignUp(t, "alice-repeat@example.com")
	bob := srv.SignUp(t, "bob-repeat@example.com")
	id := createTask(t, srv, alice, map[string]any{"title": "Rent", "due": map[string]string{"date": "2026-12-16"}})
	query := "?due_date=2026-12-31&repeat=weekly&repeat_anchor=2026-12-16&repeat_days=wednesday&repeat_unit=month&repeat_monthly=16"
	path := srv.URL + "/tasks/" + id + "/repeat" + query

	res := send(t, alice.Client, http.MethodGet, path, nil, "HX-Request", "true")
	res.says(t, http.StatusOK, "Every week on Thu")
	for _, want := range []string{"Every month on the last Thursday", "Every month on the last day", `value="thursday" aria-label="Thursday" checked`, `name="repeat_monthly" value="31" checked`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the control for 31 December lacks %q:\n%s", want, res.body)
		}
	}
	if strings.Contains(res.body, "<html") {
		t.Errorf("htmx got a whole page")
	}
	// A browser asking for it goes to the edit form; another user finds no such task.
	if res := send(t, alice.Client, http.MethodGet, path, nil); res.status != http.StatusSeeOther || res.header.Get("Location") != "/tasks/"+id+"/edit" {
		t.Errorf("without htmx: got %d to %q", res.status, res.header.Get("Location"))
	}
	send(t, bob.Client, http.MethodGet, path, nil, "HX-Request", "true").says(t, http.StatusNotFound, "This task no longer exists.")
}
