-- Tasks people can plan with: a priority, tags, a due (a date, or an instant), when it was
-- completed, a version for ETags, and a full-text index. The specification's columns stay as
-- they are; rows written by other programs (NULL or default in the new columns) read as a task
-- with no priority, no tags and no due, and are indexed for search and title order the first
-- time their user searches or sorts (search_id and title_key still NULL).
--
-- A due is either due_date (YYYY-MM-DD, all day) or due_at (an instant, as created_at);
-- due_key is the instant it sorts and filters by: due_at, or the start of due_date in the
-- user's time zone (rewritten when they change zone).

-- +goose Up
ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3);
ALTER TABLE tasks ADD COLUMN completed_at TEXT;
ALTER TABLE tasks ADD COLUMN due_date TEXT;
ALTER TABLE tasks ADD COLUMN due_at TEXT;
ALTER TABLE tasks ADD COLUMN due_key TEXT;
ALTER TABLE tasks ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN title_key BLOB;
ALTER TABLE tasks ADD COLUMN search_id INTEGER;

-- The matches of a search are found by their search_id, and counted from this index alone.
CREATE INDEX idx_tasks_search_id ON tasks (search_id, user_id);
CREATE INDEX idx_tasks_user_due ON tasks (user_id, due_key, id) WHERE due_key IS NOT NULL;
CREATE INDEX idx_tasks_user_priority ON tasks (user_id, priority, created_at, id);
CREATE INDEX idx_tasks_user_title ON tasks (user_id, title_key, id);
CREATE INDEX idx_tasks_user_updated ON tasks (user_id, coalesce(updated_at, created_at), id);
CREATE INDEX idx_tasks_unindexed ON tasks (user_id) WHERE search_id IS NULL OR title_key IS NULL;

-- One row per tag of a user; name is its first spelling, name_key what makes two names the same.
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    UNIQUE (user_id, name_key)
);

CREATE TABLE task_tags (
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (task_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX idx_task_tags_tag ON task_tags (tag_id, task_id);

-- The terms of each task (see task.SearchTerms), already folded and split: the ascii tokenizer
-- only splits them at the spaces between them. Contentless: the text is in tasks.
CREATE VIRTUAL TABLE task_search USING fts5(terms, content = '', contentless_delete = 1, tokenize = 'ascii');

-- +goose StatementBegin
CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks WHEN OLD.search_id IS NOT NULL BEGIN
    DELETE FROM task_search WHERE rowid = OLD.search_id;
END;
-- +goose StatementEnd

CREATE TABLE user_prefs (
    user_id TEXT PRIMARY KEY NOT NULL,
    time_zone TEXT NOT NULL,
    week_start INTEGER NOT NULL CHECK (week_start BETWEEN 0 AND 6)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE IF EXISTS user_prefs;
DROP TRIGGER IF EXISTS tasks_search_delete;
DROP TABLE IF EXISTS task_search;
DROP TABLE IF EXISTS task_tags;
DROP TABLE IF EXISTS tags;
DROP INDEX IF EXISTS idx_tasks_unindexed;
DROP INDEX IF EXISTS idx_tasks_user_updated;
DROP INDEX IF EXISTS idx_tasks_user_title;
DROP INDEX IF EXISTS idx_tasks_user_priority;
DROP INDEX IF EXISTS idx_tasks_user_due;
DROP INDEX IF EXISTS idx_tasks_search_id;
ALTER TABLE tasks DROP COLUMN search_id;
ALTER TABLE tasks DROP COLUMN title_key;
ALTER TABLE tasks DROP COLUMN version;
ALTER TABLE tasks DROP COLUMN due_key;
ALTER TABLE tasks DROP COLUMN due_at;
ALTER TABLE tasks DROP COLUMN due_date;
ALTER TABLE tasks DROP COLUMN completed_at;
ALTER TABLE tasks DROP COLUMN priority;
