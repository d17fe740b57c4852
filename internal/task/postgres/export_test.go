package postgres

import (
	"context"

	"github.com/google/uuid"

	"todo/internal/task"
	"todo/internal/task/taskquery"
)

// Statements are the statements that Query may run for p: its counts, then each part of the
// page.
func Statements(userID string, p task.Plan) []taskquery.Statement {
	return taskquery.Statements(dialect, columns, userID, p)
}

// ListStatements are the statements of the specification's list: all tasks, and each status.
var ListStatements = []string{listAll, listOpen, listCompleted}

// Reindex is the step of the index that writes the terms and keys of tasks as read.
func (s *Store) Reindex(ctx context.Context, tasks []task.Task) ([]uuid.UUID, error) {
	return s.reindex(ctx, tasks)
}

// ChangeStatement is the statement of a task.Plain change.
const ChangeStatement = change
