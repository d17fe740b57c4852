package mcp

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/google/uuid"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"todo/internal/apperr"
	"todo/internal/bearer"
	"todo/internal/task"
)

// The arguments of the tools. Their descriptions are what an assistant reads to call them.
// Lengths and trimming are the service's rules, stated here but not put in the schemas, so
// that a title too long gets the service's own message, as on every other door.
type (
	// asUser is the user_id that the hackathon plan's tools take. The user is the bearer
	// token's subject; the argument is accepted only when it names that same user.
	asUser struct {
		UserID string `json:"user_id,omitempty" jsonschema:"Optional: the signed-in user's id. The tools always act for the user of the bearer token and refuse any other id; leave it out."`
	}
	addArgs struct {
		asUser
		Title       string `json:"title" jsonschema:"The task's title: 1 to 200 characters, trimmed of surrounding whitespace, not blank."`
		Description string `json:"description,omitempty" jsonschema:"Optional details: at most 1000 characters, trimmed."`
	}
	listArgs struct {
		asUser
		Status string `json:"status,omitempty" jsonschema:"Which tasks: all (the default), pending (not done yet) or completed."`
		Limit  int    `json:"limit,omitempty" jsonschema:"How many tasks to return at most: 1 to 1000, 50 if left out."`
		Offset int64  `json:"offset,omitempty" jsonschema:"How many of the matching tasks to skip, newest first, to read past the first page: 0 if left out."`
	}
	searchArgs struct {
		asUser
		Query  string `json:"query" jsonschema:"Words to look for in titles, descriptions and tags, in any case and with or without accents; every word must be found, and the last may be the start of a word. Not blank."`
		Status string `json:"status,omitempty" jsonschema:"Which tasks to search: all (the default), pending (not done yet) or completed."`
		Limit  int    `json:"limit,omitempty" jsonschema:"How many matching tasks to return at most: 1 to 1000, 50 if left out."`
	}
	taskArgs struct {
		asUser
		TaskID string `json:"task_id" jsonschema:"The task's id, a UUID, as add_task, list_tasks or search_tasks return it."`
	}
	updateArgs struct {
		asUser
		TaskID      string  `json:"task_id" jsonschema:"The task's id, a UUID, as add_task, list_tasks or search_tasks return it."`
		Title       *string `json:"title,omitempty" jsonschema:"The new title: 1 to 200 characters, trimmed, not blank. Leave it out to keep the title."`
		Description *string `json:"description,omitempty" jsonschema:"The new description: at most 1000 characters, trimmed; an empty string clears it. Leave it out to keep the description."`
	}
)

func (a asUser) claimedUser() string { return a.UserID }

// The results of the tools: structured content (with the output schemas derived from these
// types), which the SDK also sends serialized as text for clients that read only text.
type (
	// taskChange is the hackathon plan's answer to a change: {task_id, status, title}.
	taskChange struct {
		TaskID string `json:"task_id" jsonschema:"The task's id (a UUID)."`
		Status string `json:"status" jsonschema:"What was done: created, completed, deleted or updated."`
		Title  string `json:"title" jsonschema:"The task's title, as stored (trimmed)."`
	}
	// taskItem is a task as the task API's TaskRead shows it.
	taskItem struct {
		ID          string     `json:"id" jsonschema:"The task's id (a UUID): the task_id of the other tools."`
		Title       string     `json:"title"`
		Description string     `json:"description"`
		Completed   bool       `json:"completed"`
		CreatedAt   time.Time  `json:"created_at" jsonschema:"When the task was created (RFC 3339, UTC)."`
		UpdatedAt   *time.Time `json:"updated_at" jsonschema:"When the task was last changed (RFC 3339, UTC), or null if never."`
	}
	taskList struct {
		Tasks []taskItem `json:"tasks" jsonschema:"The tasks, newest first."`
		Total int64      `json:"total" jsonschema:"How many tasks match in all, of which tasks is the page asked for."`
	}
)

func addTools(s *sdk.Server, d *door) {
	yes, no := true, false
	addTool(s, d, &sdk.Tool{
		Name:        "add_task",
		Title:       "Add a task",
		Description: `Add a task to the user's to-do list. Returns {task_id, status: "created", title}.`,
		Annotations: &sdk.ToolAnnotations{DestructiveHint: &no, OpenWorldHint: &no},
	}, d.addTask)
	addTool(s, d, &sdk.Tool{
		Name:  "list_tasks",
		Title: "List tasks",
		Description: "List the user's tasks, newest first: all of them, the pending ones or the completed ones. " +
			"Returns {tasks, total}: a page of at most limit tasks, and how many match in all (read further with offset).",
		InputSchema: withStatus[listArgs](),
		Annotations: &sdk.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: &no},
	}, d.listTasks)
	addTool(s, d, &sdk.Tool{
		Name:  "search_tasks",
		Title: "Search tasks",
		Description: "Find the user's tasks whose title or description contains the query, ignoring case, newest first. " +
			"Returns {tasks, total}: at most limit matching tasks, and how many match in all.",
		InputSchema: withStatus[searchArgs](),
		Annotations: &sdk.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: &no},
	}, d.searchTasks)
	addTool(s, d, &sdk.Tool{
		Name:        "complete_task",
		Title:       "Complete a task",
		Description: `Mark a task completed (done); a completed task stays completed. Returns {task_id, status: "completed", title}.`,
		Annotations: &sdk.ToolAnnotations{IdempotentHint: true, DestructiveHint: &no, OpenWorldHint: &no},
	}, d.completeTask)
	addTool(s, d, &sdk.Tool{
		Name:        "delete_task",
		Title:       "Delete a task",
		Description: `Delete a task for good. Returns {task_id, status: "deleted", title}.`,
		Annotations: &sdk.ToolAnnotations{DestructiveHint: &yes, OpenWorldHint: &no},
	}, d.deleteTask)
	addTool(s, d, &sdk.Tool{
		Name:  "update_task",
		Title: "Update a task",
		Description: "Change a task's title, description or both; what is left out stays as it is (complete_task marks it done). " +
			`Returns {task_id, status: "updated", title}.`,
		Annotations: &sdk.ToolAnnotations{DestructiveHint: &yes, OpenWorldHint: &no},
	}, d.updateTask)
}

// withStatus is the input schema that the SDK would derive from In, with the values of the
// status argument, which Go types cannot say. Its default is in its description only: with a
// default in the schema, a call with "arguments": null panics in the SDK (v1.8.0 applies
// defaults to the nil map that null decodes to), and takes the whole server down.
func withStatus[In any]() *jsonschema.Schema {
	s, err := jsonschema.For[In](nil)
	if err != nil {
		panic(err) // a mistake in a type above, found by every test
	}
	s.Properties["status"].Enum = []any{"all", "pending", "completed"}
	return s
}

// door is the MCP door onto the task service.
type door struct {
	tasks *task.Service
	log   *slog.Logger
}

// addTool registers a tool whose handler h acts for the caller, within the HTTP request's
// deadline. Whatever goes wrong is a tool error with a message for the assistant: bad
// arguments, another user's id, a rule of the service, a task that is missing or not the
// caller's, the database, even a panic (the SDK runs tools on goroutines of its own, out of
// reach of the server's recovery).
func addTool[In interface{ claimedUser() string }, Out any](s *sdk.Server, d *door, t *sdk.Tool, h func(context.Context, string, In) (Out, error)) {
	sdk.AddTool(s, t, func(ctx context.Context, _ *sdk.CallToolRequest, in In) (_ *sdk.CallToolResult, out Out, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = d.failure(ctx, fmt.Errorf("%s panicked: %v\n%s", t.Name, p, debug.Stack()))
			}
		}()
		c, ok := callerOf(ctx)
		if !ok { // authenticate always runs first; this guards against a change of routing
			return nil, out, d.failure(ctx, bearer.ErrNotAuthenticated)
		}
		ctx, cancel := c.within(ctx)
		defer cancel()
		if claimed := in.claimedUser(); claimed != "" && claimed != c.userID {
			return nil, out, d.failure(ctx, errOtherUser)
		}
		out, err = h(ctx, c.userID, in)
		if err != nil {
			return nil, out, d.failure(ctx, err)
		}
		return nil, out, nil
	})
}

// errOtherUser says the same whoever the id names, so that it tells nothing about them.
var errOtherUser = &apperr.Error{Kind: apperr.Forbidden, Code: "USER_MISMATCH",
	Message: "user_id is not the signed-in user's id: these tools act only for the user of the bearer token; leave user_id out"}

var errNothingToUpdate = &apperr.Error{Kind: apperr.Invalid, Code: "VALIDATION_ERROR",
	Message: "Invalid arguments: give a title, a description or both to change"}

// toolError is the message of a failed tool call; the SDK sends it as an error result.
type toolError string

func (e toolError) Error() string { return string(e) }

// failure logs a server-side failure once and returns what the assistant may be told of it:
// never the cause of an unexpected error.
func (d *door) failure(ctx context.Context, err error) error {
	e := apperr.From(err)
	apperr.Log(ctx, d.log, e)
	switch {
	case e.Kind == apperr.Invalid && len(e.Fields) > 0:
		msgs := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			msgs[i] = f.Name + ": " + f.Message
		}
		return toolError("Invalid arguments: " + strings.Join(msgs, "; "))
	case e.Kind == apperr.NotFound:
		return toolError(e.Message + ": no task of yours has that id (list_tasks shows their ids)")
	}
	return toolError(e.Message)
}

func (d *door) addTask(ctx context.Context, user string, in addArgs) (taskChange, error) {
	t, err := d.tasks.Create(ctx, user, task.Draft{Title: in.Title, Description: in.Description})
	if err != nil {
		return taskChange{}, err
	}
	return change(t, "created"), nil
}

func (d *door) listTasks(ctx context.Context, user string, in listArgs) (taskList, error) {
	completed, err := statusFilter(in.Status)
	if err != nil {
		return taskList{}, err
	}
	limit := in.Limit
	if limit == 0 {
		limit = task.DefaultPageSize
	}
	page, err := d.tasks.List(ctx, user, task.Filter{Completed: completed, Limit: limit, Offset: in.Offset})
	if err != nil {
		return taskList{}, err
	}
	list := taskList{Tasks: make([]taskItem, len(page.Tasks)), Total: page.Total}
	for i, t := range page.Tasks {
		list.Tasks[i] = item(t)
	}
	return list, nil
}

// searchTasks is the service's search: words in titles, descriptions and tags, in any case
// and with or without accents; the last word may be the start of one.
func (d *door) searchTasks(ctx context.Context, user string, in searchArgs) (taskList, error) {
	q := task.ParseSearch(in.Query)
	if q.Empty() {
		return taskList{}, apperr.Invalidf("query", "must not be blank: give a word to look for")
	}
	completed, err := statusFilter(in.Status)
	if err != nil {
		return taskList{}, err
	}
	limit := in.Limit
	switch {
	case limit == 0:
		limit = task.DefaultPageSize
	case limit < 0 || limit > task.MaxPageSize:
		return taskList{}, apperr.Invalidf("limit", "must be from 1 to %d", task.MaxPageSize)
	}
	status := task.StatusAll
	if completed != nil {
		status = map[bool]task.Status{true: task.StatusCompleted, false: task.StatusOpen}[*completed]
	}
	page, _, err := d.tasks.Query(ctx, user, task.Query{Search: q, Status: status, Desc: true, Limit: limit})
	if err != nil {
		return taskList{}, err
	}
	list := taskList{Tasks: make([]taskItem, len(page.Tasks)), Total: page.Total}
	for i, t := range page.Tasks {
		list.Tasks[i] = item(t)
	}
	return list, nil
}

// completeTask sets completed rather than toggling it, so that an assistant that repeats
// the call does not reopen the task.
func (d *door) completeTask(ctx context.Context, user string, in taskArgs) (taskChange, error) {
	id, err := taskID(in.TaskID)
	if err != nil {
		return taskChange{}, err
	}
	completed := true
	t, err := d.tasks.Update(ctx, user, id, task.Patch{Completed: &completed})
	if err != nil {
		return taskChange{}, err
	}
	return change(t, "completed"), nil
}

// deleteTask reads the task first: the answer carries its title.
func (d *door) deleteTask(ctx context.Context, user string, in taskArgs) (taskChange, error) {
	id, err := taskID(in.TaskID)
	if err != nil {
		return taskChange{}, err
	}
	t, err := d.tasks.Get(ctx, user, id)
	if err != nil {
		return taskChange{}, err
	}
	if err := d.tasks.Delete(ctx, user, id, ""); err != nil {
		return taskChange{}, err
	}
	return change(t, "deleted"), nil
}

func (d *door) updateTask(ctx context.Context, user string, in updateArgs) (taskChange, error) {
	id, err := taskID(in.TaskID)
	if err != nil {
		return taskChange{}, err
	}
	// The service takes an empty patch (the task API's PATCH {} touches updated_at); from an
	// assistant it is a mistake worth saying.
	if in.Title == nil && in.Description == nil {
		return taskChange{}, errNothingToUpdate
	}
	t, err := d.tasks.Update(ctx, user, id, task.Patch{Title: in.Title, Description: in.Description})
	if err != nil {
		return taskChange{}, err
	}
	return change(t, "updated"), nil
}

func taskID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(strings.TrimSpace(s))
	if err != nil {
		return uuid.UUID{}, apperr.Invalidf("task_id", "must be a task's id, a UUID as add_task or list_tasks return it")
	}
	return id, nil
}

func statusFilter(status string) (*bool, error) {
	completed := status == "completed"
	switch status {
	case "", "all":
		return nil, nil
	case "pending", "completed":
		return &completed, nil
	}
	return nil, apperr.Invalidf("status", "must be all, pending or completed")
}

func change(t task.Task, status string) taskChange {
	return taskChange{TaskID: t.ID.String(), Status: status, Title: t.Title}
}

func item(t task.Task) taskItem {
	return taskItem{ID: t.ID.String(), Title: t.Title, Description: t.Description, Completed: t.Completed,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}
