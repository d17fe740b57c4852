package web_test

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/recur"
)

// repeatOf is the rule of the task as the v2 API reads it back ("" for none), and its due date.
func repeatOf(t *testing.T, srv *apptest.Server, u apptest.User, id string) (rule, due string) {
	t.Helper()
	var got struct {
		Repeat *struct{ Rule string }
		Due    *struct{ Date string }
	}
	res := srv.Do(t, http.MethodGet, "/api/v2/tasks/"+id, u.Token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("get task: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &got)
	if got.Repeat != nil {
		rule = got.Repeat.Rule
	}
	if got.Due != nil {
		due = got.Due.Date
	}
	return rule, due
}

// shownRepeatParts are the parts of the open edit form's Repeat control that are shown, by
// the names of their data-repeat-show.
func (p *page) shownRepeatParts() []string {
	p.t.Helper()
	return evaluate[[]string](p, `Array.from(document.querySelectorAll(".task.is-editing [data-repeat-show]")).filter(e => e.checkVisibility()).map(e => e.dataset.repeatShow)`)
}

// repeatPreset is the label of an option of the open edit form's Repeat menu.
func (p *page) repeatPreset(value string) string {
	p.t.Helper()
	return p.text(`.task.is-editing select[name=repeat] option[value="` + value + `"]`)
}

func TestRepeatingTasks(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "repeat@example.com")
	day := atNoon(t, srv, u)
	id := createTask(t, srv, u, map[string]any{"title": "Water the plants", "due": day.due(0)})
	p := signedInAs(t, srv, u, nil)
	p.listShows("Water the plants")
	edit := func() {
		t.Helper()
		p.click(p.taskButton("Edit", "Water the plants"))
		p.waitFor("the edit form", `!!document.querySelector(".task.is-editing [data-repeat]")`)
	}
	save := func() {
		t.Helper()
		p.clickRole("button", "Save")
		p.waitFor("the saved task", `!document.querySelector(".task.is-editing")`)
	}
	box := func(d time.Weekday) axNode {
		t.Helper()
		return p.the(".task.is-editing", "checkbox", named(d.String()), "the box of "+d.String())
	}
	today, tomorrow := day.today, day.today.AddDate(0, 0, 1)
	other := (today.Weekday() + 2) % 7

	// The presets read the due; only the menu shows until one is chosen.
	edit()
	if got, want := p.repeatPreset("weekly"), "Every week on "+today.Weekday().String()[:3]; got != want {
		t.Errorf("the weekly preset says %q, want %q", got, want)
	}
	if got, want := p.repeatPreset("monthly"), monthlyOn(today.Day()); got != want {
		t.Errorf("the monthly preset says %q, want %q", got, want)
	}
	if got := p.shownRepeatParts(); len(got) != 0 {
		t.Errorf("with Never chosen, the control shows %q", got)
	}

	// Every week on the due's weekday and one more.
	p.choose(".task.is-editing", "Repeat", "weekly")
	p.waitFor("the weekdays", `!document.querySelector(".task.is-editing [data-repeat-show~=weekly]").hidden`)
	if got, want := p.shownRepeatParts(), []string{"weekly custom-week", "rule", "rule"}; !reflect.DeepEqual(got, want) {
		t.Errorf("weekly shows %q, want %q", got, want)
	}
	if box(today.Weekday()).Checked != "true" || box(other).Checked != "false" {
		t.Errorf("the due's weekday, and only it, should be checked")
	}
	p.click(box(other))
	save()
	weekly := recur.Rule{Freq: recur.Weekly, Interval: 1, Days: recur.On(today.Weekday(), other)}
	if got, want := p.chips("Water the plants"), []string{"Today", weekly.Describe()}; !reflect.DeepEqual(got, want) {
		t.Errorf("the task's chips %q, want %q", got, want)
	}
	if rule, _ := repeatOf(t, srv, u, id); rule != weekly.String() {
		t.Errorf("stored rule %q, want %q", rule, weekly)
	}

	// A weekday on the due's day moves with the due; the presets read the new date.
	edit()
	if got := evaluate[string](p, `document.querySelector(".task.is-editing select[name=repeat]").value`); got != "weekly" {
		t.Errorf("the saved rule shows as %q, want the weekly preset", got)
	}
	p.click(box(other))
	p.do(evaluateVoid(`(function(){const d = document.querySelector(".task.is-editing input[name=due_date]");
		d.value = ` + strconv.Quote(day.date(1)) + `; d.dispatchEvent(new Event("change", {bubbles: true}))})()`))
	p.waitFor("the presets of the new date", `document.querySelector('.task.is-editing select[name=repeat] option[value="monthly"]').textContent === `+strconv.Quote(monthlyOn(tomorrow.Day())))
	if box(tomorrow.Weekday()).Checked != "true" || box(today.Weekday()).Checked != "false" {
		t.Errorf("after the due moved a day on, the checked weekday should have too")
	}
	if got := p.repeatPreset("weekly"); got != "Every week on "+tomorrow.Weekday().String()[:3] {
		t.Errorf("the weekly preset says %q after the due moved", got)
	}
	save()
	if got, want := p.chips("Water the plants"), []string{"Tomorrow", "Every week on " + tomorrow.Weekday().String()[:3]}; !reflect.DeepEqual(got, want) {
		t.Errorf("the task's chips %q, want %q", got, want)
	}

	// Custom: a refused interval is said next to it, with the cursor in it; nothing is saved.
	edit()
	p.choose(".task.is-editing", "Repeat", "custom")
	p.waitFor("the custom rule", `!document.querySelector(".task.is-editing [data-repeat-show=custom]").hidden`)
	interval := func() axNode { return p.the(".task.is-editing", "spinbutton", named("Every"), "Every") }
	p.fill(interval(), "0")
	p.clickRole("button", "Save")
	p.waitFor("the error", `!!document.querySelector(".task.is-editing .field-error")`)
	if got := p.text(".task.is-editing .field-error"); got != "Choose every how many, a whole number from 1 to 999." {
		t.Errorf("the error says %q", got)
	}
	p.focusLands("after the refusal", "the interval", idIs("edit-repeat-interval-"+id))
	if rule, _ := repeatOf(t, srv, u, id); rule != "RRULE:FREQ=WEEKLY;BYDAY="+recurDay(tomorrow.Weekday()) {
		t.Errorf("after the refusal, the rule is %q", rule)
	}
	// Every 3 days from when it was done, 5 times.
	p.fill(interval(), "3")
	p.choose(".task.is-editing", "Unit", "day")
	p.click(p.the(".task.is-editing", "checkbox", named("Count from when it was done"), "the kind"))
	p.fill(p.the(".task.is-editing", "spinbutton", named("Number of times"), "the count"), "5")
	if got := p.the(".task.is-editing", "radio", named("After a number of times"), "the count's end").Checked; got != "true" {
		t.Errorf("typing a count leaves its end unchosen")
	}
	save()
	if got, want := p.chips("Water the plants"), []string{"Tomorrow", "Every 3 days after completion, 5 times"}; !reflect.DeepEqual(got, want) {
		t.Errorf("the task's chips %q, want %q", got, want)
	}

	// Done twice: it moves on each time, and the edit form lists when it was done.
	for range 2 {
		p.click(p.checkbox("Water the plants"))
		p.waitFor("the next due", `Array.from(document.querySelectorAll("#tasks .chip-due")).some(c => c.textContent.trim() === `+strconv.Quote(day.name(3))+`)`)
		p.settled()
	}
	edit()
	if got := p.text(".task.is-editing .history-heading"); got != "Done 2 times" {
		t.Errorf("history heading %q", got)
	}
	history := evaluate[[]string](p, `Array.from(document.querySelectorAll(".task.is-editing .history-list li")).map(e => e.textContent)`)
	if want := []string{day.heading(0) + ", due " + day.heading(3), day.heading(0) + ", due " + day.heading(1)}; !reflect.DeepEqual(history, want) {
		t.Errorf("history %q, want %q", history, want)
	}

	// Never: the task stops repeating.
	p.choose(".task.is-editing", "Repeat", "never")
	p.waitFor("the control to fold", `document.querySelectorAll(".task.is-editing [data-repeat-show]:not([hidden])").length === 0`)
	save()
	if got, want := p.chips("Water the plants"), []string{day.name(3)}; !reflect.DeepEqual(got, want) {
		t.Errorf("the task's chips %q, want %q", got, want)
	}
	if rule, _ := repeatOf(t, srv, u, id); rule != "" {
		t.Errorf("stored rule %q, want none", rule)
	}
	p.samePage()
}

// monthlyOn is the monthly preset of a due on the day.
func monthlyOn(day int) string {
	return recur.Rule{Freq: recur.Monthly, Interval: 1, MonthDay: day}.Describe()
}

func recurDay(d time.Weekday) string { return strings.ToUpper(d.String()[:2]) }

// TestRepeatWithoutJavaScript: the whole control shows, and the server reads the parts the
// chosen preset uses.
func TestRepeatWithoutJavaScript(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "repeat-plain@example.com")
	day := atNoon(t, srv, u)
	id := createTask(t, srv, u, map[string]any{"title": "Stand-up", "due": map[string]string{"date": day.date(1), "time": "09:30"}})
	p := signedInAs(t, srv, u, nil, withoutJavaScript)
	edit := func() {
		t.Helper()
		p.click(p.taskButton("Edit", "Stand-up"))
		p.waitFor("the edit page", `location.pathname.endsWith("/edit") && !!document.querySelector(".task.is-editing [data-repeat]")`)
	}

	edit()
	if got := evaluate[int](p, `document.querySelectorAll(".task.is-editing [data-repeat-show][hidden]").length`); got != 0 {
		t.Errorf("%d parts of the control are hidden without JavaScript", got)
	}
	p.choose(".task.is-editing", "Repeat", "weekdays")
	p.clickRole("button", "Save")
	p.waitFor("the list", `location.pathname === "/" && !document.querySelector(".task.is-editing")`)
	if got, want := p.chips("Stand-up"), []string{"Tomorrow 09:30", "Every weekday"}; !reflect.DeepEqual(got, want) {
		t.Errorf("the task's chips %q, want %q", got, want)
	}

	// Custom, every 2 weeks on the same days, until a date; a date before the due is refused.
	edit()
	p.choose(".task.is-editing", "Repeat", "custom")
	p.fill(p.the(".task.is-editing", "spinbutton", named("Every"), "Every"), "2")
	p.click(p.the(".task.is-editing", "radio", named("On a date"), "the date's end"))
	p.do(evaluateVoid(`document.querySelector(".task.is-editing input[name=repeat_until]").value = ` + strconv.Quote(day.date(0))))
	p.clickRole("button", "Save")
	p.waitFor("the error", `!!document.querySelector(".task.is-editing .field-error")`)
	if got, want := p.text(".task.is-editing .field-error"), "The last date must be on or after "+tomorrowFull(day)+", when it is first due."; got != want {
		t.Errorf("the error says %q, want %q", got, want)
	}
	p.do(evaluateVoid(`document.querySelector(".task.is-editing input[name=repeat_until]").value = ` + strconv.Quote(day.date(60))))
	p.clickRole("button", "Save")
	p.waitFor("the list", `location.pathname === "/" && !document.querySelector(".task.is-editing")`)
	want := recur.Rule{Freq: recur.Weekly, Interval: 2, Days: recur.WorkWeek}
	until, _ := time.Parse(time.DateOnly, day.date(60))
	if got := p.chips("Stand-up"); len(got) != 2 || got[1] != want.Describe()+" until "+until.Format("2 Jan 2006") {
		t.Errorf("the task's chips %q", got)
	}
	if rule, _ := repeatOf(t, srv, u, id); rule != "RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL="+until.Format("20060102")+";BYDAY=MO,TU,WE,TH,FR" {
		t.Errorf("stored rule %q", rule)
	}
}

func tomorrowFull(day planningDay) string {
	return day.today.AddDate(0, 0, 1).Format("Monday 2 January 2006")
}
