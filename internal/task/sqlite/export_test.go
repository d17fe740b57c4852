package sqlite

import (
	"todo/internal/task"
	"todo/internal/task/taskquery"
)

// Statements are the statements that Query may run for p: its counts, then each part of the
// page.
func Statements(userID string, p task.Plan) []taskquery.Statement {
	return taskquery.Statements(dialect, taskColumns, userID, p)
}

// WriteStatements are the statements of the writes' transactions.
var WriteStatements = txQueries
