package api

import "todo/internal/task"

// ListBody and AppendListBody encode a list page as the API answers it.
func ListBody(tasks []task.Task, total int64) []byte { return listBody{tasks, total}.AppendJSON(nil) }

func AppendListBody(b []byte, tasks []task.Task, total int64) []byte {
	return listBody{tasks, total}.AppendJSON(b)
}

// MarshalJSON is the API's JSON encoder.
var MarshalJSON = marshalJSON
