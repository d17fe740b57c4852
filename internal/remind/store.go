package remind

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"

	"todo/internal/database"
	"todo/internal/push"
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

func (s *store) settings(ctx context.Context, userID string) (Settings, error) {
	var (
		st                 Settings
		start, end, before sql.NullInt64
	)
	err := s.read.QueryRowContext(ctx, s.q(`SELECT push, email, in_page, quiet_start, quiet_end, default_before_seconds
		FROM reminder_settings WHERE user_id = ?`), userID).Scan(&st.Push, &st.Email, &st.InPage, &start, &end, &before)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSettings, nil
	}
	if err != nil {
		return Settings{}, err
	}
	if start.Valid && end.Valid {
		st.Quiet = &QuietHours{Start: int(start.Int64), End: int(end.Int64)}
	}
	if before.Valid {
		d := time.Duration(before.Int64) * time.Second
		st.DefaultBefore = &d
	}
	return st, nil
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

// subscription is one of the user's subscriptions; false when it is gone.
func (s *store) subscription(ctx context.Context, userID string, id uuid.UUID) (push.Subscription, bool, error) {
	var sub push.Subscription
	err := s.read.QueryRowContext(ctx, s.q(`SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE id = ? AND user_id = ?`),
		id.String(), userID).Scan(&sub.Endpoint, &sub.P256dh, &sub.Auth)
	if errors.Is(err, sql.ErrNoRows) {
		return sub, false, nil
	}
	return sub, err == nil, err
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
