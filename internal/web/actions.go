package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"todo/internal/auth"
	"todo/internal/task"
)

// userForm wraps the handler of a state-changing form of a signed-in user.
func (ui *UI) userForm(h userHandler) http.Handler {
	return ui.form(ui.withUser(h).ServeHTTP)
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

func quoted(title string) string { return "“" + title + "”" }

func anchor(id uuid.UUID) string { return "task-" + id.String() }

// CreateTask serves POST /tasks. A refused task comes back in its form, as typed.
func (ui *UI) CreateTask() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		s := listStateFrom(r.Form)
		form := taskForm{State: s, Title: r.PostForm.Get("title"), Description: r.PostForm.Get("description")}
		t, err := ui.tasks.Create(r.Context(), a.User.ID, task.Draft{Title: form.Title, Description: form.Description})
		if form.withError(err) {
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
		// The new task is the newest, so it is first on the first page.
		s = s.WithPage(1)
		announce := "Added " + quoted(t.Title) + "."
		if s.Filter == showCompleted {
			announce += " It is not shown here until it is completed."
		}
		if !isHTMX(r) {
			ui.afterChange(w, r, a, s, "", announce)
			return
		}
		// A fresh form, with the cursor in it for the next task.
		ui.showList(w, r, a, s, http.StatusOK, listChange{announce: announce, newTask: &taskForm{State: s, Focus: true}})
	})
}

// TaskItem serves GET /tasks/{id}: the task as a list item, for htmx to put back when an
// edit is cancelled. A browser asking for it goes to the task in the list.
func (ui *UI) TaskItem() http.Handler {
	return ui.withUser(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		s := listStateFrom(r.URL.Query())
		t, err := ui.ownTask(r, a)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		if !isHTMX(r) {
			http.Redirect(w, r, s.URL()+"#"+anchor(t.ID), http.StatusSeeOther)
			return
		}
		ui.write(w, r, http.StatusOK, "tasks", fragment{"task", taskView{Task: t, State: s}})
	})
}

// EditTaskForm serves GET /tasks/{id}/edit: the task's edit form, in place of the item for
// htmx, or within the list page for a browser without JavaScript.
func (ui *UI) EditTaskForm() http.Handler {
	return ui.withUser(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		s := listStateFrom(r.URL.Query())
		t, err := ui.ownTask(r, a)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		if isHTMX(r) {
			ui.write(w, r, http.StatusOK, "tasks", fragment{"task", taskView{Task: t, State: s, Editing: true, Form: editForm(t, s)}})
			return
		}
		ui.showList(w, r, a, s, http.StatusOK, listChange{editing: t.ID, form: editForm(t, s)})
	})
}

// EditTask serves POST /tasks/{id}/edit: save a new title and description. A refused edit
// stays open with what was typed and the reason.
func (ui *UI) EditTask() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		s := listStateFrom(r.Form)
		form := taskForm{State: s, Title: r.PostForm.Get("title"), Description: r.PostForm.Get("description")}
		t, err := ui.ownTask(r, a)
		if err != nil {
			ui.failOnList(w, r, a, s, err)
			return
		}
		id := t.ID
		t, err = ui.tasks.Edit(r.Context(), a.User.ID, id, task.Patch{Title: &form.Title, Description: &form.Description})
		if form.withError(err) {
			edit := taskView{Task: task.Task{ID: id}, State: s, Editing: true, Form: form}
			if isHTMX(r) {
				ui.write(w, r, http.StatusUnprocessableEntity, "tasks", fragment{"task", edit})
				return
			}
			ui.showList(w, r, a, s, http.StatusUnprocessableEntity, listChange{editing: id, form: form})
			return
		}
		if err != nil {
			ui.failOnList(w, r, a, s, err)
			return
		}
		if !isHTMX(r) {
			http.Redirect(w, r, s.URL()+"#"+anchor(id), http.StatusSeeOther)
			return
		}
		ui.write(w, r, http.StatusOK, "tasks",
			fragment{"task", taskView{Task: t, State: s}},
			fragment{"announce", "Saved " + quoted(t.Title) + "."},
			fragment{"alerts", ""})
	})
}

// ToggleTask serves POST /tasks/{id}/toggle: flip the task between to do and done.
func (ui *UI) ToggleTask() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		s := listStateFrom(r.Form)
		id, err := taskID(r)
		var t task.Task
		if err == nil {
			t, err = ui.tasks.Toggle(r.Context(), a.User.ID, id, "")
		}
		if err != nil {
			ui.failOnList(w, r, a, s, err)
			return
		}
		announce := quoted(t.Title) + " marked as not done."
		if t.Completed {
			announce = quoted(t.Title) + " marked as done."
		}
		ui.afterChange(w, r, a, s, anchor(id), announce)
	})
}

// ConfirmDeleteTask serves GET /tasks/{id}/delete: without JavaScript, the page that asks
// before deleting. With JavaScript, a dialog on the list asks instead.
func (ui *UI) ConfirmDeleteTask() http.Handler {
	return ui.withUser(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		s := listStateFrom(r.URL.Query())
		t, err := ui.ownTask(r, a)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		ui.page(w, r, http.StatusOK, "confirm", confirmView{
			layoutView: layoutView{Title: "Delete task", User: &a.User},
			Heading:    "Delete this task?",
			Message:    quoted(t.Title) + " will be deleted. This can't be undone.",
			Action:     "/tasks/" + t.ID.String() + "/delete",
			Button:     "Delete task",
			State:      s,
			Cancel:     s.URL() + "#" + anchor(t.ID),
		})
	})
}

// DeleteTask serves POST /tasks/{id}/delete. A task that is gone already counts as deleted.
func (ui *UI) DeleteTask() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		s := listStateFrom(r.Form)
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
	})
}

// CompleteAll serves POST /tasks/complete-all: mark every task done, or with completed=false,
// every task not done.
func (ui *UI) CompleteAll() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		s := listStateFrom(r.Form)
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
		ui.afterChange(w, r, a, s, "", fmt.Sprintf("Marked %d %s as %s.", n, plural(n, "task", "tasks"), state))
	})
}

// ConfirmClearCompleted serves GET /tasks/clear-completed: without JavaScript, the page that
// asks before deleting the completed tasks.
func (ui *UI) ConfirmClearCompleted() http.Handler {
	return ui.withUser(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		s := listStateFrom(r.URL.Query())
		page, err := ui.tasks.List(r.Context(), a.User.ID, task.Filter{Limit: 0})
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		n := page.Counts.Completed
		ui.page(w, r, http.StatusOK, "confirm", confirmView{
			layoutView: layoutView{Title: "Clear completed tasks", User: &a.User},
			Heading:    "Clear completed tasks?",
			Message:    fmt.Sprintf("%d completed %s will be deleted. This can't be undone.", n, plural(n, "task", "tasks")),
			Action:     "/tasks/clear-completed",
			Button:     "Delete completed tasks",
			State:      s,
			Cancel:     s.URL(),
		})
	})
}

// ClearCompleted serves POST /tasks/clear-completed: delete the completed tasks.
func (ui *UI) ClearCompleted() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		s := listStateFrom(r.Form)
		n, err := ui.tasks.DeleteCompleted(r.Context(), a.User.ID)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		ui.afterChange(w, r, a, s, "", fmt.Sprintf("Deleted %d completed %s.", n, plural(n, "task", "tasks")))
	})
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
