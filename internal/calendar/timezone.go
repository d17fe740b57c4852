package calendar

import (
	"fmt"
	"strconv"
	"time"

	"github.com/emersion/go-ical"
)

// zoneYears is how many years of a zone's clock changes timezone checks against the one
// yearly rule it writes: 28, after which the Gregorian calendar's dates fall on the same
// weekdays again (1901 to 2099), so that a rule such as "the last Sunday of March" has met
// every way a month can start.
const zoneYears = 28

// timezone is loc as an RFC 5545 VTIMEZONE that holds from the year before from on: one
// observance when its offset does not change, or a STANDARD and a DAYLIGHT observance each
// recurring yearly on a weekday of a month ("the last Sunday of March at 02:00"), which is
// how every zone with summer time changes its clocks today. ok is false for a zone whose
// changes over the next zoneYears follow no such rule (or that changed its rule lately): a
// VTIMEZONE of it would be wrong somewhere, and the feed then names no zone.
//
// Go knows a zone's changes (time.Time.ZoneBounds) but not the rule behind them, so the rule
// is read off the changes and checked against every one of them.
func timezone(loc *time.Location, from time.Time) (*ical.Component, bool) {
	start := time.Date(from.In(loc).Year()-1, time.January, 1, 0, 0, 0, 0, loc)
	end := start.AddDate(zoneYears, 0, 0)
	var changes []clockChange
	for t := start; t.Before(end); {
		_, next := t.ZoneBounds()
		switch {
		case next.IsZero(): // the zone keeps its offset for ever
			t = end
		case !next.After(t):
			// Past the zone's table of changes, Go computes the bounds a year at a time, and
			// may give the end of a leap year as a bound that does not move on.
			t = t.Add(24 * time.Hour)
		default:
			if c, real := changeAt(next); real && next.Before(end) {
				changes = append(changes, c)
			}
			t = next
		}
	}
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, loc.String())
	if len(changes) == 0 {
		name, offset := start.Zone()
		tz.Children = append(tz.Children, observance(ical.CompTimezoneStandard, name, offset, offset, start, ""))
		return tz, true
	}
	if len(changes) != 2*zoneYears {
		return nil, false
	}
	for _, dst := range []bool{true, false} {
		var first *clockChange
		sameNth, allLast := true, true
		for i := range changes {
			c := &changes[i]
			if c.dst != dst {
				continue
			}
			if first == nil {
				first = c
			}
			if !c.sameRule(*first) {
				return nil, false
			}
			sameNth = sameNth && c.nth() == first.nth()
			allLast = allLast && c.last()
		}
		if first == nil {
			return nil, false
		}
		var pos int
		switch {
		case sameNth && first.nth() <= 4:
			pos = first.nth()
		case allLast:
			pos = -1
		default:
			return nil, false
		}
		name := ical.CompTimezoneStandard
		if dst {
			name = ical.CompTimezoneDaylight
		}
		rule := fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", first.wall.Month(), pos, weekdayCodes[first.wall.Weekday()])
		tz.Children = append(tz.Children, observance(name, first.name, first.from, first.to, first.wall, rule))
	}
	return tz, true
}

// clockChange is one change of a zone's offset: at wall, the local time just before it (in
// the offset from), the offset becomes to, named name, summer time or not.
type clockChange struct {
	wall     time.Time
	from, to int
	name     string
	dst      bool
}

// changeAt is the change at a bound of a zone's period; real is false for a bound where
// nothing changes (Go ends a period at the end of a year past its table of changes).
func changeAt(at time.Time) (c clockChange, real bool) {
	before := at.Add(-time.Second)
	nameFrom, from := before.Zone()
	name, to := at.Zone()
	c = clockChange{wall: at.In(time.FixedZone("", from)), from: from, to: to, name: name, dst: at.IsDST()}
	return c, from != to || nameFrom != name || before.IsDST() != c.dst
}

// sameRule tells whether c and d can be the same yearly change but for which week of the
// month they fall in.
func (c clockChange) sameRule(d clockChange) bool {
	cw, dw := c.wall, d.wall
	return cw.Month() == dw.Month() && cw.Weekday() == dw.Weekday() &&
		cw.Hour() == dw.Hour() && cw.Minute() == dw.Minute() && cw.Second() == dw.Second() &&
		c.from == d.from && c.to == d.to && c.name == d.name
}

// nth is which of its weekday in the month the change falls on: 1 for the first.
func (c clockChange) nth() int { return (c.wall.Day()-1)/7 + 1 }

// last tells whether the change falls on the last of its weekday in the month.
func (c clockChange) last() bool {
	return c.wall.AddDate(0, 0, 7).Month() != c.wall.Month()
}

var weekdayCodes = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// observance is a STANDARD or DAYLIGHT component from the local time onset on, yearly by
// rule when rule is set.
func observance(kind, name string, from, to int, onset time.Time, rule string) *ical.Component {
	o := ical.NewComponent(kind)
	o.Props.SetText(ical.PropTimezoneName, name)
	set(o, ical.PropTimezoneOffsetFrom, utcOffset(from))
	set(o, ical.PropTimezoneOffsetTo, utcOffset(to))
	set(o, ical.PropDateTimeStart, onset.Format(localFormat))
	if rule != "" {
		set(o, ical.PropRecurrenceRule, rule)
	}
	return o
}

// localFormat is RFC 5545's form of a local time, with no zone.
const localFormat = "20060102T150405"

// utcOffset is an offset east of UTC in seconds as RFC 5545 writes it: +0100, -0330, and
// +053728 when it has seconds.
func utcOffset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	s := sign + pad2(seconds/3600) + pad2(seconds/60%60)
	if seconds%60 != 0 {
		s += pad2(seconds % 60)
	}
	return s
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
