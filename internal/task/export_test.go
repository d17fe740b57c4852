package task

// The rules' building blocks, for the external tests.
var (
	Strip            = strip
	IsPythonSpace    = isPythonSpace
	CleanTitle       = cleanTitle
	CleanDescription = cleanDescription
)

// ListBody and AppendListBody encode a list page as the API answers it.
func ListBody(tasks []Task, total int64) []byte { return listBody{tasks, total}.AppendJSON(nil) }

func AppendListBody(b []byte, tasks []Task, total int64) []byte {
	return listBody{tasks, total}.AppendJSON(b)
}
