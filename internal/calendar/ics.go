package calendar

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"todo/internal/task"
)

// Kind is what a feed makes of a task with a due.
type Kind uint8

const (
	// Events: each open task is an event on its due, all day on its date or a short one at its
	// time, shown free (TRANSP:TRANSPARENT) so that it books no time. Completed tasks are left
	// out: a calendar has no way to show an event done, and a finished task is no longer a
	// date to keep.
	Events Kind = iota
	// Todos: each task is a to-do due then, with its status, priority and tags, for the apps
	// that list tasks (Thunderbird, Apple Reminders through a subscription, …). The tasks
	// completed in the last CompletedFor are in it too, completed, so that a client sees them
	// done before they go.
	Todos
)

// eventLength is the length of the event of a task due at a time: tasks have none, and a
// short one marks the time without filling the day.
const eventLength = "PT15M"

// refresh is how often calendar apps are asked to read the feed again.
const refresh = "PT1H"

// priorities are RFC 5545's PRIORITY values (1 highest, 9 lowest, 0 undefined), by priority.
var priorities = [...]int{task.PriorityNone: 0, task.PriorityLow: 9, task.PriorityMedium: 5, task.PriorityHigh: 1}

// writer makes a feed's iCalendar text for one user.
type writer struct {
	host string         // names the app in the UIDs
	loc  *time.Location // the user's zone
	now  time.Time
}

// write is the feed of tasks (each with a due) as kind.
func (w writer) write(tasks []task.Task, kind Kind) ([]byte, error) {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, "-//Todo//Calendar feed//EN")
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(ical.PropName, "Todo")
	set(cal.Component, "X-WR-CALNAME", "Todo")
	set(cal.Component, "X-WR-TIMEZONE", w.loc.String())
	cal.Props.Set(&ical.Prop{Name: ical.PropRefreshInterval, Params: ical.Params{ical.ParamValue: {string(ical.ValueDuration)}}, Value: refresh})
	set(cal.Component, "X-PUBLISHED-TTL", refresh)

	// A repeating task due at a time repeats at that clock time in the user's zone, across
	// changes to summer time: its DTSTART names the zone, which the calendar then describes.
	// Where the zone cannot be described, those tasks are shown without their rule.
	from := w.now
	for _, t := range tasks {
		if !t.Due.AllDay() && t.Due.At.Before(from) && rruleOf(t, w.loc) != "" {
			from = t.Due.At
		}
	}
	zone, zoned := timezone(w.loc, from)
	if !zoned {
		// The calendar still says the user's zone in X-WR-TIMEZONE, and must hold a component.
		zone, _ = timezone(time.UTC, from)
	}
	cal.Children = append(cal.Children, zone)
	for _, t := range tasks {
		cal.Children = append(cal.Children, w.component(t, kind, zoned))
	}
	var b bytes.Buffer
	if err := ical.NewEncoder(folder{&b}).Encode(cal); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// lineLength is the most octets RFC 5545 wants on a line, its CRLF left out.
const lineLength = 75

// folder folds the content lines that go-ical writes, one per Write, at 75 octets as RFC
// 5545 asks (each further part begins with a space), between characters: a title or a
// description may be far longer.
type folder struct{ w *bytes.Buffer }

func (f folder) Write(line []byte) (int, error) {
	n := len(line)
	body := bytes.TrimSuffix(line, []byte("\r\n"))
	for limit := lineLength; len(body) > limit; limit = lineLength - 1 {
		cut := limit
		for cut > 0 && !utf8.RuneStart(body[cut]) {
			cut--
		}
		f.w.Write(body[:cut])
		f.w.WriteString("\r\n ")
		body = body[cut:]
	}
	f.w.Write(body)
	f.w.WriteString("\r\n")
	return n, nil
}

// text is s as an iCalendar TEXT value holds it: a line break is a line feed (go-ical
// escapes it; a carriage return it refuses), and the other control characters, which TEXT
// does not allow, are left out.
func text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

// component is the VEVENT or VTODO of t. zoned tells whether the calendar describes the
// user's zone, which a repeating task due at a time names.
func (w writer) component(t task.Task, kind Kind, zoned bool) *ical.Component {
	name := ical.CompEvent
	if kind == Todos {
		name = ical.CompToDo
	}
	c := ical.NewComponent(name)
	c.Props.SetText(ical.PropUID, t.ID.String()+"@"+w.host)
	modified := t.CreatedAt
	if t.UpdatedAt != nil {
		modified = *t.UpdatedAt
	}
	// Without METHOD, DTSTAMP is when the task last changed: the feed's text then changes
	// only when a task does, and its ETag with it.
	c.Props.SetDateTime(ical.PropDateTimeStamp, modified.UTC())
	c.Props.SetDateTime(ical.PropCreated, t.CreatedAt.UTC())
	c.Props.SetDateTime(ical.PropLastModified, modified.UTC())
	c.Props.SetText(ical.PropSummary, text(t.Title))
	if t.Description != "" {
		c.Props.SetText(ical.PropDescription, text(t.Description))
	}
	if len(t.Tags) > 0 {
		tags := ical.NewProp(ical.PropCategories)
		tags.SetTextList(t.Tags)
		c.Props.Set(tags)
	}
	if p := priorities[t.Priority]; p != 0 {
		set(c, ical.PropPriority, strconv.Itoa(p))
	}

	// A repeating task due at a time keeps its clock time in the user's zone; repeated from
	// a UTC DTSTART, it would move by an hour at every change of the user's clocks, and a rule
	// on weekdays would fall on the wrong days where the UTC date is not the user's.
	rule := rruleOf(t, w.loc)
	inZone := rule != "" && !t.Due.AllDay() && w.loc != time.UTC
	if inZone && !zoned {
		rule, inZone = "", false
	}
	when := func(prop string) {
		switch {
		case t.Due.AllDay():
			c.Props.SetDate(prop, t.Due.Date.In(time.UTC))
		case inZone:
			c.Props.SetDateTime(prop, t.Due.At.In(w.loc))
		default:
			c.Props.SetDateTime(prop, t.Due.At.UTC())
		}
	}
	switch kind {
	case Events:
		when(ical.PropDateTimeStart)
		if t.Due.AllDay() {
			c.Props.SetDate(ical.PropDateTimeEnd, t.Due.Date.AddDays(1).In(time.UTC))
		} else {
			set(c, ical.PropDuration, eventLength)
		}
		c.Props.SetText(ical.PropTransparency, "TRANSPARENT")
	case Todos:
		when(ical.PropDue)
		if rule != "" {
			when(ical.PropDateTimeStart) // a recurrence counts from DTSTART
		}
		if t.Completed {
			c.Props.SetText(ical.PropStatus, "COMPLETED")
			if t.CompletedAt != nil {
				c.Props.SetDateTime(ical.PropCompleted, t.CompletedAt.UTC())
			}
		} else {
			c.Props.SetText(ical.PropStatus, "NEEDS-ACTION")
		}
	}
	if rule != "" {
		set(c, ical.PropRecurrenceRule, rule)
	}
	return c
}

// set gives c the property name with value as it is written: a value of its default type
// that needs no escaping.
func set(c *ical.Component, name, value string) {
	c.Props.Set(&ical.Prop{Name: name, Params: ical.Params{}, Value: value})
}
