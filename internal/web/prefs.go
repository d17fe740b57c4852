package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"todo/internal/auth"
	"todo/internal/task"
)

// prefsView is the settings page: the user's time zone and first day of the week, their
// calendar feed and their reminders.
type prefsView struct {
	layoutView
	Zone      string
	WeekStart time.Weekday
	// Now is the user's date and time in their zone, to check the zone by.
	Now string
	// Done says what the last form did, for the line at the top of the page.
	Done      string
	ZoneError string
	WeekError string
	Feed      feedView
	Reminders reminderSettingsView
}

// What the settings page says after a form succeeded (its ?saved=).
var prefsDone = map[string]string{
	"1":            "Your settings are saved.",
	"calendar-off": "Your calendar feed is stopped: its URL no longer works.",
	"reminders":    "Your reminder settings are saved.",
}

// zoneGroup is the zones of one area (Europe, America…), an <optgroup> of the zone menu.
type zoneGroup struct {
	Area  string
	Zones []zoneOption
}

type zoneOption struct {
	Name, Label string
	Selected    bool
}

// Zones are the zone menu's choices by area, with the user's zone chosen, also when it is not
// one of zoneNames (an alias the browser reported at sign-up).
func (v prefsView) Zones() []zoneGroup {
	var groups []zoneGroup
	found := false
	for _, name := range zoneNames {
		area, city, ok := strings.Cut(name, "/")
		if !ok {
			area, city = "Universal", name
		}
		if len(groups) == 0 || groups[len(groups)-1].Area != area {
			groups = append(groups, zoneGroup{Area: area})
		}
		g := &groups[len(groups)-1]
		selected := name == v.Zone
		found = found || selected
		g.Zones = append(g.Zones, zoneOption{Name: name, Label: strings.NewReplacer("_", " ", "/", " / ").Replace(city), Selected: selected})
	}
	if !found {
		groups = append([]zoneGroup{{Area: "Yours", Zones: []zoneOption{{Name: v.Zone, Label: v.Zone, Selected: true}}}}, groups...)
	}
	return groups
}

// Weekdays are the choices of the first day of the week, Monday first.
func (prefsView) Weekdays() []time.Weekday {
	return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
}

// settingsView is the settings page of the user with prefs.
func (ui *UI) settingsView(ctx context.Context, a *auth.Authenticated, p task.Prefs) (prefsView, error) {
	now := ui.tasks.Now().In(p.TimeZone)
	v := prefsView{layoutView: layoutView{Title: "Settings", User: &a.User}, Zone: p.TimeZone.String(), WeekStart: p.WeekStart,
		Now: fullDate(task.DateOf(now)) + ", " + now.Format("15:04")}
	var err error
	if v.Feed, err = ui.feed(ctx, a.User.ID, p); err != nil {
		return v, err
	}
	v.Reminders, err = ui.reminderSettings(ctx, a.User.ID)
	return v, err
}

// SettingsPage serves GET /settings.
func (ui *UI) SettingsPage() http.Handler {
	return ui.withUser(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		p, err := ui.tasks.Prefs(r.Context(), a.User.ID)
		var v prefsView
		if err == nil {
			v, err = ui.settingsView(r.Context(), a, p)
		}
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		v.Done = prefsDone[r.URL.Query().Get("saved")]
		ui.page(w, r, http.StatusOK, "prefs", v)
	})
}

// SaveSettings serves POST /settings: the time zone (an IANA name) and the first day of the
// week. A value the service refuses comes back next to its field, and nothing is saved.
func (ui *UI) SaveSettings() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		saved, err := ui.tasks.Prefs(r.Context(), a.User.ID)
		var v prefsView
		if err == nil {
			v, err = ui.settingsView(r.Context(), a, saved)
		}
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		p := saved
		v.Zone = strings.TrimSpace(r.PostForm.Get("time_zone"))
		if p.TimeZone, err = task.LoadTimeZone(v.Zone); err != nil {
			v.ZoneError = "Choose a time zone from the list; " + quoted(v.Zone) + " is not one."
		}
		var ok bool
		if v.WeekStart, ok = parseWeekday(r.PostForm.Get("week_start")); !ok {
			v.WeekError = "Choose the day your week starts on."
		}
		p.WeekStart = v.WeekStart
		if v.ZoneError != "" || v.WeekError != "" {
			ui.page(w, r, http.StatusUnprocessableEntity, "prefs", v)
			return
		}
		if err := ui.tasks.SavePrefs(r.Context(), a.User.ID, p); err != nil {
			ui.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/settings?saved=1", http.StatusSeeOther)
	})
}

// parseWeekday reads a day's English name, in any case.
func parseWeekday(name string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(name, d.String()) {
			return d, true
		}
	}
	return task.DefaultPrefs.WeekStart, false
}

// keepBrowserZone makes the time zone that the sign-up page read from the browser the new
// user's (its time_zone field, which app.js fills in). A zone that is missing or unknown
// leaves the default, and a failure to save it only costs the user a visit to Settings, so
// neither stops the sign-up.
func (ui *UI) keepBrowserZone(r *http.Request, userID string) {
	name := r.PostForm.Get("time_zone")
	if name == "" {
		return
	}
	loc, err := task.LoadTimeZone(name)
	if err != nil {
		return
	}
	p := task.DefaultPrefs
	p.TimeZone = loc
	if err := ui.tasks.SavePrefs(r.Context(), userID, p); err != nil {
		ui.log.WarnContext(r.Context(), "sign-up: time zone not saved", "err", err)
	}
}
