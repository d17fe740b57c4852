package task

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"todo/internal/database"
	"todo/internal/jwt"
	"todo/internal/observe"
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
	listBody struct {
		Tasks []Task `json:"tasks"`
		Total int64  `json:"total" doc:"Number of the user's tasks that match the filter, across all pages"`
	}
)

// AppendJSON appends the page in one pass (see Task.AppendJSON).
func (l listBody) AppendJSON(b []byte) []byte {
	b = append(b, `{"tasks":[`...)
	for i, t := range l.Tasks {
		if i > 0 {
			b = append(b, ',')
		}
		b = t.AppendJSON(b)
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
	listInput struct {
		Completed string `query:"completed" doc:"Only completed (true) or open (false) tasks. Accepts true/false, 1/0, yes/no, on/off, t/f, y/n in any case."`
		Limit     int    `query:"limit" default:"50" minimum:"0" maximum:"1000" doc:"Page size; 0 returns only the total"`
		Offset    int64  `query:"offset" default:"0" minimum:"0" doc:"Number of tasks to skip"`
		completed *bool
	}
	createInput struct {
		RawBody []byte
		Body    createBody
	}
	getInput    struct{ TaskPath }
	deleteInput struct{ TaskPath }
	toggleInput struct{ TaskPath }
	patchInput  struct {
		TaskPath
		RawBody []byte
		Body    patchBody
	}
	taskOutput   struct{ Body Task }
	listOutput   struct{ Body listBody }
	deleteOutput struct{}
)

// Resolve reads the completed filter by hand: the values Python accepts for a boolean are more
// than a typed parameter would, and an empty value is an error, not an absent filter.
func (in *listInput) Resolve(ctx huma.Context) []error {
	u := ctx.URL()
	values, ok := u.Query()["completed"]
	if !ok {
		return nil
	}
	b, ok := parseBool(values[0])
	if !ok {
		return []error{&huma.ErrorDetail{Location: "query.completed", Message: "must be a boolean (true/false, 1/0, yes/no, on/off, t/f, y/n)"}}
	}
	in.completed = &b
	return nil
}

func (in *createInput) Resolve(huma.Context) []error {
	return nullFields(in.RawBody, "title", "description")
}
func (in *patchInput) Resolve(huma.Context) []error {
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

// nullFields rejects an explicit null for the named fields: a schema that allows leaving a
// field out would otherwise read null as "not sent".
func nullFields(raw []byte, names ...string) []error {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return nil // not an object: the schema validation already said so
	}
	var errs []error
	for _, name := range names {
		if v, ok := fields[name]; ok && string(v) == "null" {
			errs = append(errs, &huma.ErrorDetail{Location: "body." + name, Message: "must not be null"})
		}
	}
	return errs
}

func (p TaskPath) id() uuid.UUID { return uuid.MustParse(p.TaskID) } // validated by format:"uuid"

// RegisterAPI adds the task operations of /api/v1/tasks to api. Every operation authenticates
// its caller before it looks at the request.
func RegisterAPI(api huma.API, svc *Service, verifier *jwt.Verifier, log *slog.Logger) {
	h := handlers{svc: svc, log: log}
	authn := huma.Middlewares{authenticate(api, verifier)}
	security := []map[string][]string{{"bearer": {}}}
	op := func(method, path, id, summary string, status int) huma.Operation {
		return huma.Operation{
			OperationID: id, Method: method, Path: path, Summary: summary, Tags: []string{"tasks"},
			DefaultStatus: status, Middlewares: authn, Security: security,
			Errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
		}
	}
	withNotFound := func(o huma.Operation) huma.Operation {
		o.Errors = append(o.Errors, http.StatusNotFound)
		return o
	}
	huma.Register(api, op(http.MethodGet, "/api/v1/tasks", "list-tasks", "List your tasks, newest first", http.StatusOK), h.list)
	huma.Register(api, op(http.MethodPost, "/api/v1/tasks", "create-task", "Create a task", http.StatusCreated), h.create)
	huma.Register(api, withNotFound(op(http.MethodGet, "/api/v1/tasks/{task_id}", "get-task", "Get a task", http.StatusOK)), h.get)
	huma.Register(api, withNotFound(op(http.MethodPatch, "/api/v1/tasks/{task_id}", "update-task", "Update some fields of a task", http.StatusOK)), h.update)
	huma.Register(api, withNotFound(op(http.MethodDelete, "/api/v1/tasks/{task_id}", "delete-task", "Delete a task", http.StatusNoContent)), h.delete)
	huma.Register(api, withNotFound(op(http.MethodPost, "/api/v1/tasks/{task_id}/toggle", "toggle-task", "Flip a task between open and completed", http.StatusOK)), h.toggle)
}

type userKey struct{}

func userID(ctx context.Context) string { return ctx.Value(userKey{}).(string) }

// authenticate accepts `Authorization: Bearer <JWT>` and nothing else.
func authenticate(api huma.API, verifier *jwt.Verifier) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		scheme, token, _ := strings.Cut(ctx.Header("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "bearer") || token == "" {
			observe.AuthFailed(ctx.Context(), "missing")
			ctx.SetHeader("WWW-Authenticate", "Bearer")
			huma.WriteErr(api, ctx, http.StatusUnauthorized, "Not authenticated")
			return
		}
		id, err := verifier.Verify(ctx.Context(), token)
		switch {
		case errors.Is(err, jwt.ErrKeysUnavailable):
			observe.AuthFailed(ctx.Context(), "keys_unavailable")
			ctx.SetHeader("Retry-After", retryAfterSeconds)
			huma.WriteErr(api, ctx, http.StatusServiceUnavailable, "Signing keys are unavailable; try again shortly")
			return
		case err != nil:
			observe.AuthFailed(ctx.Context(), "invalid")
			ctx.SetHeader("WWW-Authenticate", `Bearer error="invalid_token"`)
			huma.WriteErr(api, ctx, http.StatusUnauthorized, "Invalid or expired token")
			return
		}
		observe.SetUser(ctx.Context(), id)
		next(huma.WithValue(ctx, userKey{}, id))
	}
}

const retryAfterSeconds = "5"

type handlers struct {
	svc *Service
	log *slog.Logger
}

func (h handlers) list(ctx context.Context, in *listInput) (*listOutput, error) {
	page, err := h.svc.List(ctx, userID(ctx), Filter{Completed: in.completed, Limit: in.Limit, Offset: in.Offset})
	if err != nil {
		return nil, h.fail(ctx, err, "query")
	}
	return &listOutput{Body: listBody{Tasks: page.Tasks, Total: page.Total}}, nil
}

func (h handlers) create(ctx context.Context, in *createInput) (*taskOutput, error) {
	t, err := h.svc.Create(ctx, userID(ctx), Draft{Title: in.Body.Title, Description: in.Body.Description})
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &taskOutput{Body: t}, nil
}

func (h handlers) get(ctx context.Context, in *getInput) (*taskOutput, error) {
	t, err := h.svc.Get(ctx, userID(ctx), in.id())
	if err != nil {
		return nil, h.fail(ctx, err, "")
	}
	return &taskOutput{Body: t}, nil
}

func (h handlers) update(ctx context.Context, in *patchInput) (*taskOutput, error) {
	p := Patch{Title: in.Body.Title, Description: in.Body.Description, Completed: in.Body.Completed}
	t, err := h.svc.Update(ctx, userID(ctx), in.id(), p)
	if err != nil {
		return nil, h.fail(ctx, err, "body")
	}
	return &taskOutput{Body: t}, nil
}

func (h handlers) delete(ctx context.Context, in *deleteInput) (*deleteOutput, error) {
	if err := h.svc.Delete(ctx, userID(ctx), in.id()); err != nil {
		return nil, h.fail(ctx, err, "")
	}
	return &deleteOutput{}, nil
}

func (h handlers) toggle(ctx context.Context, in *toggleInput) (*taskOutput, error) {
	t, err := h.svc.Toggle(ctx, userID(ctx), in.id())
	if err != nil {
		return nil, h.fail(ctx, err, "")
	}
	return &taskOutput{Body: t}, nil
}

// fail turns a service error into the API's answer. location prefixes the field of a
// validation error ("body" or "query").
func (h handlers) fail(ctx context.Context, err error, location string) error {
	var invalid *ValidationError
	switch {
	case errors.Is(err, ErrNotFound):
		return huma.Error404NotFound(ErrNotFound.Error())
	case errors.As(err, &invalid):
		return huma.Error422UnprocessableEntity("validation failed",
			&huma.ErrorDetail{Location: location + "." + invalid.Field, Message: invalid.Message})
	case errors.Is(err, context.DeadlineExceeded):
		h.log.WarnContext(ctx, "request deadline exceeded", "err", err)
		return huma.ErrorWithHeaders(
			huma.Error503ServiceUnavailable("The server is busy or its database is slow; try again shortly"),
			http.Header{"Retry-After": {retryAfterSeconds}})
	case database.IsUnavailable(err):
		h.log.WarnContext(ctx, "database unavailable", "err", err)
		return huma.ErrorWithHeaders(
			huma.Error503ServiceUnavailable("The database is unavailable; try again shortly"),
			http.Header{"Retry-After": {retryAfterSeconds}})
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		return huma.Error503ServiceUnavailable("Request cancelled")
	}
	h.log.ErrorContext(ctx, "task request failed", "err", err)
	return huma.Error500InternalServerError("Internal server error")
}

// ErrorBody is every error the API answers with: a human detail, and for an invalid request
// each field at fault (location such as body.title or query.limit) and what is wrong with it.
type ErrorBody struct {
	status int
	Detail string       `json:"detail" doc:"What went wrong" example:"Task not found"`
	Errors []FieldError `json:"errors,omitempty" doc:"The fields at fault, for an invalid request"`
}

// FieldError is one invalid field.
type FieldError struct {
	Location string `json:"location" example:"body.title"`
	Message  string `json:"message" example:"must not be blank"`
}

func (e *ErrorBody) Error() string  { return e.Detail }
func (e *ErrorBody) GetStatus() int { return e.status }

// NewError builds an ErrorBody; it replaces huma.NewError so that every error of the API,
// including those of huma's own request validation, has the same shape.
func NewError(status int, msg string, errs ...error) huma.StatusError {
	body := &ErrorBody{status: status, Detail: msg}
	if status >= http.StatusInternalServerError {
		return body // never show internals
	}
	var parts []string
	for _, err := range errs {
		if err == nil {
			continue
		}
		fe := FieldError{Location: "body", Message: err.Error()}
		var detailer huma.ErrorDetailer
		if errors.As(err, &detailer) {
			d := detailer.ErrorDetail()
			fe = FieldError{Location: d.Location, Message: d.Message}
			// huma reports a missing property at its parent; name the property itself.
			var property string
			if n, _ := fmt.Sscanf(d.Message, "expected required property %s to be present", &property); n == 1 {
				fe = FieldError{Location: d.Location + "." + property, Message: "is required"}
			}
		}
		body.Errors = append(body.Errors, fe)
		parts = append(parts, fe.Location+": "+fe.Message)
	}
	if len(parts) > 0 {
		body.Detail = "Invalid request: " + strings.Join(parts, "; ")
	}
	return body
}

// huma builds its own errors (request validation, body too large) through huma.NewError.
func init() { huma.NewError = NewError }
