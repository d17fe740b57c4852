package recur

import (
	"strconv"
	"strings"
)

// Describe is r in short English, for the UI: "Every 2 weeks on Mon, Thu", "Every month on
// the last Friday", "Every 3 days after completion", "Every year on 24 Dec until 24 Dec
// 2030", "Every day, 5 times".
func (r Rule) Describe() string {
	var b strings.Builder
	unit := "?"
	if r.Freq.valid() {
		unit = freqs[r.Freq].unit
	}
	switch {
	case r.Freq == Weekly && r.Interval == 1 && r.Days == WorkWeek:
		b.WriteString("Every weekday")
	case r.Interval == 1:
		b.WriteString("Every " + unit)
	default:
		b.WriteString("Every " + strconv.Itoa(r.Interval) + " " + unit + "s")
	}

	switch {
	case r.Freq == Weekly && r.Days == WorkWeek && r.Interval != 1:
		b.WriteString(" on weekdays")
	case r.Freq == Weekly && r.Days != 0 && r.Days != WorkWeek:
		var names []string
		for _, d := range r.Days.List() {
			names = append(names, d.String()[:3])
		}
		b.WriteString(" on " + strings.Join(names, ", "))
	case r.Nth == -1 && r.Days != 0:
		b.WriteString(" on the last " + r.Days.List()[0].String())
	case r.Nth != 0 && r.Days != 0:
		b.WriteString(" on the " + ordinal(r.Nth) + " " + r.Days.List()[0].String())
	case r.Month != 0:
		b.WriteString(" on " + strconv.Itoa(r.MonthDay) + " " + r.Month.String()[:3])
	case r.MonthDay == -1:
		b.WriteString(" on the last day")
	case r.MonthDay != 0:
		b.WriteString(" on the " + ordinal(r.MonthDay))
	}

	if r.Kind == FromCompletion {
		b.WriteString(" after completion")
	}
	switch {
	case !r.Until.IsZero():
		b.WriteString(" until " + midnight(r.Until).Format("2 Jan 2006"))
	case r.Count == 1:
		b.WriteString(", once")
	case r.Count > 1:
		b.WriteString(", " + strconv.Itoa(r.Count) + " times")
	}
	return b.String()
}

// ordinal is 1st, 2nd, 3rd, 4th, … 11th, 12th, 13th, … 21st.
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}
