package web

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"todo/internal/apperr"
	"todo/internal/auth"
	"todo/internal/task"
)

// layoutView is what the layout of every page needs.
type layoutView struct {
	Title string
	User  *auth.User // nil on the sign-in and sign-up pages
}

// listView is the task list page, and the data of its fragments.
type listView struct {
	layoutView
	State   listState
	Tasks   []taskView
	Counts  task.Counts
	Total   int64 // tasks that match the filter, on every page
	NewTask taskForm
	Alert   string
}

// taskView is one task of the list, shown or being edited.
type taskView struct {
	task.Task
	State   listState
	Editing bool
	Form    taskForm // what the edit form shows, when Editing
}

// taskForm is the content of a task form (new task, or edit) and what was wrong with it.
type taskForm struct {
	State       listState
	Title       string
	Description string
	TitleError  string
	DescError   string
	// Focus puts the cursor in the form when it appears: in its field at fault, else the title.
	Focus bool
}

func (f taskForm) FocusTitle() bool { return f.Focus && (f.TitleError != "" || f.DescError == "") }
func (f taskForm) FocusDescription() bool {
	return f.Focus && f.TitleError == "" && f.DescError != ""
}

// editForm is an edit form filled with the task as it is stored.
func editForm(t task.Task, s listState) taskForm {
	return taskForm{State: s, Title: t.Title, Description: t.Description, Focus: true}
}

// withError puts a validation error of the task service next to its field, and the cursor
// there. It reports false for any other error.
func (f *taskForm) withError(err error) bool {
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != apperr.Invalid || len(e.Fields) == 0 {
		return false
	}
	invalid := e.Fields[0]
	f.Focus = true
	msg := fieldLabel(invalid.Name) + " " + invalid.Message + "."
	if invalid.Name == "description" {
		f.DescError = msg
	} else {
		f.TitleError = msg
	}
	return true
}

func fieldLabel(field string) string {
	if field == "" {
		return ""
	}
	return strings.ToUpper(field[:1]) + field[1:]
}

// newListView builds the list page of a page of tasks. editing, when not zero, is the task
// whose edit form is open, with form as its content.
func newListView(u *auth.User, s listState, page task.Page, editing uuid.UUID, form taskForm) listView {
	v := listView{
		layoutView: layoutView{Title: listTitle(s.Filter), User: u},
		State:      s,
		Counts:     page.Counts,
		Total:      page.Total,
		NewTask:    taskForm{State: s},
	}
	for _, t := range page.Tasks {
		tv := taskView{Task: t, State: s}
		if t.ID == editing {
			tv.Editing, tv.Form = true, form
		}
		v.Tasks = append(v.Tasks, tv)
	}
	return v
}

func listTitle(f filter) string {
	switch f {
	case showActive:
		return "Active tasks"
	case showCompleted:
		return "Completed tasks"
	}
	return "Tasks"
}

// AllCompleted tells whether every task is done, which "Mark all as complete" shows as checked.
func (v listView) AllCompleted() bool {
	return v.Counts.Total > 0 && v.Counts.Completed == v.Counts.Total
}

// Summary says what the list shows: "Showing 3 active tasks, page 1 of 2."
func (v listView) Summary() string {
	kind := ""
	if v.State.Filter != showAll {
		kind = string(v.State.Filter) + " "
	}
	msg := fmt.Sprintf("Showing %d %s%s", v.Total, kind, plural(v.Total, "task", "tasks"))
	if pages := lastPage(v.Total); pages > 1 {
		msg += fmt.Sprintf(", page %d of %d", v.State.Page, pages)
	}
	return msg + "."
}

// filterLink is one of the All / Active / Completed links.
type filterLink struct {
	Label   string
	Filter  filter
	URL     string
	Current bool
}

func (v listView) Filters() []filterLink {
	links := make([]filterLink, len(filters))
	for i, f := range filters {
		links[i] = filterLink{
			Label:   f.label,
			Filter:  f.filter,
			URL:     v.State.WithFilter(f.filter).URL(),
			Current: f.filter == v.State.Filter,
		}
	}
	return links
}

// emptyState says why the list shows no task.
type emptyState struct{ Title, Detail string }

func (v listView) Empty() emptyState {
	switch {
	case v.Counts.Total == 0:
		return emptyState{"Nothing to do yet", "Add your first task above. It will wait for you here."}
	case v.State.Filter == showActive:
		return emptyState{"All done!", "Every task is completed. Enjoy the moment."}
	default:
		return emptyState{"Nothing completed yet", "Tick a task when it is done and it will show up here."}
	}
}

// pager is the navigation between pages of the list.
type pager struct {
	Page, Pages int
	First, Last int64 // the positions of the page's first and last task
	Total       int64
	Prev, Next  string // URLs, empty at either end
}

func (v listView) Pager() pager {
	p := pager{Page: v.State.Page, Pages: lastPage(v.Total), Total: v.Total}
	if len(v.Tasks) > 0 {
		p.First = v.State.offset() + 1
		p.Last = v.State.offset() + int64(len(v.Tasks))
	}
	if p.Page > 1 {
		p.Prev = v.State.WithPage(p.Page - 1).URL()
	}
	if p.Page < p.Pages {
		p.Next = v.State.WithPage(p.Page + 1).URL()
	}
	return p
}

// Times are written in UTC for readers without JavaScript; app.js rewrites them in the
// reader's time zone from the machine-readable datetime attribute.
const (
	machineTime = time.RFC3339
	readerTime  = "2 Jan 2006, 15:04 UTC"
)

func (t taskView) CreatedISO() string    { return t.CreatedAt.UTC().Format(machineTime) }
func (t taskView) CreatedReader() string { return t.CreatedAt.UTC().Format(readerTime) }

// Updated tells whether the task changed after it was created; a change within the first
// minute reads as part of its creation, and saying so would only be noise.
func (t taskView) Updated() bool {
	return t.UpdatedAt != nil && t.UpdatedAt.Sub(t.CreatedAt) >= time.Minute
}

func (t taskView) UpdatedISO() string    { return t.UpdatedAt.UTC().Format(machineTime) }
func (t taskView) UpdatedReader() string { return t.UpdatedAt.UTC().Format(readerTime) }

// authView is the sign-in or sign-up page: what was typed (never the password) and what went
// wrong, for the form as a whole and for each field.
type authView struct {
	layoutView
	Next          string
	Name          string
	Email         string
	Remember      bool
	Alert         string
	NameError     string
	EmailError    string
	EmailTaken    bool // offer to sign in instead
	PasswordError string
}

func (authView) MinPasswordLength() int { return auth.MinPasswordLength }

// FocusOn names the field the cursor starts in: the first one at fault, or the password
// after a refused sign-in (the email is kept); "" leaves it to the page: its first field.
func (v authView) FocusOn() string {
	switch {
	case v.NameError != "":
		return "name"
	case v.EmailError != "":
		return "email"
	case v.PasswordError != "" || (v.Alert != "" && v.Email != ""):
		return "password"
	}
	return ""
}

// confirmView is the page that asks before deleting, for browsers without JavaScript.
type confirmView struct {
	layoutView
	Heading string
	Message string
	Action  string // where the confirming form posts
	Button  string
	State   listState
	Cancel  string
}

// errorView is a page that explains a failure.
type errorView struct {
	layoutView
	Heading string
	Message string
	Back    string
}
