package calendar

import (
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// onset is when an observance of a VTIMEZONE begins, and the offset from then on.
type onset struct {
	at     time.Time
	offset int
}

// onsets are the observances' onsets up to end, read from the component as a client reads
// it: DTSTART (a local time in TZOFFSETFROM) and its yearly RRULE, expanded by rrule-go.
func onsets(t *testing.T, tz *ical.Component, end time.Time) []onset {
	t.Helper()
	var out []onset
	for _, o := range tz.Children {
		from, to := parseOffset(t, o.Props.Get(ical.PropTimezoneOffsetFrom).Value), parseOffset(t, o.Props.Get(ical.PropTimezoneOffsetTo).Value)
		wall, err := time.Parse(localFormat, o.Props.Get(ical.PropDateTimeStart).Value)
		if err != nil {
			t.Fatal(err)
		}
		walls := []time.Time{wall}
		if rule := o.Props.Get(ical.PropRecurrenceRule); rule != nil {
			walls = expand(t, rule.Value, wall, 100)
		}
		for _, w := range walls {
			if at := w.Add(-time.Duration(from) * time.Second); at.Before(end) {
				out = append(out, onset{at, to})
			}
		}
	}
	return out
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[3:5])
	sec := 0
	if len(s) == 7 {
		sec, _ = strconv.Atoi(s[5:7])
	}
	return sign * (h*3600 + m*60 + sec)
}

func TestTimezoneGivesGoOffsets(t *testing.T) {
	from := time.Date(2026, time.December, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		zone string
		ok   bool
	}{
		{"UTC", true},
		{"Europe/Paris", true},
		{"Europe/London", true},
		{"Europe/Dublin", true}, // its summer time is its standard time, in Irish law
		{"America/New_York", true},
		{"America/St_Johns", true}, // -03:30
		{"Australia/Sydney", true}, // summer time over the new year
		{"Australia/Lord_Howe", true},
		{"Pacific/Chatham", true}, // +12:45
		{"Asia/Tokyo", true},
		{"Asia/Kolkata", true},
		{"America/Sao_Paulo", true}, // summer time abolished in 2019
		// Morocco's clocks go back for Ramadan, on dates of the lunar calendar: no yearly rule.
		{"Africa/Casablanca", false},
	}
	for _, c := range cases {
		t.Run(c.zone, func(t *testing.T) {
			loc, err := time.LoadLocation(c.zone)
			if err != nil {
				t.Fatal(err)
			}
			tz, ok := timezone(loc, from)
			if ok != c.ok {
				t.Fatalf("described: %v, want %v", ok, c.ok)
			}
			if !ok {
				return
			}
			if id := tz.Props.Get(ical.PropTimezoneID).Value; id != c.zone {
				t.Errorf("TZID %s", id)
			}
			end := from.AddDate(zoneYears-2, 0, 0)
			list := onsets(t, tz, end)
			for at := from; at.Before(end); at = at.Add(23 * time.Hour) {
				var latest *onset
				for i := range list {
					if !list[i].at.After(at) && (latest == nil || list[i].at.After(latest.at)) {
						latest = &list[i]
					}
				}
				_, want := at.In(loc).Zone()
				if latest == nil || latest.offset != want {
					t.Fatalf("at %v the VTIMEZONE gives %+v, Go %d s", at, latest, want)
				}
			}
		})
	}
}
