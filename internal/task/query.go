package task

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Status selects tasks by completion.
type Status uint8

const (
	StatusAll Status = iota
	StatusOpen
	StatusCompleted
)

// Sort is the order of a list. Each sort has a direction (Query.Desc) and ends with the id,
// so that the order is total and a cursor names one place in it.
type Sort uint8

const (
	SortCreated  Sort = iota // created_at, id
	SortUpdated              // updated_at (created_at until the first change), id
	SortDue                  // due, id; then the tasks without a due, by created_at, id
	SortPriority             // priority, created_at, id
	SortTitle                // title in alphabetical order, id
)

var sortNames = [...]string{"created", "updated", "due", "priority", "title"}

func (s Sort) String() string { return sortNames[s] }

// ParseSort reads a sort's name.
func ParseSort(name string) (Sort, bool) {
	for i, n := range sortNames {
		if n == name {
			return Sort(i), true
		}
	}
	return 0, false
}

// DueFilter names a window of dues, computed in the user's time zone.
type DueFilter uint8

const (
	DueOverdue  DueFilter = iota // open, and due before today (a date) or before now (a time)
	DueToday                     // due today
	DueUpcoming                  // due today or in the six days after it
	DueNone                      // no due
	DueAny                       // some due
)

var dueFilterNames = [...]string{"overdue", "today", "upcoming", "none", "any"}

func (d DueFilter) String() string { return dueFilterNames[d] }

// ParseDueFilter reads a due filter's name.
func ParseDueFilter(name string) (DueFilter, bool) {
	for i, n := range dueFilterNames {
		if n == name {
			return DueFilter(i), true
		}
	}
	return 0, false
}

// Query selects, orders and pages a user's tasks: every condition must hold; within Priorities
// and Due any one must, of Tags all must.
type Query struct {
	Search     SearchQuery
	Status     Status
	Priorities []Priority
	Tags       []string
	Due        []DueFilter
	// Repeating keeps only the tasks that repeat.
	Repeating bool
	// DueAfter and DueBefore bound the due: on or after the first day, before the second.
	DueAfter, DueBefore *Date
	Sort                Sort
	Desc                bool
	Limit               int
	// Offset skips tasks (its cost grows with it); Cursor continues after a page (its cost
	// does not). At most one of them is set.
	Offset int64
	Cursor *Cursor
}

// Window is a range of due keys [From, To), either end open when zero, as the stores apply
// it: TimedOnly keeps the dues at a time, OpenOnly the open tasks; None is the tasks without
// a due, and then the rest is unused.
type Window struct {
	From, To  time.Time
	TimedOnly bool
	OpenOnly  bool
	None      bool
}

// Plan is a Query as the stores run it: the user's dues resolved to windows of keys.
type Plan struct {
	Query
	// TagKeys are the Tags as TagKey makes them.
	TagKeys []string
	// Windows are the due filters; a task matches when it is in any one of them.
	Windows []Window
	// After and Before are the bounds of DueAfter and DueBefore as keys (zero when unset).
	After, Before time.Time
}

// NewPlan resolves q for a user in loc at now, as Query does before it asks the store.
func NewPlan(q Query, loc *time.Location, now time.Time) Plan {
	p := Plan{Query: q}
	for _, tag := range q.Tags {
		p.TagKeys = append(p.TagKeys, TagKey(tag))
	}
	today := DateOf(now.In(loc))
	start := today.In(loc).UTC()
	tomorrow := today.AddDays(1).In(loc).UTC()
	for _, d := range q.Due {
		switch d {
		case DueOverdue:
			p.Windows = append(p.Windows,
				Window{To: start, OpenOnly: true},
				Window{From: start, To: now.UTC(), TimedOnly: true, OpenOnly: true})
		case DueToday:
			p.Windows = append(p.Windows, Window{From: start, To: tomorrow})
		case DueUpcoming:
			p.Windows = append(p.Windows, Window{From: start, To: today.AddDays(7).In(loc).UTC()})
		case DueNone:
			p.Windows = append(p.Windows, Window{None: true})
		case DueAny:
			p.Windows = append(p.Windows, Window{})
		}
	}
	if q.DueAfter != nil {
		p.After = q.DueAfter.In(loc).UTC()
	}
	if q.DueBefore != nil {
		p.Before = q.DueBefore.In(loc).UTC()
	}
	return p
}

// Cursor is a place in a sorted list: the sort keys of the last task of a page. Which keys are
// set depends on the sort: Time (created, updated, due, and created for priority and for the
// tasks without a due), Int (priority), Bytes (title), NoDue (due, past the tasks with a due).
type Cursor struct {
	Sort  Sort
	Desc  bool
	Time  time.Time
	Int   int64
	Bytes []byte
	NoDue bool
	ID    uuid.UUID
}

// CursorAfter is the cursor just after t in the order of sort s.
func CursorAfter(t Task, s Sort, desc bool, loc *time.Location) *Cursor {
	c := &Cursor{Sort: s, Desc: desc, ID: t.ID}
	switch s {
	case SortCreated:
		c.Time = t.CreatedAt
	case SortUpdated:
		c.Time = t.CreatedAt
		if t.UpdatedAt != nil {
			c.Time = *t.UpdatedAt
		}
	case SortDue:
		if t.Due == nil {
			c.NoDue, c.Time = true, t.CreatedAt
		} else {
			c.Time = t.Due.Key(loc)
		}
	case SortPriority:
		c.Int, c.Time = int64(t.Priority), t.CreatedAt
	case SortTitle:
		c.Bytes = TitleKey(t.Title)
	}
	return c
}

// The form of a cursor in a URL: JSON in unpadded base64url. It is opaque to clients, who only
// hand it back; nothing in it is secret (it holds the sort keys of one of their own tasks).
type cursorJSON struct {
	S  string    `json:"s"`
	D  bool      `json:"d,omitempty"`
	T  int64     `json:"t,omitempty"`
	I  int64     `json:"i,omitempty"`
	B  []byte    `json:"b,omitempty"`
	N  bool      `json:"n,omitempty"`
	ID uuid.UUID `json:"id"`
}

// String is the cursor as clients see it.
func (c *Cursor) String() string {
	b, _ := json.Marshal(cursorJSON{S: c.Sort.String(), D: c.Desc, T: c.Time.UnixMicro(), I: c.Int, B: c.Bytes, N: c.NoDue, ID: c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor reads a cursor that String made.
func ParseCursor(s string) (*Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	var j cursorJSON
	if err != nil || json.Unmarshal(raw, &j) != nil {
		return nil, invalid("cursor", "is not a cursor of this API; pass back the next_cursor of a page")
	}
	sort, ok := ParseSort(j.S)
	if !ok {
		return nil, invalid("cursor", "is not a cursor of this API; pass back the next_cursor of a page")
	}
	return &Cursor{Sort: sort, Desc: j.D, Time: time.UnixMicro(j.T).UTC(), Int: j.I, Bytes: j.B, NoDue: j.N, ID: j.ID}, nil
}
