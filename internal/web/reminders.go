package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"todo/internal/apperr"
	"todo/internal/auth"
	"todo/internal/push"
	"todo/internal/remind"
	"todo/internal/task"
)

// Reminders is what the UI asks of the reminders: a task's, the user's settings, the browsers
// subscribed to Web Push, the notifications the open page shows, and snoozing.
type Reminders interface {
	Reminders(ctx context.Context, userID string, taskID uuid.UUID) ([]remind.Scheduled, error)
	Add(ctx context.Context, userID string, taskID uuid.UUID, d remind.Draft) (remind.Scheduled, error)
	Delete(ctx context.Context, userID string, id uuid.UUID) error
	Snooze(ctx context.Context, userID string, id uuid.UUID, d remind.Snooze) (remind.Scheduled, error)
	Settings(ctx context.Context, userID string) (remind.Settings, error)
	SaveSettings(ctx context.Context, userID string, st remind.Settings) error
	VAPIDPublicKey() (string, error)
	Subscribe(ctx context.Context, userID string, sub push.Subscription) (uuid.UUID, error)
	Unsubscribe(ctx context.Context, userID, endpoint string) error
	Notifications(ctx context.Context, userID string, since int64, limit int) ([]remind.Notification, error)
}

// remindersView is the reminders of a task, under its edit form: each with when it fires
// next and a button to remove it, and the form that adds one.
type remindersView struct {
	TaskID uuid.UUID
	State  listState
	List   []reminderRow
	HasDue bool
	Add    reminderDraft
	// Error says why the reminder was not added; Focus puts the cursor in the form that adds
	// one (after a change, or a refusal).
	Error string
	Focus bool
}

// reminderRow is one reminder: "30 minutes before", and "Next: Tomorrow 08:30".
type reminderRow struct {
	ID          uuid.UUID
	Label, Next string
}

// reminderDraft is the form that adds a reminder, as typed: due, before (Amount Unit before the
// due) or at (the date and time At, as <input type=datetime-local> sends it).
type reminderDraft struct {
	Kind, Amount, Unit, At string
}

// reminderUnits are the units of a reminder before the due, as the form names them.
var reminderUnits = []struct {
	value string
	unit  time.Duration
}{{"minutes", time.Minute}, {"hours", time.Hour}, {"days", 24 * time.Hour}}

// Units are the choices of the reminder's unit.
func (d reminderDraft) Units() []option {
	out := make([]option, len(reminderUnits))
	for i, u := range reminderUnits {
		out[i] = option{Value: u.value, Label: u.value, Selected: d.Unit == u.value}
	}
	return out
}

// Kinds are the choices of when the reminder fires.
func (d reminderDraft) Kinds() []option {
	out := []option{{Value: "due", Label: "At the due time"}, {Value: "before", Label: "Before the due"}, {Value: "at", Label: "At a date and time"}}
	for i := range out {
		out[i].Selected = out[i].Value == d.Kind
	}
	return out
}

// newReminderDraft is the form of a new reminder, 30 minutes before the due.
func newReminderDraft() reminderDraft {
	return reminderDraft{Kind: "before", Amount: "30", Unit: "minutes"}
}

// readReminderDraft reads the form that adds a reminder; a field that makes no reminder gets
// its message.
func readReminderDraft(v url.Values, loc *time.Location) (reminderDraft, remind.Draft, string) {
	typed := reminderDraft{Kind: v.Get("reminder_kind"), Amount: strings.TrimSpace(v.Get("reminder_amount")),
		Unit: v.Get("reminder_unit"), At: strings.TrimSpace(v.Get("reminder_at"))}
	kind, ok := remind.ParseKind(typed.Kind)
	if !ok {
		return typed, remind.Draft{}, "Choose when the reminder fires."
	}
	d := remind.Draft{Kind: kind}
	switch kind {
	case remind.BeforeDue:
		n, err := strconv.Atoi(typed.Amount)
		unit := time.Duration(0)
		for _, u := range reminderUnits {
			if typed.Unit == u.value {
				unit = u.unit
			}
		}
		switch {
		case err != nil || n < 1 || unit == 0:
			return typed, d, "Choose how long before the due, like 30 minutes."
		case time.Duration(n)*unit > remind.MaxBefore:
			return typed, d, "A reminder can be at most 30 days before the due."
		}
		d.Before = time.Duration(n) * unit
	case remind.AtTime:
		at, err := time.ParseInLocation("2006-01-02T15:04", typed.At, loc)
		if err != nil {
			return typed, d, "Choose the date and time of the reminder."
		}
		d.At = at
	}
	return typed, d, ""
}

// beforeWords says how long before the due: "30 minutes before", "1 day before".
func beforeWords(d time.Duration) string {
	n, unit := int64(d/time.Minute), "minute"
	switch {
	case d > 0 && d%(24*time.Hour) == 0:
		n, unit = int64(d/(24*time.Hour)), "day"
	case d > 0 && d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "hour"
	}
	return fmt.Sprintf("%d %s before", n, plural(n, unit, unit+"s"))
}

// momentWords says an instant as its user reads it: "Today 14:30", "Fri 24 Dec 08:00".
func momentWords(at, now time.Time, loc *time.Location) string {
	local := at.In(loc)
	return dayName(task.DateOf(local), task.DateOf(now.In(loc))) + " " + local.Format("15:04")
}

// reminderRowOf is r as the edit form lists it.
func reminderRowOf(r remind.Scheduled, hasDue bool, now time.Time, loc *time.Location) reminderRow {
	row := reminderRow{ID: r.ID}
	switch r.Kind {
	case remind.AtDue:
		row.Label = "At the due time"
	case remind.BeforeDue:
		row.Label = strings.ToUpper(beforeWords(r.Before)[:1]) + beforeWords(r.Before)[1:]
	case remind.AtTime:
		local := r.At.In(loc)
		row.Label = dayName(task.DateOf(local), task.DateOf(now.In(loc))) + " at " + local.Format("15:04")
	}
	switch {
	case r.Next != nil && r.SnoozedUntil != nil && r.SnoozedUntil.Equal(*r.Next):
		row.Next = "Snoozed until " + momentWords(*r.Next, now, loc)
	case r.Next != nil:
		row.Next = "Next: " + momentWords(*r.Next, now, loc)
	case !hasDue && r.Kind != remind.AtTime:
		row.Next = "Fires once the task has a due date"
	default:
		row.Next = "Will not fire again"
	}
	return row
}

// loadReminders gives the edit form of t its reminders, when the server has reminders.
func (ui *UI) loadReminders(ctx context.Context, userID string, f *taskForm, t task.Task, loc *time.Location) error {
	if ui.Reminders == nil {
		return nil
	}
	list, err := ui.Reminders.Reminders(ctx, userID, t.ID)
	if err != nil {
		return err
	}
	v := remindersView{TaskID: t.ID, State: f.State, HasDue: t.Due != nil, Add: newReminderDraft()}
	now := ui.tasks.Now()
	for _, r := range list {
		v.List = append(v.List, reminderRowOf(r, t.Due != nil, now, loc))
	}
	f.Reminders = &v
	return nil
}

// Reminder forms: adding one, removing one. Without JavaScript each goes back to the edit
// form (POST, then redirect); with htmx, the answer is the reminders' section.

// AddReminder serves POST /tasks/{id}/reminders.
func (ui *UI) AddReminder() http.Handler {
	return ui.userForm(ui.listOf(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState) {
		ui.changeReminders(w, r, a, s, func(t task.Task, loc *time.Location) (reminderChange, error) {
			typed, d, msg := readReminderDraft(r.PostForm, loc)
			if msg != "" {
				return reminderChange{typed: typed, refusal: msg}, nil
			}
			added, err := ui.Reminders.Add(r.Context(), a.User.ID, t.ID, d)
			if e, ok := errors.AsType[*apperr.Error](err); ok && e.Kind == apperr.Invalid && len(e.Fields) > 0 {
				msg := e.Fields[0].Message
				return reminderChange{typed: typed, refusal: strings.ToUpper(msg[:1]) + msg[1:] + "."}, nil
			}
			if err != nil {
				return reminderChange{}, err
			}
			label := reminderRowOf(added, t.Due != nil, ui.tasks.Now(), loc).Label
			return reminderChange{typed: newReminderDraft(), announce: "Added the reminder " + quoted(label) + "."}, nil
		})
	}))
}

// DeleteReminder serves POST /tasks/{id}/reminders/{reminder}/delete. A reminder that is gone
// already counts as removed.
func (ui *UI) DeleteReminder() http.Handler {
	return ui.userForm(ui.listOf(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState) {
		ui.changeReminders(w, r, a, s, func(task.Task, *time.Location) (reminderChange, error) {
			id, err := uuid.Parse(r.PathValue("reminder"))
			if err == nil {
				err = ui.Reminders.Delete(r.Context(), a.User.ID, id)
			}
			if id == uuid.Nil || errors.Is(err, remind.ErrNotFound) {
				err = nil
			}
			return reminderChange{typed: newReminderDraft(), announce: "Removed the reminder."}, err
		})
	}))
}

// reminderChange is what a change of a task's reminders did: the add form as it should show
// next, why the change was refused (if it was), and what to announce.
type reminderChange struct {
	typed             reminderDraft
	refusal, announce string
}

// changeReminders makes a change to the reminders of the task of the path, and answers with
// them.
func (ui *UI) changeReminders(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState,
	change func(task.Task, *time.Location) (reminderChange, error)) {
	if ui.Reminders == nil {
		http.NotFound(w, r)
		return
	}
	t, prefs, err := ui.ownTaskAndPrefs(r, a)
	if err != nil {
		ui.failOnList(w, r, a, s, err)
		return
	}
	c, err := change(t, prefs.TimeZone)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if c.refusal == "" && !isHTMX(r) {
		http.Redirect(w, r, "/tasks/"+t.ID.String()+"/edit"+s.Query()+"#reminders-"+t.ID.String(), http.StatusSeeOther)
		return
	}
	form := editForm(t, s, prefs.TimeZone, ui.today(prefs))
	form.Focus = false
	if err := ui.loadReminders(r.Context(), a.User.ID, &form, t, prefs.TimeZone); err != nil {
		ui.fail(w, r, err)
		return
	}
	form.Reminders.Add, form.Reminders.Error, form.Reminders.Focus = c.typed, c.refusal, true
	status := http.StatusOK
	if c.refusal != "" {
		status = http.StatusUnprocessableEntity
	}
	if isHTMX(r) {
		ui.write(w, r, status, "tasks", fragment{"task-reminders", *form.Reminders}, fragment{"announce", c.announce})
		return
	}
	if err := ui.loadHistory(r.Context(), a.User.ID, &form, t.ID, prefs.TimeZone); err != nil {
		ui.fail(w, r, err)
		return
	}
	ui.showList(w, r, a, s, status, listChange{editing: t.ID, form: form})
}
