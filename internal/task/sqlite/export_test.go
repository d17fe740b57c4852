package sqlite

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
		out = append(out, taskquery.Page(dialect, taskColumns, userID, p, part, p.Limit, p.Offset))
	}
	return out
}

// WriteStatements are the statements of the writes' transactions.
var WriteStatements = txQueries
