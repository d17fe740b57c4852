package quickadd

import (
	"strings"
	"time"
	"unicode"

	"todo/internal/recur"
	"todo/internal/task"
)

// match is a phrase that a matcher recognised at the start of the words it was given.
type match struct {
	kind  Kind
	words int // how many words the phrase takes

	tag          string
	priority     task.Priority
	date         task.Date
	hour, minute int
	rule         recur.Rule
}

// matchers are tried in this order at each word. A phrase that begins with a word another
// matcher knows must come before it ("every friday" before "friday").
var matchers = [...]func(clock, []word) (match, bool){matchTag, matchPriority, matchRecurrence, matchDate, matchTime}

func (c clock) match(words []word) (match, bool) {
	for _, m := range matchers {
		if got, ok := m(c, words); ok {
			return got, true
		}
	}
	return match{}, false
}

// matchTag reads #name, where the name is letters, digits, marks, "-", "_" and "/" of any
// script, with at least one letter or digit, and passes task.CleanTag.
func matchTag(_ clock, words []word) (match, bool) {
	name, ok := strings.CutPrefix(words[0].text, "#")
	if !ok {
		return match{}, false
	}
	alnum := false
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			alnum = true
		case unicode.IsMark(r) || r == '-' || r == '_' || r == '/':
		default:
			return match{}, false
		}
	}
	if !alnum {
		return match{}, false
	}
	name, err := task.CleanTag(name)
	if err != nil {
		return match{}, false
	}
	return match{kind: Tag, words: 1, tag: name}, true
}

var priorities = map[string]task.Priority{
	"!high":   task.PriorityHigh,
	"!medium": task.PriorityMedium,
	"!low":    task.PriorityLow,
}

func matchPriority(_ clock, words []word) (match, bool) {
	p, ok := priorities[words[0].lower]
	return match{kind: Priority, words: 1, priority: p}, ok
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

var months = map[string]time.Month{
	"jan": time.January, "january": time.January,
	"feb": time.February, "february": time.February,
	"mar": time.March, "march": time.March,
	"apr": time.April, "april": time.April,
	"may": time.May,
	"jun": time.June, "june": time.June,
	"jul": time.July, "july": time.July,
	"aug": time.August, "august": time.August,
	"sep": time.September, "sept": time.September, "september": time.September,
	"oct": time.October, "october": time.October,
	"nov": time.November, "november": time.November,
	"dec": time.December, "december": time.December,
}

// matchDate reads today, tomorrow, next week, in N days, in N weeks, and (after an optional
// "on") a weekday, 24 dec, dec 24 (each with an optional year) or 2026-12-24.
func matchDate(c clock, words []word) (match, bool) {
	date := func(n int, d task.Date) (match, bool) { return match{kind: Date, words: n, date: d}, true }
	switch words[0].lower {
	case "today":
		return date(1, c.today)
	case "tomorrow":
		return date(1, c.today.AddDays(1))
	case "next":
		if phrase(words, 2) && words[1].lower == "week" {
			return date(2, c.next(c.weekStart))
		}
	case "in":
		if !phrase(words, 3) {
			break
		}
		n, ok := number(words[1].lower, 3)
		if !ok {
			break
		}
		switch words[2].lower {
		case "day", "days":
			return date(3, c.today.AddDays(n))
		case "week", "weeks":
			return date(3, c.today.AddDays(7*n))
		}
	case "on":
		if phrase(words, 2) {
			if n, d, ok := c.calendarDate(words[1:]); ok {
				return date(n+1, d)
			}
		}
	}
	if n, d, ok := c.calendarDate(words); ok {
		return date(n, d)
	}
	return match{}, false
}

// calendarDate reads a weekday (the next one after today), 2026-12-24, or a day and a month in
// either order with an optional year; without a year it is the next such date, today included.
func (c clock) calendarDate(words []word) (n int, d task.Date, ok bool) {
	first := words[0].lower
	if wd, ok := weekdays[first]; ok {
		return 1, c.next(wd), true
	}
	if len(first) == len(time.DateOnly) {
		if d, err := task.ParseDate(first); err == nil {
			return 1, d, true
		}
	}
	if !phrase(words, 2) {
		return 0, task.Date{}, false
	}
	month, day, ok := dayAndMonth(first, words[1].lower)
	if !ok {
		return 0, task.Date{}, false
	}
	if phrase(words, 3) && len(words[2].lower) == 4 {
		if year, ok := number(words[2].lower, 4); ok {
			d, ok := dateIn(year, month, day)
			return 3, d, ok
		}
	}
	for year := c.today.Year; year <= c.today.Year+8; year++ {
		if d, ok := dateIn(year, month, day); ok && !d.Before(c.today) {
			return 2, d, true
		}
	}
	return 0, task.Date{}, false
}

// dayAndMonth reads a day and a month in either order: "24 dec", "december 24th".
func dayAndMonth(a, b string) (time.Month, int, bool) {
	day, okDay := dayOfMonth(a)
	month, okMonth := months[b]
	if !okDay || !okMonth {
		month, okMonth = months[a]
		day, okDay = dayOfMonth(b)
	}
	return month, day, okDay && okMonth
}

// dateIn is the date, when it exists (29 February does not in every year).
func dateIn(year int, month time.Month, day int) (task.Date, bool) {
	d := task.DateOf(time.Date(year, month, day, 12, 0, 0, 0, time.UTC))
	return d, d == task.Date{Year: year, Month: month, Day: day}
}

// dayOfMonth reads 1 to 31, with or without an English ordinal ending (1st, 2nd, 24th).
func dayOfMonth(s string) (int, bool) {
	for _, suffix := range [...]string{"st", "nd", "rd", "th"} {
		if t, ok := strings.CutSuffix(s, suffix); ok {
			s = t
			break
		}
	}
	day, ok := number(s, 2)
	return day, ok && day >= 1 && day <= 31
}

// number reads 1 to maxDigits ASCII digits.
func number(s string, maxDigits int) (int, bool) {
	if s == "" || len(s) > maxDigits {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// matchTime reads "at" and a time (at 9, at 9am, at 9:30 pm, at 14:30), or a time that cannot
// be a plain number without "at" (14:30, 9pm, 9:30 am).
func matchTime(_ clock, words []word) (match, bool) {
	at := 0
	if words[0].lower == "at" {
		if !phrase(words, 2) {
			return match{}, false
		}
		at = 1
	}
	n, hour, minute, ok := clockTime(words[at:], at == 1)
	return match{kind: Time, words: at + n, hour: hour, minute: minute}, ok
}

// clockTime reads H, H:MM, each with an optional am or pm (attached or as the next word). H
// alone (a 24-hour hour) is a time only when bare is set.
func clockTime(words []word, bare bool) (n, hour, minute int, ok bool) {
	s, meridiem, n := words[0].lower, "", 1
	switch {
	case strings.HasSuffix(s, "am"), strings.HasSuffix(s, "pm"):
		s, meridiem = s[:len(s)-2], s[len(s)-2:]
	case phrase(words, 2) && (words[1].lower == "am" || words[1].lower == "pm"):
		meridiem, n = words[1].lower, 2
	}
	h, m, colon := strings.Cut(s, ":")
	hour, ok = number(h, 2)
	if !ok {
		return 0, 0, 0, false
	}
	if colon {
		if minute, ok = number(m, 2); !ok || len(m) != 2 || minute > 59 {
			return 0, 0, 0, false
		}
	}
	switch {
	case meridiem != "":
		if hour < 1 || hour > 12 {
			return 0, 0, 0, false
		}
		hour %= 12
		if meridiem == "pm" {
			hour += 12
		}
	case colon || bare:
		if hour > 23 {
			return 0, 0, 0, false
		}
	default:
		return 0, 0, 0, false
	}
	return n, hour, minute, true
}
