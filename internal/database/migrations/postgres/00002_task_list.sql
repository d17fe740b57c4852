-- Listing a page of a user's tasks must cost the same with 100 or 100,000 tasks.
--
-- Pages are ordered by (created_at DESC, id DESC); these two indexes return a page in that order
-- without sorting, with and without the completed filter. Each has one of the specification's
-- indexes as its prefix and serves every query that index served, so those are dropped rather
-- than maintained twice on every write.
--
-- The total of a page comes from task_counts, kept exact by a trigger in the same transaction
-- as every insert, delete and change of completed, instead of counting the user's rows each time.

-- +goose Up
CREATE INDEX IF NOT EXISTS idx_tasks_user_created ON tasks (user_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS idx_tasks_user_completed_created ON tasks (user_id, completed, created_at DESC, id DESC);
DROP INDEX IF EXISTS idx_tasks_user_id;
DROP INDEX IF EXISTS idx_tasks_user_completed;

CREATE TABLE task_counts (
    user_id TEXT PRIMARY KEY,
    total BIGINT NOT NULL DEFAULT 0,
    completed BIGINT NOT NULL DEFAULT 0
);

INSERT INTO task_counts (user_id, total, completed)
SELECT user_id, count(*), count(*) FILTER (WHERE completed) FROM tasks GROUP BY user_id;

-- +goose StatementBegin
CREATE FUNCTION tasks_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.user_id = NEW.user_id THEN
        UPDATE task_counts SET completed = completed + NEW.completed::int - OLD.completed::int
        WHERE user_id = NEW.user_id;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE task_counts SET total = total - 1, completed = completed - OLD.completed::int
        WHERE user_id = OLD.user_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO task_counts AS c (user_id, total, completed) VALUES (NEW.user_id, 1, NEW.completed::int)
        ON CONFLICT (user_id) DO UPDATE SET total = c.total + 1, completed = c.completed + EXCLUDED.completed;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER tasks_count_insert_delete AFTER INSERT OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_count();
CREATE TRIGGER tasks_count_update AFTER UPDATE OF completed, user_id ON tasks
    FOR EACH ROW WHEN (OLD.completed IS DISTINCT FROM NEW.completed OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION tasks_count();

-- +goose Down
DROP TRIGGER IF EXISTS tasks_count_update ON tasks;
DROP TRIGGER IF EXISTS tasks_count_insert_delete ON tasks;
DROP FUNCTION IF EXISTS tasks_count();
DROP TABLE IF EXISTS task_counts;
CREATE INDEX IF NOT EXISTS idx_tasks_user_id ON tasks(user_id);
CREATE INDEX IF NOT EXISTS idx_tasks_user_completed ON tasks(user_id, completed);
DROP INDEX IF EXISTS idx_tasks_user_completed_created;
DROP INDEX IF EXISTS idx_tasks_user_created;
