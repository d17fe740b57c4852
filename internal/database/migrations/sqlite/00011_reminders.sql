-- Reminders of tasks, and what delivers them: the settings of each user (channels, quiet
-- hours, the default reminder of timed dues), the browsers subscribed to Web Push, the
-- server's VAPID key pair, and the notifications fired (or missed). Each occurrence of a
-- reminder is a job of River's (kind remind.fire) until it fires. Times are UTC text of fixed
-- width, as in tasks.
--
-- What belongs to a task goes with it (ON DELETE CASCADE); a deleted user's settings and
-- subscriptions are removed by the app with the rest of their data.

-- +goose Up
CREATE TABLE reminders (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    -- 0: at the due, 1: before_seconds before the due, 2: at the instant at.
    kind INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 2),
    before_seconds INTEGER NOT NULL DEFAULT 0 CHECK (before_seconds >= 0),
    at TEXT,
    snoozed_until TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX idx_reminders_task ON reminders (task_id, created_at);

CREATE TABLE reminder_settings (
    user_id TEXT PRIMARY KEY,
    push INTEGER NOT NULL CHECK (push IN (0, 1)),
    email INTEGER NOT NULL CHECK (email IN (0, 1)),
    in_page INTEGER NOT NULL CHECK (in_page IN (0, 1)),
    -- Minutes after midnight in the user's time zone; both NULL: no quiet hours.
    quiet_start INTEGER CHECK (quiet_start BETWEEN 0 AND 1439),
    quiet_end INTEGER CHECK (quiet_end BETWEEN 0 AND 1439),
    -- The reminder a new timed due gets, in seconds before it; NULL: none.
    default_before_seconds INTEGER CHECK (default_before_seconds >= 0)
);

CREATE TABLE push_subscriptions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX idx_push_subscriptions_user ON push_subscriptions (user_id);

-- One row: the first instance to need it inserts it, the others read it.
CREATE TABLE vapid_keys (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    public_key TEXT NOT NULL,
    -- Sealed with XChaCha20-Poly1305 under a key derived from BETTER_AUTH_SECRET.
    private_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- AUTOINCREMENT: an id is never given again, so that a page polling for ids after the last
-- it saw misses none.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    reminder_id TEXT NOT NULL,
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    fire_at TEXT NOT NULL,
    -- 0: fired, 1: missed (the server was down past the window).
    state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 1),
    created_at TEXT NOT NULL,
    UNIQUE (reminder_id, fire_at)
);
CREATE INDEX idx_notifications_user ON notifications (user_id, id);
CREATE INDEX idx_notifications_task ON notifications (task_id);

-- +goose Down
DROP TABLE IF EXISTS notifications;
DROP TABLE IF EXISTS vapid_keys;
DROP TABLE IF EXISTS push_subscriptions;
DROP TABLE IF EXISTS reminder_settings;
DROP TABLE IF EXISTS reminders;
