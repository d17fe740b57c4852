package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"todo/internal/auth"
	"todo/internal/quickadd"
	"todo/internal/task"
)

// quickPreview is what quick add recognises in a title as it is typed, shown under the title
// box before the task is saved.
type quickPreview struct {
	// Input is the title the preview is of; app.js checks that the box still holds it before
	// changing it.
	Input string
	// Title is the task's title without what was recognised.
	Title string
	Chips []previewChip
}

// previewChip is one thing recognised: a tag, the priority, the due (its date and time
// together) or the repeat rule.
type previewChip struct {
	Kind    string // tag, priority, due, repeat
	Label   string // "#work", "High priority", "Tomorrow 09:30", "Every week on Mon"
	Typed   string // the phrases as typed: "tomorrow at 9:30am"
	Overdue bool
	// Escape are the places, in UTF-16 code units as JavaScript counts them, where a
	// backslash keeps the phrases as text; "" for a chip that no phrase made (the first due
	// of a repeat rule).
	Escape string
}

// preview is what quick add makes of title for a user with prefs at now.
func preview(title string, now time.Time, prefs task.Prefs) quickPreview {
	p := quickPreview{Input: title}
	if utf8.RuneCountInString(title) > 2*task.MaxTitleLength {
		return p // the title will be refused; saying what it would set is noise
	}
	r := quickadd.Parse(title, now, prefs)
	if len(r.Tokens) == 0 {
		return p
	}
	p.Title = r.Title
	due, tags := -1, map[string]int{}
	for _, tok := range r.Tokens {
		at := strconv.Itoa(utf16Len(title[:tok.Start]))
		var c *previewChip
		switch tok.Kind {
		case quickadd.Tag:
			key := task.TagKey(strings.TrimPrefix(tok.Text, "#"))
			if i, seen := tags[key]; seen {
				c = &p.Chips[i]
				break
			}
			tags[key] = len(p.Chips)
			p.Chips = append(p.Chips, previewChip{Kind: "tag", Label: tok.Text})
			c = &p.Chips[len(p.Chips)-1]
		case quickadd.Priority:
			p.Chips = append(p.Chips, previewChip{Kind: "priority", Label: priorityLabel(r.Priority) + " priority"})
			c = &p.Chips[len(p.Chips)-1]
		case quickadd.Recurrence:
			p.Chips = append(p.Chips, previewChip{Kind: "repeat", Label: r.Recurrence.Describe()})
			c = &p.Chips[len(p.Chips)-1]
		default: // a date or a time
			if r.Due == nil {
				continue
			}
			if due < 0 {
				l := describeDue(*r.Due, false, now, prefs.TimeZone)
				due = len(p.Chips)
				p.Chips = append(p.Chips, previewChip{Kind: "due", Label: l.Text, Overdue: l.Overdue})
			}
			c = &p.Chips[due]
		}
		c.Typed = strings.TrimSpace(c.Typed + " " + tok.Text)
		c.Escape = strings.TrimPrefix(c.Escape+","+at, ",")
	}
	if r.Due != nil && due < 0 {
		// A repeat rule without a date starts at its first occurrence, which no phrase named.
		l := describeDue(*r.Due, false, now, prefs.TimeZone)
		p.Chips = append(p.Chips, previewChip{Kind: "due", Label: l.Text, Overdue: l.Overdue})
	}
	return p
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// QuickAddPreview serves GET /tasks/preview?title=…: the chips of what quick add recognises in
// the title box, which htmx asks for while the user types.
func (ui *UI) QuickAddPreview() http.Handler {
	return ui.withUser(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		prefs, err := ui.tasks.Prefs(r.Context(), a.User.ID)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		ui.write(w, r, http.StatusOK, "tasks", fragment{"quick-preview", preview(r.URL.Query().Get("title"), ui.tasks.Now(), prefs)})
	})
}
