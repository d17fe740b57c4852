-- Tasks people can plan with: a priority, tags, a due (a date, or an instant), when it was
-- completed, a version for ETags, and a full-text index. The specification's columns stay as
-- they are; rows written by other programs (NULL or default in the new columns) read as a task
-- with no priority, no tags and no due, and are indexed for search and title order the first
-- time their user searches or sorts (title_key still NULL, and no task_search row).
--
-- A due is either due_date (all day) or due_at (an instant); due_key is the instant it sorts
-- and filters by: due_at, or the start of due_date in the user's time zone (rewritten when
-- they change zone).

-- +goose Up
CREATE EXTENSION IF NOT EXISTS btree_gin;

ALTER TABLE tasks ADD COLUMN priority SMALLINT NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3);
ALTER TABLE tasks ADD COLUMN completed_at TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN due_date DATE;
ALTER TABLE tasks ADD COLUMN due_at TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN due_key TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN title_key BYTEA;

CREATE INDEX idx_tasks_user_due ON tasks (user_id, due_key, id) WHERE due_key IS NOT NULL;
CREATE INDEX idx_tasks_user_priority ON tasks (user_id, priority, created_at, id);
CREATE INDEX idx_tasks_user_title ON tasks (user_id, title_key, id);
CREATE INDEX idx_tasks_user_updated ON tasks (user_id, coalesce(updated_at, created_at), id);
CREATE INDEX idx_tasks_unindexed ON tasks (user_id) WHERE title_key IS NULL;

-- The terms of each task (see task.SearchTerms) with their positions, made by the app. In a
-- table of their own, so that the changes of a task that leave its text alone (completing it,
-- the most common) do not write its terms into the GIN index again, as every update that is
-- not HOT would. user_id inside the GIN index (btree_gin): a search reads one user's matches.
CREATE TABLE task_search (
    task_id UUID PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    search TSVECTOR NOT NULL
);
CREATE INDEX idx_task_search ON task_search USING gin (user_id, search);

CREATE TABLE tags (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    UNIQUE (user_id, name_key)
);

CREATE TABLE task_tags (
    task_id UUID NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    position SMALLINT NOT NULL,
    PRIMARY KEY (task_id, tag_id)
);
CREATE INDEX idx_task_tags_tag ON task_tags (tag_id, task_id);

CREATE TABLE user_prefs (
    user_id TEXT PRIMARY KEY,
    time_zone TEXT NOT NULL,
    week_start SMALLINT NOT NULL CHECK (week_start BETWEEN 0 AND 6)
);

-- +goose Down
DROP TABLE IF EXISTS user_prefs;
DROP TABLE IF EXISTS task_tags;
DROP TABLE IF EXISTS tags;
DROP TABLE IF EXISTS task_search;
DROP INDEX IF EXISTS idx_tasks_unindexed;
DROP INDEX IF EXISTS idx_tasks_user_updated;
DROP INDEX IF EXISTS idx_tasks_user_title;
DROP INDEX IF EXISTS idx_tasks_user_priority;
DROP INDEX IF EXISTS idx_tasks_user_due;
ALTER TABLE tasks DROP COLUMN title_key;
ALTER TABLE tasks DROP COLUMN version;
ALTER TABLE tasks DROP COLUMN due_key;
ALTER TABLE tasks DROP COLUMN due_at;
ALTER TABLE tasks DROP COLUMN due_date;
ALTER TABLE tasks DROP COLUMN completed_at;
ALTER TABLE tasks DROP COLUMN priority;
