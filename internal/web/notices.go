package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"todo/internal/auth"
	"todo/internal/remind"
	"todo/internal/task"
)

// The notices of the open page: the reminders that fire while the app is open, each with
// buttons to snooze it, which htmx asks the server for every so often (and when the tab is
// shown again). A notice is a notification of internal/remind, kept in the database, so
// that every instance answers alike; the page says the last one it has (since).

const (
	// noticesPerPoll bounds the notices one answer adds.
	noticesPerPoll = 50
	// noticeFor is how long after its time a reminder is still shown when the page asks; one
	// that fired earlier is only counted past, as the page was closed then.
	noticeFor = 24 * time.Hour
	// catchUpPages bounds the pages of notifications the first poll of a browser reads to find
	// the last one; the next poll goes on from where it stopped.
	catchUpPages = 20
	// noticeOnOpen is how long before the page opened a reminder may have fired to be shown
	// by its first poll: one that fired as it opened, not those of days ago.
	noticeOnOpen = 10 * time.Minute
)

// noticePoll is the element that asks for new notices: the last notification the page has,
// and whether it goes on asking (not when the user turned in-page notices off).
type noticePoll struct {
	Since   int64
	Polling bool
}

// notice is a reminder that fired, as the page shows it.
type notice struct {
	ReminderID, TaskID uuid.UUID
	Title              string
	When               string // "Today 14:30"
	Missed             bool   // it was due while no server ran, and is shown late
}

// noticesView is a poll's answer: the next poll, and the notices it adds.
type noticesView struct {
	Poll    noticePoll
	Notices []notice
}

// Notices serves GET /notifications?since=N: the reminders that fired after the notification
// N, for htmx to add to the page's notices. Without since (a browser's first poll) it finds
// the last notification and shows only those of the last minutes.
func (ui *UI) Notices() http.Handler {
	return ui.withUser(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		if ui.Reminders == nil {
			http.NotFound(w, r)
			return
		}
		settings, err := ui.Reminders.Settings(r.Context(), a.User.ID)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		v := noticesView{Poll: noticePoll{Polling: settings.InPage}}
		if !settings.InPage {
			ui.write(w, r, http.StatusOK, "tasks", fragment{"notice-poll", v.Poll})
			return
		}
		now := ui.tasks.Now()
		oldest, pages := now.Add(-noticeFor), 1
		if raw := r.URL.Query().Get("since"); raw == "" {
			oldest, pages = now.Add(-noticeOnOpen), catchUpPages
		} else if v.Poll.Since, err = strconv.ParseInt(raw, 10, 64); err != nil || v.Poll.Since < 0 {
			ui.showError(w, r, http.StatusBadRequest, "This page asked for reminders in a way the server does not know. Reload the page.")
			return
		}
		prefs, err := ui.tasks.Prefs(r.Context(), a.User.ID)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		for range pages {
			list, err := ui.Reminders.Notifications(r.Context(), a.User.ID, v.Poll.Since, noticesPerPoll)
			if err != nil {
				ui.fail(w, r, err)
				return
			}
			for _, n := range list {
				v.Poll.Since = n.ID
				if n.FireAt.After(oldest) {
					v.Notices = append(v.Notices, notice{ReminderID: n.ReminderID, TaskID: n.TaskID, Title: n.TaskTitle,
						When: momentWords(n.FireAt, now, prefs.TimeZone), Missed: n.State == remind.Missed})
				}
			}
			if len(list) < noticesPerPoll {
				break
			}
		}
		if len(v.Notices) > noticesPerPoll {
			v.Notices = v.Notices[len(v.Notices)-noticesPerPoll:]
		}
		ui.write(w, r, http.StatusOK, "tasks", fragment{"notice-poll", v.Poll}, fragment{"notices-oob", v.Notices})
	})
}

// snoozes are the snooze buttons of a notice, in their order: what they show, and what they
// are named for assistive technology ("Snooze “Water the plants” for 10 minutes").
var snoozes = []struct {
	choice      remind.Snooze
	label, name string
}{{remind.Snooze10m, "10 min", "for 10 minutes"}, {remind.Snooze1h, "1 hour", "for 1 hour"}, {remind.SnoozeTomorrow, "Tomorrow", "until tomorrow"}}

// snoozeChoice is a snooze button: its value and its words.
type snoozeChoice struct{ Value, Label, Name string }

// Snoozes are the choices of a notice's snooze buttons.
func (notice) Snoozes() []snoozeChoice {
	out := make([]snoozeChoice, len(snoozes))
	for i, s := range snoozes {
		out[i] = snoozeChoice{Value: string(s.choice), Label: s.label, Name: s.name}
	}
	return out
}

// snoozedView is a notice once snoozed: until when.
type snoozedView struct {
	Title, Until string
}

// SnoozeReminder serves POST /reminders/{id}/snooze (for: 10m, 1h, tomorrow): the reminder
// fires again then. With htmx the notice says until when; a browser goes back to the list.
func (ui *UI) SnoozeReminder() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		if ui.Reminders == nil {
			http.NotFound(w, r)
			return
		}
		choice := remind.Snooze(r.PostForm.Get("for"))
		known := false
		for _, s := range snoozes {
			known = known || s.choice == choice
		}
		if !known {
			ui.showError(w, r, http.StatusUnprocessableEntity, "Choose how long to snooze: 10 minutes, 1 hour or until tomorrow.")
			return
		}
		id, err := uuid.Parse(r.PathValue("id"))
		if err != nil {
			err = remind.ErrNotFound
		}
		var snoozed remind.Scheduled
		if err == nil {
			snoozed, err = ui.Reminders.Snooze(r.Context(), a.User.ID, id, choice)
		}
		if errors.Is(err, remind.ErrNotFound) {
			ui.showError(w, r, http.StatusNotFound, "This reminder no longer exists: its task may have been deleted.")
			return
		}
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		if !isHTMX(r) {
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		t, err := ui.tasks.Get(r.Context(), a.User.ID, snoozed.TaskID)
		var prefs task.Prefs
		if err == nil {
			prefs, err = ui.tasks.Prefs(r.Context(), a.User.ID)
		}
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		until := momentWords(*snoozed.SnoozedUntil, ui.tasks.Now(), prefs.TimeZone)
		ui.write(w, r, http.StatusOK, "tasks", fragment{"notice-snoozed", snoozedView{Title: t.Title, Until: until}},
			fragment{"announce", quoted(t.Title) + " snoozed until " + until + "."})
	})
}
