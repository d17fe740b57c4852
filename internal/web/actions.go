package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"todo/internal/auth"
	"todo/internal/quickadd"
	"todo/internal/task"
)

// userForm wraps the handler of a state-changing form of a signed-in user.
func (ui *UI) userForm(h userHandler) http.Handler {
	return ui.form(ui.withUser(h).ServeHTTP)
}

// listOf reads the list's state that a request carries: in the query, where every link and
// form of the list puts it (a form's own fields are in its body). A state that cannot be read
// is answered with why, and h is not run: nothing changes.
func (ui *UI) listOf(h func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState)) userHandler {
	return func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		s, err := listStateFrom(r.URL.Query())
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		h(w, r, a, s)
	}
}

// taskID reads the {id} of the path; a malformed one names no task.
func taskID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, task.ErrNotFound
	}
	return id, nil
}

// ownTask reads the user's task that the path names. Another user's task is not found, as if
// it did not exist.
func (ui *UI) ownTask(r *http.Request, a *auth.Authenticated) (task.Task, error) {
	id, err := taskID(r)
	if err != nil {
		return task.Task{}, err
	}
	return ui.tasks.Get(r.Context(), a.User.ID, id)
}

// ownTaskAndPrefs is ownTask with the user's settings, which the forms of a task (its due and
// repeat fields) are written in.
func (ui *UI) ownTaskAndPrefs(r *http.Request, a *auth.Authenticated) (task.Task, task.Prefs, error) {
	t, err := ui.ownTask(r, a)
	if err != nil {
		return task.Task{}, task.Prefs{}, err
	}
	prefs, err := ui.tasks.Prefs(r.Context(), a.User.ID)
	return t, prefs, err
}

func quoted(title string) string { return "“" + title + "”" }

func anchor(id uuid.UUID) string { return "task-" + id.String() }

// readTaskForm is a task form's fields as typed.
func readTaskForm(v url.Values, s listState) taskForm {
	return taskForm{State: s, Title: v.Get("title"), Description: v.Get("description"), Priority: v.Get("priority"),
		Tags: v.Get("tags"), DueDate: strings.TrimSpace(v.Get("due_date")), DueTime: strings.TrimSpace(v.Get("due_time")),
		ETag: v.Get("etag")}
}

// plan is what the priority, tags and due fields of a form say.
type plan struct {
	priority  *task.Priority // nil: the field is empty
	tags      []string
	tagsGiven bool      // the tags field holds something
	due       *task.Due // nil: no date
}

// planned reads the form's priority, tags and due fields, a due at a time in the user's zone
// loc. A field that cannot be read gets its message and plan reports false.
func (f *taskForm) planned(loc *time.Location) (plan, bool) {
	var p plan
	if f.Priority != "" {
		pr, ok := task.ParsePriority(f.Priority)
		if !ok {
			f.setError("priority", "Choose a priority: high, medium, low or none.")
		}
		p.priority = &pr
	}
	for _, name := range strings.Split(f.Tags, ",") {
		if name = strings.TrimPrefix(strings.TrimSpace(name), "#"); name != "" {
			p.tags = append(p.tags, name)
		}
	}
	p.tagsGiven = strings.TrimSpace(f.Tags) != ""
	switch {
	case f.DueDate == "" && f.DueTime != "":
		f.setError("due", "Choose a date for the time, or clear the time.")
	case f.DueDate != "":
		date, err := task.ParseDate(f.DueDate)
		if err != nil {
			f.setError("due", fieldMessage("due", err.Error()))
			break
		}
		due := task.Due{Date: date}
		if f.DueTime != "" {
			clock, ok := parseClock(f.DueTime)
			if !ok {
				f.setError("due", "Due time must be a time of day, like 14:30.")
				break
			}
			due = task.DueAt(date, clock.Hour(), clock.Minute(), loc)
		}
		p.due = &due
	}
	return p, len(f.Errors) == 0
}

// parseClock reads a time of day as <input type=time> sends it: 14:30, or 14:30:00 when the
// field has a step under a minute.
func parseClock(s string) (time.Time, bool) {
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// draft is the task that the new-task form makes: quick add reads the title; the priority,
// tags and due fields, where filled in, win over what it found there.
func (f *taskForm) draft(now time.Time, prefs task.Prefs) (task.Draft, bool) {
	d := task.Draft{Title: f.Title, Description: f.Description}
	if r := quickadd.Parse(f.Title, now, prefs); len(r.Tokens) > 0 {
		d.Title, d.Tags, d.Priority, d.Due = r.Title, r.Tags, r.Priority, r.Due
		if r.Recurrence != nil {
			d.Repeat = r.Recurrence
		}
	}
	p, ok := f.planned(prefs.TimeZone)
	if p.priority != nil {
		d.Priority = *p.priority
	}
	if p.tagsGiven {
		d.Tags = p.tags
	}
	if p.due != nil {
		d.Due = p.due
	}
	return d, ok
}

// CreateTask serves POST /tasks. A refused task comes back in its form, as typed.
func (ui *UI) CreateTask() http.Handler {
	return ui.userForm(ui.listOf(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState) {
		s = s.WithoutCursor()
		form := readTaskForm(r.PostForm, s)
		prefs, err := ui.tasks.Prefs(r.Context(), a.User.ID)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		now := ui.tasks.Now()
		d, ok := form.draft(now, prefs)
		var t task.Task
		if ok {
			t, err = ui.tasks.Create(r.Context(), a.User.ID, d)
			ok = !form.withError(err)
		}
		if !ok {
			form.Preview = preview(form.Title, now, prefs)
			if isHTMX(r) {
				w.Header().Set("HX-Retarget", "#new-task")
				w.Header().Set("HX-Reswap", "outerHTML")
				ui.write(w, r, http.StatusUnprocessableEntity, "tasks", fragment{"new-task", form})
				return
			}
			ui.showList(w, r, a, s, http.StatusUnprocessableEntity, listChange{newTask: &form})
			return
		}
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		announce := "Added " + quoted(t.Title) + "."
		if !isHTMX(r) {
			ui.afterChange(w, r, a, s, anchor(t.ID), announce)
			return
		}
		// A fresh form, with the cursor in it for the next task.
		ui.showList(w, r, a, s, http.StatusOK, listChange{announce: announce, newTask: &taskForm{State: s, Focus: true}})
	}))
}

// TaskItem serves GET /tasks/{id}: the task as a list item, for htmx to put back when an
// edit is cancelled. A browser asking for it goes to the task in the list.
func (ui *UI) TaskItem() http.Handler {
	return ui.withUser(ui.listOf(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState) {
		t, err := ui.ownTask(r, a)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		if !isHTMX(r) {
			http.Redirect(w, r, s.URL()+"#"+anchor(t.ID), http.StatusSeeOther)
			return
		}
		item, err := ui.item(r, a, t, s)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		ui.write(w, r, http.StatusOK, "tasks", fragment{"task", item})
	}))
}

// item is the list item of t, its due in the user's words.
func (ui *UI) item(r *http.Request, a *auth.Authenticated, t task.Task, s listState) (taskView, error) {
	v := taskView{Task: t, State: s}
	if t.Due == nil {
		return v, nil
	}
	prefs, err := ui.tasks.Prefs(r.Context(), a.User.ID)
	if err != nil {
		return v, err
	}
	l := describeDue(*t.Due, t.Completed, ui.tasks.Now(), prefs.TimeZone)
	v.When = &l
	return v, nil
}

// EditTaskForm serves GET /tasks/{id}/edit: the task's edit form, in place of the item for
// htmx, or within the list page for a browser without JavaScript.
func (ui *UI) EditTaskForm() http.Handler {
	return ui.withUser(ui.listOf(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState) {
		t, prefs, err := ui.ownTaskAndPrefs(r, a)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		form := editForm(t, s, prefs.TimeZone, ui.today(prefs))
		if err := ui.editParts(r.Context(), a.User.ID, &form, t, prefs.TimeZone); err != nil {
			ui.fail(w, r, err)
			return
		}
		if isHTMX(r) {
			ui.write(w, r, http.StatusOK, "tasks", fragment{"task", taskView{Task: t, State: s, Editing: true, Form: form}})
			return
		}
		ui.showList(w, r, a, s, http.StatusOK, listChange{editing: t.ID, form: form})
	}))
}

// changedElsewhere is what the edit form says when the task changed since it was opened.
const changedElsewhere = "This task changed in another tab — here is its current version. Make your change again, then save."

// EditTask serves POST /tasks/{id}/edit: save the title, description, priority, tags, due and
// repeat rule. The form carries the ETag of the task it was filled from: if the task has
// changed since (in another tab), nothing is overwritten, and the form comes back with the
// task as it is now. A refused edit stays open with what was typed and the reason.
func (ui *UI) EditTask() http.Handler {
	return ui.userForm(ui.listOf(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState) {
		form := readTaskForm(r.PostForm, s)
		t, prefs, err := ui.ownTaskAndPrefs(r, a)
		if err != nil {
			ui.failOnList(w, r, a, s, err)
			return
		}
		id := t.ID
		status := http.StatusUnprocessableEntity
		p, ok := form.planned(prefs.TimeZone)
		patch := task.Patch{Title: &form.Title, Description: &form.Description, Priority: p.priority,
			Tags: &p.tags, Due: p.due, ClearDue: p.due == nil, IfMatch: form.ETag}
		// The repeat's choices are made for the due it will have, or today.
		day := ui.today(prefs)
		if p.due != nil {
			day = p.due.DayIn(prefs.TimeZone)
		}
		if typed, has := readRepeatForm(r.PostForm); has {
			typed.reanchor(day)
			form.Repeat = typed
			ok = form.repeatChange(t, &patch) && ok
		} else {
			form.Repeat = newRepeatForm(ruleOf(t), day)
		}
		stored := t
		if ok {
			t, err = ui.tasks.Edit(r.Context(), a.User.ID, id, patch)
			switch {
			case errors.Is(err, task.ErrChanged):
				t, err = ui.tasks.Get(r.Context(), a.User.ID, id)
				if err != nil {
					ui.failOnList(w, r, a, s, err)
					return
				}
				form, stored = editForm(t, s, prefs.TimeZone, ui.today(prefs)), t
				form.Conflict, status, ok = changedElsewhere, http.StatusConflict, false
			case form.withError(err):
				ok = false
			case err != nil:
				ui.failOnList(w, r, a, s, err)
				return
			}
		}
		if !ok {
			if err := ui.editParts(r.Context(), a.User.ID, &form, stored, prefs.TimeZone); err != nil {
				ui.failOnList(w, r, a, s, err)
				return
			}
			edit := taskView{Task: task.Task{ID: id, Title: t.Title}, State: s, Editing: true, Form: form}
			if isHTMX(r) {
				ui.write(w, r, status, "tasks", fragment{"task", edit})
				return
			}
			ui.showList(w, r, a, s, status, listChange{editing: id, form: form})
			return
		}
		if !isHTMX(r) {
			http.Redirect(w, r, s.URL()+"#"+anchor(id), http.StatusSeeOther)
			return
		}
		// The whole list: the task may have moved in the order, or out of the view, and the
		// counts of the views may have changed.
		w.Header().Set("HX-Retarget", "#tasks")
		w.Header().Set("HX-Reswap", "outerHTML")
		ui.showList(w, r, a, s, http.StatusOK, listChange{announce: "Saved " + quoted(t.Title) + "."})
	}))
}

// repeatChange puts into patch what the Repeat control changes of t's rule: nothing when it
// says the same rule (in other words, perhaps), a new rule, or none. A choice that makes no
// rule gets its message, and repeatChange reports false.
func (f *taskForm) repeatChange(t task.Task, patch *task.Patch) bool {
	rule, repeats, msg := f.Repeat.rule()
	if msg != "" {
		f.setError("repeat", msg)
		return false
	}
	old := ruleOf(t)
	switch {
	case !repeats:
		patch.ClearRepeat = t.Repeat != nil
	case old == nil || old.Anchored(f.Repeat.Anchor) != rule.Anchored(f.Repeat.Anchor):
		patch.Repeat = rule
	}
	return true
}

// today is the date in the user's zone.
func (ui *UI) today(prefs task.Prefs) task.Date {
	return task.DateOf(ui.tasks.Now().In(prefs.TimeZone))
}

// editParts gives the edit form of t what it shows beside the task's fields: its reminders and
// the occurrences done.
func (ui *UI) editParts(ctx context.Context, userID string, f *taskForm, t task.Task, loc *time.Location) error {
	if err := ui.loadReminders(ctx, userID, f, t, loc); err != nil {
		return err
	}
	return ui.loadHistory(ctx, userID, f, t.ID, loc)
}

// loadHistory gives the edit form the occurrences of the task that were done.
func (ui *UI) loadHistory(ctx context.Context, userID string, f *taskForm, id uuid.UUID, loc *time.Location) error {
	done, err := ui.tasks.History(ctx, userID, id)
	if err != nil {
		return err
	}
	f.History = newHistoryView("history-"+id.String(), done, ui.tasks.Now(), loc)
	return nil
}

// RepeatFields serves GET /tasks/{id}/repeat: the edit form's Repeat control as the query has
// it, made for the due date in it (or today). htmx asks for it when the due date changes, so
// that the presets read the new date, and choices on the old due's day move to the new one's.
func (ui *UI) RepeatFields() http.Handler {
	return ui.withUser(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		t, prefs, err := ui.ownTaskAndPrefs(r, a)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		if !isHTMX(r) {
			http.Redirect(w, r, "/tasks/"+t.ID.String()+"/edit", http.StatusSeeOther)
			return
		}
		q := r.URL.Query()
		day := ui.today(prefs)
		if due, err := task.ParseDate(strings.TrimSpace(q.Get("due_date"))); err == nil {
			day = due
		}
		f, has := readRepeatForm(q)
		if has {
			f.reanchor(day)
		} else {
			f = newRepeatForm(ruleOf(t), day)
		}
		ui.write(w, r, http.StatusOK, "tasks", fragment{"repeat-fields", repeatFields{ID: t.ID, Form: taskForm{Repeat: f}}})
	})
}

// ToggleTask serves POST /tasks/{id}/toggle: flip the task between to do and done. A repeating
// task that is done moves on to its next due instead, and stays to do.
func (ui *UI) ToggleTask() http.Handler {
	return ui.userForm(ui.listOf(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState) {
		before, err := ui.ownTask(r, a)
		var t task.Task
		if err == nil {
			t, err = ui.tasks.Toggle(r.Context(), a.User.ID, before.ID, "")
		}
		if err != nil {
			ui.failOnList(w, r, a, s, err)
			return
		}
		announce := quoted(t.Title) + " marked as not done."
		switch {
		case t.Completed:
			announce = quoted(t.Title) + " marked as done."
		case !before.Completed && t.Due != nil:
			prefs, err := ui.tasks.Prefs(r.Context(), a.User.ID)
			if err != nil {
				ui.fail(w, r, err)
				return
			}
			announce = quoted(t.Title) + " done; next due " + describeDue(*t.Due, false, ui.tasks.Now(), prefs.TimeZone).Text + "."
		}
		ui.afterChange(w, r, a, s, anchor(t.ID), announce)
	}))
}

// ConfirmDeleteTask serves GET /tasks/{id}/delete: without JavaScript, the page that asks
// before deleting. With JavaScript, a dialog on the list asks instead.
func (ui *UI) ConfirmDeleteTask() http.Handler {
	return ui.withUser(ui.listOf(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState) {
		t, err := ui.ownTask(r, a)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		ui.page(w, r, http.StatusOK, "confirm", confirmView{
			layoutView: layoutView{Title: "Delete task", User: &a.User},
			Heading:    "Delete this task?",
			Message:    quoted(t.Title) + " will be deleted. This can't be undone.",
			Action:     "/tasks/" + t.ID.String() + "/delete" + s.Query(),
			Button:     "Delete task",
			Cancel:     s.URL() + "#" + anchor(t.ID),
		})
	}))
}

// DeleteTask serves POST /tasks/{id}/delete. A task that is gone already counts as deleted.
func (ui *UI) DeleteTask() http.Handler {
	return ui.userForm(ui.listOf(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState) {
		t, err := ui.ownTask(r, a) // for its title, in the announcement
		if err == nil {
			err = ui.tasks.Delete(r.Context(), a.User.ID, t.ID, "")
		}
		announce := "Deleted " + quoted(t.Title) + "."
		if errors.Is(err, task.ErrNotFound) {
			announce, err = "That task was deleted already.", nil
		}
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		ui.afterChange(w, r, a, s, "", announce)
	}))
}

// CompleteAll serves POST /tasks/complete-all: mark every task done, or with completed=false,
// every task not done.
func (ui *UI) CompleteAll() http.Handler {
	return ui.userForm(ui.listOf(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState) {
		completed := r.PostForm.Get("completed") != "false"
		n, err := ui.tasks.SetAllCompleted(r.Context(), a.User.ID, completed)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		state := "done"
		if !completed {
			state = "not done"
		}
		ui.afterChange(w, r, a, s.WithoutCursor(), "", fmt.Sprintf("Marked %d %s as %s.", n, plural(n, "task", "tasks"), state))
	}))
}

// ConfirmClearCompleted serves GET /tasks/clear-completed: without JavaScript, the page that
// asks before deleting the completed tasks.
func (ui *UI) ConfirmClearCompleted() http.Handler {
	return ui.withUser(ui.listOf(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState) {
		page, _, err := ui.tasks.Query(r.Context(), a.User.ID, task.Query{Limit: 1})
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		n := page.Counts.Completed
		ui.page(w, r, http.StatusOK, "confirm", confirmView{
			layoutView: layoutView{Title: "Clear completed tasks", User: &a.User},
			Heading:    "Clear completed tasks?",
			Message:    fmt.Sprintf("%d completed %s will be deleted. This can't be undone.", n, plural(n, "task", "tasks")),
			Action:     "/tasks/clear-completed" + s.Query(),
			Button:     "Delete completed tasks",
			Cancel:     s.URL(),
		})
	}))
}

// ClearCompleted serves POST /tasks/clear-completed: delete the completed tasks.
func (ui *UI) ClearCompleted() http.Handler {
	return ui.userForm(ui.listOf(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState) {
		n, err := ui.tasks.DeleteCompleted(r.Context(), a.User.ID)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		ui.afterChange(w, r, a, s.WithoutCursor(), "", fmt.Sprintf("Deleted %d completed %s.", n, plural(n, "task", "tasks")))
	}))
}

// failOnList answers a failed change of one task. With htmx, a task that has gone (deleted in
// another window) also refreshes the list, so that it disappears there too.
func (ui *UI) failOnList(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState, err error) {
	if errors.Is(err, task.ErrNotFound) && isHTMX(r) {
		w.Header().Set("HX-Retarget", "#tasks")
		w.Header().Set("HX-Reswap", "outerHTML")
		ui.showList(w, r, a, s, http.StatusNotFound, listChange{alert: notFoundMessage})
		return
	}
	ui.fail(w, r, err)
}
