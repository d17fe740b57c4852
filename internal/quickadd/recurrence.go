package quickadd

import (
	"strings"

	"todo/internal/recur"
)

// matchRecurrence reads "every" and a period: day, weekday, week, month, year, each with a
// number or "other" before it (every 3 days, every other week), weekdays (every mon, thu),
// a week's days (every 2 weeks on mon and thu), a day of the month (every month on the 1st,
// every last friday, every 15th, every last day) or a date (every 24 dec). "every!" or a
// following "after completion" counts the period from the day the task is done; such a rule
// is a number of days, weeks, months or years. What recur refuses (every 30 feb) is not a
// rule.
func matchRecurrence(c clock, words []word) (match, bool) {
	every := words[0]
	if every.lower != "every" || (every.trail != "" && every.trail != "!") || len(words) < 2 {
		return match{}, false
	}
	n, rule, ok := period(words[1:])
	if !ok {
		return match{}, false
	}
	n++
	if every.trail == "!" {
		rule.Kind = recur.FromCompletion
	} else if words[n-1].trail == "" && phrase(words[n:], 2) && words[n].lower == "after" && words[n+1].lower == "completion" {
		rule.Kind = recur.FromCompletion
		n += 2
	}
	// A rule from the due is valid once the day it starts on names what it leaves open.
	valid := rule
	if rule.Kind == recur.FromDue {
		valid = rule.Anchored(c.today)
	}
	if valid.Validate() != nil {
		return match{}, false
	}
	return match{kind: Recurrence, words: n, rule: rule}, true
}

// units are the periods a rule repeats in, each as it is written after a number.
var units = map[string]recur.Freq{
	"day": recur.Daily, "days": recur.Daily,
	"week": recur.Weekly, "weeks": recur.Weekly,
	"month": recur.Monthly, "months": recur.Monthly,
	"year": recur.Yearly, "years": recur.Yearly,
}

// period reads what follows "every".
func period(words []word) (n int, rule recur.Rule, ok bool) {
	if phrase(words, 2) {
		interval, ok := number(words[0].lower, 3)
		if words[0].lower == "other" {
			interval, ok = 2, true
		}
		if ok && interval >= 1 {
			if n, rule, ok := periodOf(words[1:], interval); ok {
				return n + 1, rule, true
			}
		}
	}
	if n, rule, ok := periodOf(words, 1); ok {
		return n, rule, true
	}
	return periodAlone(words)
}

// periodOf reads a unit (days, weeks, …) or weekdays, every interval of them.
func periodOf(words []word, interval int) (n int, rule recur.Rule, ok bool) {
	rule.Interval = interval
	// "every days" and "every 1 days" are not English.
	if freq, ok := units[words[0].lower]; ok && (interval > 1 || !strings.HasSuffix(words[0].lower, "s")) {
		rule.Freq = freq
		if more, r, ok := on(words, rule); ok {
			return more, r, true
		}
		return 1, rule, true
	}
	// every mon, thu; every other friday
	if more, days, ok := weekdayList(words); ok {
		rule.Freq, rule.Days = recur.Weekly, days
		return more, rule, true
	}
	return 0, rule, false
}

// periodAlone reads the periods that take no number: weekday, a day of the month, a date.
func periodAlone(words []word) (n int, rule recur.Rule, ok bool) {
	rule.Interval = 1
	switch words[0].lower {
	case "weekday", "workday":
		rule.Freq, rule.Days = recur.Weekly, recur.WorkWeek
		return 1, rule, true
	}
	// every last friday, every 15th, every last day, every 24 dec
	if more, r, ok := dayOfTheMonth(words, recur.Rule{Freq: recur.Monthly, Interval: 1}); ok {
		return more, r, true
	}
	if phrase(words, 2) {
		if month, day, ok := dayAndMonth(words[0].lower, words[1].lower); ok {
			rule.Freq, rule.Month, rule.MonthDay = recur.Yearly, month, day
			return 2, rule, true
		}
	}
	return 0, rule, false
}

// on reads what may follow the unit, words[0]: "on" and the days of a week ("every 2 weeks on
// mon, thu") or "on (the)" and the day of a month ("every month on the last friday"). n counts
// words[0].
func on(words []word, rule recur.Rule) (n int, r recur.Rule, ok bool) {
	if !phrase(words, 3) || words[1].lower != "on" {
		return 0, rule, false
	}
	n = 2
	switch rule.Freq {
	case recur.Weekly:
		if more, days, ok := weekdayList(words[n:]); ok {
			rule.Days = days
			return n + more, rule, true
		}
	case recur.Monthly:
		if phrase(words, 4) && words[n].lower == "the" {
			n++
		}
		if more, r, ok := dayOfTheMonth(words[n:], rule); ok {
			return n + more, r, true
		}
	}
	return 0, rule, false
}

// nths are the positions of a weekday in a month.
var nths = map[string]int{
	"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": -1,
}

// dayOfTheMonth reads a weekday of the month (last friday, 2nd tue), the last day, or a day
// with its ordinal ending (15th) into the monthly rule.
func dayOfTheMonth(words []word, rule recur.Rule) (n int, r recur.Rule, ok bool) {
	if nth, ok := nths[words[0].lower]; ok && phrase(words, 2) {
		if day, ok := weekdays[words[1].lower]; ok {
			rule.Nth, rule.Days = nth, recur.On(day)
			return 2, rule, true
		}
		if nth == -1 && words[1].lower == "day" {
			rule.MonthDay = -1
			return 2, rule, true
		}
	}
	// "15th", not "15": a number alone is a number. "5th friday" is not the 5th.
	if phrase(words, 2) && isWeekdays(words[1].lower) {
		return 0, rule, false
	}
	if s := words[0].lower; s != "" && (s[len(s)-1] < '0' || s[len(s)-1] > '9') {
		if day, ok := dayOfMonth(s); ok {
			rule.MonthDay = day
			return 1, rule, true
		}
	}
	return 0, rule, false
}

// weekdayList reads one or more weekdays: mon; mon, thu; mon and thu; mon, wed, and fri;
// mon,thu. A comma after the last one stays in the title.
func weekdayList(words []word) (n int, days recur.Weekdays, ok bool) {
	for n < len(words) {
		more, ok := weekdayNames(words[n].lower)
		if !ok {
			break
		}
		days |= more
		n++
		w := words[n-1]
		switch {
		case w.trail == "," && n < len(words) && isWeekdays(words[n].lower):
		case (w.trail == "" || w.trail == ",") && phrase(words[n:], 2) && words[n].lower == "and" && isWeekdays(words[n+1].lower):
			n++
		default:
			return n, days, true
		}
	}
	return n, days, n > 0
}

// weekdayNames reads one weekday or several joined by commas (mon,thu).
func weekdayNames(s string) (recur.Weekdays, bool) {
	var days recur.Weekdays
	for _, name := range strings.Split(s, ",") {
		d, ok := weekdays[name]
		if !ok {
			return 0, false
		}
		days |= recur.On(d)
	}
	return days, true
}

func isWeekdays(s string) bool {
	_, ok := weekdayNames(s)
	return ok
}
