package recur

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"todo/internal/task"
)

// MaxLength is the longest text Parse reads; a rule of every part written out is far
// shorter.
const MaxLength = 200

// fromParam is the RRULE parameter of a rule's kind: X-REPEAT-FROM=COMPLETION.
const fromParam = "X-REPEAT-FROM"

// rruleDays are BYDAY's names of the days, by time.Weekday.
var rruleDays = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// String is the rule as it is stored: an RRULE content line that Parse reads back.
func (r Rule) String() string {
	var b strings.Builder
	b.WriteString("RRULE")
	if r.Kind == FromCompletion {
		b.WriteString(";" + fromParam + "=COMPLETION")
	}
	b.WriteString(":FREQ=" + r.Freq.String())
	part := func(name string, value int) { fmt.Fprintf(&b, ";%s=%d", name, value) }
	if r.Interval != 1 {
		part("INTERVAL", r.Interval)
	}
	if r.Count != 0 {
		part("COUNT", r.Count)
	}
	if !r.Until.IsZero() {
		fmt.Fprintf(&b, ";UNTIL=%04d%02d%02d", r.Until.Year, r.Until.Month, r.Until.Day)
	}
	if r.Month != 0 {
		part("BYMONTH", int(r.Month))
	}
	if r.MonthDay != 0 {
		part("BYMONTHDAY", r.MonthDay)
	}
	if r.Days != 0 {
		b.WriteString(";BYDAY=")
		for i, d := range r.Days.List() {
			if i > 0 {
				b.WriteByte(',')
			}
			if r.Nth != 0 {
				b.WriteString(strconv.Itoa(r.Nth))
			}
			b.WriteString(rruleDays[d])
		}
	}
	return b.String()
}

// Parse reads a rule as String writes it, or as other RRULE writers do: with or without the
// "RRULE:" name, its parts in any order and in any case. It refuses what Validate refuses and
// the parts of RRULE that tasks do not use, saying why.
func Parse(s string) (Rule, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Rule{}, errors.New("a rule needs at least FREQ, such as FREQ=WEEKLY")
	case len(s) > MaxLength:
		return Rule{}, fmt.Errorf("a rule is at most %d characters", MaxLength)
	}
	s = strings.ToUpper(s)
	r := Rule{Interval: 1}
	value := s
	if rest, ok := strings.CutPrefix(s, "RRULE"); ok && rest != "" && (rest[0] == ':' || rest[0] == ';') {
		params, v, ok := strings.Cut(rest, ":")
		if !ok {
			return Rule{}, errors.New(`"RRULE" must be followed by ":" and the rule`)
		}
		kind, err := parseParams(params)
		if err != nil {
			return Rule{}, err
		}
		r.Kind, value = kind, v
	}

	seen := map[string]bool{}
	for _, p := range strings.Split(value, ";") {
		name, v, ok := strings.Cut(p, "=")
		if !ok || name == "" || v == "" {
			return Rule{}, fmt.Errorf("%q is not a rule part such as FREQ=WEEKLY", p)
		}
		if seen[name] {
			return Rule{}, fmt.Errorf("%s is given twice", name)
		}
		seen[name] = true
		if err := r.setPart(name, v); err != nil {
			return Rule{}, err
		}
	}
	if !seen["FREQ"] {
		return Rule{}, errors.New("a rule needs FREQ: DAILY, WEEKLY, MONTHLY or YEARLY")
	}
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	return r, nil
}

// parseParams reads the parameters of an RRULE line (";X-REPEAT-FROM=COMPLETION"), which
// say the rule's kind.
func parseParams(params string) (Kind, error) {
	kind := FromDue
	if params == "" {
		return kind, nil
	}
	for _, p := range strings.Split(params[1:], ";") {
		name, v, _ := strings.Cut(p, "=")
		if name != fromParam {
			return 0, fmt.Errorf("unknown RRULE parameter %q; the one known is %s=COMPLETION", name, fromParam)
		}
		switch v {
		case "DUE":
			kind = FromDue
		case "COMPLETION":
			kind = FromCompletion
		default:
			return 0, fmt.Errorf("%s must be DUE or COMPLETION, not %q", fromParam, v)
		}
	}
	return kind, nil
}

// setPart reads the rule part name=v into r.
func (r *Rule) setPart(name, v string) error {
	var ok bool
	switch name {
	case "FREQ":
		return r.setFreq(v)
	case "INTERVAL":
		if r.Interval, ok = whole(v, 3); !ok || r.Interval < 1 {
			return fmt.Errorf("INTERVAL must be a whole number from 1 to %d, not %q", MaxInterval, v)
		}
	case "COUNT":
		if r.Count, ok = whole(v, 9); !ok || r.Count < 1 {
			return fmt.Errorf("COUNT must be a whole number of at least 1, not %q", v)
		}
	case "UNTIL":
		return r.setUntil(v)
	case "BYDAY":
		return r.setDays(v)
	case "BYMONTHDAY":
		if r.MonthDay, ok = signed(v, 2); !ok || r.MonthDay == 0 {
			return fmt.Errorf("BYMONTHDAY must be one day of the month, 1 to 31 or -1 for the last, not %q", v)
		}
	case "BYMONTH":
		month, ok := whole(v, 2)
		if !ok || month < 1 || month > 12 {
			return fmt.Errorf("BYMONTH must be one month, 1 to 12, not %q", v)
		}
		r.Month = time.Month(month)
	case "WKST":
		if v != "MO" {
			return fmt.Errorf("weeks start on Monday: WKST may only be MO, not %q", v)
		}
	case "BYSETPOS", "BYYEARDAY", "BYWEEKNO", "BYHOUR", "BYMINUTE", "BYSECOND", "RSCALE", "SKIP":
		return fmt.Errorf("%s is not supported: a task's rule names weekdays (BYDAY), a day of the month (BYMONTHDAY) or a month (BYMONTH)", name)
	default:
		return fmt.Errorf("unknown rule part %q", name)
	}
	return nil
}

func (r *Rule) setFreq(v string) error {
	for f := Daily; f <= Yearly; f++ {
		if v == f.String() {
			r.Freq = f
			return nil
		}
	}
	switch v {
	case "HOURLY", "MINUTELY", "SECONDLY":
		return fmt.Errorf("FREQ=%s is too frequent for a task: the shortest repeat is FREQ=DAILY", v)
	}
	return fmt.Errorf("unknown FREQ %q: use DAILY, WEEKLY, MONTHLY or YEARLY", v)
}

func (r *Rule) setUntil(v string) error {
	t, err := time.Parse("20060102", v)
	if err != nil || len(v) != len("20060102") {
		return fmt.Errorf("UNTIL must be a date such as 20261224 (the last day the task may be due), not %q", v)
	}
	r.Until = task.DateOf(t)
	return nil
}

// setDays reads BYDAY: weekdays (MO,TH), or one weekday with its position in the month
// (-1FR, 2TU).
func (r *Rule) setDays(v string) error {
	for _, item := range strings.Split(v, ",") {
		if len(item) < 2 {
			return fmt.Errorf("BYDAY takes weekdays such as MO,TH or -1FR, not %q", v)
		}
		pos, code := item[:len(item)-2], item[len(item)-2:]
		day := -1
		for i, name := range rruleDays {
			if code == name {
				day = i
			}
		}
		if day < 0 {
			return fmt.Errorf("unknown weekday %q in BYDAY: use MO, TU, WE, TH, FR, SA or SU", item)
		}
		d := time.Weekday(day)
		if r.Days.Has(d) {
			return fmt.Errorf("%s is given twice in BYDAY", code)
		}
		r.Days |= On(d)
		if pos == "" {
			continue
		}
		n, ok := signed(pos, 1)
		if !ok || n == 0 {
			return fmt.Errorf("the position of %q must be 1 to %d, or -1 for the last", item, MaxNth)
		}
		r.Nth = n
	}
	return nil
}

// whole reads 1 to maxDigits ASCII digits.
func whole(s string, maxDigits int) (int, bool) {
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

// signed reads a whole number of 1 to maxDigits digits with an optional + or -.
func signed(s string, maxDigits int) (int, bool) {
	switch {
	case strings.HasPrefix(s, "-"):
		n, ok := whole(s[1:], maxDigits)
		return -n, ok
	case strings.HasPrefix(s, "+"):
		return whole(s[1:], maxDigits)
	}
	return whole(s, maxDigits)
}
