package remind

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"todo/internal/mail"
	"todo/internal/push"
	"todo/internal/task"
)

// An occurrence goes through three kinds of job. remind.fire, at the occurrence's time,
// checks that it still stands, records it (fired, or missed past the window) and stores the
// deliveries in the same transaction: remind.push for each of the user's browsers and
// remind.email, each at once or at the end of the user's quiet hours. Each delivery is retried
// on its own, and checks again that the task is still open when it runs.

// fireArgs is the job of one occurrence. Its arguments are its identity (River's unique jobs
// by arguments): however many instances or changes schedule the same reminder at the same
// time, it is stored once, and the notification's (reminder_id, fire_at) key records it once.
type fireArgs struct {
	ReminderID uuid.UUID `json:"reminder_id"`
	UserID     string    `json:"user_id"`
	FireAt     time.Time `json:"fire_at"`
}

func (fireArgs) Kind() string { return "remind.fire" }

// firePriority puts occurrences after River's first priority, the other jobs': when many
// fire at once (10,000 at 09:00), the deliveries of those fired go before the occurrences
// still to fire, so that the first reach their users at once instead of after the last has
// fired, and other jobs (mail) wait for none of them.
const firePriority = 2

// insertFire stores, within tx, the job that fires r at at.
func (s *Service) insertFire(ctx context.Context, tx *sql.Tx, r Reminder, at time.Time) error {
	at = fireTime(at)
	return s.jobs.InsertTx(ctx, tx, fireArgs{ReminderID: r.ID, UserID: r.UserID, FireAt: at},
		&river.InsertOpts{ScheduledAt: at, Priority: firePriority, UniqueOpts: river.UniqueOpts{ByArgs: true}})
}

type fireWorker struct {
	river.WorkerDefaults[fireArgs]
	s *Service
}

func (w *fireWorker) Work(ctx context.Context, job *river.Job[fireArgs]) error {
	return w.s.fire(ctx, job.Args)
}

// fire does what an occurrence's job does when it runs.
func (s *Service) fire(ctx context.Context, a fireArgs) error {
	f, err := s.store.firing(ctx, a.UserID, a.ReminderID)
	if errors.Is(err, ErrNotFound) {
		return nil // deleted, or its task was
	}
	if err != nil {
		return err
	}
	if f.task.Completed || !f.firesAt(a.FireAt, f.task.Due, f.loc) {
		return nil // done, or the due moved or the reminder was snoozed again: another job has its time
	}
	now := s.now()
	n := Notification{ReminderID: f.ID, TaskID: f.TaskID, FireAt: a.FireAt, State: Fired, CreatedAt: fireTime(now)}
	if late := now.Sub(a.FireAt); late > s.window {
		n.State = Missed
		s.log.WarnContext(ctx, "reminder missed: no instance was running at its time", "reminder_id", f.ID, "fire_at", a.FireAt, "late", late.Round(time.Second))
	}
	var subs []uuid.UUID
	if n.State == Fired && f.settings.Push && s.push != nil {
		if subs, err = s.store.subscriptionIDs(ctx, s.store.read, a.UserID); err != nil {
			return err
		}
	}
	deliverAt := now
	if f.settings.Quiet != nil {
		deliverAt = f.settings.Quiet.Until(now, f.loc)
	}
	return s.store.inTx(ctx, func(tx *sql.Tx) error {
		id, recorded, err := s.store.recordNotification(ctx, tx, n, a.UserID)
		if err != nil || !recorded || n.State == Missed {
			return err
		}
		d := delivery{NotificationID: id, ReminderID: f.ID, TaskID: f.TaskID, UserID: a.UserID, FireAt: a.FireAt}
		opts := &river.InsertOpts{MaxAttempts: deliveryAttempts}
		if deliverAt.After(now) {
			opts.ScheduledAt = deliverAt
		}
		deliveries := make([]river.InsertManyParams, 0, len(subs)+1)
		for _, sub := range subs {
			deliveries = append(deliveries, river.InsertManyParams{Args: pushArgs{delivery: d, SubscriptionID: sub}, InsertOpts: opts})
		}
		if f.settings.Email && s.mail.Enabled() {
			deliveries = append(deliveries, river.InsertManyParams{Args: emailArgs{d}, InsertOpts: opts})
		}
		if len(deliveries) == 0 {
			return nil
		}
		_, err = s.jobs.InsertManyTx(ctx, tx, deliveries)
		return err
	})
}

// deliveryAttempts bounds the tries of one delivery: with the retry backoff doubling from a
// second, about 17 minutes; a reminder much later than that would no longer help.
const deliveryAttempts = 10

// delivery is what a delivery job knows of its occurrence.
type delivery struct {
	NotificationID int64     `json:"notification_id"`
	ReminderID     uuid.UUID `json:"reminder_id"`
	TaskID         uuid.UUID `json:"task_id"`
	UserID         string    `json:"user_id"`
	FireAt         time.Time `json:"fire_at"`
}

// openTask is the delivery's task while it is still open; false when it has been completed or
// deleted since the reminder fired (during quiet hours, say), and there is nothing to send.
func (s *Service) openTask(ctx context.Context, d delivery) (task.Task, bool, error) {
	t, err := s.tasks.Get(ctx, d.UserID, d.TaskID)
	if errors.Is(err, task.ErrNotFound) {
		return t, false, nil
	}
	return t, err == nil && !t.Completed, err
}

type pushArgs struct {
	delivery
	SubscriptionID uuid.UUID `json:"subscription_id"`
}

func (pushArgs) Kind() string { return "remind.push" }

type pushWorker struct {
	river.WorkerDefaults[pushArgs]
	s *Service
}

// pushTTL is how long a push service keeps a reminder for a browser that is offline.
const pushTTL = 12 * time.Hour

func (w *pushWorker) Work(ctx context.Context, job *river.Job[pushArgs]) error {
	s, a := w.s, job.Args
	if s.push == nil {
		return nil
	}
	d, ok, err := s.store.sending(ctx, a.UserID, a.SubscriptionID, a.TaskID)
	if err != nil || !ok || d.task.Completed {
		return err // nothing to send when the subscription or the task is gone, or it is done
	}
	payload, err := json.Marshal(s.payload(a.delivery, d.task, d.loc))
	if err != nil {
		return err
	}
	err = s.push.Send(ctx, d.sub, push.Message{Payload: payload, TTL: pushTTL, Topic: strings.ReplaceAll(a.ReminderID.String(), "-", "")})
	var refused *push.RefusedError
	switch {
	case errors.Is(err, push.ErrGone):
		s.log.InfoContext(ctx, "push subscription gone: forgotten", "subscription_id", a.SubscriptionID)
		return s.store.forgetSubscription(ctx, a.UserID, a.SubscriptionID)
	case errors.As(err, &refused):
		return river.JobCancel(err)
	}
	return err
}

// Payload is what a push message carries to the service worker: what to show, where the
// task is, and how to snooze without a session (POST snooze.url with {"for": one of
// snooze.options, "token": snooze.token}).
type Payload struct {
	Type           string    `json:"type"` // "reminder"
	NotificationID int64     `json:"notification_id"`
	ReminderID     uuid.UUID `json:"reminder_id"`
	TaskID         uuid.UUID `json:"task_id"`
	Title          string    `json:"title"`
	Body           string    `json:"body"`
	URL            string    `json:"url"`
	FireAt         time.Time `json:"fire_at"`
	Snooze         struct {
		URL     string   `json:"url"`
		Token   string   `json:"token"`
		Options []Snooze `json:"options"`
	} `json:"snooze"`
}

func (s *Service) payload(d delivery, t task.Task, loc *time.Location) Payload {
	p := Payload{Type: "reminder", NotificationID: d.NotificationID, ReminderID: d.ReminderID, TaskID: t.ID,
		Title: t.Title, Body: describeDue(t.Due, loc), URL: s.link("/tasks/" + t.ID.String()), FireAt: d.FireAt}
	p.Snooze.URL = s.link("/api/v2/reminders/" + d.ReminderID.String() + "/snooze")
	p.Snooze.Token = s.tokens.sign(Reminder{ID: d.ReminderID, UserID: d.UserID}, s.now())
	p.Snooze.Options = []Snooze{Snooze10m, Snooze1h, SnoozeTomorrow}
	return p
}

func (s *Service) link(path string) string {
	return strings.TrimSuffix(s.base.String(), "/") + path
}

// describeDue says when the task is due, in the user's zone.
func describeDue(d *task.Due, loc *time.Location) string {
	switch {
	case d == nil:
		return "No due date"
	case d.AllDay():
		return "Due " + d.Date.In(time.UTC).Format("Mon 2 Jan 2006")
	}
	return "Due " + d.At.In(loc).Format("Mon 2 Jan 2006 at 15:04 (MST)")
}

type emailArgs struct{ delivery }

func (emailArgs) Kind() string { return "remind.email" }

type emailWorker struct {
	river.WorkerDefaults[emailArgs]
	s *Service
}

func (w *emailWorker) Work(ctx context.Context, job *river.Job[emailArgs]) error {
	s, a := w.s, job.Args
	t, open, err := s.openTask(ctx, a.delivery)
	if err != nil || !open {
		return err
	}
	to, known, err := s.store.userEmail(ctx, a.UserID)
	if err != nil || !known {
		return err
	}
	loc, err := s.zone(ctx, a.UserID)
	if err != nil {
		return err
	}
	m, err := s.message(to, t, loc)
	if err != nil {
		return err
	}
	err = s.mail.Send(ctx, m)
	if errors.Is(err, mail.ErrDisabled) {
		return nil // mail was turned off since the reminder fired
	}
	return err
}

// subjectLine is a title as one line of a subject.
func subjectLine(title string) string {
	return strings.Join(strings.FieldsFunc(title, func(r rune) bool { return r < 0x20 || r == 0x7f }), " ")
}

func (s *Service) message(to string, t task.Task, loc *time.Location) (mail.Message, error) {
	v := emailView{Title: t.Title, Due: describeDue(t.Due, loc), Link: s.link("/tasks/" + t.ID.String()), Settings: s.link("/account")}
	var text, html strings.Builder
	if err := emailText.Execute(&text, v); err != nil {
		return mail.Message{}, err
	}
	if err := emailHTML.Execute(&html, v); err != nil {
		return mail.Message{}, err
	}
	return mail.Message{To: to, Subject: fmt.Sprintf("Reminder: %s", subjectLine(t.Title)), Text: text.String(), HTML: html.String()}, nil
}
