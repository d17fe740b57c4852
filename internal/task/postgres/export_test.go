package postgres

import (
	"todo/internal/task"
	"todo/internal/task/taskquery"
)

// Statements are the statements that Query runs for p: the total when it is counted, then
// each part of the page.
func Statements(userID string, p task.Plan) []taskquery.Statement {
	var out []taskquery.Statement
	if taskquery.Counted(p) {
		out = append(out, taskquery.Count(dialect, userID, p, ""))
	}
	for _, part := range taskquery.Parts(p) {
		out = append(out, taskquery.Page(dialect, columns, userID, p, part, p.Limit, p.Offset))
	}
	return out
}

// ListStatements are the statements of the specification's list: all tasks, and one status.
var ListStatements = []string{listAll, listFiltered}
