package task

import "time"

// The rules' building blocks, for the external tests.
var (
	Strip            = strip
	IsPythonSpace    = isPythonSpace
	CleanTitle       = cleanTitle
	CleanDescription = cleanDescription
)

// SetClock makes the service's now the test's.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// ApplyPatch makes p's changes to t at time at, as the service does before saving.
func ApplyPatch(p Patch, t *Task, at time.Time) { p.apply(t, at, time.UTC) }
