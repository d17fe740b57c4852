package remind

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/url"
	"time"

	"github.com/google/uuid"

	"todo/internal/apperr"
	"todo/internal/database"
	"todo/internal/jobs"
	"todo/internal/mail"
	"todo/internal/push"
	"todo/internal/task"
)

// Config is what the environment says of reminders.
type Config struct {
	// MissedWindow (REMINDER_MISSED_WINDOW): an occurrence whose job runs later than this
	// after its time (no instance was running then) is recorded missed instead of sent.
	MissedWindow time.Duration
	// VAPIDSubject (VAPID_SUBJECT) is the contact push services see, a mailto: or https:
	// URL. Without it push is off in production; development uses DevelopmentSubject.
	VAPIDSubject string
	// Production: push needs VAPIDSubject, and posts to public addresses only.
	Production bool
	// ReconcileAfter is how long after a change of a task its intent (a remind.reconcile job)
	// waits for the change's observer to take it back before it moves the reminders itself; 0
	// is DefaultReconcileAfter. It must be well over the time a save takes: an intent that
	// runs before its change is saved finds nothing to do.
	ReconcileAfter time.Duration

	// withoutObserver leaves the observer of saved changes out, as a process does that dies
	// between a task's save and its observer (export_test.go).
	withoutObserver bool
}

// DefaultMissedWindow is MissedWindow's default.
const DefaultMissedWindow = time.Hour

// DefaultReconcileAfter is ReconcileAfter's default.
const DefaultReconcileAfter = time.Minute

// DevelopmentSubject is the VAPID subject in development without VAPID_SUBJECT.
const DevelopmentSubject = "mailto:admin@localhost"

// Deps are the parts of the app reminders work with.
type Deps struct {
	Tasks  *task.Service
	Jobs   *jobs.Client
	Mail   *mail.Outbox
	Secret string   // BETTER_AUTH_SECRET, from which the VAPID seal and snooze tokens derive
	Base   *url.URL // the app's public URL, for links in notifications
}

// Service is reminders: the API's operations, the observer of task changes that keeps each
// task's reminders scheduled, and the workers that fire and deliver them.
type Service struct {
	store  *store
	tasks  *task.Service
	jobs   *jobs.Client
	mail   *mail.Outbox
	push   *push.Client // nil: push is off
	vapid  push.Keys
	tokens tokens
	base   *url.URL
	window time.Duration
	// reconcileAfter and intents: see intent.go.
	reconcileAfter time.Duration
	intents        intents
	log            *slog.Logger
	now            func() time.Time
}

// New makes the service over db, registers its workers on deps.Jobs (before it starts) and
// its observer on deps.Tasks, and, when push is on, reads or makes the VAPID keys.
func New(ctx context.Context, db *database.DB, deps Deps, cfg Config, log *slog.Logger) (*Service, error) {
	log = log.With("component", "remind")
	s := &Service{
		store: newStore(db), tasks: deps.Tasks, jobs: deps.Jobs, mail: deps.Mail, base: deps.Base,
		tokens: tokens{derivedKey(deps.Secret, "snooze token")},
		window: cfg.MissedWindow, reconcileAfter: cfg.ReconcileAfter, log: log, now: time.Now,
	}
	if s.window <= 0 {
		s.window = DefaultMissedWindow
	}
	if s.reconcileAfter <= 0 {
		s.reconcileAfter = DefaultReconcileAfter
	}
	subject := cfg.VAPIDSubject
	if subject == "" && !cfg.Production {
		subject = DevelopmentSubject
	}
	if subject == "" {
		log.Warn("VAPID_SUBJECT is not set: Web Push is off (reminders go by email and to the open page)")
	} else {
		// A key sealed with another secret leaves push off, as the signing keys leave the
		// built-in auth off with AUTH_URL: the rest of the app still works, and says why.
		keys, err := vapidKeys(ctx, s.store, deps.Secret, s.now())
		switch {
		case errors.Is(err, errUnsealed):
			log.Error("Web Push is off: " + err.Error() + "; reminders go by email and to the open page")
		case err != nil:
			s.store.close()
			return nil, err
		default:
			s.vapid, s.push = keys, push.NewClient(keys, subject, cfg.Production)
		}
	}
	for _, register := range []func() error{
		func() error { return jobs.Register(s.jobs, &fireWorker{s: s}) },
		func() error { return jobs.Register(s.jobs, &pushWorker{s: s}) },
		func() error { return jobs.Register(s.jobs, &emailWorker{s: s}) },
		func() error { return jobs.Register(s.jobs, &reconcileWorker{s: s}) },
	} {
		if err := register(); err != nil {
			s.store.close()
			return nil, err
		}
	}
	deps.Tasks.BeforeChange(s.intend)
	if !cfg.withoutObserver {
		deps.Tasks.OnChange(s.taskChanged)
	}
	return s, nil
}

// Close releases the service's database handle (PostgreSQL's database/sql view of the pool).
func (s *Service) Close() { s.store.close() }

// zone is the user's time zone.
func (s *Service) zone(ctx context.Context, userID string) (*time.Location, error) {
	p, err := s.tasks.Prefs(ctx, userID)
	return p.TimeZone, err
}

// Scheduled is a reminder with its next time, if it has one.
type Scheduled struct {
	Reminder
	Next *time.Time
}

func (s *Service) scheduled(r Reminder, t task.Task, loc *time.Location) Scheduled {
	out := Scheduled{Reminder: r}
	if next, ok := r.Next(t.Due, loc, s.now()); ok && !t.Completed {
		out.Next = &next
	}
	return out
}

// Reminders are the reminders of the user's task, oldest first.
func (s *Service) Reminders(ctx context.Context, userID string, taskID uuid.UUID) ([]Scheduled, error) {
	t, err := s.tasks.Get(ctx, userID, taskID)
	if err != nil {
		return nil, err
	}
	loc, err := s.zone(ctx, userID)
	if err != nil {
		return nil, err
	}
	list, err := s.store.taskReminders(ctx, s.store.read, userID, taskID)
	if err != nil {
		return nil, err
	}
	out := make([]Scheduled, len(list))
	for i, r := range list {
		out[i] = s.scheduled(r, t, loc)
	}
	return out, nil
}

// Add gives the user's task a reminder, and schedules its occurrence.
func (s *Service) Add(ctx context.Context, userID string, taskID uuid.UUID, d Draft) (Scheduled, error) {
	if err := d.check(); err != nil {
		return Scheduled{}, err
	}
	t, err := s.tasks.Get(ctx, userID, taskID)
	if err != nil {
		return Scheduled{}, err
	}
	loc, err := s.zone(ctx, userID)
	if err != nil {
		return Scheduled{}, err
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return Scheduled{}, err
	}
	r := Reminder{ID: id, UserID: userID, TaskID: taskID, Kind: d.Kind, Before: d.Before, At: fireTime(d.At), CreatedAt: fireTime(s.now())}
	err = s.store.inTx(ctx, func(tx *sql.Tx) error {
		n, err := s.store.countReminders(ctx, tx, userID, taskID)
		if err != nil {
			return err
		}
		if n >= MaxPerTask {
			return invalid("kind", "a task may have at most %d reminders", MaxPerTask)
		}
		if err := s.store.insertReminder(ctx, tx, r); err != nil {
			return err
		}
		return s.schedule(ctx, tx, r, t, loc, s.now())
	})
	if err != nil {
		return Scheduled{}, err
	}
	return s.scheduled(r, t, loc), nil
}

// Delete removes the user's reminder; a job already scheduled for it finds it gone.
func (s *Service) Delete(ctx context.Context, userID string, id uuid.UUID) error {
	return s.store.deleteReminder(ctx, userID, id)
}

// Snooze puts the user's reminder off: it fires again once, at the end of the snooze.
func (s *Service) Snooze(ctx context.Context, userID string, id uuid.UUID, d Snooze) (Scheduled, error) {
	loc, err := s.zone(ctx, userID)
	if err != nil {
		return Scheduled{}, err
	}
	until, err := d.until(s.now(), loc)
	if err != nil {
		return Scheduled{}, err
	}
	r, err := s.store.reminder(ctx, userID, id)
	if err != nil {
		return Scheduled{}, err
	}
	t, err := s.tasks.Get(ctx, userID, r.TaskID)
	if errors.Is(err, task.ErrNotFound) {
		return Scheduled{}, ErrNotFound
	}
	if err != nil {
		return Scheduled{}, err
	}
	r.SnoozedUntil = &until
	err = s.store.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.store.setSnooze(ctx, tx, userID, id, until); err != nil {
			return err
		}
		return s.insertFire(ctx, tx, r, until)
	})
	if err != nil {
		return Scheduled{}, err
	}
	return s.scheduled(r, t, loc), nil
}

// SnoozeWithToken is Snooze for the holder of a snooze token of the reminder (a push
// notification's button), who may have no session.
func (s *Service) SnoozeWithToken(ctx context.Context, token string, id uuid.UUID, d Snooze) (Scheduled, error) {
	userID, err := s.tokens.verify(token, id, s.now())
	if err != nil {
		return Scheduled{}, err
	}
	return s.Snooze(ctx, userID, id, d)
}

// Settings are the user's reminder settings.
func (s *Service) Settings(ctx context.Context, userID string) (Settings, error) {
	return s.store.settings(ctx, userID)
}

// SaveSettings stores the user's reminder settings.
func (s *Service) SaveSettings(ctx context.Context, userID string, st Settings) error {
	if err := st.check(); err != nil {
		return err
	}
	return s.store.saveSettings(ctx, userID, st)
}

// VAPIDPublicKey is the key browsers subscribe with (applicationServerKey).
func (s *Service) VAPIDPublicKey() (string, error) {
	if s.push == nil {
		return "", ErrPushOff
	}
	return s.vapid.Public, nil
}

// Subscribe keeps a browser's push subscription for the user.
func (s *Service) Subscribe(ctx context.Context, userID string, sub push.Subscription) (uuid.UUID, error) {
	if s.push == nil {
		return uuid.Nil, ErrPushOff
	}
	if field, err := push.CheckSubscription(sub); err != nil {
		return uuid.Nil, invalid(field, "%s", err.Error())
	}
	return s.store.addSubscription(ctx, userID, sub, fireTime(s.now()))
}

// ErrSubscriptionNotFound is the answer for an endpoint the user has not subscribed.
var ErrSubscriptionNotFound = &apperr.Error{Kind: apperr.NotFound, Code: "PUSH_SUBSCRIPTION_NOT_FOUND", Message: "Push subscription not found"}

// Unsubscribe forgets the user's subscription of that endpoint.
func (s *Service) Unsubscribe(ctx context.Context, userID, endpoint string) error {
	found, err := s.store.removeSubscription(ctx, userID, endpoint)
	if err == nil && !found {
		return ErrSubscriptionNotFound
	}
	return err
}

// MaxNotifications is the most notifications one call returns.
const MaxNotifications = 100

// Notifications are the user's notifications after the one with id since (0: from the
// first), oldest first, at most limit (1 to MaxNotifications).
func (s *Service) Notifications(ctx context.Context, userID string, since int64, limit int) ([]Notification, error) {
	if limit < 1 || limit > MaxNotifications {
		return nil, invalid("limit", "must be from 1 to %d", MaxNotifications)
	}
	if since < 0 {
		return nil, invalid("since", "must be 0 or the id of a notification")
	}
	return s.store.notifications(ctx, userID, since, limit)
}

// DeleteUserData removes what reminders keep of a deleted user beyond their tasks.
func (s *Service) DeleteUserData(ctx context.Context, userID string) error {
	return s.store.deleteUserData(ctx, userID)
}

// schedule stores, within tx, the job of the reminder's occurrence for task t, when it has
// one after since, the time the reminder or the due was set: an occurrence already past then
// (a due set to an hour from now with a reminder two hours before) is not sent late.
func (s *Service) schedule(ctx context.Context, tx *sql.Tx, r Reminder, t task.Task, loc *time.Location, since time.Time) error {
	at, ok := r.Occurrence(t.Due, loc)
	if !ok || !at.After(since) {
		return nil
	}
	return s.insertFire(ctx, tx, r, at)
}
