-- The specification's tasks table (section 6.3) in SQLite terms: SQLite has no UUID, BOOLEAN,
-- VARCHAR(n) or TIMESTAMPTZ, so each becomes its storage form with a CHECK or DEFAULT that keeps
-- the same rule. Timestamps are UTC text of fixed width (microseconds, Z), so that comparing and
-- ordering the text is comparing and ordering the instants.

-- +goose Up
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY NOT NULL DEFAULT (
        lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
        substr(lower(hex(randomblob(2))), 2) || '-' ||
        substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' ||
        lower(hex(randomblob(6)))),
    user_id TEXT NOT NULL,
    title TEXT NOT NULL CHECK (length(title) <= 200),
    description TEXT DEFAULT '',
    completed INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z'),
    updated_at TEXT
);

CREATE INDEX IF NOT EXISTS idx_tasks_user_id ON tasks(user_id);
CREATE INDEX IF NOT EXISTS idx_tasks_user_completed ON tasks(user_id, completed);

-- +goose Down
DROP TABLE IF EXISTS tasks;
