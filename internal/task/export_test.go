package task

// The rules' building blocks, for the external tests.
var (
	Strip            = strip
	IsPythonSpace    = isPythonSpace
	CleanTitle       = cleanTitle
	CleanDescription = cleanDescription
)
