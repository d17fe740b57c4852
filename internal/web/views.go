package web

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"todo/internal/apperr"
	"todo/internal/auth"
	"todo/internal/recur"
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
	State  listState
	Groups []taskGroup
	Counts task.Counts // the user's, across every view
	Total  int64       // tasks that match the view and filters, on every page
	Nav    []navLink   // the views, with their numbers of open tasks
	Tags   []navLink   // the user's tags, as views of their own
	// TagNames are the user's tags, for the suggestions of the tag fields and the tag filter.
	TagNames []string
	NewTask  taskForm
	Alert    string
	// Prev and Next are the addresses of the pages around this one; Prev is "" on the first
	// page, Next on the last.
	Prev, Next string
	// Shown is how many tasks the page has.
	Shown int
}

// taskGroup is a run of tasks under a heading: a day of the Upcoming view, or the whole page
// (no heading) in the others.
type taskGroup struct {
	Heading string
	ID      string
	Tasks   []taskView
}

// navLink is a link to a view of the list, with the number of open tasks in it.
type navLink struct {
	ID      string
	Icon    string
	Label   string
	URL     string
	Open    int64
	Current bool
}

// taskView is one task of the list, shown or being edited.
type taskView struct {
	task.Task
	State   listState
	Editing bool
	Form    taskForm // what the edit form shows, when Editing
	// When is the due as the user reads it; nil without one.
	When *dueLabel
	// Selected checks the task's box of the bulk actions.
	Selected bool
}

// PriorityLabel names the task's priority for people ("High"); "" for none.
func (t taskView) PriorityLabel() string { return priorityLabel(t.Priority) }

func priorityLabel(p task.Priority) string {
	if p == task.PriorityNone {
		return ""
	}
	name := p.String()
	return strings.ToUpper(name[:1]) + name[1:]
}

// TagURL is the view of one of the task's tags.
func (t taskView) TagURL(tag string) string { return tagState(tag).URL() }

func tagState(tag string) listState {
	s := defaultState(viewAll)
	s.Tag = tag
	return s
}

// taskForm is the content of a task form (new task, or edit) as typed, and what was wrong.
type taskForm struct {
	State       listState
	Title       string
	Description string
	Priority    string // a priority's name; "" in the new-task form leaves it to the title
	Tags        string // names separated by commas
	DueDate     string // YYYY-MM-DD, as <input type=date> sends it
	DueTime     string // HH:MM, as <input type=time> sends it
	// ETag is the state of the task the edit form was filled from: saving it changes the task
	// only if it is still in that state.
	ETag string
	// Errors of the fields, by name (title, description, priority, tags, due).
	Errors map[string]string
	// Conflict says that the task changed elsewhere since the form was filled; the form then
	// holds its current state.
	Conflict string
	// Focus puts the cursor in the form when it appears: in its first field at fault, else the
	// title.
	Focus bool
	// Preview is what quick add recognises in the title (the new-task form only).
	Preview quickPreview
	// Repeat is the rule the task repeats by, and History the occurrences it was done (the
	// edit form only).
	Repeat  repeatForm
	History historyView
	// Reminders are the task's reminders (the edit form only); nil when the server has none.
	Reminders *remindersView
}

// Error is the error of the named field, if it is at fault.
func (f taskForm) Error(field string) string { return f.Errors[field] }

// FocusOn tells whether the cursor starts in the named field.
func (f taskForm) FocusOn(field string) bool {
	if !f.Focus {
		return false
	}
	for _, name := range formFields {
		if f.Errors[name] != "" {
			return name == field
		}
	}
	return field == "title"
}

// OptionsOpen tells whether the new-task form shows its other fields: when something is in
// them, or wrong with them.
func (f taskForm) OptionsOpen() bool {
	return f.Description != "" || f.Priority != "" || f.Tags != "" || f.DueDate != "" || f.DueTime != "" ||
		f.Errors["description"] != "" || f.Errors["priority"] != "" || f.Errors["tags"] != "" || f.Errors["due"] != ""
}

// formFields are the fields of a task form in the order they appear.
var formFields = []string{"title", "description", "priority", "tags", "due", "repeat"}

// formLabels name the fields in error messages.
var formLabels = map[string]string{"title": "Title", "description": "Description", "priority": "Priority", "tags": "Tags", "due": "Due date", "repeat": "Repeat"}

// RepeatInvalid tells whether the Repeat control's part at (repeat, interval, until, count) is
// at fault.
func (f taskForm) RepeatInvalid(at string) bool {
	if f.Errors["repeat"] == "" {
		return false
	}
	return f.Repeat.At == at || (f.Repeat.At == "" && at == "repeat")
}

// RepeatFocus tells whether the cursor starts in the Repeat control's part at.
func (f taskForm) RepeatFocus(at string) bool { return f.FocusOn("repeat") && f.RepeatInvalid(at) }

// Priorities are the choices of the priority menus, highest first.
func (taskForm) Priorities() []task.Priority {
	return []task.Priority{task.PriorityHigh, task.PriorityMedium, task.PriorityLow}
}

func (taskForm) PriorityLabel(p task.Priority) string { return priorityLabel(p) }

// fieldSet is the priority, tags and due fields of a form, with the ids of their elements:
// new-priority in the new-task form, edit-priority-<id> in the edit form of a task.
type fieldSet struct {
	Form           taskForm
	Prefix, Suffix string
	New            bool // the new-task form, whose empty fields leave the planning to the title
}

func (f taskForm) NewFields() fieldSet { return fieldSet{Form: f, Prefix: "new", New: true} }

func (t taskView) EditFields() fieldSet {
	return fieldSet{Form: t.Form, Prefix: "edit", Suffix: "-" + t.ID.String()}
}

// repeatFields is the Repeat control of the edit form of the task ID.
type repeatFields struct {
	ID   uuid.UUID
	Form taskForm
}

func (t taskView) RepeatFields() repeatFields { return repeatFields{ID: t.ID, Form: t.Form} }

// editForm is an edit form filled with the task as it is stored, its due in the user's zone,
// and its rule's choices made for its due (or today, the day it would be first due).
func editForm(t task.Task, s listState, loc *time.Location, today task.Date) taskForm {
	f := taskForm{State: s, Title: t.Title, Description: t.Description, Priority: t.Priority.String(),
		Tags: strings.Join(t.Tags, ", "), ETag: t.ETag(), Focus: true}
	anchor := today
	if d := t.Due; d != nil {
		anchor = d.DayIn(loc)
		f.DueDate = anchor.String()
		if !d.AllDay() {
			f.DueTime = d.At.In(loc).Format("15:04")
		}
	}
	f.Repeat = newRepeatForm(ruleOf(t), anchor)
	return f
}

// ruleOf is the rule t repeats by; nil when it does not.
func ruleOf(t task.Task) *recur.Rule {
	if r, ok := t.Repeat.(recur.Rule); ok {
		return &r
	}
	return nil
}

// setError puts a message next to a field, and the cursor there.
func (f *taskForm) setError(field, msg string) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	f.Errors[field] = msg
	f.Focus = true
}

// withError puts a validation error of the task service next to its field. It reports false
// for any other error.
func (f *taskForm) withError(err error) bool {
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != apperr.Invalid || len(e.Fields) == 0 {
		return false
	}
	invalid := e.Fields[0]
	field := invalid.Name
	if _, ok := formLabels[field]; !ok {
		field = "title"
	}
	f.setError(field, fieldMessage(field, invalid.Message))
	return true
}

// fieldMessage is a sentence about a field: "Title must not be blank.", "Tags: a task may
// have at most 20 tags, got 21."
func fieldMessage(field, msg string) string {
	label := formLabels[field]
	if strings.HasPrefix(msg, "must ") {
		return label + " " + msg + "."
	}
	return label + ": " + msg + "."
}

// newListView builds the list page of a page of tasks, as the change c wants it shown.
func newListView(u *auth.User, s listState, p loadedPage, c listChange) listView {
	v := listView{
		layoutView: layoutView{Title: s.heading(), User: u},
		State:      s,
		Counts:     p.page.Counts,
		Total:      p.page.Total,
		NewTask:    taskForm{State: s.WithoutCursor()},
		Alert:      c.alert,
		Shown:      len(p.page.Tasks),
	}
	if c.newTask != nil {
		v.NewTask = *c.newTask
	}
	today := task.DateOf(p.now.In(p.prefs.TimeZone))
	var group *taskGroup
	for _, t := range p.page.Tasks {
		tv := taskView{Task: t, State: s, Selected: c.selected[t.ID]}
		if t.Due != nil {
			l := describeDue(*t.Due, t.Completed, p.now, p.prefs.TimeZone)
			tv.When = &l
		}
		if t.ID == c.editing {
			tv.Editing, tv.Form = true, c.form
		}
		heading := ""
		if s.View == viewUpcoming && t.Due != nil {
			heading = dayHeading(t.Due.DayIn(p.prefs.TimeZone), today)
		}
		if group == nil || group.Heading != heading {
			v.Groups = append(v.Groups, taskGroup{Heading: heading, ID: fmt.Sprintf("day-%d", len(v.Groups))})
			group = &v.Groups[len(v.Groups)-1]
		}
		group.Tasks = append(group.Tasks, tv)
	}
	for _, vw := range views {
		to := defaultState(vw.view)
		v.Nav = append(v.Nav, navLink{
			ID: "view-" + vw.view.name(), Icon: vw.icon, Label: vw.label, URL: to.URL(),
			Open: p.open[vw.view], Current: s.View == vw.view && (s.View != viewAll || s.Tag == ""),
		})
	}
	for i, tag := range p.tags {
		v.TagNames = append(v.TagNames, tag.Name)
		v.Tags = append(v.Tags, navLink{ID: fmt.Sprintf("tag-%d", i), Icon: "tag", Label: tag.Name, URL: tagState(tag.Name).URL(), Open: tag.Open,
			Current: s.View == viewAll && task.TagKey(s.Tag) == task.TagKey(tag.Name)})
	}
	if p.hasPrev {
		v.Prev = s.WithCursor(p.prev).URL()
	}
	if p.page.Next != nil {
		v.Next = s.WithCursor(p.page.Next).URL()
	}
	return v
}

// heading names the list: its view, or its tag.
func (s listState) heading() string {
	switch {
	case s.View == viewAll && s.Tag != "":
		return "#" + s.Tag
	case s.View == viewToday:
		return "Today"
	case s.View == viewUpcoming:
		return "Upcoming"
	}
	return "All tasks"
}

// Lede says what the view holds.
func (v listView) Lede() string {
	switch {
	case v.State.View == viewAll && v.State.Tag != "":
		return "Tasks tagged " + v.State.Tag + "."
	case v.State.View == viewToday:
		return "Due today, and overdue."
	case v.State.View == viewUpcoming:
		return "Due today and in the six days after, day by day."
	}
	return "Everything you mean to do, in one place."
}

// HasTasks tells whether the page shows any task.
func (v listView) HasTasks() bool { return v.Shown > 0 }

// AllCompleted tells whether every task is done, which "Mark all as complete" shows as checked.
func (v listView) AllCompleted() bool {
	return v.Counts.Total > 0 && v.Counts.Completed == v.Counts.Total
}

// Summary says what the list shows: "Showing 3 open tasks tagged “work”."
func (v listView) Summary() string {
	kind := ""
	switch v.State.Status {
	case task.StatusOpen:
		kind = "open "
	case task.StatusCompleted:
		kind = "completed "
	}
	msg := fmt.Sprintf("Showing %d %s%s", v.Total, kind, plural(v.Total, "task", "tasks"))
	switch v.State.View {
	case viewToday:
		msg += " due today or overdue"
	case viewUpcoming:
		msg += " due in the next 7 days"
	}
	if v.State.Tag != "" {
		msg += " tagged " + quoted(v.State.Tag)
	}
	if v.State.Priority != "" {
		msg += " of " + v.State.Priority + " priority"
	}
	if v.State.Q != "" {
		msg += " matching " + quoted(v.State.Q)
	}
	return msg + "."
}

// statusLink is one of the All / Open / Completed links.
type statusLink struct {
	Label   string
	ID      string
	URL     string
	Current bool
}

func (v listView) Statuses() []statusLink {
	links := make([]statusLink, len(statuses))
	for i, st := range statuses {
		links[i] = statusLink{
			Label:   st.label,
			ID:      "status-" + st.name,
			URL:     v.State.WithStatus(st.status).URL(),
			Current: st.status == v.State.Status,
		}
	}
	return links
}

// sortOption is one choice of a menu of the filter form.
type sortOption struct {
	Value, Label string
	Selected     bool
	Desc         bool // a sort whose direction starts descending
}

func (v listView) SortOptions() []sortOption {
	out := make([]sortOption, len(sortLabels))
	for i, s := range sortLabels {
		out[i] = sortOption{Value: s.sort.String(), Label: s.label, Selected: s.sort == v.State.Sort, Desc: defaultDesc(s.sort)}
	}
	return out
}

// PriorityOptions are the choices of the priority filter.
func (v listView) PriorityOptions() []sortOption {
	var out []sortOption
	for _, p := range []task.Priority{task.PriorityHigh, task.PriorityMedium, task.PriorityLow, task.PriorityNone} {
		label := priorityLabel(p)
		if p == task.PriorityNone {
			label = "No priority"
		}
		out = append(out, sortOption{Value: p.String(), Label: label, Selected: v.State.Priority == p.String()})
	}
	return out
}

// TagOptions are the choices of the tag filter: the user's tags, and the one in the address
// even when no task carries it any more.
func (v listView) TagOptions() []sortOption {
	var out []sortOption
	found := false
	for _, name := range v.TagNames {
		selected := task.TagKey(name) == task.TagKey(v.State.Tag)
		found = found || selected
		out = append(out, sortOption{Value: name, Label: name, Selected: selected && v.State.Tag != ""})
	}
	if !found && v.State.Tag != "" {
		out = append(out, sortOption{Value: v.State.Tag, Label: v.State.Tag, Selected: true})
	}
	return out
}

// ClearFilters is the view without its filters and search.
func (v listView) ClearFilters() string { return defaultState(v.State.View).URL() }

// emptyState says why the list shows no task.
type emptyState struct{ Title, Detail string }

func (v listView) Empty() emptyState {
	switch {
	case v.Counts.Total == 0:
		return emptyState{"Nothing to do yet", "Add your first task above. It will wait for you here."}
	case v.State.Q != "" || v.State.Priority != "" || v.State.Tag != "":
		return emptyState{"No task matches", "Try other words or fewer filters."}
	case v.State.View == viewToday:
		return emptyState{"Nothing due today", "Enjoy the day, or plan one from Upcoming."}
	case v.State.View == viewUpcoming:
		return emptyState{"A clear week ahead", "Tasks due in the next seven days show up here, day by day."}
	case v.State.Status == task.StatusOpen:
		return emptyState{"All done!", "Every task is completed. Enjoy the moment."}
	default:
		return emptyState{"Nothing completed yet", "Tick a task when it is done and it will show up here."}
	}
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
	Action  string     // where the confirming form posts, with the list's state
	Fields  url.Values // what it posts
	Button  string
	Cancel  string
}

// errorView is a page that explains a failure.
type errorView struct {
	layoutView
	Heading string
	Message string
	Back    string
}
