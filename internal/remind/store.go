package remind

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"

	"todo/internal/database"
	"todo/internal/push"
	"todo/internal/task"
)

// store keeps reminders, settings, subscriptions, the VAPID keys and notifications, in SQLite
// or PostgreSQL through database/sql: the same statements for both but for their parameters
// (? and $n) and how instants are kept (fixed-width UTC text in SQLite, timestamptz in
// PostgreSQL). Its transactions are on the handle that internal/jobs inserts jobs with, so
// that a reminder and the job of its next occurrence are stored together. Every statement
// about a user's rows names the user.
type store struct {
	write, read *sql.DB
	postgres    bool
	close       func()
}

// sqliteTime is how instants are kept in SQLite, as in the task tables.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

func newStore(db *database.DB) *store {
	if db.Dialect == database.Postgres {
		h := stdlib.OpenDBFromPool(db.Postgres)
		return &store{write: h, read: h, postgres: true, close: func() { h.Close() }}
	}
	return &store{write: db.SQLite.Write, read: db.SQLite.Read, close: func() {}}
}

// q writes query's ? parameters as PostgreSQL's $1, $2 … (no statement here has a ? of its
// own in a string).
func (s *store) q(query string) string {
	if !s.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// t is an instant as a parameter.
func (s *store) t(v time.Time) any {
	if s.postgres {
		return v.UTC()
	}
	return v.UTC().Format(sqliteTime)
}

func (s *store) optT(v *time.Time) any {
	if v == nil {
		return nil
	}
	return s.t(*v)
}

// instant scans an instant kept either way; Valid is false for NULL.
type instant struct {
	T     time.Time
	Valid bool
}

func (i *instant) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*i = instant{}
		return nil
	case time.Time:
		*i = instant{fireTime(v), true}
		return nil
	case string:
		return i.parse(v)
	case []byte:
		return i.parse(string(v))
	}
	return fmt.Errorf("remind: cannot read %T as an instant", v)
}

func (i *instant) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	*i = instant{fireTime(t), err == nil}
	return err
}

func (i instant) ptr() *time.Time {
	if !i.Valid {
		return nil
	}
	return &i.T
}

// inTx runs f in a transaction on the write handle, committed if f returns nil.
func (s *store) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// querier is a handle or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const reminderColumns = `id, user_id, task_id, kind, before_seconds, at, snoozed_until, created_at`

// aliasedReminderColumns are reminderColumns of reminders AS r, in a query that joins others.
const aliasedReminderColumns = `r.id, r.user_id, r.task_id, r.kind, r.before_seconds, r.at, r.snoozed_until, r.created_at`

func scanReminder(scan func(...any) error) (Reminder, error) {
	var (
		r                      Reminder
		before                 int64
		at, snoozed, createdAt instant
	)
	if err := scan(&r.ID, &r.UserID, &r.TaskID, &r.Kind, &before, &at, &snoozed, &createdAt); err != nil {
		return Reminder{}, err
	}
	r.Before, r.At, r.SnoozedUntil, r.CreatedAt = time.Duration(before)*time.Second, at.T, snoozed.ptr(), createdAt.T
	return r, nil
}

// insertReminder stores r, unless a reminder with its id is stored already (a default
// reminder, which the observer of a change and the change's intent both add).
func (s *store) insertReminder(ctx context.Context, tx *sql.Tx, r Reminder) error {
	var at any
	if r.Kind == AtTime {
		at = s.t(r.At)
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO reminders (`+reminderColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`),
		r.ID.String(), r.UserID, r.TaskID.String(), int(r.Kind), int64(r.Before/time.Second), at, s.optT(r.SnoozedUntil), s.t(r.CreatedAt))
	return err
}

func (s *store) countReminders(ctx context.Context, q querier, userID string, taskID uuid.UUID) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, s.q(`SELECT count(*) FROM reminders WHERE user_id = ? AND task_id = ?`), userID, taskID.String()).Scan(&n)
	return n, err
}

func (s *store) reminder(ctx context.Context, userID string, id uuid.UUID) (Reminder, error) {
	row := s.read.QueryRowContext(ctx, s.q(`SELECT `+reminderColumns+` FROM reminders WHERE id = ? AND user_id = ?`), id.String(), userID)
	r, err := scanReminder(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return Reminder{}, ErrNotFound
	}
	return r, err
}

// taskReminders are the reminders of the user's task, oldest first.
func (s *store) taskReminders(ctx context.Context, q querier, userID string, taskID uuid.UUID) ([]Reminder, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT `+reminderColumns+` FROM reminders WHERE task_id = ? AND user_id = ? ORDER BY created_at, id`), taskID.String(), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Reminder
	for rows.Next() {
		r, err := scanReminder(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// tasksWithReminders tells which of the user's tasks ids have reminders; none asked, no query.
func (s *store) tasksWithReminders(ctx context.Context, userID string, ids []uuid.UUID) (map[uuid.UUID]bool, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, userID)
	for _, id := range ids {
		args = append(args, id.String())
	}
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT DISTINCT task_id FROM reminders WHERE user_id = ? AND task_id IN (?`+
		strings.Repeat(", ?", len(ids)-1)+`)`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	has := make(map[uuid.UUID]bool)
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		has[id] = true
	}
	return has, rows.Err()
}

func (s *store) deleteReminder(ctx context.Context, userID string, id uuid.UUID) error {
	res, err := s.write.ExecContext(ctx, s.q(`DELETE FROM reminders WHERE id = ? AND user_id = ?`), id.String(), userID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return cmpErr(err, ErrNotFound)
	}
	return nil
}

func (s *store) setSnooze(ctx context.Context, tx *sql.Tx, userID string, id uuid.UUID, until time.Time) error {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE reminders SET snoozed_until = ? WHERE id = ? AND user_id = ?`), s.t(until), id.String(), userID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return cmpErr(err, ErrNotFound)
	}
	return nil
}

// cmpErr is err, or when there is none, otherwise.
func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

const settingsColumns = `st.push, st.email, st.in_page, st.quiet_start, st.quiet_end, st.default_before_seconds`

// settingsRow scans settingsColumns, NULL when the user has saved no settings.
type settingsRow struct {
	push, email, inPage sql.NullBool
	start, end, before  sql.NullInt64
}

func (r *settingsRow) dest() []any {
	return []any{&r.push, &r.email, &r.inPage, &r.start, &r.end, &r.before}
}

func (r *settingsRow) settings() Settings {
	if !r.push.Valid {
		return DefaultSettings
	}
	st := Settings{Push: r.push.Bool, Email: r.email.Bool, InPage: r.inPage.Bool}
	if r.start.Valid && r.end.Valid {
		st.Quiet = &QuietHours{Start: int(r.start.Int64), End: int(r.end.Int64)}
	}
	if r.before.Valid {
		d := time.Duration(r.before.Int64) * time.Second
		st.DefaultBefore = &d
	}
	return st
}

func (s *store) settings(ctx context.Context, userID string) (Settings, error) {
	var r settingsRow
	err := s.read.QueryRowContext(ctx, s.q(`SELECT `+settingsColumns+` FROM reminder_settings AS st WHERE user_id = ?`), userID).Scan(r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSettings, nil
	}
	return r.settings(), err
}

// The jobs that fire and deliver reminders read what they need of the task tables in the
// same query as their own rows: a task's title, completion and due (due_at, an instant, or
// else due_date, a date), and the user's time zone (user_prefs; none saved is UTC).
const taskColumns = `t.title, t.completed, t.due_date, t.due_at, p.time_zone`

// taskRow scans taskColumns.
type taskRow struct {
	title     string
	completed bool
	date      date
	at        instant
	zone      sql.NullString
}

func (r *taskRow) dest() []any { return []any{&r.title, &r.completed, &r.date, &r.at, &r.zone} }

// task is the task as the jobs need it, and the user's zone (UTC for a zone this build does
// not know, as the task stores read it).
func (r *taskRow) task(id uuid.UUID) (task.Task, *time.Location) {
	t := task.Task{ID: id, Title: r.title, Completed: r.completed}
	switch {
	case r.at.Valid:
		t.Due = &task.Due{At: r.at.T}
	case r.date.Valid:
		t.Due = &task.Due{Date: r.date.D}
	}
	loc, err := task.LoadTimeZone(r.zone.String)
	if err != nil {
		loc = time.UTC
	}
	return t, loc
}

// date scans a date kept either way: SQLite's YYYY-MM-DD text or PostgreSQL's date.
type date struct {
	D     task.Date
	Valid bool
}

func (d *date) Scan(v any) error {
	var err error
	switch v := v.(type) {
	case nil:
		*d = date{}
	case time.Time:
		*d = date{task.DateOf(v), true}
	case string:
		d.D, err = task.ParseDate(v)
		d.Valid = err == nil
	case []byte:
		d.D, err = task.ParseDate(string(v))
		d.Valid = err == nil
	default:
		err = fmt.Errorf("remind: cannot read %T as a date", v)
	}
	return err
}

// firing is what the job of an occurrence reads: the reminder, its task, the user's zone and
// reminder settings.
type firing struct {
	Reminder
	task     task.Task
	loc      *time.Location
	settings Settings
}

// firing reads, in one query, what the occurrence of the user's reminder id needs;
// ErrNotFound when the reminder is gone (deleted, or its task was).
func (s *store) firing(ctx context.Context, userID string, id uuid.UUID) (firing, error) {
	var (
		f   firing
		t   taskRow
		st  settingsRow
		err error
	)
	row := s.read.QueryRowContext(ctx, s.q(`SELECT `+aliasedReminderColumns+`, `+taskColumns+`, `+settingsColumns+`
		FROM reminders AS r JOIN tasks AS t ON t.id = r.task_id AND t.user_id = r.user_id
		LEFT JOIN user_prefs AS p ON p.user_id = r.user_id
		LEFT JOIN reminder_settings AS st ON st.user_id = r.user_id
		WHERE r.id = ? AND r.user_id = ?`), id.String(), userID)
	f.Reminder, err = scanReminder(func(dest ...any) error {
		return row.Scan(slices.Concat(dest, t.dest(), st.dest())...)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return firing{}, ErrNotFound
	}
	if err != nil {
		return firing{}, err
	}
	f.task, f.loc = t.task(f.TaskID)
	f.settings = st.settings()
	return f, nil
}

// sending is what the job of a push delivery reads: the subscription, the task and the
// user's zone.
type sending struct {
	sub  push.Subscription
	task task.Task
	loc  *time.Location
}

// sending reads, in one query, what a push of the user's task to their subscription subID
// needs; false when the subscription or the task is gone.
func (s *store) sending(ctx context.Context, userID string, subID, taskID uuid.UUID) (sending, bool, error) {
	var (
		out sending
		t   taskRow
	)
	err := s.read.QueryRowContext(ctx, s.q(`SELECT s.endpoint, s.p256dh, s.auth, `+taskColumns+`
		FROM push_subscriptions AS s JOIN tasks AS t ON t.id = ? AND t.user_id = s.user_id
		LEFT JOIN user_prefs AS p ON p.user_id = s.user_id
		WHERE s.id = ? AND s.user_id = ?`), taskID.String(), subID.String(), userID).
		Scan(append([]any{&out.sub.Endpoint, &out.sub.P256dh, &out.sub.Auth}, t.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return out, false, nil
	}
	if err != nil {
		return out, false, err
	}
	out.task, out.loc = t.task(taskID)
	return out, true, nil
}

func (s *store) saveSettings(ctx context.Context, userID string, st Settings) error {
	var start, end, before any
	if st.Quiet != nil {
		start, end = st.Quiet.Start, st.Quiet.End
	}
	if st.DefaultBefore != nil {
		before = int64(*st.DefaultBefore / time.Second)
	}
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO reminder_settings (user_id, push, email, in_page, quiet_start, quiet_end, default_before_seconds)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET push = excluded.push, email = excluded.email, in_page = excluded.in_page,
			quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, default_before_seconds = excluded.default_before_seconds`),
		userID, st.Push, st.Email, st.InPage, start, end, before)
	return err
}

// addSubscription stores a browser's subscription for the user. An endpoint is one browser's:
// subscribed again, by the same user or by another who signed in there since, it is theirs
// with its new keys.
func (s *store) addSubscription(ctx context.Context, userID string, sub push.Subscription, at time.Time) (uuid.UUID, error) {
	id, err := uuid.NewRandom()
	if err != nil {
		return uuid.Nil, err
	}
	var stored uuid.UUID
	err = s.write.QueryRowContext(ctx, s.q(`INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth
		RETURNING id`), id.String(), userID, sub.Endpoint, sub.P256dh, sub.Auth, s.t(at)).Scan(&stored)
	return stored, err
}

func (s *store) removeSubscription(ctx context.Context, userID, endpoint string) (bool, error) {
	res, err := s.write.ExecContext(ctx, s.q(`DELETE FROM push_subscriptions WHERE endpoint = ? AND user_id = ?`), endpoint, userID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// forgetSubscription removes a subscription its push service said is gone.
func (s *store) forgetSubscription(ctx context.Context, userID string, id uuid.UUID) error {
	_, err := s.write.ExecContext(ctx, s.q(`DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?`), id.String(), userID)
	return err
}

// subscriptionIDs are the ids of the user's subscriptions.
func (s *store) subscriptionIDs(ctx context.Context, q querier, userID string) ([]uuid.UUID, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT id FROM push_subscriptions WHERE user_id = ? ORDER BY created_at, id`), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// recordNotification stores an occurrence that fired or was missed, unless it is stored
// already (the same reminder at the same time): false then, and nothing else is to be done.
func (s *store) recordNotification(ctx context.Context, tx *sql.Tx, n Notification, userID string) (int64, bool, error) {
	var id int64
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO notifications (user_id, reminder_id, task_id, fire_at, state, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (reminder_id, fire_at) DO NOTHING RETURNING id`),
		userID, n.ReminderID.String(), n.TaskID.String(), s.t(n.FireAt), int(n.State), s.t(n.CreatedAt)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

const notificationColumns = `n.id, n.reminder_id, n.task_id, t.title, n.fire_at, n.state, n.created_at`

func scanNotification(scan func(...any) error) (Notification, error) {
	var (
		n         Notification
		at, added instant
	)
	err := scan(&n.ID, &n.ReminderID, &n.TaskID, &n.TaskTitle, &at, &n.State, &added)
	n.FireAt, n.CreatedAt = at.T, added.T
	return n, err
}

// notifications are the user's notifications after the one with id since, oldest first.
func (s *store) notifications(ctx context.Context, userID string, since int64, limit int) ([]Notification, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT `+notificationColumns+`
		FROM notifications AS n JOIN tasks AS t ON t.id = n.task_id
		WHERE n.user_id = ? AND n.id > ? ORDER BY n.id LIMIT ?`), userID, since, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		n, err := scanNotification(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// userEmail is the address of a user of the built-in auth (Better Auth's user table); false
// for a user it does not know (users of an outside Better Auth at AUTH_URL).
func (s *store) userEmail(ctx context.Context, userID string) (string, bool, error) {
	var email string
	err := s.read.QueryRowContext(ctx, s.q(`SELECT email FROM "user" WHERE id = ?`), userID).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return email, err == nil, err
}

// vapidKeys reads the stored key pair, its private key still sealed; false when there is none.
func (s *store) vapidKeys(ctx context.Context) (public, sealed string, ok bool, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT public_key, private_key FROM vapid_keys WHERE id = 1`).Scan(&public, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	return public, sealed, err == nil, err
}

// addVAPIDKeys stores a key pair unless another instance stored one first (the one row's
// primary key decides).
func (s *store) addVAPIDKeys(ctx context.Context, public, sealed string, at time.Time) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO vapid_keys (id, public_key, private_key, created_at) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`), public, sealed, s.t(at))
	return err
}

// deleteUserData removes the user's settings and subscriptions (their reminders and
// notifications go with their tasks).
func (s *store) deleteUserData(ctx context.Context, userID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"reminder_settings", "push_subscriptions"} {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+table+` WHERE user_id = ?`), userID); err != nil {
				return err
			}
		}
		return nil
	})
}
