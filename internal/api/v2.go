package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"todo/internal/apperr"
	"todo/internal/recur"
	"todo/internal/task"
)

// /api/v2 is the product's API: the whole task model (priority, tags, due, completed_at), the
// list with search, filters, sorts and cursors, ETags, bulk changes, tags and settings. It
// authenticates, validates and answers errors as v1 does.

// Due is a task's due as v2 shows and takes it: a date alone (all day, in whatever zone the
// user is), or a date and time in the user's time zone with the instant they make. A client
// may also send the instant alone.
type Due struct {
	Date string `json:"date,omitempty" format:"date" doc:"The day, YYYY-MM-DD (in the user's time zone for a timed due)" example:"2026-12-24"`
	Time string `json:"time,omitempty" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" doc:"The time of day, HH:MM in the user's time zone; absent for an all-day due" example:"14:30"`
	At   string `json:"at,omitempty" format:"date-time" doc:"The instant of a timed due (RFC 3339). When sent, date and time must be absent." example:"2026-12-24T13:30:00Z"`
}

// dueOrNull is a Due that a PATCH may also send as null (to remove the due).
type dueOrNull Due

// Schema is Due's, which may be null.
func (dueOrNull) Schema(r huma.Registry) *huma.Schema {
	s := *r.Schema(reflect.TypeFor[Due](), false, "Due")
	s.Nullable = true
	return &s
}

// Repeat is the rule by which a task repeats: completing it moves it to its next due.
type Repeat struct {
	Rule string `json:"rule" maxLength:"200" doc:"An RFC 5545 RRULE (DAILY, WEEKLY with BYDAY, MONTHLY with BYMONTHDAY or BYDAY=-1FR, YEARLY; INTERVAL, COUNT, UNTIL); with RRULE;X-REPEAT-FROM=COMPLETION: the next due counts from when the task was done" example:"RRULE:FREQ=WEEKLY;BYDAY=MO,TH"`
	Text string `json:"text,omitempty" readOnly:"true" doc:"The rule in words" example:"Every week on Mon, Thu"`
}

// repeatOrNull is a Repeat that a PATCH may also send as null (to stop repeating).
type repeatOrNull Repeat

// Schema is Repeat's, which may be null.
func (repeatOrNull) Schema(r huma.Registry) *huma.Schema {
	s := *r.Schema(reflect.TypeFor[Repeat](), false, "Repeat")
	s.Nullable = true
	return &s
}

// TaskV2 is a task as v2 shows it.
type TaskV2 struct {
	ID          uuid.UUID  `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Completed   bool       `json:"completed"`
	CompletedAt *time.Time `json:"completed_at" doc:"When the task was completed; null while it is open"`
	Priority    string     `json:"priority" enum:"none,low,medium,high"`
	Tags        []string   `json:"tags" doc:"Tag names as first written, in the task's order"`
	Due         *Due       `json:"due" doc:"null, {\"date\"} for all day, or {\"date\", \"time\", \"at\"} for a time"`
	Repeat      *Repeat    `json:"repeat" doc:"null, or the rule by which the task repeats"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   *time.Time `json:"updated_at"`
	ETag        string     `json:"etag" doc:"The task's entity tag, for If-Match on PATCH, DELETE and toggle"`
}

func taskV2(t task.Task, loc *time.Location) TaskV2 {
	v := TaskV2{ID: t.ID, Title: t.Title, Description: t.Description, Completed: t.Completed, CompletedAt: t.CompletedAt,
		Priority: t.Priority.String(), Tags: t.Tags, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, ETag: t.ETag()}
	if v.Tags == nil {
		v.Tags = []string{}
	}
	if t.Repeat != nil {
		v.Repeat = &Repeat{Rule: t.Repeat.String(), Text: t.Repeat.Describe()}
	}
	if d := t.Due; d != nil {
		if d.AllDay() {
			v.Due = &Due{Date: d.Date.String()}
		} else {
			local := d.At.In(loc)
			v.Due = &Due{Date: task.DateOf(local).String(), Time: local.Format("15:04"), At: d.At.UTC().Format(time.RFC3339)}
		}
	}
	return v
}

type (
	createV2Body struct {
		Title       string   `json:"title" minLength:"1" maxLength:"200" doc:"1 to 200 characters, trimmed; not blank" example:"Buy gifts"`
		Description string   `json:"description,omitempty" maxLength:"1000" doc:"At most 1000 characters, trimmed"`
		Priority    string   `json:"priority,omitempty" enum:"none,low,medium,high" default:"none"`
		Tags        []string `json:"tags,omitempty" maxItems:"20" doc:"Up to 20 names of 1 to 32 characters, trimmed; the same name in another case is the same tag" example:"[\"home\"]"`
		Due         *Due     `json:"due,omitempty"`
		Repeat      *Repeat  `json:"repeat,omitempty" doc:"A task that repeats without a due gets its first occurrence from today"`
	}
	patchV2Body struct {
		Title       *string       `json:"title,omitempty" minLength:"1" maxLength:"200"`
		Description *string       `json:"description,omitempty" maxLength:"1000"`
		Completed   *bool         `json:"completed,omitempty"`
		Priority    *string       `json:"priority,omitempty" enum:"none,low,medium,high"`
		Tags        *[]string     `json:"tags,omitempty" maxItems:"20"`
		Due         *dueOrNull    `json:"due,omitempty" doc:"null removes the due"`
		Repeat      *repeatOrNull `json:"repeat,omitempty" doc:"null stops the task repeating"`
	}
	bulkBody struct {
		Action   string      `json:"action" enum:"complete,reopen,delete,add_tag,remove_tag,set_priority"`
		IDs      []uuid.UUID `json:"ids" minItems:"1" maxItems:"500" doc:"Your tasks, at most 500"`
		Tag      string      `json:"tag,omitempty" doc:"The tag of add_tag and remove_tag"`
		Priority string      `json:"priority,omitempty" enum:"none,low,medium,high" doc:"The priority of set_priority"`
	}
	renameBody struct {
		Name string `json:"name" minLength:"1" maxLength:"32" doc:"The new name; an existing tag's name merges the two"`
	}
	settingsBody struct {
		TimeZone  string `json:"time_zone" doc:"IANA time zone name, in which today and overdue are computed" example:"Europe/Paris"`
		WeekStart string `json:"week_start" enum:"monday,tuesday,wednesday,thursday,friday,saturday,sunday"`
	}
	settingsPatch struct {
		TimeZone  *string `json:"time_zone,omitempty" example:"Europe/Paris"`
		WeekStart *string `json:"week_start,omitempty" enum:"monday,tuesday,wednesday,thursday,friday,saturday,sunday"`
	}
	pageV2 struct {
		Tasks      []TaskV2 `json:"tasks"`
		Total      int64    `json:"total" doc:"Number of tasks that match the filter, across all pages"`
		NextCursor *string  `json:"next_cursor" doc:"Pass as cursor for the next page; null on the last page"`
	}
	tagRead struct {
		Name  string `json:"name"`
		Tasks int64  `json:"tasks" doc:"Tasks that carry it"`
		Open  int64  `json:"open" doc:"Open tasks that carry it"`
	}
)

type (
	// ListV2Input is the query of a v2 list.
	ListV2Input struct {
		Q         string   `query:"q" maxLength:"200" doc:"Words to find in the title, description and tags (any case, accents ignored, any script); the last may be the start of a word"`
		Status    string   `query:"status" enum:"all,open,completed" default:"all"`
		Priority  []string `query:"priority,explode" enum:"none,low,medium,high" doc:"Any of these priorities (repeatable)"`
		Tag       []string `query:"tag,explode" maxItems:"20" doc:"All of these tags (repeatable)"`
		Due       []string `query:"due,explode" enum:"overdue,today,upcoming,none,any" doc:"Any of these windows, in your time zone (repeatable): overdue (open and past due), today, upcoming (today and the 6 days after), none, any"`
		DueAfter  string   `query:"due_after" format:"date" doc:"Due on or after this day"`
		DueBefore string   `query:"due_before" format:"date" doc:"Due before this day"`
		Sort      string   `query:"sort" enum:"created,due,priority,title,updated" default:"created" doc:"due: tasks without a due come last, in either order; title: alphabetical order"`
		Order     string   `query:"order" enum:"asc,desc" doc:"Default: desc for created, updated and priority; asc for due and title"`
		Limit     int      `query:"limit" default:"50" minimum:"0" maximum:"1000"`
		Offset    int64    `query:"offset" default:"0" minimum:"0" doc:"Tasks to skip; its cost grows with it (use cursor for deep pages)"`
		Cursor    string   `query:"cursor" maxLength:"1000" doc:"next_cursor of the previous page: the same cost at any depth, no task skipped or repeated while others change"`
	}
	// IfMatchHeader is the precondition of a change. (Exported, as TaskPath, for huma to
	// fill it when embedded.)
	IfMatchHeader struct {
		IfMatch string `header:"If-Match" doc:"The ETag you read; the change is refused with 412 if the task changed since"`
	}
	createV2Input struct {
		Body createV2Body
	}
	getV2Input   struct{ TaskPath }
	patchV2Input struct {
		TaskPath
		IfMatchHeader
		RawBody []byte
		Body    patchV2Body
	}
	conditionalInput struct {
		TaskPath
		IfMatchHeader
	}
	bulkInput struct{ Body bulkBody }
	// TagPath is the tag of a route. (Exported for huma, as TaskPath.)
	TagPath struct {
		Name string `path:"name" doc:"The tag's name, any case"`
	}
	renameInput struct {
		TagPath
		Body renameBody
	}
	settingsInput struct {
		Body settingsPatch
	}
	taskV2Output struct {
		ETag     string `header:"ETag"`
		Location string `header:"Location"`
		Body     TaskV2
	}
	pageV2Output struct{ Body pageV2 }
	bulkOutput   struct {
		Body struct {
			Tasks []TaskV2 `json:"tasks"`
		}
	}
	tagsOutput struct {
		Body struct {
			Tags []tagRead `json:"tags"`
		}
	}
	settingsOutput  struct{ Body settingsBody }
	noContentOutput struct{}
)

func (in *patchV2Input) Resolve(huma.Context) []error {
	return nullFields(in.RawBody, "title", "description", "completed")
}

// v2Op is an operation of /api/v2.
func (a *API) v2Op(id, summary string, status int, errs ...int) huma.Operation {
	op := a.taskOp(id, summary, status, errs...)
	op.Tags = []string{"v2"}
	return op
}

// ListTasksV2 is GET /api/v2/tasks.
func (a *API) ListTasksV2() Endpoint {
	return endpoint(a.v2Op("list-tasks-v2", "List, search, filter and sort your tasks", http.StatusOK), a.listV2)
}

// CreateTaskV2 is POST /api/v2/tasks.
func (a *API) CreateTaskV2() Endpoint {
	return endpoint(a.v2Op("create-task-v2", "Create a task", http.StatusCreated, http.StatusConflict), a.createV2)
}

// GetTaskV2 is GET /api/v2/tasks/{task_id}.
func (a *API) GetTaskV2() Endpoint {
	return endpoint(a.v2Op("get-task-v2", "Get a task", http.StatusOK, http.StatusNotFound), a.getV2)
}

// UpdateTaskV2 is PATCH /api/v2/tasks/{task_id}.
func (a *API) UpdateTaskV2() Endpoint {
	return endpoint(a.v2Op("update-task-v2", "Change some fields of a task", http.StatusOK, http.StatusNotFound, http.StatusPreconditionFailed), a.patchV2)
}

// DeleteTaskV2 is DELETE /api/v2/tasks/{task_id}.
func (a *API) DeleteTaskV2() Endpoint {
	return endpoint(a.v2Op("delete-task-v2", "Delete a task", http.StatusNoContent, http.StatusNotFound, http.StatusPreconditionFailed), a.deleteV2)
}

// ToggleTaskV2 is POST /api/v2/tasks/{task_id}/toggle.
func (a *API) ToggleTaskV2() Endpoint {
	return endpoint(a.v2Op("toggle-task-v2", "Flip a task between open and completed", http.StatusOK, http.StatusNotFound, http.StatusPreconditionFailed), a.toggleV2)
}

// TaskHistory is GET /api/v2/tasks/{task_id}/history.
func (a *API) TaskHistory() Endpoint {
	return endpoint(a.v2Op("task-history", "The done occurrences of a repeating task, latest first", http.StatusOK, http.StatusNotFound), a.history)
}

// BulkTasks is POST /api/v2/tasks/bulk.
func (a *API) BulkTasks() Endpoint {
	return endpoint(a.v2Op("bulk-tasks", "Change many of your tasks at once, all or nothing", http.StatusOK), a.bulk)
}

// ListTags is GET /api/v2/tags.
func (a *API) ListTags() Endpoint {
	return endpoint(a.v2Op("list-tags", "List your tags with their numbers of tasks", http.StatusOK), a.listTags)
}

// RenameTag is PATCH /api/v2/tags/{name}.
func (a *API) RenameTag() Endpoint {
	return endpoint(a.v2Op("rename-tag", "Rename a tag on every task", http.StatusNoContent, http.StatusNotFound), a.renameTag)
}

// DeleteTag is DELETE /api/v2/tags/{name}.
func (a *API) DeleteTag() Endpoint {
	return endpoint(a.v2Op("delete-tag", "Remove a tag from every task", http.StatusNoContent, http.StatusNotFound), a.deleteTag)
}

// GetSettings is GET /api/v2/settings.
func (a *API) GetSettings() Endpoint {
	return endpoint(a.v2Op("get-settings", "Your settings", http.StatusOK), a.getSettings)
}

// UpdateSettings is PATCH /api/v2/settings.
func (a *API) UpdateSettings() Endpoint {
	return endpoint(a.v2Op("update-settings", "Change your settings", http.StatusOK), a.updateSettings)
}

// query turns the list's parameters into a task.Query.
func (in *ListV2Input) query() (task.Query, error) {
	q := task.Query{Search: task.ParseSearch(in.Q), Tags: in.Tag, Limit: in.Limit, Offset: in.Offset}
	q.Status = map[string]task.Status{"": task.StatusAll, "all": task.StatusAll, "open": task.StatusOpen, "completed": task.StatusCompleted}[in.Status]
	for _, p := range in.Priority {
		pr, _ := task.ParsePriority(p) // validated by the enum
		q.Priorities = append(q.Priorities, pr)
	}
	for _, d := range in.Due {
		f, _ := task.ParseDueFilter(d)
		q.Due = append(q.Due, f)
	}
	for _, b := range []struct {
		raw   string
		field string
		dst   **task.Date
	}{{in.DueAfter, "due_after", &q.DueAfter}, {in.DueBefore, "due_before", &q.DueBefore}} {
		if b.raw == "" {
			continue
		}
		d, err := task.ParseDate(b.raw)
		if err != nil {
			return q, apperr.Invalidf(b.field, "%s", err.Error())
		}
		*b.dst = &d
	}
	q.Sort, _ = task.ParseSort(in.Sort)
	if in.Sort == "" {
		q.Sort = task.SortCreated
	}
	switch in.Order {
	case "asc":
	case "desc":
		q.Desc = true
	default:
		q.Desc = q.Sort == task.SortCreated || q.Sort == task.SortUpdated || q.Sort == task.SortPriority
	}
	if in.Cursor != "" {
		c, err := task.ParseCursor(in.Cursor)
		if err != nil {
			return q, err
		}
		q.Cursor = c
	}
	return q, nil
}

func (a *API) listV2(ctx context.Context, in *ListV2Input) (*pageV2Output, error) {
	inputs := map[string]any{"limit": in.Limit, "offset": in.Offset, "cursor": in.Cursor, "tag": in.Tag,
		"due_after": in.DueAfter, "due_before": in.DueBefore}
	q, err := in.query()
	if err != nil {
		return nil, a.problem(ctx, err, "query", inputs)
	}
	page, prefs, err := a.tasks.Query(ctx, userID(ctx), q)
	if err != nil {
		return nil, a.problem(ctx, err, "query", inputs)
	}
	out := &pageV2Output{Body: pageV2{Tasks: make([]TaskV2, len(page.Tasks)), Total: page.Total}}
	for i, t := range page.Tasks {
		out.Body.Tasks[i] = taskV2(t, prefs.TimeZone)
	}
	if page.Next != nil {
		next := page.Next.String()
		out.Body.NextCursor = &next
	}
	return out, nil
}

// due reads a Due as the domain's, in the user's zone when it has a date and time.
func (a *API) due(ctx context.Context, d *Due) (*task.Due, error) {
	switch {
	case d == nil:
		return nil, nil
	case d.At != "":
		if d.Date != "" || d.Time != "" {
			return nil, apperr.Invalidf("due", "%s", "send either at, or date with an optional time")
		}
		at, err := time.Parse(time.RFC3339, d.At)
		if err != nil {
			return nil, apperr.Invalidf("due", "%s", "at must be an RFC 3339 instant such as 2026-12-24T13:30:00Z")
		}
		return &task.Due{At: at.UTC().Truncate(time.Microsecond)}, nil
	case d.Date == "":
		return nil, apperr.Invalidf("due", "%s", "needs a date (YYYY-MM-DD), or an instant as at")
	}
	date, err := task.ParseDate(d.Date)
	if err != nil {
		return nil, apperr.Invalidf("due", "%s", err.Error())
	}
	if d.Time == "" {
		return &task.Due{Date: date}, nil
	}
	clock, err := time.Parse("15:04", d.Time)
	if err != nil {
		return nil, apperr.Invalidf("due", "%s", "time must be HH:MM")
	}
	prefs, err := a.tasks.Prefs(ctx, userID(ctx))
	if err != nil {
		return nil, err
	}
	due := task.DueAt(date, clock.Hour(), clock.Minute(), prefs.TimeZone)
	return &due, nil
}

// parseRepeat reads a rule; nil for none.
func parseRepeat(r *Repeat) (task.Repeat, error) {
	if r == nil {
		return nil, nil
	}
	rule, err := recur.Parse(r.Rule)
	if err != nil {
		return nil, apperr.Invalidf("repeat", "%s", err.Error())
	}
	return rule, nil
}

func parsePriority(s string) task.Priority {
	p, _ := task.ParsePriority(s) // validated by the enum; "" is none
	return p
}

func (a *API) createV2(ctx context.Context, in *createV2Input) (*taskV2Output, error) {
	inputs := map[string]any{"title": in.Body.Title, "description": in.Body.Description, "tags": in.Body.Tags, "due": in.Body.Due}
	due, err := a.due(ctx, in.Body.Due)
	if err != nil {
		return nil, a.problem(ctx, err, "body", inputs)
	}
	repeat, err := parseRepeat(in.Body.Repeat)
	if err != nil {
		return nil, a.problem(ctx, err, "body", inputs)
	}
	t, err := a.tasks.Create(ctx, userID(ctx), task.Draft{Title: in.Body.Title, Description: in.Body.Description,
		Priority: parsePriority(in.Body.Priority), Tags: in.Body.Tags, Due: due, Repeat: repeat})
	if err != nil {
		return nil, a.problem(ctx, err, "body", inputs)
	}
	out, err := a.taskOut(ctx, t)
	if out != nil {
		out.Location = "/api/v2/tasks/" + t.ID.String()
	}
	return out, err
}

// taskOut is the answer of one task, with its ETag; the user's zone is read when the task has
// a time to show in it.
func (a *API) taskOut(ctx context.Context, t task.Task) (*taskV2Output, error) {
	loc := time.UTC
	if t.Due != nil && !t.Due.AllDay() {
		prefs, err := a.tasks.Prefs(ctx, userID(ctx))
		if err != nil {
			return nil, a.problem(ctx, err, "", nil)
		}
		loc = prefs.TimeZone
	}
	return &taskV2Output{ETag: t.ETag(), Body: taskV2(t, loc)}, nil
}

func (a *API) getV2(ctx context.Context, in *getV2Input) (*taskV2Output, error) {
	t, err := a.tasks.Get(ctx, userID(ctx), in.id())
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	return a.taskOut(ctx, t)
}

func (a *API) patchV2(ctx context.Context, in *patchV2Input) (*taskV2Output, error) {
	b := in.Body
	inputs := map[string]any{"title": deref(b.Title), "description": deref(b.Description), "tags": deref(b.Tags), "due": b.Due}
	p := task.Patch{Title: b.Title, Description: b.Description, Completed: b.Completed, Tags: b.Tags, IfMatch: in.IfMatch}
	if b.Priority != nil {
		pr := parsePriority(*b.Priority)
		p.Priority = &pr
	}
	if isNull(in.RawBody, "repeat") {
		p.ClearRepeat = true
	} else if repeat, err := parseRepeat((*Repeat)(b.Repeat)); err != nil {
		return nil, a.problem(ctx, err, "body", inputs)
	} else if repeat != nil {
		p.Repeat = repeat
	}
	if isNull(in.RawBody, "due") {
		p.ClearDue = true
	} else {
		due, err := a.due(ctx, (*Due)(b.Due))
		if err != nil {
			return nil, a.problem(ctx, err, "body", inputs)
		}
		p.Due = due
	}
	t, err := a.tasks.Update(ctx, userID(ctx), in.id(), p)
	if err != nil {
		return nil, a.problem(ctx, err, "body", inputs)
	}
	return a.taskOut(ctx, t)
}

// isNull tells whether the JSON object raw has the member name set to null.
func isNull(raw []byte, name string) bool {
	var fields map[string]json.RawMessage
	return json.Unmarshal(raw, &fields) == nil && string(fields[name]) == "null"
}

func (a *API) deleteV2(ctx context.Context, in *conditionalInput) (*noContentOutput, error) {
	if err := a.tasks.Delete(ctx, userID(ctx), in.id(), in.IfMatch); err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	return &noContentOutput{}, nil
}

func (a *API) toggleV2(ctx context.Context, in *conditionalInput) (*taskV2Output, error) {
	t, err := a.tasks.Toggle(ctx, userID(ctx), in.id(), in.IfMatch)
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	return a.taskOut(ctx, t)
}

type (
	completionRead struct {
		Due         *Due      `json:"due"`
		CompletedAt time.Time `json:"completed_at"`
	}
	historyOutput struct {
		Body struct {
			Completions []completionRead `json:"completions"`
		}
	}
)

func (a *API) history(ctx context.Context, in *getV2Input) (*historyOutput, error) {
	list, err := a.tasks.History(ctx, userID(ctx), in.id())
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	prefs, err := a.tasks.Prefs(ctx, userID(ctx))
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	out := &historyOutput{}
	out.Body.Completions = make([]completionRead, len(list))
	for i, c := range list {
		due := c.Due
		out.Body.Completions[i] = completionRead{Due: taskV2(task.Task{Due: &due}, prefs.TimeZone).Due, CompletedAt: c.CompletedAt}
	}
	return out, nil
}

func (a *API) bulk(ctx context.Context, in *bulkInput) (*bulkOutput, error) {
	action, _ := task.ParseBulkAction(in.Body.Action) // validated by the enum
	if (action == task.BulkAddTag || action == task.BulkRemoveTag) && in.Body.Tag == "" {
		return nil, a.problem(ctx, apperr.Invalidf("tag", "%s", "is required for "+action.String()), "body", map[string]any{"tag": in.Body.Tag})
	}
	if action == task.BulkSetPriority && in.Body.Priority == "" {
		return nil, a.problem(ctx, apperr.Invalidf("priority", "%s", "is required for set_priority"), "body", map[string]any{"priority": nil})
	}
	tasks, err := a.tasks.Apply(ctx, userID(ctx), task.Bulk{Action: action, IDs: in.Body.IDs, Tag: in.Body.Tag, Priority: parsePriority(in.Body.Priority)})
	if err != nil {
		return nil, a.problem(ctx, err, "body", map[string]any{"ids": in.Body.IDs, "tag": in.Body.Tag})
	}
	prefs, err := a.tasks.Prefs(ctx, userID(ctx))
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	out := &bulkOutput{}
	out.Body.Tasks = make([]TaskV2, len(tasks))
	for i, t := range tasks {
		out.Body.Tasks[i] = taskV2(t, prefs.TimeZone)
	}
	return out, nil
}

func (a *API) listTags(ctx context.Context, _ *struct{}) (*tagsOutput, error) {
	tags, err := a.tasks.Tags(ctx, userID(ctx))
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	out := &tagsOutput{}
	out.Body.Tags = make([]tagRead, len(tags))
	for i, t := range tags {
		out.Body.Tags[i] = tagRead{Name: t.Name, Tasks: t.Tasks, Open: t.Open}
	}
	return out, nil
}

func (a *API) renameTag(ctx context.Context, in *renameInput) (*noContentOutput, error) {
	name, err := url.PathUnescape(in.Name)
	if err == nil {
		err = a.tasks.RenameTag(ctx, userID(ctx), name, in.Body.Name)
	}
	if err != nil {
		return nil, a.problem(ctx, err, "body", map[string]any{"name": in.Body.Name})
	}
	return &noContentOutput{}, nil
}

func (a *API) deleteTag(ctx context.Context, in *TagPath) (*noContentOutput, error) {
	name, err := url.PathUnescape(in.Name)
	if err == nil {
		err = a.tasks.DeleteTag(ctx, userID(ctx), name)
	}
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	return &noContentOutput{}, nil
}

var weekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

func settingsOf(p task.Prefs) *settingsOutput {
	return &settingsOutput{Body: settingsBody{TimeZone: p.TimeZone.String(), WeekStart: weekdays[p.WeekStart]}}
}

func (a *API) getSettings(ctx context.Context, _ *struct{}) (*settingsOutput, error) {
	p, err := a.tasks.Prefs(ctx, userID(ctx))
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	return settingsOf(p), nil
}

func (a *API) updateSettings(ctx context.Context, in *settingsInput) (*settingsOutput, error) {
	inputs := map[string]any{"time_zone": deref(in.Body.TimeZone), "week_start": deref(in.Body.WeekStart)}
	p, err := a.tasks.Prefs(ctx, userID(ctx))
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	if in.Body.TimeZone != nil {
		if p.TimeZone, err = task.LoadTimeZone(*in.Body.TimeZone); err != nil {
			return nil, a.problem(ctx, err, "body", inputs)
		}
	}
	if in.Body.WeekStart != nil {
		p.WeekStart = time.Weekday(slices.Index(weekdays, strings.ToLower(*in.Body.WeekStart))) // validated by the enum
	}
	if err := a.tasks.SavePrefs(ctx, userID(ctx), p); err != nil {
		return nil, a.problem(ctx, err, "body", inputs)
	}
	return settingsOf(p), nil
}
