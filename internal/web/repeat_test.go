package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"todo/internal/recur"
	"todo/internal/task"
)

func mustRule(t *testing.T, s string) recur.Rule {
	t.Helper()
	r, err := recur.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRepeatFormKeepsEachRule: the control filled from a rule shows it as its preset (or as
// Custom) and reads back the same rule, so that saving an edit form changes no rule that the
// user did not change.
func TestRepeatFormKeepsEachRule(t *testing.T) {
	wed := date(2026, time.December, 16)
	for _, tt := range []struct {
		rule   string
		anchor task.Date
		preset string
	}{
		{"RRULE:FREQ=DAILY", wed, "daily"},
		{"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", wed, "weekdays"},
		{"RRULE:FREQ=WEEKLY;BYDAY=WE", wed, "weekly"},
		{"RRULE:FREQ=WEEKLY", wed, "weekly"}, // the due's weekday, left unnamed
		{"RRULE:FREQ=WEEKLY;BYDAY=MO,TH", wed, "weekly"},
		{"RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", wed, "custom"},
		{"RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR", wed, "custom"},
		{"RRULE:FREQ=MONTHLY;BYMONTHDAY=16", wed, "monthly"},
		{"RRULE:FREQ=MONTHLY;BYDAY=3WE", wed, "monthly-nth"},
		{"RRULE:FREQ=MONTHLY;BYDAY=-1FR", date(2026, time.December, 25), "monthly-last"},
		{"RRULE:FREQ=MONTHLY;BYMONTHDAY=-1", date(2026, time.April, 30), "monthly-last-day"},
		// The 31st, due on 30 April: not "the 30th", nor the last day.
		{"RRULE:FREQ=MONTHLY;BYMONTHDAY=31", date(2026, time.April, 30), "custom"},
		{"RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=-1TH", date(2026, time.April, 30), "custom"},
		{"RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=16", wed, "yearly"},
		{"RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", date(2027, time.February, 28), "custom"},
		{"RRULE:FREQ=DAILY;COUNT=5", wed, "daily"},
		{"RRULE:FREQ=WEEKLY;UNTIL=20270301;BYDAY=WE", wed, "weekly"},
		{"RRULE;X-REPEAT-FROM=COMPLETION:FREQ=DAILY;INTERVAL=3", wed, "custom"},
		{"RRULE;X-REPEAT-FROM=COMPLETION:FREQ=MONTHLY;COUNT=2", wed, "custom"},
	} {
		t.Run(tt.rule, func(t *testing.T) {
			rule := mustRule(t, tt.rule)
			f := newRepeatForm(&rule, tt.anchor)
			if f.Preset != tt.preset {
				t.Errorf("preset %q, want %q", f.Preset, tt.preset)
			}
			got, repeats, msg := f.rule()
			if !repeats || msg != "" {
				t.Fatalf("reads back no rule: %q", msg)
			}
			if got.Anchored(tt.anchor) != rule.Anchored(tt.anchor) {
				t.Errorf("reads back %s, want %s", got, rule)
			}
			// So does the form the browser sends of it.
			sent, _ := readRepeatForm(f.values())
			sent.reanchor(tt.anchor)
			if again, _, msg := sent.rule(); again != got {
				t.Errorf("sent as a form, it reads %s (%q), want %s", again, msg, got)
			}
		})
	}
	none := newRepeatForm(nil, wed)
	if _, repeats, msg := none.rule(); repeats || msg != "" || none.Preset != presetNever {
		t.Errorf("a task without a rule: preset %q, repeats %v, %q", none.Preset, repeats, msg)
	}
}

// values is the form a browser sends of f.
func (f repeatForm) values() url.Values {
	v := url.Values{"repeat": {f.Preset}, "repeat_anchor": {f.AnchorValue()}, "repeat_interval": {f.Interval},
		"repeat_monthly": {f.Monthly}, "repeat_yearly": {f.Yearly}, "repeat_end": {f.End},
		"repeat_until": {f.Until}, "repeat_count": {f.Count}}
	for _, u := range f.Units() {
		if u.Selected {
			v.Set("repeat_unit", u.Value)
		}
	}
	for _, d := range f.WeekdayBoxes() {
		if d.Checked {
			v.Add("repeat_days", d.Value)
		}
	}
	if f.FromDone {
		v.Set("repeat_from", "completion")
	}
	return v
}

func TestRepeatPresetsReadTheDue(t *testing.T) {
	labels := func(f repeatForm) string {
		var out []string
		for _, o := range f.Presets() {
			out = append(out, o.Label)
		}
		return strings.Join(out, "; ")
	}
	for _, tt := range []struct {
		anchor task.Date
		want   string
	}{
		{date(2026, time.December, 16), "Never; Every day; Every weekday; Every week on Wed; Every month on the 16th; Every month on the 3rd Wednesday; Every year on 16 Dec; Custom…"},
		{date(2026, time.December, 25), "Never; Every day; Every weekday; Every week on Fri; Every month on the 25th; Every month on the 4th Friday; Every month on the last Friday; Every year on 25 Dec; Custom…"},
		{date(2026, time.December, 31), "Never; Every day; Every weekday; Every week on Thu; Every month on the 31st; Every month on the last Thursday; Every month on the last day; Every year on 31 Dec; Custom…"},
	} {
		if got := labels(newRepeatForm(nil, tt.anchor)); got != tt.want {
			t.Errorf("%s: presets\n%s\nwant\n%s", tt.anchor, got, tt.want)
		}
	}
	f := newRepeatForm(nil, date(2026, time.December, 16))
	f.Days = recur.On(time.Monday, time.Thursday)
	if got := f.Presets()[3].Label; got != "Every week on Mon, Thu" {
		t.Errorf("the weekly preset with Monday and Thursday checked says %q", got)
	}
	got := ""
	for _, c := range newRepeatForm(nil, date(2026, time.April, 30)).MonthChoices() {
		got += c.Label + "; "
	}
	if want := "On the 30th; On the last Thursday; On the last day; "; got != want {
		t.Errorf("the month's choices on 30 April: %q, want %q", got, want)
	}
}

// TestRepeatFollowsTheDue: choices that were the due's own day move with it; others stay.
func TestRepeatFollowsTheDue(t *testing.T) {
	wed, fri := date(2026, time.December, 16), date(2026, time.December, 25)
	follows := newRepeatForm(nil, wed)
	follows.Preset = presetCustom
	follows.Unit = recur.Monthly
	follows.Monthly = monthChoice(nthWeekdayRule(wed)) // the 3rd Wednesday
	follows.reanchor(fri)
	if follows.Days != recur.On(time.Friday) || follows.Monthly != "4 friday" || follows.Yearly != "12-25" {
		t.Errorf("moved to Friday 25th: days %v, monthly %q, yearly %q; want Friday, the 4th Friday, 25 Dec", follows.Days.List(), follows.Monthly, follows.Yearly)
	}
	kept := newRepeatForm(nil, wed)
	kept.Days, kept.Monthly, kept.Yearly = recur.On(time.Monday, time.Wednesday), "1", "1-1"
	kept.reanchor(fri)
	if kept.Days != recur.On(time.Monday, time.Wednesday) || kept.Monthly != "1" || kept.Yearly != "1-1" {
		t.Errorf("choices of other days changed: %v, %q, %q", kept.Days.List(), kept.Monthly, kept.Yearly)
	}
	last := newRepeatForm(nil, fri)
	last.Preset = "monthly-last"
	last.reanchor(wed)
	if last.Preset != "monthly-nth" {
		t.Errorf("the last Friday moved to the 16th is %q, want the 3rd Wednesday", last.Preset)
	}
}

func TestRepeatFormRefusals(t *testing.T) {
	wed := date(2026, time.December, 16)
	for _, tt := range []struct {
		name   string
		change func(*repeatForm)
		at     string
		says   string
	}{
		{"interval 0", func(f *repeatForm) { f.Preset, f.Interval = presetCustom, "0" }, "interval", "from 1 to 999"},
		{"interval 1000", func(f *repeatForm) { f.Preset, f.Interval = presetCustom, "1000" }, "interval", "from 1 to 999"},
		{"interval not a number", func(f *repeatForm) { f.Preset, f.Interval = presetCustom, "two" }, "interval", "from 1 to 999"},
		{"an unknown preset", func(f *repeatForm) { f.Preset = "hourly" }, "repeat", "Choose how the task repeats."},
		{"weekdays from completion", func(f *repeatForm) { f.Preset, f.FromDone = "weekdays", true }, "repeat", "cannot count from when the task was done"},
		{"a month day that is none", func(f *repeatForm) { f.Preset, f.Unit, f.Monthly = presetCustom, recur.Monthly, "32" }, "repeat", "Choose the day it repeats on."},
		{"30 February", func(f *repeatForm) { f.Preset, f.Unit, f.Yearly = presetCustom, recur.Yearly, "2-30" }, "repeat", "Choose the day it repeats on."},
		{"no last date", func(f *repeatForm) { f.Preset, f.End = "daily", endUntil }, "until", "Choose the last date"},
		{"a last date before the due", func(f *repeatForm) { f.Preset, f.End, f.Until = "daily", endUntil, "2026-12-15" }, "until", "on or after Wednesday 16 December 2026"},
		{"0 times", func(f *repeatForm) { f.Preset, f.End, f.Count = "daily", endCount, "0" }, "count", "from 1"},
		{"an unknown end", func(f *repeatForm) { f.Preset, f.End = "daily", "later" }, "repeat", "Choose when it ends."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newRepeatForm(nil, wed)
			tt.change(&f)
			_, repeats, msg := f.rule()
			if repeats || !strings.Contains(msg, tt.says) || f.At != tt.at {
				t.Errorf("repeats %v, at %q, says %q; want at %q, saying %q", repeats, f.At, msg, tt.at, tt.says)
			}
		})
	}
	// From completion, the days a preset or custom rule names are not kept.
	f := newRepeatForm(nil, wed)
	f.Preset, f.FromDone = "monthly-nth", true
	if r, _, msg := f.rule(); r != (recur.Rule{Freq: recur.Monthly, Interval: 1, Kind: recur.FromCompletion}) {
		t.Errorf("every month after completion: %s (%q)", r, msg)
	}
}
