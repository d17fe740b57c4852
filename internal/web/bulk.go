package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"todo/internal/apperr"
	"todo/internal/auth"
	"todo/internal/task"
)

// BulkTasks serves POST /tasks/bulk: one action (complete, reopen, delete, add_tag,
// remove_tag, set_priority) on the tasks selected in the list (id, repeated), all or nothing.
// Without JavaScript a delete asks first on a page of its own, which posts again with
// confirm=yes; with it, a dialog asks, and the request carries confirm=yes.
func (ui *UI) BulkTasks() http.Handler {
	return ui.userForm(ui.listOf(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState) {
		b, selected, err := readBulk(r.PostForm)
		if err != nil {
			ui.bulkRefused(w, r, a, s, selected, err)
			return
		}
		if b.Action == task.BulkDelete && r.PostForm.Get("confirm") != "yes" {
			n := len(b.IDs)
			ui.page(w, r, http.StatusOK, "confirm", confirmView{
				layoutView: layoutView{Title: "Delete tasks", User: &a.User},
				Heading:    fmt.Sprintf("Delete %d %s?", n, plural(int64(n), "task", "tasks")),
				Message:    fmt.Sprintf("The %d selected %s will be deleted. This can't be undone.", n, plural(int64(n), "task", "tasks")),
				Action:     "/tasks/bulk" + s.Query(),
				Fields:     url.Values{"action": {"delete"}, "confirm": {"yes"}, "id": r.PostForm["id"]},
				Button:     fmt.Sprintf("Delete %d %s", n, plural(int64(n), "task", "tasks")),
				Cancel:     s.URL(),
			})
			return
		}
		if _, err := ui.tasks.Apply(r.Context(), a.User.ID, b); err != nil {
			ui.bulkRefused(w, r, a, s, selected, err)
			return
		}
		ui.afterChange(w, r, a, s, "", bulkDone(b))
	}))
}

// readBulk reads the bulk form: the action, the selected tasks, and the tag or the priority
// the action needs. selected are the tasks that stay selected if the change is refused.
func readBulk(form url.Values) (task.Bulk, map[uuid.UUID]bool, error) {
	var b task.Bulk
	selected := map[uuid.UUID]bool{}
	for _, raw := range form["id"] {
		id, err := uuid.Parse(raw)
		if err != nil {
			return b, selected, task.ErrNotFound
		}
		b.IDs = append(b.IDs, id)
		selected[id] = true
	}
	action, ok := task.ParseBulkAction(form.Get("action"))
	if !ok {
		return b, selected, badState("Choose what to do with the selected tasks.")
	}
	b.Action = action
	if len(b.IDs) == 0 {
		return b, selected, apperr.Invalidf("ids", "Select one or more tasks first.")
	}
	switch action {
	case task.BulkAddTag, task.BulkRemoveTag:
		b.Tag = strings.TrimPrefix(strings.TrimSpace(form.Get("tag")), "#")
		if b.Tag == "" {
			return b, selected, apperr.Invalidf("tag", "Enter the tag to add or remove.")
		}
	case task.BulkSetPriority:
		if b.Priority, ok = task.ParsePriority(form.Get("priority")); !ok {
			return b, selected, apperr.Invalidf("priority", "Choose the priority to set.")
		}
	}
	return b, selected, nil
}

// bulkDone says what a bulk change did.
func bulkDone(b task.Bulk) string {
	n := int64(len(b.IDs))
	tasks := fmt.Sprintf("%d %s", n, plural(n, "task", "tasks"))
	switch b.Action {
	case task.BulkComplete:
		return "Marked " + tasks + " as done."
	case task.BulkReopen:
		return "Marked " + tasks + " as not done."
	case task.BulkDelete:
		return "Deleted " + tasks + "."
	case task.BulkAddTag:
		return "Tagged " + tasks + " " + quoted(b.Tag) + "."
	case task.BulkRemoveTag:
		return "Removed the tag " + quoted(b.Tag) + " from " + tasks + "."
	}
	if b.Priority == task.PriorityNone {
		return "Removed the priority of " + tasks + "."
	}
	return "Set " + tasks + " to " + b.Priority.String() + " priority."
}

// bulkRefused says why a bulk change was refused; nothing was changed. With htmx the message
// goes to the alerts and the list stays as it is, selection included; without, the list comes
// back with the same tasks selected.
func (ui *UI) bulkRefused(w http.ResponseWriter, r *http.Request, a *auth.Authenticated, s listState, selected map[uuid.UUID]bool, err error) {
	e := apperr.From(err)
	status, msg := e.Status(), e.Message
	switch {
	case errors.Is(err, task.ErrNotFound):
		status, msg = http.StatusNotFound, bulkGone
	case e.Kind == apperr.Invalid && len(e.Fields) > 0:
		status, msg = bulkInvalid(e.Fields[0])
	case e.Kind != apperr.BadRequest:
		ui.fail(w, r, err)
		return
	}
	msg += " Nothing was changed."
	if isHTMX(r) {
		ui.showError(w, r, status, msg)
		return
	}
	ui.showList(w, r, a, s, status, listChange{alert: msg, selected: selected})
}

const bulkGone = "Some of the selected tasks no longer exist; they may have been deleted in another window."

// bulkInvalid is the status and sentence of a field of a bulk change that the rules refuse.
func bulkInvalid(f apperr.Field) (int, string) {
	msg := strings.TrimPrefix(f.Message, "tags: ")
	switch {
	case f.Name == "ids" && strings.HasSuffix(msg, "not found"):
		return http.StatusNotFound, bulkGone
	case strings.HasPrefix(msg, "must "):
		return http.StatusUnprocessableEntity, map[string]string{"tag": "The tag", "priority": "The priority"}[f.Name] + " " + msg + "."
	case strings.HasPrefix(msg, "task ") && len(msg) > len("task ")+36:
		// "task <id> has 20 tags already, …": which task is for the API; people see titles.
		msg = "A selected task" + msg[len("task ")+36:]
	}
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return http.StatusUnprocessableEntity, strings.ToUpper(msg[:1]) + msg[1:]
}
