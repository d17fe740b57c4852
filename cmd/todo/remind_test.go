package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/pushtest"
)

// TestRemindersAcrossDowntime: the server is killed with SIGKILL before two reminders' times
// and started again after both. The one whose time passed less than REMINDER_MISSED_WINDOW ago
// fires then; the other, later than the window, is recorded missed and sent nowhere.
func TestRemindersAcrossDowntime(t *testing.T) {
	t.Parallel() // mostly waiting, for the reminders' times
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		t.Parallel()
		receiver := pushtest.Start(t)
		sub := receiver.Subscribe(t)
		env := map[string]string{"DATABASE_URL": apptest.DatabaseURL(t, d), "REMINDER_MISSED_WINDOW": "10s"}
		first := startProcess(t, env)
		token := signUp(t, first.URL, "downtime@example.com")
		body, _ := json.Marshal(sub)
		if status, b, err := request(http.DefaultClient, "POST", first.URL+"/api/v2/push/subscriptions", token, string(body)); err != nil || status != http.StatusCreated {
			t.Fatalf("subscribe: %d %s %v", status, b, err)
		}
		now := time.Now().Truncate(time.Second)
		missed, fired := now.Add(3*time.Second), now.Add(15*time.Second)
		for title, at := range map[string]time.Time{"missed": missed, "fired": fired} {
			status, b, err := request(http.DefaultClient, "POST", first.URL+"/api/v2/tasks", token,
				fmt.Sprintf(`{"title":%q,"due":{"at":%q}}`, title, at.UTC().Format(time.RFC3339)))
			var tk struct{ ID string }
			if err != nil || status != http.StatusCreated || json.Unmarshal(b, &tk) != nil {
				t.Fatalf("create %s: %d %s %v", title, status, b, err)
			}
			if status, b, err := request(http.DefaultClient, "POST", first.URL+"/api/v2/tasks/"+tk.ID+"/reminders", token, `{"kind":"due"}`); err != nil || status != http.StatusCreated {
				t.Fatalf("reminder of %s: %d %s %v", title, status, b, err)
			}
		}
		if time.Now().After(missed) {
			t.Fatalf("setting up took until after the first reminder's time")
		}
		if err := first.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		first.wait(t, 10*time.Second)
		// Down over both times: started again a second after the later one, ten seconds or
		// more after the first (the window).
		time.Sleep(time.Until(fired.Add(time.Second)))
		second := startProcess(t, env)
		token = signIn(t, second.URL, "downtime@example.com") // its port, its tokens' issuer

		m := receiver.Wait(t, sub, 0)
		var p struct{ Title string }
		m.JSON(t, &p)
		if p.Title != "fired" {
			t.Fatalf("pushed %q, want the reminder within the window", p.Title)
		}
		var list struct {
			Notifications []struct{ Title, State string }
		}
		waitFor(t, "both occurrences to be recorded", func() bool {
			status, b, err := request(http.DefaultClient, "GET", second.URL+"/api/v2/notifications", token, "")
			if err != nil || status != http.StatusOK || json.Unmarshal(b, &list) != nil {
				t.Fatalf("notifications: %d %s %v", status, b, err)
			}
			return len(list.Notifications) == 2
		})
		states := map[string]string{}
		for _, n := range list.Notifications {
			states[n.Title] = n.State
		}
		if states["fired"] != "fired" || states["missed"] != "missed" {
			t.Fatalf("states %v, want the first missed and the second fired", states)
		}
		if n := len(receiver.Messages()); n != 1 {
			t.Fatalf("%d push messages, want only the one within the window", n)
		}
	})
}
