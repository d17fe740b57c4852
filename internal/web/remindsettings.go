package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"todo/internal/apperr"
	"todo/internal/auth"
	"todo/internal/push"
	"todo/internal/remind"
)

// reminderSettingsView is the settings page's reminders: how they reach the user, the quiet
// hours, the reminder a timed due gets, and this browser's notifications.
type reminderSettingsView struct {
	Offered             bool // the server has reminders
	Push, Email, InPage bool
	Quiet               bool
	QuietStart          string // HH:MM
	QuietEnd            string
	Default             string // an offset as remind writes it (30m), "" for none
	// PushKey is the server's VAPID public key, which the browser subscribes with; "" when the
	// server sends no push.
	PushKey    string
	MailOff    bool // the server cannot send email
	QuietError string
	// DefaultError says why the default reminder was refused.
	DefaultError string
}

// defaultReminders are the choices of the default reminder, besides none.
var defaultReminders = []time.Duration{0, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 24 * time.Hour}

// Defaults are the choices of the default reminder: none, at the due, some time before, and
// the one saved.
func (v reminderSettingsView) Defaults() []option {
	out := []option{{Value: "", Label: "None", Selected: v.Default == ""}}
	found := v.Default == ""
	add := func(d time.Duration) {
		value := remind.FormatOffset(d)
		label := "At the due time"
		if d > 0 {
			label = strings.ToUpper(beforeWords(d)[:1]) + beforeWords(d)[1:] + " the due"
		}
		found = found || value == v.Default
		out = append(out, option{Value: value, Label: label, Selected: value == v.Default})
	}
	for _, d := range defaultReminders {
		add(d)
	}
	if saved, ok := remind.ParseOffset(v.Default); ok && !found {
		add(saved)
	}
	return out
}

// reminderSettings reads the user's reminder settings for the settings page.
func (ui *UI) reminderSettings(ctx context.Context, userID string) (reminderSettingsView, error) {
	if ui.Reminders == nil {
		return reminderSettingsView{}, nil
	}
	st, err := ui.Reminders.Settings(ctx, userID)
	if err != nil {
		return reminderSettingsView{}, err
	}
	v := reminderSettingsView{Offered: true, Push: st.Push, Email: st.Email, InPage: st.InPage,
		QuietStart: "22:00", QuietEnd: "07:00", MailOff: !ui.auth.EmailFeatures().Mail}
	if q := st.Quiet; q != nil {
		v.Quiet, v.QuietStart, v.QuietEnd = true, remind.FormatClock(q.Start), remind.FormatClock(q.End)
	}
	if d := st.DefaultBefore; d != nil {
		v.Default = remind.FormatOffset(*d)
	}
	key, err := ui.Reminders.VAPIDPublicKey()
	if err != nil && !errors.Is(err, remind.ErrPushOff) {
		return v, err
	}
	v.PushKey = key
	return v, nil
}

// SaveReminderSettings serves POST /settings/reminders: the channels, the quiet hours and the
// default reminder. What cannot be read comes back next to its field, and nothing is saved.
func (ui *UI) SaveReminderSettings() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		if ui.Reminders == nil {
			http.NotFound(w, r)
			return
		}
		prefs, err := ui.tasks.Prefs(r.Context(), a.User.ID)
		var v prefsView
		if err == nil {
			v, err = ui.settingsView(r.Context(), a, prefs)
		}
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		f := r.PostForm
		rv := &v.Reminders
		rv.Push, rv.Email, rv.InPage, rv.Quiet = f.Get("push") != "", f.Get("email") != "", f.Get("in_page") != "", f.Get("quiet") != ""
		rv.QuietStart, rv.QuietEnd, rv.Default = strings.TrimSpace(f.Get("quiet_start")), strings.TrimSpace(f.Get("quiet_end")), f.Get("default_reminder")
		st := remind.Settings{Push: rv.Push, Email: rv.Email, InPage: rv.InPage}
		if rv.Quiet {
			start, ok1 := remind.ParseClock(rv.QuietStart)
			end, ok2 := remind.ParseClock(rv.QuietEnd)
			if ok1 && ok2 {
				st.Quiet = &remind.QuietHours{Start: start, End: end}
			} else {
				rv.QuietError = "Quiet hours start and end at times of day, like 22:00 and 07:00."
			}
		}
		if rv.Default != "" {
			d, ok := remind.ParseOffset(rv.Default)
			if ok {
				st.DefaultBefore = &d
			} else {
				rv.DefaultError = "Choose a default reminder from the list."
			}
		}
		if rv.QuietError == "" && rv.DefaultError == "" {
			err = ui.Reminders.SaveSettings(r.Context(), a.User.ID, st)
			if e, ok := errors.AsType[*apperr.Error](err); ok && e.Kind == apperr.Invalid && len(e.Fields) > 0 {
				if e.Fields[0].Name == "quiet_hours" {
					rv.QuietError = "Quiet hours " + e.Fields[0].Message + "."
				} else {
					rv.DefaultError = "The default reminder " + e.Fields[0].Message + "."
				}
				err = nil
			}
			if err != nil {
				ui.fail(w, r, err)
				return
			}
		}
		if rv.QuietError != "" || rv.DefaultError != "" {
			ui.page(w, r, http.StatusUnprocessableEntity, "prefs", v)
			return
		}
		http.Redirect(w, r, "/settings?saved=reminders#reminders", http.StatusSeeOther)
	})
}

// SubscribePush serves POST /settings/push (endpoint, p256dh, auth): the push subscription of
// this browser, which app.js made with the server's key, so that reminders reach it. It
// answers 204; a subscription that cannot be used is a 422.
func (ui *UI) SubscribePush() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		if ui.Reminders == nil {
			http.NotFound(w, r)
			return
		}
		f := r.PostForm
		sub := push.Subscription{Endpoint: f.Get("endpoint"), P256dh: f.Get("p256dh"), Auth: f.Get("auth")}
		if _, err := ui.Reminders.Subscribe(r.Context(), a.User.ID, sub); err != nil {
			ui.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// UnsubscribePush serves POST /settings/push/delete (endpoint): reminders stop reaching this
// browser. An endpoint the user has not subscribed counts as stopped.
func (ui *UI) UnsubscribePush() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		if ui.Reminders == nil {
			http.NotFound(w, r)
			return
		}
		err := ui.Reminders.Unsubscribe(r.Context(), a.User.ID, r.PostForm.Get("endpoint"))
		if err != nil && !errors.Is(err, remind.ErrSubscriptionNotFound) {
			ui.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
