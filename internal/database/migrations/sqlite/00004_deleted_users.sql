-- The users this server deleted, and when: the task API refuses their tokens, which stay
-- valid until they expire, from every instance (each one reads the table every few seconds).
-- Rows older than the longest token lifetime say nothing any more, and are pruned.

-- +goose Up
CREATE TABLE IF NOT EXISTS deleted_users (
    user_id TEXT PRIMARY KEY NOT NULL,
    deleted_at TEXT NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE IF EXISTS deleted_users;
