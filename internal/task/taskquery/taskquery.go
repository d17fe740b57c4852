// Package taskquery writes the SQL of a task.Plan, the same for both stores but for what a
// Dialect says: how parameters, instants and searches are written. The tasks are t.
package taskquery

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"todo/internal/task"
)

// Dialect is what differs between the databases.
type Dialect struct {
	// Param is the placeholder of the nth parameter (from 1).
	Param func(n int) string
	// Time is an instant as a parameter.
	Time func(time.Time) any
	// Search is the condition that t, a task of the user userID whose id is the parameter
	// user, matches the search, with %s where its one parameter goes, and that parameter's
	// value.
	Search func(q task.SearchQuery, userID, user string) (cond string, arg any)
	// Title is the index of the title order.
	Title TitleIndex
	// From is the FROM clause of the tasks t of the plan.
	From func(p task.Plan) string
}

// TitleIndex is where the index of the title order is: the columns it orders t by, its key
// and then the id, and what joins it to t where they are not t's own.
type TitleIndex struct{ Key, ID, Join string }

// Part is which tasks of a list a statement reads. A list by due is read in two parts, those
// with a due in the order of their keys and then those without, newest first or last as the
// direction says; a list by priority likewise, those with a priority and those without (first
// when ascending, as none is the lowest). Each part is then a range of an index, and the
// tasks without a due or a priority (those of the specification's API, and most others) are
// in no index of dues or priorities.
type Part uint8

const (
	Whole        Part = iota // every sort but due and priority
	WithDue                  // the tasks with a due
	NoDue                    // the tasks without one
	WithPriority             // the tasks with a priority
	NoPriority               // the tasks without one
)

// Parts are the parts a list is read in, from the cursor's place on.
func Parts(p task.Plan) []Part {
	var parts []Part
	switch {
	case p.Sort == task.SortDue:
		parts = []Part{WithDue, NoDue}
	case p.Sort == task.SortPriority && p.Desc:
		parts = []Part{WithPriority, NoPriority}
	case p.Sort == task.SortPriority:
		parts = []Part{NoPriority, WithPriority}
	default:
		return []Part{Whole}
	}
	if p.Cursor != nil && cursorIn(parts[1], p.Cursor) {
		return parts[1:]
	}
	return parts
}

// cursorIn tells whether the cursor's task is of the part.
func cursorIn(part Part, c *task.Cursor) bool {
	switch part {
	case WithDue:
		return !c.NoDue
	case NoDue:
		return c.NoDue
	case WithPriority:
		return c.Int != int64(task.PriorityNone)
	case NoPriority:
		return c.Int == int64(task.PriorityNone)
	}
	return true
}

// condition is what selects the part's tasks.
func (part Part) condition() string {
	switch part {
	case WithDue:
		return " AND t.due_key IS NOT NULL"
	case NoDue:
		return " AND t.due_key IS NULL"
	case WithPriority:
		return " AND t.priority > 0"
	case NoPriority:
		return " AND t.priority = 0"
	}
	return ""
}

// Statement is SQL with its parameters.
type Statement struct {
	SQL  string
	Args []any
}

type builder struct {
	d    Dialect
	sql  strings.Builder
	args []any
}

func (b *builder) param(v any) string {
	b.args = append(b.args, v)
	return b.d.Param(len(b.args))
}

// Counted tells whether the total of the plan must be counted: a plan that selects by
// completion alone has it in the user's counts.
func Counted(p task.Plan) bool {
	return !p.Search.Empty() || p.Repeating || len(p.Priorities) > 0 || len(p.TagKeys) > 0 || len(p.Windows) > 0 ||
		!p.After.IsZero() || !p.Before.IsZero()
}

// Count is the statement of the number of the user's tasks that the plan's filters select;
// extra is a further condition on t.
func Count(d Dialect, userID string, p task.Plan, extra string) Statement {
	b := &builder{d: d}
	b.sql.WriteString("SELECT count(*) FROM " + d.From(p) + " WHERE ")
	b.where(userID, p)
	b.sql.WriteString(extra)
	return Statement{b.sql.String(), b.args}
}

func (b *builder) where(userID string, p task.Plan) {
	user := b.param(userID)
	b.sql.WriteString("t.user_id = " + user)
	switch p.Status {
	case task.StatusOpen:
		b.sql.WriteString(" AND t.completed = " + b.param(false))
	case task.StatusCompleted:
		b.sql.WriteString(" AND t.completed = " + b.param(true))
	}
	if p.Repeating {
		b.sql.WriteString(" AND t.repeat IS NOT NULL")
	}
	if len(p.Priorities) > 0 {
		b.sql.WriteString(" AND t.priority IN (")
		for i, pr := range p.Priorities {
			if i > 0 {
				b.sql.WriteString(", ")
			}
			b.sql.WriteString(b.param(int(pr)))
		}
		b.sql.WriteString(")")
		if !slices.Contains(p.Priorities, task.PriorityNone) {
			// Said in the statement's own words, so that the planner, which cannot see into
			// the parameters when it prepares it, knows that the index of the tasks with a
			// priority holds every one that matches.
			b.sql.WriteString(" AND t.priority > 0")
		}
	}
	for _, key := range p.TagKeys {
		b.sql.WriteString(" AND t.id IN (SELECT tt.task_id FROM task_tags AS tt JOIN tags AS g ON g.id = tt.tag_id WHERE g.user_id = " +
			b.param(userID) + " AND g.name_key = " + b.param(key) + ")")
	}
	if len(p.Windows) > 0 {
		b.sql.WriteString(" AND (")
		for i, w := range p.Windows {
			if i > 0 {
				b.sql.WriteString(" OR ")
			}
			b.window(w)
		}
		b.sql.WriteString(")")
		b.envelope(p.Windows)
	}
	if !p.After.IsZero() {
		b.sql.WriteString(" AND t.due_key >= " + b.param(b.d.Time(p.After)))
	}
	if !p.Before.IsZero() {
		b.sql.WriteString(" AND t.due_key < " + b.param(b.d.Time(p.Before)))
	}
	if !p.Search.Empty() {
		cond, arg := b.d.Search(p.Search, userID, user)
		b.sql.WriteString(" AND " + fmt.Sprintf(cond, b.param(arg)))
	}
}

// envelope bounds the dues of windows that all have one by the range that holds them all: the
// planner reads an OR of ranges as a filter on every task of the user, and this one range of
// the due index as what to read.
func (b *builder) envelope(windows []task.Window) {
	var from, to time.Time
	for i, w := range windows {
		if w.None {
			return
		}
		if i == 0 || w.From.IsZero() || (!from.IsZero() && w.From.Before(from)) {
			from = w.From
		}
		if i == 0 || w.To.IsZero() || (!to.IsZero() && w.To.After(to)) {
			to = w.To
		}
	}
	b.sql.WriteString(" AND t.due_key IS NOT NULL")
	if !from.IsZero() {
		b.sql.WriteString(" AND t.due_key >= " + b.param(b.d.Time(from)))
	}
	if !to.IsZero() {
		b.sql.WriteString(" AND t.due_key < " + b.param(b.d.Time(to)))
	}
}

func (b *builder) window(w task.Window) {
	if w.None {
		b.sql.WriteString("t.due_key IS NULL")
		return
	}
	b.sql.WriteString("(t.due_key IS NOT NULL")
	if !w.From.IsZero() {
		b.sql.WriteString(" AND t.due_key >= " + b.param(b.d.Time(w.From)))
	}
	if !w.To.IsZero() {
		b.sql.WriteString(" AND t.due_key < " + b.param(b.d.Time(w.To)))
	}
	if w.TimedOnly {
		b.sql.WriteString(" AND t.due_at IS NOT NULL")
	}
	if w.OpenOnly {
		b.sql.WriteString(" AND t.completed = " + b.param(false))
	}
	b.sql.WriteString(")")
}

// Page is the statement of one part of a page: the plan's filters, the part, the cursor's
// place, the order and limit, offset. columns are what it selects of t (and joins).
func Page(d Dialect, columns, userID string, p task.Plan, part Part, limit int, offset int64) Statement {
	b := &builder{d: d}
	from := d.From(p)
	if p.Sort == task.SortTitle {
		from += d.Title.Join
	}
	b.sql.WriteString("SELECT " + columns + " FROM " + from + " WHERE ")
	b.where(userID, p)
	b.sql.WriteString(part.condition())
	if p.Sort == task.SortTitle {
		// The title order's index holds the tasks that have a key: all of them, once the
		// store has indexed the user's new tasks before reading.
		b.sql.WriteString(" AND " + b.d.Title.Key + " IS NOT NULL")
	}
	keys := b.keys(p.Sort, part)
	if c := p.Cursor; c != nil && cursorIn(part, c) {
		op := " > "
		if p.Desc {
			op = " < "
		}
		b.sql.WriteString(" AND (" + strings.Join(keys, ", ") + ")" + op + "(" + strings.Join(b.cursorValues(p.Sort, part, c), ", ") + ")")
	}
	dir := " ASC"
	if p.Desc {
		dir = " DESC"
	}
	b.sql.WriteString(" ORDER BY " + strings.Join(keys, dir+", ") + dir)
	b.sql.WriteString(" LIMIT " + b.param(limit))
	if offset > 0 {
		b.sql.WriteString(" OFFSET " + b.param(offset))
	}
	return Statement{b.sql.String(), b.args}
}

// keys are the sort's columns, the last one the id.
func (b *builder) keys(s task.Sort, part Part) []string {
	switch {
	case part == NoDue, part == NoPriority, s == task.SortCreated:
		return []string{"t.created_at", "t.id"}
	case s == task.SortUpdated:
		return []string{"coalesce(t.updated_at, t.created_at)", "t.id"}
	case s == task.SortDue:
		return []string{"t.due_key", "t.id"}
	case s == task.SortPriority:
		return []string{"t.priority", "t.created_at", "t.id"}
	default:
		return []string{b.d.Title.Key, b.d.Title.ID}
	}
}

func (b *builder) cursorValues(s task.Sort, part Part, c *task.Cursor) []string {
	id := b.param(c.ID.String())
	switch {
	case s == task.SortCreated, s == task.SortUpdated, s == task.SortDue, part == NoPriority:
		return []string{b.param(b.d.Time(c.Time)), id}
	case s == task.SortPriority:
		return []string{b.param(c.Int), b.param(b.d.Time(c.Time)), id}
	default:
		return []string{b.param(c.Bytes), id}
	}
}

// Reader runs statements of a plan on one store.
type Reader interface {
	// Count runs a statement of count(*).
	Count(ctx context.Context, st Statement) (int64, error)
	// Tasks runs a statement of a page's tasks, of at most limit rows.
	Tasks(ctx context.Context, st Statement, limit int) ([]task.Task, error)
}

// totalPlans are the plans whose counts make p's total: the first's, less the second's when
// there is one. The tasks without a due, which no index holds (most tasks are, all of those
// of /api/v1), are counted as those that the other filters select less those that have a due.
func totalPlans(p task.Plan) (task.Plan, *task.Plan) {
	if len(p.Windows) == 1 && p.Windows[0].None {
		all, dated := p, p
		all.Windows, dated.Windows = nil, []task.Window{{}}
		return all, &dated
	}
	return p, nil
}

// total is the number of the user's tasks that p selects: from the user's counts c when it
// selects by completion alone, and otherwise counted.
func total(ctx context.Context, r Reader, d Dialect, userID string, p task.Plan, c task.Counts) (int64, error) {
	base, less := totalPlans(p)
	var n int64
	switch {
	case Counted(base):
		var err error
		if n, err = r.Count(ctx, Count(d, userID, base, "")); err != nil {
			return 0, err
		}
	case base.Status == task.StatusOpen:
		n = c.Active()
	case base.Status == task.StatusCompleted:
		n = c.Completed
	default:
		n = c.Total
	}
	if less == nil {
		return n, nil
	}
	m, err := r.Count(ctx, Count(d, userID, *less, ""))
	// Counted apart, the two may see writes between them.
	return max(0, n-m), err
}

// Statements are all the statements that Read may run for p: its counts, then each part of
// its page.
func Statements(d Dialect, columns, userID string, p task.Plan) []Statement {
	var out []Statement
	base, less := totalPlans(p)
	if Counted(base) {
		out = append(out, Count(d, userID, base, ""))
	}
	if less != nil {
		out = append(out, Count(d, userID, *less, ""))
	}
	for _, part := range Parts(p) {
		out = append(out, Page(d, columns, userID, p, part, p.Limit, p.Offset))
	}
	return out
}

// Read reads the page that p selects for the user with r: its total (from the user's counts
// c when it selects by completion alone) and its tasks, part by part.
func Read(ctx context.Context, r Reader, d Dialect, columns, userID string, p task.Plan, c task.Counts) (task.Page, error) {
	page := task.Page{Counts: c, Tasks: make([]task.Task, 0, min(p.Limit, task.DefaultPageSize+1))}
	var err error
	if page.Total, err = total(ctx, r, d, userID, p, c); err != nil {
		return task.Page{}, err
	}
	offset := p.Offset
	parts := Parts(p)
	for i, part := range parts {
		limit := p.Limit - len(page.Tasks)
		if limit <= 0 {
			break
		}
		if i > 0 && offset > 0 {
			// The first part's tasks came first; skip as many of them as there are.
			first, err := r.Count(ctx, Count(d, userID, p, parts[0].condition()))
			if err != nil {
				return task.Page{}, err
			}
			offset = max(0, p.Offset-first)
		}
		tasks, err := r.Tasks(ctx, Page(d, columns, userID, p, part, limit, offset), limit)
		if err != nil {
			return task.Page{}, err
		}
		page.Tasks = append(page.Tasks, tasks...)
	}
	return page, nil
}
