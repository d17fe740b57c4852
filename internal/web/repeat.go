package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"todo/internal/recur"
	"todo/internal/task"
)

// The edit form's Repeat control: presets that read the due ("Every week on Wed", "Every
// month on the 15th"), a custom rule (every N days, weeks, months or years, on chosen weekdays
// or a day of the month or year), when it ends (a last date, or a number of times), and
// whether the next due counts from when the task was done. It is read into a recur.Rule.

// repeatForm is the Repeat control as shown or typed. The choices that depend on a date (the
// weekdays, the day of the month or year) are explicit values, so that what the form shows is
// what it saves; those still on the due's own day follow the due when it changes (reanchor).
type repeatForm struct {
	// Anchor is the date the choices were made for: the due in the form, or today.
	Anchor task.Date
	// Preset is one of presets' names, "never" or "custom".
	Preset string
	// Interval and Unit are the custom rule's every how many days, weeks, months or years.
	Interval string
	Unit     recur.Freq
	// Days are the weekdays of a weekly rule, preset or custom.
	Days recur.Weekdays
	// Monthly and Yearly are the custom rule's day of the month ("15", "-1", "3 wednesday",
	// "-1 friday") or of the year ("12-24").
	Monthly, Yearly string
	// End is never, until or count, with the last date or the number of times.
	End, Until, Count string
	FromDone          bool
	// At names the control at fault when the rule is refused: repeat, interval, until or count.
	At string
}

const (
	presetNever  = "never"
	presetCustom = "custom"
	endNever     = "never"
	endUntil     = "until"
	endCount     = "count"
	// maxRepeatCount is the largest COUNT that recur reads back (nine digits).
	maxRepeatCount = 999_999_999
)

// preset is a choice of the Repeat menu that needs no other field but the weekdays: a rule
// read from the day a (the due), offered when it fits that day.
type preset struct {
	name    string
	rule    func(a task.Date, days recur.Weekdays) recur.Rule
	offered func(a task.Date) bool
}

func always(task.Date) bool { return true }

// presets are the Repeat menu's choices between Never and Custom, in its order.
var presets = []preset{
	{"daily", func(task.Date, recur.Weekdays) recur.Rule { return recur.Rule{Freq: recur.Daily, Interval: 1} }, always},
	{"weekdays", func(task.Date, recur.Weekdays) recur.Rule {
		return recur.Rule{Freq: recur.Weekly, Interval: 1, Days: recur.WorkWeek}
	}, always},
	{"weekly", func(a task.Date, days recur.Weekdays) recur.Rule {
		if days == 0 {
			days = recur.On(a.Weekday())
		}
		return recur.Rule{Freq: recur.Weekly, Interval: 1, Days: days}
	}, always},
	{"monthly", func(a task.Date, _ recur.Weekdays) recur.Rule { return monthDayRule(a.Day) }, always},
	{"monthly-nth", func(a task.Date, _ recur.Weekdays) recur.Rule { return nthWeekdayRule(a) }, func(a task.Date) bool { return a.Day <= 7*recur.MaxNth }},
	{"monthly-last", func(a task.Date, _ recur.Weekdays) recur.Rule { return lastWeekdayRule(a) }, inLastWeek},
	{"monthly-last-day", func(task.Date, recur.Weekdays) recur.Rule { return monthDayRule(-1) }, func(a task.Date) bool { return a.AddDays(1).Month != a.Month }},
	{"yearly", func(a task.Date, _ recur.Weekdays) recur.Rule { return yearDateRule(a.Month, a.Day) }, always},
}

func presetNamed(name string) (preset, bool) {
	for _, p := range presets {
		if p.name == name {
			return p, true
		}
	}
	return preset{}, false
}

func inLastWeek(a task.Date) bool { return a.AddDays(7).Month != a.Month }

func monthDayRule(day int) recur.Rule {
	return recur.Rule{Freq: recur.Monthly, Interval: 1, MonthDay: day}
}

// nthWeekdayRule is "the 3rd Wednesday" that a is, or the last one past the fourth.
func nthWeekdayRule(a task.Date) recur.Rule {
	if a.Day > 7*recur.MaxNth {
		return lastWeekdayRule(a)
	}
	return recur.Rule{Freq: recur.Monthly, Interval: 1, Nth: (a.Day-1)/7 + 1, Days: recur.On(a.Weekday())}
}

func lastWeekdayRule(a task.Date) recur.Rule {
	return recur.Rule{Freq: recur.Monthly, Interval: 1, Nth: -1, Days: recur.On(a.Weekday())}
}

func yearDateRule(m time.Month, day int) recur.Rule {
	return recur.Rule{Freq: recur.Yearly, Interval: 1, Month: m, MonthDay: day}
}

// monthChoice is the value of a custom monthly choice: the day of r ("15", "-1" for the last
// day) or its weekday ("3 wednesday", "-1 friday").
func monthChoice(r recur.Rule) string {
	if r.Nth != 0 && r.Days != 0 {
		return strconv.Itoa(r.Nth) + " " + strings.ToLower(r.Days.List()[0].String())
	}
	return strconv.Itoa(r.MonthDay)
}

// parseMonthChoice reads monthChoice's value into a monthly rule.
func parseMonthChoice(s string) (recur.Rule, bool) {
	n, day, byWeekday := strings.Cut(s, " ")
	nth, err := strconv.Atoi(n)
	if err != nil {
		return recur.Rule{}, false
	}
	r := monthDayRule(nth)
	if byWeekday {
		d, ok := weekdayNamed(day)
		if !ok {
			return recur.Rule{}, false
		}
		r = recur.Rule{Freq: recur.Monthly, Interval: 1, Nth: nth, Days: recur.On(d)}
	}
	return r, r.Validate() == nil
}

// yearChoice is the value of a custom yearly choice: "12-24".
func yearChoice(m time.Month, day int) string { return strconv.Itoa(int(m)) + "-" + strconv.Itoa(day) }

func parseYearChoice(s string) (recur.Rule, bool) {
	m, d, _ := strings.Cut(s, "-")
	month, err1 := strconv.Atoi(m)
	day, err2 := strconv.Atoi(d)
	if err1 != nil || err2 != nil {
		return recur.Rule{}, false
	}
	r := yearDateRule(time.Month(month), day)
	return r, r.Validate() == nil
}

// weekdayNamed reads an English weekday's name in lower case, as the form's values are.
func weekdayNamed(name string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if name == strings.ToLower(d.String()) {
			return d, true
		}
	}
	return 0, false
}

// units are the custom rule's units, as the form names them.
var units = []struct {
	freq        recur.Freq
	value, name string
}{
	{recur.Daily, "day", "days"},
	{recur.Weekly, "week", "weeks"},
	{recur.Monthly, "month", "months"},
	{recur.Yearly, "year", "years"},
}

// newRepeatForm is the control for a task with rule (nil: none) whose choices are made for
// the date a.
func newRepeatForm(rule *recur.Rule, a task.Date) repeatForm {
	f := repeatForm{Anchor: a, Preset: presetNever, Interval: "1", Unit: recur.Weekly, Days: recur.On(a.Weekday()),
		Monthly: strconv.Itoa(a.Day), Yearly: yearChoice(a.Month, a.Day), End: endNever}
	if rule == nil {
		return f
	}
	r := *rule
	// The rule's own parts, with those it leaves to its due named from it.
	core := r
	core.Kind, core.Count, core.Until = recur.FromDue, 0, task.Date{}
	core = core.Anchored(a)
	f.Interval, f.Unit = strconv.Itoa(r.Interval), r.Freq
	switch r.Freq {
	case recur.Weekly:
		f.Days = core.Days
	case recur.Monthly:
		f.Monthly = monthChoice(core)
	case recur.Yearly:
		f.Yearly = yearChoice(core.Month, core.MonthDay)
	}
	f.Preset = presetCustom
	if r.Kind == recur.FromCompletion {
		// Every N days after the day it was done: the custom rule says it as it is.
		f.FromDone = true
	} else {
		for _, p := range presets {
			if p.offered(a) && p.rule(a, f.Days) == core {
				f.Preset = p.name
				break
			}
		}
	}
	switch {
	case r.Count > 0:
		f.End, f.Count = endCount, strconv.Itoa(r.Count)
	case !r.Until.IsZero():
		f.End, f.Until = endUntil, r.Until.String()
	}
	return f
}

// readRepeatForm reads the control from a form's values. has is false for a form without it.
func readRepeatForm(v url.Values) (f repeatForm, has bool) {
	if _, has = v["repeat"]; !has {
		return f, false
	}
	f = repeatForm{Preset: v.Get("repeat"), Interval: strings.TrimSpace(v.Get("repeat_interval")),
		Monthly: v.Get("repeat_monthly"), Yearly: v.Get("repeat_yearly"),
		End: v.Get("repeat_end"), Until: strings.TrimSpace(v.Get("repeat_until")), Count: strings.TrimSpace(v.Get("repeat_count")),
		FromDone: v.Get("repeat_from") == "completion"}
	f.Anchor, _ = task.ParseDate(v.Get("repeat_anchor"))
	f.Unit = recur.Weekly
	for _, u := range units {
		if v.Get("repeat_unit") == u.value {
			f.Unit = u.freq
		}
	}
	for _, name := range v["repeat_days"] {
		if d, ok := weekdayNamed(name); ok {
			f.Days |= recur.On(d)
		}
	}
	return f, true
}

// reanchor makes the choices for the date a instead of the one they were made for: a choice
// that was the due's own day (its weekday, its day of the month, its date) becomes a's, as a
// repeat set on the due follows it when the due moves; any other choice stays.
func (f *repeatForm) reanchor(a task.Date) {
	old := f.Anchor
	f.Anchor = a
	if old.IsZero() || old == a {
		return
	}
	if f.Days == recur.On(old.Weekday()) {
		f.Days = recur.On(a.Weekday())
	}
	for _, follow := range []func(task.Date) recur.Rule{
		func(d task.Date) recur.Rule { return monthDayRule(d.Day) }, nthWeekdayRule, lastWeekdayRule,
	} {
		if f.Monthly == monthChoice(follow(old)) {
			f.Monthly = monthChoice(follow(a))
			break
		}
	}
	if f.Yearly == yearChoice(old.Month, old.Day) {
		f.Yearly = yearChoice(a.Month, a.Day)
	}
	switch {
	case f.Preset == "monthly-nth" && a.Day > 7*recur.MaxNth:
		f.Preset = "monthly-last"
	case f.Preset == "monthly-last" && !inLastWeek(a):
		f.Preset = "monthly-nth"
	}
}

// rule is the rule the control says, for a task first due on the date f.Anchor; repeats is
// false for Never. A choice that makes no rule puts its message in msg, and its control in
// f.At.
func (f *repeatForm) rule() (r recur.Rule, repeats bool, msg string) {
	a := f.Anchor
	switch p, ok := presetNamed(f.Preset); {
	case f.Preset == presetNever || f.Preset == "":
		return r, false, ""
	case ok:
		if f.FromDone && p.name == "weekdays" {
			f.At = "repeat"
			return r, false, "“Every weekday” keeps to the days of the week, so it cannot count from when the task was done. Choose Custom and a number of days or weeks instead."
		}
		r = p.rule(a, f.Days)
	case f.Preset == presetCustom:
		interval, err := strconv.Atoi(f.Interval)
		if err != nil || interval < 1 || interval > recur.MaxInterval {
			f.At = "interval"
			return r, false, "Choose every how many, a whole number from 1 to " + strconv.Itoa(recur.MaxInterval) + "."
		}
		r = recur.Rule{Freq: f.Unit, Interval: interval}
		var valid bool
		switch f.Unit {
		case recur.Weekly:
			r.Days = f.Days
			if r.Days == 0 {
				r.Days = recur.On(a.Weekday())
			}
		case recur.Monthly:
			var on recur.Rule
			on, valid = parseMonthChoice(f.Monthly)
			r.MonthDay, r.Nth, r.Days = on.MonthDay, on.Nth, on.Days
		case recur.Yearly:
			var on recur.Rule
			on, valid = parseYearChoice(f.Yearly)
			r.Month, r.MonthDay = on.Month, on.MonthDay
		}
		if (f.Unit == recur.Monthly || f.Unit == recur.Yearly) && !valid && !f.FromDone {
			f.At = "repeat"
			return recur.Rule{}, false, "Choose the day it repeats on."
		}
	default:
		f.At = "repeat"
		return r, false, "Choose how the task repeats."
	}
	if f.FromDone {
		r.Kind = recur.FromCompletion
		r.Days, r.Nth, r.MonthDay, r.Month = 0, 0, 0, 0
	}
	switch f.End {
	case endNever, "":
	case endUntil:
		until, err := task.ParseDate(f.Until)
		switch {
		case err != nil:
			f.At = "until"
			return recur.Rule{}, false, "Choose the last date it repeats on, like 2026-12-24."
		case until.Before(a):
			f.At = "until"
			return recur.Rule{}, false, "The last date must be on or after " + fullDate(a) + ", when it is first due."
		}
		r.Until = until
	case endCount:
		n, err := strconv.Atoi(f.Count)
		if err != nil || n < 1 || n > maxRepeatCount {
			f.At = "count"
			return recur.Rule{}, false, "Choose how many times it is due in all, a whole number from 1."
		}
		r.Count = n
	default:
		f.At = "repeat"
		return recur.Rule{}, false, "Choose when it ends."
	}
	if err := r.Validate(); err != nil {
		f.At = "repeat"
		return recur.Rule{}, false, "Repeat: " + err.Error() + "."
	}
	return r, true, ""
}

// option is a choice of a menu or a group of radio buttons.
type option struct {
	Value, Label string
	Selected     bool
}

// Presets are the Repeat menu: Never, the presets that fit the anchor (and the one chosen),
// Custom.
func (f repeatForm) Presets() []option {
	out := []option{{Value: presetNever, Label: "Never", Selected: f.Preset == presetNever || f.Preset == ""}}
	for _, p := range presets {
		if !p.offered(f.Anchor) && f.Preset != p.name {
			continue
		}
		days := f.Days
		if days == recur.WorkWeek {
			days = 0 // the preset just above says it
		}
		out = append(out, option{Value: p.name, Label: p.rule(f.Anchor, days).Describe(), Selected: f.Preset == p.name})
	}
	return append(out, option{Value: presetCustom, Label: "Custom…", Selected: f.Preset == presetCustom})
}

// Units are the choices of the custom rule's unit.
func (f repeatForm) Units() []option {
	out := make([]option, len(units))
	for i, u := range units {
		out[i] = option{Value: u.value, Label: u.name, Selected: f.Unit == u.freq}
	}
	return out
}

// weekdayBox is a checkbox of the weekly rule's days.
type weekdayBox struct {
	Value, Short, Name string
	Checked            bool
}

// WeekdayBoxes are the days of the week, Monday first.
func (f repeatForm) WeekdayBoxes() []weekdayBox {
	var out []weekdayBox
	for i := range 7 {
		d := time.Weekday((i + 1) % 7)
		out = append(out, weekdayBox{Value: strings.ToLower(d.String()), Short: d.String()[:3], Name: d.String(), Checked: f.Days.Has(d)})
	}
	return out
}

// MonthChoices are the days of the month a custom rule may fall on: those of the anchor (its
// day, its weekday of the month, the last ones when it is among them) and the one chosen.
func (f repeatForm) MonthChoices() []option {
	a := f.Anchor
	rules := []recur.Rule{monthDayRule(a.Day)}
	if a.Day <= 7*recur.MaxNth {
		rules = append(rules, nthWeekdayRule(a))
	}
	if inLastWeek(a) {
		rules = append(rules, lastWeekdayRule(a))
	}
	if a.AddDays(1).Month != a.Month {
		rules = append(rules, monthDayRule(-1))
	}
	if chosen, ok := parseMonthChoice(f.Monthly); ok {
		rules = append(rules, chosen)
	}
	return choices(rules, f.Monthly, "Every month ")
}

// YearChoices are the dates of the year a custom rule may fall on: the anchor's, and the one
// chosen.
func (f repeatForm) YearChoices() []option {
	rules := []recur.Rule{yearDateRule(f.Anchor.Month, f.Anchor.Day)}
	if chosen, ok := parseYearChoice(f.Yearly); ok {
		rules = append(rules, chosen)
	}
	return choices(rules, f.Yearly, "Every year ")
}

// choices are the options of rules, each once, labelled as Describe says them without the
// words of the period ("On the last Friday"), with chosen selected.
func choices(rules []recur.Rule, chosen, period string) []option {
	var out []option
	seen := map[string]bool{}
	for _, r := range rules {
		value := monthChoice(r)
		if r.Freq == recur.Yearly {
			value = yearChoice(r.Month, r.MonthDay)
		}
		if seen[value] {
			continue
		}
		seen[value] = true
		label := strings.TrimPrefix(r.Describe(), period)
		out = append(out, option{Value: value, Label: strings.ToUpper(label[:1]) + label[1:], Selected: value == chosen})
	}
	return out
}

// IsEnd tells whether the rule ends as named (never, until, count).
func (f repeatForm) IsEnd(end string) bool {
	return f.End == end || (end == endNever && f.End == "")
}

// AnchorValue is the date the choices were made for, as the form carries it.
func (f repeatForm) AnchorValue() string { return f.Anchor.String() }

// historyView is what the edit form shows of the occurrences of a repeating task that were
// done: how many, and when the latest were, in the user's words.
type historyView struct {
	ID      string // of its heading
	Done    int
	Shown   []doneView
	Earlier int // done before the ones shown
}

// doneView is one occurrence done: the day it was done, and the day it was due when that was
// another.
type doneView struct {
	Text    string // "Mon 30 Nov"
	Full    string // "Monday 30 November 2026, 09:12"
	Machine string // the instant, RFC 3339
	Due     string // "Sun 29 Nov"; "" when it was done on the day it was due
}

// historyShown is how many occurrences done the edit form lists, the latest first.
const historyShown = 10

func newHistoryView(id string, done []task.Completion, now time.Time, loc *time.Location) historyView {
	h := historyView{ID: id, Done: len(done)}
	today := task.DateOf(now.In(loc))
	for i, c := range done {
		if i == historyShown {
			h.Earlier = len(done) - i
			break
		}
		at := c.CompletedAt.In(loc)
		day := task.DateOf(at)
		v := doneView{Text: shortDate(day, today), Full: fullDate(day) + ", " + at.Format("15:04"), Machine: c.CompletedAt.UTC().Format(time.RFC3339)}
		if due := c.Due.DayIn(loc); due != day {
			v.Due = shortDate(due, today)
		}
		h.Shown = append(h.Shown, v)
	}
	return h
}

// Heading says how often the task was done: "Done once", "Done 3 times".
func (h historyView) Heading() string {
	if h.Done == 1 {
		return "Done once"
	}
	return "Done " + strconv.Itoa(h.Done) + " times"
}
