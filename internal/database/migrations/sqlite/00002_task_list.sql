-- Listing a page of a user's tasks must cost the same with 100 or 100,000 tasks: the same
-- ordered indexes and trigger-maintained counts as the PostgreSQL migration (see there for why).
--
-- Here the indexes also cover every column a page shows. Under writes, each SQLite reader
-- starts a transaction with an empty page cache, and fetching fifty rows of the table behind
-- fifty index entries cost more than the rest of the request; read from the index alone, a
-- page is a single range scan. (PostgreSQL keeps its cache across connections and needs no
-- such copy.)

-- +goose Up
CREATE INDEX IF NOT EXISTS idx_tasks_user_created
    ON tasks (user_id, created_at DESC, id DESC, completed, updated_at, title, description);
CREATE INDEX IF NOT EXISTS idx_tasks_user_completed_created
    ON tasks (user_id, completed, created_at DESC, id DESC, updated_at, title, description);
DROP INDEX IF EXISTS idx_tasks_user_id;
DROP INDEX IF EXISTS idx_tasks_user_completed;

CREATE TABLE task_counts (
    user_id TEXT PRIMARY KEY NOT NULL,
    total INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO task_counts (user_id, total, completed)
SELECT user_id, count(*), sum(completed) FROM tasks GROUP BY user_id;

-- +goose StatementBegin
CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts (user_id, total, completed) VALUES (NEW.user_id, 1, NEW.completed)
    ON CONFLICT (user_id) DO UPDATE SET total = total + 1, completed = completed + excluded.completed;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks BEGIN
    UPDATE task_counts SET total = total - 1, completed = completed - OLD.completed
    WHERE user_id = OLD.user_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tasks_count_complete AFTER UPDATE OF completed ON tasks
WHEN OLD.completed <> NEW.completed AND OLD.user_id = NEW.user_id BEGIN
    UPDATE task_counts SET completed = completed + NEW.completed - OLD.completed
    WHERE user_id = NEW.user_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tasks_count_move AFTER UPDATE OF user_id ON tasks
WHEN OLD.user_id <> NEW.user_id BEGIN
    UPDATE task_counts SET total = total - 1, completed = completed - OLD.completed
    WHERE user_id = OLD.user_id;
    INSERT INTO task_counts (user_id, total, completed) VALUES (NEW.user_id, 1, NEW.completed)
    ON CONFLICT (user_id) DO UPDATE SET total = total + 1, completed = completed + excluded.completed;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER IF EXISTS tasks_count_move;
DROP TRIGGER IF EXISTS tasks_count_complete;
DROP TRIGGER IF EXISTS tasks_count_delete;
DROP TRIGGER IF EXISTS tasks_count_insert;
DROP TABLE IF EXISTS task_counts;
CREATE INDEX IF NOT EXISTS idx_tasks_user_id ON tasks(user_id);
CREATE INDEX IF NOT EXISTS idx_tasks_user_completed ON tasks(user_id, completed);
DROP INDEX IF EXISTS idx_tasks_user_completed_created;
DROP INDEX IF EXISTS idx_tasks_user_created;
