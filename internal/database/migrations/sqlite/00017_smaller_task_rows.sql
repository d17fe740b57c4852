-- A task takes less room, its search terms and title key included:
--
-- * The title key leaves the row for a table of its own, task_titles, whose index is the title
--   order. In the row it made each of the specification's tasks (200 characters of title, 1,000
--   of description) one that only two fit in a page of 4 KiB, a third of which stayed empty;
--   without it, three fit.
-- * The search terms are kept without their positions (detail = none), which takes less than
--   half the room. Positions are what a search of words in scripts without spaces needs, as
--   the pairs of characters of one word must be next to each other (task.Terms.Phrased): the
--   terms of the tasks that have such words are kept, with positions, in task_phrases too,
--   and such a search reads that index.
--
-- Both are written when a task is indexed: every task is indexed again, as the tasks that other
-- programs write are, when its user's next search or sort by title needs it.

-- +goose Up
DROP TRIGGER tasks_search_delete;
DROP TABLE task_search;
DROP INDEX idx_tasks_unindexed;
DROP INDEX idx_tasks_user_title;
UPDATE tasks SET search_id = NULL WHERE search_id IS NOT NULL;
ALTER TABLE tasks DROP COLUMN title_key;
CREATE INDEX idx_tasks_unindexed ON tasks (user_id) WHERE search_id IS NULL;

CREATE TABLE task_titles (
    task_id TEXT PRIMARY KEY NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    title_key BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX idx_task_titles_user ON task_titles (user_id, title_key, task_id);

CREATE VIRTUAL TABLE task_search USING fts5(terms, content = '', contentless_delete = 1, tokenize = 'ascii', detail = none);
CREATE VIRTUAL TABLE task_phrases USING fts5(terms, content = '', contentless_delete = 1, tokenize = 'ascii');

-- +goose StatementBegin
CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks WHEN OLD.search_id IS NOT NULL BEGIN
    DELETE FROM task_search WHERE rowid = OLD.search_id;
    DELETE FROM task_phrases WHERE rowid = OLD.search_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER tasks_search_delete;
DROP TABLE task_phrases;
DROP TABLE task_search;
DROP TABLE task_titles;
DROP INDEX idx_tasks_unindexed;
ALTER TABLE tasks ADD COLUMN title_key BLOB;
UPDATE tasks SET search_id = NULL WHERE search_id IS NOT NULL;
CREATE INDEX idx_tasks_user_title ON tasks (user_id, title_key, id) WHERE title_key IS NOT NULL;
CREATE INDEX idx_tasks_unindexed ON tasks (user_id) WHERE search_id IS NULL OR title_key IS NULL;
CREATE VIRTUAL TABLE task_search USING fts5(terms, content = '', contentless_delete = 1, tokenize = 'ascii');

-- +goose StatementBegin
CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks WHEN OLD.search_id IS NOT NULL BEGIN
    DELETE FROM task_search WHERE rowid = OLD.search_id;
END;
-- +goose StatementEnd
