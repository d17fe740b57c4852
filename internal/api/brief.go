package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"todo/internal/apperr"
)

// The routes of the hackathon brief that the specification belongs to: /api/{user_id}/tasks…,
// which about half of the front ends written for it call. They are v1's operations, answers
// and errors, behind one more check: {user_id} must be the token's subject.

type (
	// UserPath is the {user_id} of the brief's routes.
	UserPath struct {
		UserID string `path:"user_id" doc:"Your own user id: the subject of your token"`
	}
	// BriefTaskPath is the task of the brief's routes, which name it {id}.
	BriefTaskPath struct {
		ID string `path:"id" format:"uuid" doc:"The task's id (a UUID; any case, hyphens optional)"`
	}
	userListInput struct {
		UserPath
		ListInput
	}
	userCreateInput struct {
		UserPath
		CreateInput
	}
	userTaskInput struct {
		UserPath
		BriefTaskPath
	}
	userUpdateInput struct {
		UserPath
		BriefTaskPath
		PatchBody
	}
)

func (p BriefTaskPath) id() uuid.UUID { return uuid.MustParse(p.ID) } // validated by format:"uuid"

// errNotYours refuses a {user_id} that is not the caller, whoever it names: existing or not,
// the answer is the same.
var errNotYours = &apperr.Error{Kind: apperr.Forbidden, Code: "USER_MISMATCH", Message: "Not allowed for this user"}

// userOp is taskOp for a route of the brief: authentication, then the {user_id} check.
func (a *API) userOp(id, summary string, status int, errs ...int) huma.Operation {
	op := a.taskOp(id, summary, status, append(errs, http.StatusForbidden)...)
	op.Tags = []string{"tasks by user (the brief's routes)"}
	op.Middlewares = append(op.Middlewares, a.ownUserPath)
	return op
}

func (a *API) ownUserPath(ctx huma.Context, next func(huma.Context)) {
	if ctx.Param("user_id") != userID(ctx.Context()) {
		huma.WriteErr(a.huma, ctx, errNotYours.Status(), errNotYours.Message)
		return
	}
	next(ctx)
}

// ListUserTasks is GET /api/{user_id}/tasks.
func (a *API) ListUserTasks() Endpoint {
	return endpoint(a.userOp("list-user-tasks", "List your tasks, newest first", http.StatusOK),
		func(ctx context.Context, in *userListInput) (*listOutput, error) {
			return a.listTasks(ctx, &in.ListInput)
		})
}

// CreateUserTask is POST /api/{user_id}/tasks.
func (a *API) CreateUserTask() Endpoint {
	return endpoint(a.userOp("create-user-task", "Create a task", http.StatusCreated),
		func(ctx context.Context, in *userCreateInput) (*taskOutput, error) {
			return a.createTask(ctx, &in.CreateInput)
		})
}

// GetUserTask is GET /api/{user_id}/tasks/{id}.
func (a *API) GetUserTask() Endpoint {
	return endpoint(a.userOp("get-user-task", "Get a task", http.StatusOK, http.StatusNotFound),
		func(ctx context.Context, in *userTaskInput) (*taskOutput, error) { return a.get(ctx, in.id()) })
}

// ReplaceUserTask is PUT /api/{user_id}/tasks/{id}: the body of PATCH, the fields it carries
// changed.
func (a *API) ReplaceUserTask() Endpoint {
	return endpoint(a.userOp("put-user-task", "Update fields of a task (the body of PATCH)", http.StatusOK, http.StatusNotFound),
		func(ctx context.Context, in *userUpdateInput) (*taskOutput, error) {
			return a.update(ctx, in.id(), &in.PatchBody)
		})
}

// DeleteUserTask is DELETE /api/{user_id}/tasks/{id}.
func (a *API) DeleteUserTask() Endpoint {
	return endpoint(a.userOp("delete-user-task", "Delete a task", http.StatusNoContent, http.StatusNotFound),
		func(ctx context.Context, in *userTaskInput) (*deleteOutput, error) { return a.delete(ctx, in.id()) })
}

// CompleteUserTask is PATCH /api/{user_id}/tasks/{id}/complete: the brief's toggle.
func (a *API) CompleteUserTask() Endpoint {
	return endpoint(a.userOp("complete-user-task", "Flip a task between open and completed", http.StatusOK, http.StatusNotFound),
		func(ctx context.Context, in *userTaskInput) (*taskOutput, error) { return a.toggle(ctx, in.id()) })
}
