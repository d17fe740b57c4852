package web_test

import (
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
)

// reminderRows are the reminders the open edit form lists: what each is, and when it fires.
func (p *page) reminderRows() []string {
	p.t.Helper()
	return evaluate[[]string](p, `Array.from(document.querySelectorAll(".task.is-editing .reminder-rows li")).map(li =>
		li.querySelector(".reminder-label").textContent + " / " + li.querySelector(".reminder-next").textContent)`)
}

// storedReminders are the kinds of the task's reminders, oldest first, through the API.
func storedReminders(t *testing.T, srv *apptest.Server, u apptest.User, taskID string) []string {
	t.Helper()
	var list struct {
		Reminders []struct{ Kind string }
	}
	srv.Do(t, http.MethodGet, "/api/v2/tasks/"+taskID+"/reminders", u.Token, nil).JSON(t, &list)
	var kinds []string
	for _, r := range list.Reminders {
		kinds = append(kinds, r.Kind)
	}
	return kinds
}

func TestTaskReminders(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "reminders@example.com")
	day := atNoon(t, srv, u)
	id := createTask(t, srv, u, map[string]any{"title": "Dentist", "due": map[string]string{"date": day.date(1), "time": "09:30"}})
	p := signedInAs(t, srv, u, nil)
	p.click(p.taskButton("Edit", "Dentist"))
	p.waitFor("the edit form", `!!document.querySelector(".task.is-editing .task-reminders")`)
	if got := p.text(".task.is-editing .task-reminders .field-hint"); got != "No reminders yet." {
		t.Errorf("a task without reminders says %q", got)
	}
	scope := ".task.is-editing .reminder-add"
	shown := func() []string {
		return evaluate[[]string](p, `Array.from(document.querySelectorAll(".task.is-editing [data-reminder-show]")).filter(e => e.checkVisibility()).map(e => e.dataset.reminderShow)`)
	}
	if got := shown(); !reflect.DeepEqual(got, []string{"before"}) {
		t.Errorf("the new reminder shows %q, want the time before the due", got)
	}

	// 30 minutes before, the form's first choice.
	p.clickRole("button", "Add reminder")
	p.waitFor("the reminder", `document.querySelectorAll(".task.is-editing .reminder-rows li").length === 1`)
	tomorrow := "Tomorrow"
	if got, want := p.reminderRows(), []string{"30 minutes before / Next: " + tomorrow + " 09:00"}; !reflect.DeepEqual(got, want) {
		t.Errorf("reminders %q, want %q", got, want)
	}
	p.focusLands("after adding", "the next reminder's kind", idIs("reminder-kind-"+id))
	if got := p.text("#announcer"); got != "Added the reminder “30 minutes before”." {
		t.Errorf("announced %q", got)
	}

	// At the due, and at a date and time.
	p.choose(scope, "New reminder", "due")
	if got := shown(); len(got) != 0 {
		t.Errorf("a reminder at the due shows %q", got)
	}
	p.clickRole("button", "Add reminder")
	p.waitFor("two reminders", `document.querySelectorAll(".task.is-editing .reminder-rows li").length === 2`)
	p.choose(scope, "New reminder", "at")
	p.do(evaluateVoid(`document.querySelector(".task.is-editing input[name=reminder_at]").value = ` + strconv.Quote(day.date(2)+"T08:00")))
	p.clickRole("button", "Add reminder")
	p.waitFor("three reminders", `document.querySelectorAll(".task.is-editing .reminder-rows li").length === 3`)
	later := day.name(2)
	if got, want := p.reminderRows(), []string{"30 minutes before / Next: Tomorrow 09:00", "At the due time / Next: Tomorrow 09:30", later + " at 08:00 / Next: " + later + " 08:00"}; !reflect.DeepEqual(got, want) {
		t.Errorf("reminders %q, want %q", got, want)
	}

	// More than 30 days before is refused next to the form; nothing is added.
	p.choose(scope, "New reminder", "before")
	p.fill(p.the(scope, "spinbutton", named("How long before the due"), "the time before"), "31")
	p.choose(scope, "Minutes, hours or days", "days")
	p.clickRole("button", "Add reminder")
	p.waitFor("the error", `!!document.querySelector(".task.is-editing .task-reminders .field-error")`)
	if got := p.text(".task.is-editing .task-reminders .field-error"); got != "A reminder can be at most 30 days before the due." {
		t.Errorf("the error says %q", got)
	}
	p.focusLands("after the refusal", "the new reminder's kind", idIs("reminder-kind-"+id))
	if got := evaluate[string](p, `document.querySelector(".task.is-editing input[name=reminder_amount]").value`); got != "31" {
		t.Errorf("after the refusal the form holds %q, want what was typed", got)
	}

	// Remove one; the rest are the task's.
	p.clickRole("button", "Remove the reminder “At the due time”")
	p.waitFor("two reminders", `document.querySelectorAll(".task.is-editing .reminder-rows li").length === 2`)
	if got, want := storedReminders(t, srv, u, id), []string{"before", "at"}; !reflect.DeepEqual(got, want) {
		t.Errorf("stored reminders %q, want %q", got, want)
	}
	p.focusLands("after removing", "the new reminder's kind", idIs("reminder-kind-"+id))
	// The edit form is still open, and saves as before.
	p.fillRole(".task.is-editing", "Title", "Dentist at 9:30")
	p.clickRole("button", "Save")
	p.listShows("Dentist at 9:30")
	p.samePage()
}

func TestTaskRemindersWithoutJavaScript(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "reminders-plain@example.com")
	id := createTask(t, srv, u, map[string]any{"title": "Call the plumber"})
	p := signedInAs(t, srv, u, nil, withoutJavaScript)
	p.click(p.taskButton("Edit", "Call the plumber"))
	p.waitFor("the edit page", `location.pathname.endsWith("/edit") && !!document.querySelector(".task.is-editing .task-reminders")`)
	if n := evaluate[int](p, `Array.from(document.querySelectorAll(".task.is-editing [data-reminder-show]")).filter(e => !e.checkVisibility()).length`); n != 0 {
		t.Errorf("%d parts of the reminder form are hidden without JavaScript", n)
	}
	if got := p.text(".task.is-editing .task-reminders p.field-hint:nth-of-type(2)"); got != "Reminders at or before the due fire once the task has a due date." {
		t.Errorf("a task without a due says %q", got)
	}
	p.fill(p.the(".task.is-editing .reminder-add", "spinbutton", named("How long before the due"), "the time before"), "2")
	p.choose(".task.is-editing .reminder-add", "Minutes, hours or days", "hours")
	p.clickRole("button", "Add reminder")
	p.waitFor("the reminder", `document.querySelectorAll(".task.is-editing .reminder-rows li").length === 1`)
	if got, want := p.reminderRows(), []string{"2 hours before / Fires once the task has a due date"}; !reflect.DeepEqual(got, want) {
		t.Errorf("reminders %q, want %q", got, want)
	}
	if got := p.path(); got != "/tasks/"+id+"/edit#reminders-"+id {
		t.Errorf("after adding, the page is %q, want the edit form", got)
	}
	p.clickRole("button", "Remove the reminder “2 hours before”")
	p.waitFor("no reminder", `document.querySelectorAll(".task.is-editing .reminder-rows li").length === 0 && !!document.querySelector(".task.is-editing .task-reminders")`)
	if got := storedReminders(t, srv, u, id); len(got) != 0 {
		t.Errorf("stored reminders %q after removing", got)
	}
}

// waitForNotification waits until the reminder has fired, as the API lists it.
func waitForNotification(t *testing.T, srv *apptest.Server, u apptest.User, reminderID string) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		var list struct {
			Notifications []struct {
				ReminderID string `json:"reminder_id"`
			}
		}
		srv.Do(t, http.MethodGet, "/api/v2/notifications", u.Token, nil).JSON(t, &list)
		for _, n := range list.Notifications {
			if n.ReminderID == reminderID {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reminder %s did not fire", reminderID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReminderNoticesInThePage: a reminder that fires while the app is open shows in the page,
// with buttons that snooze it; one seen is not shown again on the next page.
func TestReminderNoticesInThePage(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "notices@example.com")
	atNoon(t, srv, u)
	id := createTask(t, srv, u, map[string]any{"title": "Water the plants"})
	p := signedInAs(t, srv, u, nil)
	p.waitFor("the first look for reminders", `!!document.querySelector("#notice-poll[data-since]")`)

	reminder := reminderIn(t, srv, u, id, time.Second)
	waitForNotification(t, srv, u, reminder)
	// The page asks again when its tab is shown (and every 15 seconds).
	p.do(evaluateVoid(`document.dispatchEvent(new Event("visibilitychange"))`))
	p.waitFor("the notice", `!!document.querySelector("#notice-list .notice-card")`)
	if got := p.text("#notice-list .notice-title"); got != "Water the plants" {
		t.Errorf("the notice says %q", got)
	}
	if got := p.text("#notice-list .notice-kicker"); len(got) < len("Reminder, Today ") || got[:len("Reminder, Today ")] != "Reminder, Today " {
		t.Errorf("the notice's time says %q", got)
	}
	p.the("#notice-list", "link", named("Water the plants"), "the link to the task")

	before := time.Now()
	p.clickRole("button", "Snooze “Water the plants” for 10 minutes")
	p.waitFor("the snooze", `!!document.querySelector("#notice-list .notice-card.is-snoozed")`)
	if got := p.text("#notice-list .notice-title"); len(got) < len("“Water the plants” snoozed until Today ") {
		t.Errorf("the snoozed notice says %q", got)
	}
	if until := snoozedUntil(t, srv, u, id, reminder); until.Before(before.Add(9*time.Minute)) || until.After(time.Now().Add(11*time.Minute)) {
		t.Errorf("the reminder is snoozed until %v, want 10 minutes on", until)
	}
	p.clickRole("button", "Dismiss the notice of “Water the plants”")
	p.waitFor("no notice", `!document.querySelector("#notice-list li")`)

	// The next page starts after the notices this one saw.
	p.open("/")
	p.waitFor("the first look for reminders", `!!document.querySelector("#notice-poll[data-since]")`)
	if n := evaluate[int](p, `document.querySelectorAll("#notice-list li").length`); n != 0 {
		t.Errorf("the next page shows %d notices again", n)
	}
}
