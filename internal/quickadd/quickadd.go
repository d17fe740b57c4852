// Package quickadd reads what a user types into the title box of a new task and recognises the
// planning written into it: #tags, a !priority, a due date, a time of day and a repeat rule
// ("every monday"). It does no I/O:
// the caller gives the current instant and the user's preferences, and gets back the title
// without the recognised phrases, what they set, and where each one was, so that the user can
// see what was understood before saving. The syntax is described for users in
// docs/quick-add.md.
package quickadd

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"todo/internal/recur"
	"todo/internal/task"
)

// Kind is what a recognised phrase sets.
type Kind int

const (
	Tag Kind = iota + 1
	Priority
	Date
	Time
	Recurrence
)

var kindNames = [...]string{Tag: "tag", Priority: "priority", Date: "date", Time: "time", Recurrence: "recurrence"}

func (k Kind) String() string {
	if k < Tag || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// Token is one recognised phrase: input[Start:End] is Text, as typed.
type Token struct {
	Kind       Kind
	Text       string
	Start, End int
}

// Result is what Parse understood. A kind added later comes as another field and another Kind,
// so that callers which do not know it keep working.
type Result struct {
	// Title is the input without the recognised phrases and the escaping backslashes, trimmed;
	// the spaces on both sides of a removed phrase become one.
	Title string
	// Tags are the tag names in the order written, each once (the first spelling wins).
	Tags []string
	// Priority is task.PriorityNone when none was given.
	Priority task.Priority
	// Due is nil without a date, a time or a recurrence, all day without a time, and an
	// instant when a time was given. With a recurrence it is the rule's first occurrence on
	// or after the date (today without one).
	Due *task.Due
	// Recurrence is the repeat rule, or nil. A rule from the due names the weekday, day or
	// date it repeats on: "every month" typed on the 31st is every month on the 31st.
	Recurrence *recur.Rule
	// Tokens are the recognised phrases, in the order of the input.
	Tokens []Token
}

// Parse reads input as typed at the instant now by a user with prefs. Nothing is recognised
// when that would leave no title (a task may be called just "today"), or when input is not
// valid UTF-8 (the task rules then refuse the title, saying why).
func Parse(input string, now time.Time, prefs task.Prefs) Result {
	typed := Result{Title: strings.TrimSpace(input)}
	if !utf8.ValidString(input) {
		return typed
	}
	loc := prefs.TimeZone
	if loc == nil {
		loc = time.UTC
	}
	c := clock{now: now, loc: loc, today: task.DateOf(now.In(loc)), weekStart: prefs.WeekStart}

	var (
		r     Result
		p     planned
		cuts  []cut
		words = splitWords(input)
	)
	for i := 0; i < len(words); {
		if unescaped, ok := unescape(input, words[i]); ok {
			// The phrase is matched as if the backslash were not there, in place: a copy of
			// the words after it would make a title of many backslashes quadratic.
			escaped := words[i]
			words[i] = unescaped
			m, ok := c.match(words[i:])
			words[i] = escaped
			if ok {
				cuts = append(cuts, cut{start: escaped.start, end: unescaped.start})
				i += m.words
				continue
			}
		}
		m, ok := c.match(words[i:])
		if !ok {
			i++
			continue
		}
		if p.take(m) {
			start, end := words[i].start, words[i+m.words-1].end
			r.Tokens = append(r.Tokens, Token{Kind: m.kind, Text: input[start:end], Start: start, End: end})
			cuts = append(cuts, cut{start: start, end: end, token: true})
		}
		i += m.words
	}

	r.Title = title(input, cuts)
	if r.Title == "" && len(r.Tokens) > 0 {
		return typed
	}
	r.Tags, r.Priority = p.tags, p.priority
	if p.hasRule {
		r.Recurrence, r.Due = p.repeat(c)
	} else {
		r.Due = p.due(c)
	}
	return r
}

// clock is what "today" and "next week" mean for this user at this instant.
type clock struct {
	now       time.Time
	loc       *time.Location
	today     task.Date
	weekStart time.Weekday
}

// next is the first day after today that falls on wd: a week ahead when today is wd.
func (c clock) next(wd time.Weekday) task.Date {
	days := (int(wd) - int(c.today.Weekday()) + 7) % 7
	if days == 0 {
		days = 7
	}
	return c.today.AddDays(days)
}

// planned collects what the tokens set. A tag may be given many times; for the other kinds the
// first phrase counts and a later one is left in the title as text.
type planned struct {
	tags     []string
	seenTags map[string]bool

	priority    task.Priority
	hasPriority bool

	date    task.Date
	hasDate bool

	hour, minute int
	hasTime      bool

	rule    recur.Rule
	hasRule bool
}

// take records m and tells whether it counts.
func (p *planned) take(m match) bool {
	switch m.kind {
	case Tag:
		key := task.TagKey(m.tag)
		if !p.seenTags[key] {
			if p.seenTags == nil {
				p.seenTags = map[string]bool{}
			}
			p.seenTags[key] = true
			p.tags = append(p.tags, m.tag)
		}
		return true
	case Priority:
		if p.hasPriority {
			return false
		}
		p.priority, p.hasPriority = m.priority, true
	case Date:
		if p.hasDate {
			return false
		}
		p.date, p.hasDate = m.date, true
	case Time:
		if p.hasTime {
			return false
		}
		p.hour, p.minute, p.hasTime = m.hour, m.minute, true
	case Recurrence:
		if p.hasRule {
			return false
		}
		p.rule, p.hasRule = m.rule, true
	}
	return true
}

// due is the due that the date and the time make. A time without a date is the next time the
// clock shows it: today, or tomorrow when it has passed.
func (p *planned) due(c clock) *task.Due {
	var d task.Due
	switch {
	case p.hasDate && p.hasTime:
		d = task.DueAt(p.date, p.hour, p.minute, c.loc)
	case p.hasDate:
		d = task.Due{Date: p.date}
	case p.hasTime:
		d = task.DueAt(c.today, p.hour, p.minute, c.loc)
		if !d.At.After(c.now) {
			d = task.DueAt(c.today.AddDays(1), p.hour, p.minute, c.loc)
		}
	default:
		return nil
	}
	return &d
}

// repeat is the rule, with the parts it leaves to its start named from the date (or today),
// and its first due: the first occurrence on or after that date. With a time and no date, it
// is the first occurrence whose time has not passed.
func (p *planned) repeat(c clock) (*recur.Rule, *task.Due) {
	start := c.today
	if p.hasDate {
		start = p.date
	}
	rule := p.rule
	if rule.Kind == recur.FromDue {
		rule = rule.Anchored(start)
	}
	first, ok := rule.First(start)
	if !ok {
		return &rule, p.due(c) // only past the year 9999
	}
	if !p.hasTime {
		return &rule, &task.Due{Date: first}
	}
	d := task.DueAt(first, p.hour, p.minute, c.loc)
	if !p.hasDate && !d.At.After(c.now) {
		if next, ok := rule.First(first.AddDays(1)); ok {
			d = task.DueAt(next, p.hour, p.minute, c.loc)
		}
	}
	return &rule, &d
}

// trailing is the punctuation that may follow a phrase without making it part of a longer
// word: "today," and "today!" are dates, "today's" and "today.com" are not.
const trailing = ",.;:!?"

// word is a run of non-space characters of the input, without its trailing punctuation.
type word struct {
	start, end int    // input[start:end] is text
	full       int    // where the word ends with its punctuation
	text       string // the word as typed
	lower      string // text in lower case, or "" when text is not ASCII: phrases are English
	trail      string // the punctuation that follows, which ends a phrase (but for lists)
}

func newWord(input string, start, full int) word {
	end := full
	for end > start && strings.IndexByte(trailing, input[end-1]) >= 0 {
		end--
	}
	text := input[start:end]
	return word{start: start, end: end, full: full, text: text, lower: asciiLower(text), trail: input[end:full]}
}

func splitWords(input string) []word {
	var words []word
	start := -1
	for i, r := range input {
		switch {
		case unicode.IsSpace(r) && start >= 0:
			words = append(words, newWord(input, start, i))
			start = -1
		case !unicode.IsSpace(r) && start < 0:
			start = i
		}
	}
	if start >= 0 {
		words = append(words, newWord(input, start, len(input)))
	}
	return words
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return ""
		}
	}
	return strings.ToLower(s)
}

// unescape is w without a leading backslash, when it has one and more after it.
func unescape(input string, w word) (word, bool) {
	if w.full-w.start < 2 || input[w.start] != '\\' {
		return word{}, false
	}
	return newWord(input, w.start+1, w.full), true
}

// phrase tells whether words begins with n words that can form one phrase: punctuation may
// follow only the last.
func phrase(words []word, n int) bool {
	if len(words) < n {
		return false
	}
	for _, w := range words[:n-1] {
		if w.trail != "" {
			return false
		}
	}
	return true
}

// cut is a span of the input that the title leaves out: a token, or an escaping backslash.
type cut struct {
	start, end int
	token      bool
}

// title is input without the cuts. Where a token goes, the spaces around it become one, and
// punctuation that followed it stays with the word before it (or goes, at the start).
func title(input string, cuts []cut) string {
	var (
		out        []byte
		pos        int
		owed       bool // a space, once more text follows
		afterToken bool
	)
	text := func(s string) {
		if afterToken && s != "" && strings.IndexByte(trailing, s[0]) >= 0 {
			if len(out) == 0 {
				s = strings.TrimLeft(s, trailing)
			} else {
				owed = false
			}
		}
		afterToken = false
		if owed {
			s = strings.TrimLeftFunc(s, unicode.IsSpace)
			if s == "" {
				return
			}
			if len(out) > 0 {
				out = append(out, ' ')
			}
			owed = false
		}
		out = append(out, s...)
	}
	for _, c := range cuts {
		text(input[pos:c.start])
		if c.token {
			out = bytes.TrimRightFunc(out, unicode.IsSpace)
			owed, afterToken = true, true
		}
		pos = c.end
	}
	text(input[pos:])
	return strings.TrimSpace(string(out))
}
