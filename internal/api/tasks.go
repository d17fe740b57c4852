package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"todo/internal/task"
)

// The JSON bodies of the API.
type (
	createBody struct {
		_           struct{} `additionalProperties:"true"`
		Title       string   `json:"title" minLength:"1" maxLength:"200" doc:"1 to 200 characters, trimmed; not blank" example:"Buy milk"`
		Description string   `json:"description,omitempty" maxLength:"1000" doc:"At most 1000 characters, trimmed" example:"Two litres, semi-skimmed"`
	}
	patchBody struct {
		_           struct{} `additionalProperties:"true"`
		Title       *string  `json:"title,omitempty" minLength:"1" maxLength:"200" doc:"1 to 200 characters, trimmed; not blank"`
		Description *string  `json:"description,omitempty" maxLength:"1000" doc:"At most 1000 characters, trimmed"`
		Completed   *bool    `json:"completed,omitempty"`
	}
	// listBody is a page as the store read it; AppendJSON writes it as listShape, which is
	// what the OpenAPI document shows.
	listBody struct {
		Tasks []task.Task
		Total int64
	}
	listShape struct {
		Tasks []TaskRead `json:"tasks"`
		Total int64      `json:"total" doc:"Number of the user's tasks that match the filter, across all pages"`
	}
)

// Schema documents the page as it is written.
func (listBody) Schema(r huma.Registry) *huma.Schema {
	return r.Schema(reflect.TypeFor[listShape](), true, "TaskList")
}

// AppendJSON appends the page in one pass (see Task.AppendJSON).
func (l listBody) AppendJSON(b []byte) []byte {
	b = append(b, `{"tasks":[`...)
	for i, t := range l.Tasks {
		if i > 0 {
			b = append(b, ',')
		}
		b = taskRead(t).AppendJSON(b)
	}
	b = append(b, `],"total":`...)
	b = strconv.AppendInt(b, l.Total, 10)
	return append(b, '}')
}

type (
	// TaskPath is the path parameter of the routes of one task. (Exported: huma fills
	// parameters of embedded structs only when it can set them.)
	TaskPath struct {
		TaskID string `path:"task_id" format:"uuid" doc:"The task's id (a UUID; any case, hyphens optional)"`
	}
	// ListInput is the query of a list. (Exported, as the inputs below, to be embedded in the
	// inputs of the brief's routes.)
	ListInput struct {
		Completed string `query:"completed" doc:"Only completed (true) or open (false) tasks. Accepts true/false, 1/0, yes/no, on/off, t/f, y/n in any case."`
		Limit     int    `query:"limit" default:"50" minimum:"0" maximum:"1000" doc:"Page size; 0 returns only the total"`
		Offset    int64  `query:"offset" default:"0" minimum:"0" doc:"Number of tasks to skip"`
		completed *bool
	}
	CreateInput struct {
		RawBody []byte
		Body    createBody
	}
	// PatchBody is the body of an update, by PATCH, or by PUT on the brief's routes.
	PatchBody struct {
		RawBody []byte
		Body    patchBody
	}
	getInput    struct{ TaskPath }
	deleteInput struct{ TaskPath }
	toggleInput struct{ TaskPath }
	patchInput  struct {
		TaskPath
		PatchBody
	}
	taskOutput   struct{ Body TaskRead }
	listOutput   struct{ Body listBody }
	deleteOutput struct{}
)

// Resolve reads the completed filter by hand: the values Python accepts for a boolean are more
// than a typed parameter would, and an empty value is an error, not an absent filter.
func (in *ListInput) Resolve(ctx huma.Context) []error {
	u := ctx.URL()
	values, ok := u.Query()["completed"]
	if !ok {
		return nil
	}
	b, ok := parseBool(values[0])
	if !ok {
		return []error{&ValidationError{Type: "bool_parsing", Loc: []any{"query", "completed"}, Input: values[0],
			Msg: "Input should be a valid boolean, unable to interpret input"}}
	}
	in.completed = &b
	return nil
}

func (in *CreateInput) Resolve(huma.Context) []error {
	return nullFields(in.RawBody, "title", "description")
}
func (in *PatchBody) Resolve(huma.Context) []error {
	return nullFields(in.RawBody, "title", "description", "completed")
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "on", "t", "y":
		return true, true
	case "false", "0", "no", "off", "f", "n":
		return false, true
	}
	return false, false
}

// nullFields rejects an explicit null for the named fields, as Pydantic refuses None for a
// field that is a string or a boolean: a schema that allows leaving a field out would
// otherwise read null as "not sent".
func nullFields(raw []byte, names ...string) []error {
	if !bytes.Contains(raw, []byte("null")) {
		return nil // no null anywhere, as in nearly every body: no need to decode it again
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return nil // not an object: the schema validation already said so
	}
	var errs []error
	for _, name := range names {
		if v, ok := fields[name]; ok && string(v) == "null" {
			loc := []any{"body", name}
			if name == "completed" {
				errs = append(errs, boolError(loc, nil))
				continue
			}
			errs = append(errs, &ValidationError{Type: "string_type", Loc: loc, Msg: "Input should be a valid string"})
		}
	}
	return errs
}

func (p TaskPath) id() uuid.UUID { return uuid.MustParse(p.TaskID) } // validated by format:"uuid"

// taskOp is an operation of /api/v1/tasks: it authenticates its caller before it looks at
// the request. errs are the error statuses it may answer beyond those of every operation.
func (a *API) taskOp(id, summary string, status int, errs ...int) huma.Operation {
	return huma.Operation{
		OperationID: id, Summary: summary, Tags: []string{"tasks"}, DefaultStatus: status,
		Middlewares: huma.Middlewares{a.authenticate},
		Security:    []map[string][]string{{"bearer": {}}},
		Errors:      append([]int{http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusServiceUnavailable}, errs...),
	}
}

// ListTasks is GET /api/v1/tasks.
func (a *API) ListTasks() Endpoint {
	return endpoint(a.taskOp("list-tasks", "List your tasks, newest first", http.StatusOK), a.listTasks)
}

// CreateTask is POST /api/v1/tasks.
func (a *API) CreateTask() Endpoint {
	return endpoint(a.taskOp("create-task", "Create a task", http.StatusCreated), a.createTask)
}

// GetTask is GET /api/v1/tasks/{task_id}.
func (a *API) GetTask() Endpoint {
	return endpoint(a.taskOp("get-task", "Get a task", http.StatusOK, http.StatusNotFound), a.getTask)
}

// UpdateTask is PATCH /api/v1/tasks/{task_id}.
func (a *API) UpdateTask() Endpoint {
	return endpoint(a.taskOp("update-task", "Update some fields of a task", http.StatusOK, http.StatusNotFound), a.updateTask)
}

// DeleteTask is DELETE /api/v1/tasks/{task_id}.
func (a *API) DeleteTask() Endpoint {
	return endpoint(a.taskOp("delete-task", "Delete a task", http.StatusNoContent, http.StatusNotFound), a.deleteTask)
}

// ToggleTask is POST /api/v1/tasks/{task_id}/toggle.
func (a *API) ToggleTask() Endpoint {
	return endpoint(a.taskOp("toggle-task", "Flip a task between open and completed", http.StatusOK, http.StatusNotFound), a.toggleTask)
}

type userKey struct{}

func userID(ctx context.Context) string { return ctx.Value(userKey{}).(string) }

// authenticate lets through the requests that bear a valid token of a user under their rate
// limit, the caller's id in their context, and answers the others with the refusal and its
// challenge (or Retry-After). It is the one place of the task API where both are checked.
func (a *API) authenticate(ctx huma.Context, next func(huma.Context)) {
	id, refusal := a.bearer.Authenticate(ctx.Context(), ctx.Header("Authorization"))
	if refusal != nil {
		h := http.Header{}
		if refusal.Challenge != "" {
			h.Set("WWW-Authenticate", refusal.Challenge)
		}
		refusal.Err.SetHeaders(h)
		for k := range h {
			ctx.SetHeader(k, h.Get(k))
		}
		huma.WriteErr(a.huma, ctx, refusal.Err.Status(), refusal.Err.Message)
		return
	}
	next(huma.WithValue(ctx, userKey{}, id))
}

func (a *API) listTasks(ctx context.Context, in *ListInput) (*listOutput, error) {
	page, err := a.tasks.List(ctx, userID(ctx), task.Filter{Completed: in.completed, Limit: in.Limit, Offset: in.Offset})
	if err != nil {
		return nil, a.problem(ctx, err, "query", map[string]any{"limit": in.Limit, "offset": in.Offset})
	}
	return &listOutput{Body: listBody{Tasks: page.Tasks, Total: page.Total}}, nil
}

func (a *API) createTask(ctx context.Context, in *CreateInput) (*taskOutput, error) {
	t, err := a.tasks.Create(ctx, userID(ctx), task.Draft{Title: in.Body.Title, Description: in.Body.Description})
	if err != nil {
		return nil, a.problem(ctx, err, "body", map[string]any{"title": in.Body.Title, "description": in.Body.Description})
	}
	return &taskOutput{Body: taskRead(t)}, nil
}

func (a *API) getTask(ctx context.Context, in *getInput) (*taskOutput, error) {
	return a.get(ctx, in.id())
}

func (a *API) get(ctx context.Context, id uuid.UUID) (*taskOutput, error) {
	t, err := a.tasks.Get(ctx, userID(ctx), id)
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	return &taskOutput{Body: taskRead(t)}, nil
}

func (a *API) updateTask(ctx context.Context, in *patchInput) (*taskOutput, error) {
	return a.update(ctx, in.id(), &in.PatchBody)
}

func (a *API) update(ctx context.Context, id uuid.UUID, in *PatchBody) (*taskOutput, error) {
	p := task.Patch{Title: in.Body.Title, Description: in.Body.Description, Completed: in.Body.Completed}
	t, err := a.tasks.Update(ctx, userID(ctx), id, p)
	if err != nil {
		return nil, a.problem(ctx, err, "body", map[string]any{"title": deref(p.Title), "description": deref(p.Description)})
	}
	return &taskOutput{Body: taskRead(t)}, nil
}

func (a *API) deleteTask(ctx context.Context, in *deleteInput) (*deleteOutput, error) {
	return a.delete(ctx, in.id())
}

func (a *API) delete(ctx context.Context, id uuid.UUID) (*deleteOutput, error) {
	if err := a.tasks.Delete(ctx, userID(ctx), id, ""); err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	return &deleteOutput{}, nil
}

func (a *API) toggleTask(ctx context.Context, in *toggleInput) (*taskOutput, error) {
	return a.toggle(ctx, in.id())
}

func (a *API) toggle(ctx context.Context, id uuid.UUID) (*taskOutput, error) {
	t, err := a.tasks.Toggle(ctx, userID(ctx), id, "")
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	return &taskOutput{Body: taskRead(t)}, nil
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
