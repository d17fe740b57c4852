package api

import (
	"context"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"todo/internal/apperr"
	"todo/internal/push"
	"todo/internal/remind"
)

// The reminders of /api/v2: a task's reminders, snoozing, the user's reminder settings, the
// browsers subscribed to Web Push, and the notifications that fired (which the open page polls
// for its in-page notifications).

// ReminderV2 is a reminder as v2 shows it.
type ReminderV2 struct {
	ID           uuid.UUID  `json:"id"`
	TaskID       uuid.UUID  `json:"task_id"`
	Kind         string     `json:"kind" enum:"due,before,at" doc:"due: at the task's due; before: some time before it; at: at an instant. An all-day due counts as 09:00 in your time zone."`
	Before       *string    `json:"before" doc:"For kind before: how long before the due (30m, 2h, 1d)"`
	At           *time.Time `json:"at" doc:"For kind at: when"`
	SnoozedUntil *time.Time `json:"snoozed_until" doc:"When a snoozed reminder fires again; null unless snoozed for later"`
	NextFireAt   *time.Time `json:"next_fire_at" doc:"When it fires next; null when it will not (no due, a past time, a completed task)"`
	CreatedAt    time.Time  `json:"created_at"`
}

func reminderV2(r remind.Scheduled, now time.Time) ReminderV2 {
	v := ReminderV2{ID: r.ID, TaskID: r.TaskID, Kind: r.Kind.String(), NextFireAt: r.Next, CreatedAt: r.CreatedAt}
	switch r.Kind {
	case remind.BeforeDue:
		before := remind.FormatOffset(r.Before)
		v.Before = &before
	case remind.AtTime:
		at := r.At
		v.At = &at
	}
	if r.SnoozedUntil != nil && r.SnoozedUntil.After(now) {
		v.SnoozedUntil = r.SnoozedUntil
	}
	return v
}

type (
	// ReminderPath is the path parameter of the routes of one reminder. (Exported for huma,
	// as TaskPath.)
	ReminderPath struct {
		ReminderID string `path:"reminder_id" format:"uuid" doc:"The reminder's id"`
	}
	reminderBody struct {
		Kind   string `json:"kind" enum:"due,before,at" doc:"due: at the task's due; before: some time before it; at: at an instant"`
		Before string `json:"before,omitempty" doc:"For kind before: 1m to 30d, as 30m, 2h or 1d" example:"30m"`
		At     string `json:"at,omitempty" format:"date-time" doc:"For kind at: an RFC 3339 instant" example:"2026-12-24T08:00:00Z"`
	}
	addReminderInput struct {
		TaskPath
		Body reminderBody
	}
	snoozeInput struct {
		ReminderPath
		Authorization string `header:"Authorization" doc:"Bearer <JWT>, unless the body carries the snooze token of a push notification"`
		Body          struct {
			For   string `json:"for" enum:"10m,1h,tomorrow" doc:"tomorrow is 09:00 tomorrow in your time zone"`
			Token string `json:"token,omitempty" maxLength:"1000" doc:"The snooze token of the push notification (its payload's snooze.token), in place of a bearer token; valid 12 hours, for that reminder only"`
		}
	}
	reminderOutput  struct{ Body ReminderV2 }
	remindersOutput struct {
		Body struct {
			Reminders []ReminderV2 `json:"reminders"`
		}
	}

	quietHours struct {
		Start string `json:"start" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" doc:"HH:MM in your time zone" example:"22:00"`
		End   string `json:"end" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" doc:"HH:MM in your time zone; before start, the next day" example:"07:00"`
	}
	quietOrNull quietHours
	channels    struct {
		Push   bool `json:"push" doc:"Web Push to every browser you subscribed"`
		Email  bool `json:"email" doc:"An email to your address"`
		InPage bool `json:"in_page" doc:"A notification in the open app (see /api/v2/notifications)"`
	}
	reminderSettings struct {
		Channels        channels    `json:"channels"`
		QuietHours      *quietHours `json:"quiet_hours" doc:"While they last, push and email wait for their end; null for none"`
		DefaultReminder *string     `json:"default_reminder" doc:"The reminder a task gets when given a timed due without reminders: 0m (at the due) to 30d before; null for none" example:"30m"`
	}
	reminderSettingsPatch struct {
		Channels *struct {
			Push   *bool `json:"push,omitempty"`
			Email  *bool `json:"email,omitempty"`
			InPage *bool `json:"in_page,omitempty"`
		} `json:"channels,omitempty"`
		QuietHours      *quietOrNull `json:"quiet_hours,omitempty" doc:"null removes them"`
		DefaultReminder *string      `json:"default_reminder,omitempty" doc:"null removes it"`
	}
	reminderSettingsInput struct {
		RawBody []byte
		Body    reminderSettingsPatch
	}
	reminderSettingsOutput struct{ Body reminderSettings }

	vapidKeyOutput struct {
		Body struct {
			Key string `json:"key" doc:"The server's VAPID public key (base64url): PushManager.subscribe's applicationServerKey"`
		}
	}
	subscriptionBody struct {
		Endpoint string `json:"endpoint" maxLength:"2048" doc:"PushSubscription.endpoint"`
		Keys     struct {
			P256dh string `json:"p256dh" maxLength:"200"`
			Auth   string `json:"auth" maxLength:"100"`
		} `json:"keys" doc:"PushSubscription.toJSON().keys"`
	}
	subscribeInput   struct{ Body subscriptionBody }
	subscribedOutput struct {
		Body struct {
			ID uuid.UUID `json:"id"`
		}
	}
	unsubscribeInput struct {
		Body struct {
			Endpoint string `json:"endpoint" maxLength:"2048"`
		}
	}

	notificationsInput struct {
		Since int64 `query:"since" minimum:"0" default:"0" doc:"The id of the last notification you have; 0 for the oldest"`
		Limit int   `query:"limit" minimum:"1" maximum:"100" default:"50"`
	}
	notificationV2 struct {
		ID         int64     `json:"id"`
		ReminderID uuid.UUID `json:"reminder_id"`
		TaskID     uuid.UUID `json:"task_id"`
		Title      string    `json:"title" doc:"The task's title now"`
		FireAt     time.Time `json:"fire_at" doc:"The reminder's time"`
		State      string    `json:"state" enum:"fired,missed" doc:"missed: no instance was running at its time, and it came back too late to send it"`
		CreatedAt  time.Time `json:"created_at"`
	}
	notificationsOutput struct {
		Body struct {
			Notifications []notificationV2 `json:"notifications"`
			Since         int64            `json:"since" doc:"Pass as since to get only newer ones"`
		}
	}
)

// Schema is quietHours', which may be null.
func (quietOrNull) Schema(r huma.Registry) *huma.Schema {
	s := *r.Schema(reflect.TypeFor[quietHours](), false, "QuietHours")
	s.Nullable = true
	return &s
}

func (p ReminderPath) id() uuid.UUID { return uuid.MustParse(p.ReminderID) } // validated by format:"uuid"

// TaskReminders is GET /api/v2/tasks/{task_id}/reminders.
func (a *API) TaskReminders() Endpoint {
	return endpoint(a.v2Op("list-reminders", "The reminders of a task", http.StatusOK, http.StatusNotFound), a.taskReminders)
}

// AddReminder is POST /api/v2/tasks/{task_id}/reminders.
func (a *API) AddReminder() Endpoint {
	return endpoint(a.v2Op("add-reminder", "Add a reminder to a task", http.StatusCreated, http.StatusNotFound), a.addReminder)
}

// DeleteReminder is DELETE /api/v2/reminders/{reminder_id}.
func (a *API) DeleteReminder() Endpoint {
	return endpoint(a.v2Op("delete-reminder", "Delete a reminder", http.StatusNoContent, http.StatusNotFound), a.deleteReminder)
}

// SnoozeReminder is POST /api/v2/reminders/{reminder_id}/snooze. It takes a bearer token, or
// instead the snooze token of the push notification, which the service worker sends from the
// notification's buttons: a worker holds no bearer token, and the snooze token, signed by the
// server, lets its holder snooze that one reminder for 12 hours and do nothing else.
func (a *API) SnoozeReminder() Endpoint {
	op := a.v2Op("snooze-reminder", "Snooze a reminder: it fires again in 10 minutes, an hour, or tomorrow at 09:00", http.StatusOK, http.StatusNotFound)
	op.Middlewares = nil
	op.Security = []map[string][]string{{"bearer": {}}, {}}
	return endpoint(op, a.snooze)
}

// GetReminderSettings is GET /api/v2/reminder-settings.
func (a *API) GetReminderSettings() Endpoint {
	return endpoint(a.v2Op("get-reminder-settings", "Your reminder settings", http.StatusOK), a.getReminderSettings)
}

// UpdateReminderSettings is PATCH /api/v2/reminder-settings.
func (a *API) UpdateReminderSettings() Endpoint {
	return endpoint(a.v2Op("update-reminder-settings", "Change your reminder settings", http.StatusOK), a.updateReminderSettings)
}

// VAPIDPublicKey is GET /api/v2/push/vapid-public-key.
func (a *API) VAPIDPublicKey() Endpoint {
	return endpoint(a.v2Op("vapid-public-key", "The key browsers subscribe to push with", http.StatusOK, http.StatusNotFound), a.vapidKey)
}

// Subscribe is POST /api/v2/push/subscriptions.
func (a *API) Subscribe() Endpoint {
	return endpoint(a.v2Op("push-subscribe", "Send reminders to this browser by Web Push", http.StatusCreated, http.StatusNotFound), a.subscribe)
}

// Unsubscribe is DELETE /api/v2/push/subscriptions.
func (a *API) Unsubscribe() Endpoint {
	return endpoint(a.v2Op("push-unsubscribe", "Stop sending reminders to a browser", http.StatusNoContent, http.StatusNotFound), a.unsubscribe)
}

// Notifications is GET /api/v2/notifications.
func (a *API) Notifications() Endpoint {
	return endpoint(a.v2Op("list-notifications", "Reminders that fired or were missed, oldest first: poll with since for new ones", http.StatusOK), a.notifications)
}

func (a *API) scheduledOut(list []remind.Scheduled) *remindersOutput {
	out := &remindersOutput{}
	out.Body.Reminders = make([]ReminderV2, len(list))
	now := time.Now()
	for i, r := range list {
		out.Body.Reminders[i] = reminderV2(r, now)
	}
	return out
}

func (a *API) taskReminders(ctx context.Context, in *getV2Input) (*remindersOutput, error) {
	list, err := a.reminders.Reminders(ctx, userID(ctx), in.id())
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	return a.scheduledOut(list), nil
}

func (a *API) addReminder(ctx context.Context, in *addReminderInput) (*reminderOutput, error) {
	b := in.Body
	inputs := map[string]any{"kind": b.Kind, "before": b.Before, "at": b.At}
	kind, _ := remind.ParseKind(b.Kind) // validated by the enum
	d := remind.Draft{Kind: kind}
	if b.Before != "" {
		before, ok := remind.ParseOffset(b.Before)
		if !ok {
			return nil, a.problem(ctx, apperr.Invalidf("before", "%s", "must be minutes, hours or days up to 30d, as 30m, 2h or 1d"), "body", inputs)
		}
		d.Before = before
	}
	if b.At != "" {
		at, err := time.Parse(time.RFC3339, b.At)
		if err != nil {
			return nil, a.problem(ctx, apperr.Invalidf("at", "%s", "must be an RFC 3339 instant such as 2026-12-24T08:00:00Z"), "body", inputs)
		}
		d.At = at
	}
	r, err := a.reminders.Add(ctx, userID(ctx), in.id(), d)
	if err != nil {
		return nil, a.problem(ctx, err, "body", inputs)
	}
	return &reminderOutput{Body: reminderV2(r, time.Now())}, nil
}

func (a *API) deleteReminder(ctx context.Context, in *ReminderPath) (*noContentOutput, error) {
	if err := a.reminders.Delete(ctx, userID(ctx), in.id()); err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	return &noContentOutput{}, nil
}

func (a *API) snooze(ctx context.Context, in *snoozeInput) (*reminderOutput, error) {
	d := remind.Snooze(in.Body.For) // validated by the enum
	var (
		r   remind.Scheduled
		err error
	)
	if in.Body.Token != "" {
		r, err = a.reminders.SnoozeWithToken(ctx, in.Body.Token, in.id(), d)
	} else {
		id, refusal := a.bearer.Authenticate(ctx, in.Authorization)
		if refusal != nil {
			body := &ErrorBody{status: refusal.Err.Status(), Detail: refusal.Err.Message, headers: http.Header{}}
			if refusal.Challenge != "" {
				body.headers.Set("WWW-Authenticate", refusal.Challenge)
			}
			refusal.Err.SetHeaders(body.headers)
			return nil, body
		}
		r, err = a.reminders.Snooze(ctx, id, in.id(), d)
	}
	if err != nil {
		return nil, a.problem(ctx, err, "body", map[string]any{"for": in.Body.For})
	}
	return &reminderOutput{Body: reminderV2(r, time.Now())}, nil
}

func reminderSettingsOf(s remind.Settings) *reminderSettingsOutput {
	out := &reminderSettingsOutput{Body: reminderSettings{Channels: channels{Push: s.Push, Email: s.Email, InPage: s.InPage}}}
	if q := s.Quiet; q != nil {
		out.Body.QuietHours = &quietHours{Start: remind.FormatClock(q.Start), End: remind.FormatClock(q.End)}
	}
	if d := s.DefaultBefore; d != nil {
		v := remind.FormatOffset(*d)
		out.Body.DefaultReminder = &v
	}
	return out
}

func (a *API) getReminderSettings(ctx context.Context, _ *struct{}) (*reminderSettingsOutput, error) {
	s, err := a.reminders.Settings(ctx, userID(ctx))
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	return reminderSettingsOf(s), nil
}

func (a *API) updateReminderSettings(ctx context.Context, in *reminderSettingsInput) (*reminderSettingsOutput, error) {
	b := in.Body
	inputs := map[string]any{"quiet_hours": b.QuietHours, "default_reminder": deref(b.DefaultReminder)}
	s, err := a.reminders.Settings(ctx, userID(ctx))
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	if c := b.Channels; c != nil {
		for _, f := range []struct {
			from *bool
			to   *bool
		}{{c.Push, &s.Push}, {c.Email, &s.Email}, {c.InPage, &s.InPage}} {
			if f.from != nil {
				*f.to = *f.from
			}
		}
	}
	switch {
	case isNull(in.RawBody, "quiet_hours"):
		s.Quiet = nil
	case b.QuietHours != nil:
		start, ok1 := remind.ParseClock(b.QuietHours.Start)
		end, ok2 := remind.ParseClock(b.QuietHours.End)
		if !ok1 || !ok2 {
			return nil, a.problem(ctx, apperr.Invalidf("quiet_hours", "%s", "start and end must be HH:MM"), "body", inputs)
		}
		s.Quiet = &remind.QuietHours{Start: start, End: end}
	}
	switch {
	case isNull(in.RawBody, "default_reminder"):
		s.DefaultBefore = nil
	case b.DefaultReminder != nil:
		d, ok := remind.ParseOffset(*b.DefaultReminder)
		if !ok {
			return nil, a.problem(ctx, apperr.Invalidf("default_reminder", "%s", "must be 0m to 30d before the due, as 0m, 30m, 2h or 1d"), "body", inputs)
		}
		s.DefaultBefore = &d
	}
	if err := a.reminders.SaveSettings(ctx, userID(ctx), s); err != nil {
		return nil, a.problem(ctx, err, "body", inputs)
	}
	return reminderSettingsOf(s), nil
}

func (a *API) vapidKey(ctx context.Context, _ *struct{}) (*vapidKeyOutput, error) {
	key, err := a.reminders.VAPIDPublicKey()
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	out := &vapidKeyOutput{}
	out.Body.Key = key
	return out, nil
}

func (a *API) subscribe(ctx context.Context, in *subscribeInput) (*subscribedOutput, error) {
	b := in.Body
	sub := push.Subscription{Endpoint: b.Endpoint, P256dh: b.Keys.P256dh, Auth: b.Keys.Auth}
	id, err := a.reminders.Subscribe(ctx, userID(ctx), sub)
	if err != nil {
		return nil, a.problem(ctx, err, "body", map[string]any{"endpoint": b.Endpoint, "p256dh": b.Keys.P256dh, "auth": b.Keys.Auth})
	}
	out := &subscribedOutput{}
	out.Body.ID = id
	return out, nil
}

func (a *API) unsubscribe(ctx context.Context, in *unsubscribeInput) (*noContentOutput, error) {
	if err := a.reminders.Unsubscribe(ctx, userID(ctx), in.Body.Endpoint); err != nil {
		return nil, a.problem(ctx, err, "body", map[string]any{"endpoint": in.Body.Endpoint})
	}
	return &noContentOutput{}, nil
}

func (a *API) notifications(ctx context.Context, in *notificationsInput) (*notificationsOutput, error) {
	list, err := a.reminders.Notifications(ctx, userID(ctx), in.Since, in.Limit)
	if err != nil {
		return nil, a.problem(ctx, err, "query", map[string]any{"since": in.Since, "limit": in.Limit})
	}
	out := &notificationsOutput{}
	out.Body.Notifications = make([]notificationV2, len(list))
	out.Body.Since = in.Since
	for i, n := range list {
		out.Body.Notifications[i] = notificationV2{ID: n.ID, ReminderID: n.ReminderID, TaskID: n.TaskID, Title: n.TaskTitle,
			FireAt: n.FireAt, State: n.State.String(), CreatedAt: n.CreatedAt}
		out.Body.Since = n.ID
	}
	return out, nil
}
