// Package task is the to-do domain: the task, its rules, the service that applies them and
// the Store interface that its adapters (task/sqlite, task/postgres) implement. It knows no
// SQL and no HTTP; the JSON API and the web UI are doors onto its Service.
package task

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"todo/internal/apperr"
)

// Limits of the specification's TaskBase and list query.
const (
	MaxTitleLength       = 200
	MaxDescriptionLength = 1000
	DefaultPageSize      = 50
	MaxPageSize          = 1000
)

// Task is one user's to-do item.
type Task struct {
	ID          uuid.UUID
	UserID      string
	Title       string
	Description string
	Completed   bool
	CreatedAt   time.Time
	UpdatedAt   *time.Time
	// CompletedAt is when the task was last completed; nil while it is open.
	CompletedAt *time.Time
	Priority    Priority
	// Tags are the task's tag names as their user first wrote them, in the task's order.
	Tags []string
	Due  *Due
	// Repeat, when set, moves a completed task with a due to its next due instead of
	// completing it; RepeatDone counts the occurrences done.
	Repeat     Repeat
	RepeatDone int
	// Version counts the task's changes; with UpdatedAt it makes the task's ETag.
	Version int64
}

// ETag is the entity tag of the task's current state, for If-Match: it changes with every
// change the app makes (Version) and with every change of updated_at by another program
// writing to the same table.
func (t Task) ETag() string {
	stamp := t.CreatedAt
	if t.UpdatedAt != nil {
		stamp = *t.UpdatedAt
	}
	return `"` + strconv.FormatInt(t.Version, 36) + "." + strconv.FormatInt(stamp.UnixMicro(), 36) + `"`
}

// Draft is what a client sends to create a task.
type Draft struct {
	Title       string
	Description string
	Priority    Priority
	Tags        []string
	Due         *Due
	Repeat      Repeat
}

// Patch is a partial update: nil fields stay as they are.
type Patch struct {
	Title       *string
	Description *string
	Completed   *bool
	Priority    *Priority
	Tags        *[]string
	// Due sets the due; ClearDue removes it.
	Due      *Due
	ClearDue bool
	// Repeat sets the rule; ClearRepeat removes it.
	Repeat      Repeat
	ClearRepeat bool
	// IfMatch, when set, is the ETag the caller last saw: the patch applies only if the task
	// is still in that state (ErrChanged otherwise).
	IfMatch string
}

// Plain is a change of the specification's fields of a task alone, made at At: a new title
// or description, and the task completed or reopened (Completed) or flipped (Toggle). A store
// makes it in one step, without the task having been read first (Store.Change).
type Plain struct {
	Title, Description *string
	Completed          *bool
	Toggle             bool
	At                 time.Time
}

// plain is the patch as a Plain change at at, when it is one: the specification's fields
// only, and no If-Match, as a plain change does not read the task before it makes it.
func (p Patch) plain(at time.Time) (Plain, bool) {
	if p.IfMatch != "" || p.Priority != nil || p.Tags != nil || p.Due != nil || p.ClearDue || p.Repeat != nil || p.ClearRepeat {
		return Plain{}, false
	}
	return Plain{Title: p.Title, Description: p.Description, Completed: p.Completed, At: at}, true
}

// Filter selects a page of a user's tasks, newest first.
type Filter struct {
	Completed *bool
	Limit     int
	Offset    int64
}

// Counts are a user's numbers of tasks, all and completed.
type Counts struct {
	Total     int64
	Completed int64
}

// Active is the number of tasks left to do.
func (c Counts) Active() int64 { return c.Total - c.Completed }

// Matching is the number of tasks that a filter on completion selects: all (nil), the
// completed ones or the open ones.
func (c Counts) Matching(completed *bool) int64 {
	switch {
	case completed == nil:
		return c.Total
	case *completed:
		return c.Completed
	}
	return c.Active()
}

// Page is one page of a list, the number of tasks matching its filter across all pages, and
// the user's counts.
type Page struct {
	Tasks  []Task
	Total  int64
	Counts Counts
	// Next is where the next page starts, when there is one (Query only).
	Next *Cursor
}

// ErrNotFound is returned for a task that does not exist or belongs to someone else; the two
// are indistinguishable on purpose.
var ErrNotFound = &apperr.Error{Kind: apperr.NotFound, Code: "TASK_NOT_FOUND", Message: "Task not found"}

// ErrChanged refuses a change made on a state of the task that is no longer its state: someone
// (another tab) changed it since the caller read it.
var ErrChanged = &apperr.Error{Kind: apperr.PreconditionFailed, Code: "TASK_CHANGED",
	Message: "The task changed since you read it; read it again and retry"}

var invalid = apperr.Invalidf

// cleanTitle applies the title rules: 1 to 200 characters as sent, then trimmed as Python's
// str.strip() trims, and not empty after trimming.
func cleanTitle(raw string) (string, error) {
	if err := checkText("title", raw, 1, MaxTitleLength); err != nil {
		return "", err
	}
	title := strip(raw)
	if title == "" {
		return "", invalid("title", "must not be blank")
	}
	return title, nil
}

// cleanDescription applies the description rules: at most 1000 characters as sent, trimmed.
func cleanDescription(raw string) (string, error) {
	if err := checkText("description", raw, 0, MaxDescriptionLength); err != nil {
		return "", err
	}
	return strip(raw), nil
}

// checkText counts Unicode code points, as the specification's Python does, and refuses what
// no database column can hold faithfully: invalid UTF-8 and NUL characters.
func checkText(field, s string, minLen, maxLen int) error {
	if !utf8.ValidString(s) {
		return invalid(field, "must be valid UTF-8 text")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return invalid(field, "must not contain NUL characters")
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n < minLen:
		return invalid(field, "must not be empty")
	case n > maxLen:
		return invalid(field, "must be at most %d characters, got %d", maxLen, n)
	}
	return nil
}

// strip removes leading and trailing whitespace exactly as Python's str.strip(): Unicode
// White_Space plus the separators U+001C to U+001F, which Python counts as whitespace and
// Go's unicode.IsSpace does not.
func strip(s string) string {
	return strings.TrimFunc(s, isPythonSpace)
}

func isPythonSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}
