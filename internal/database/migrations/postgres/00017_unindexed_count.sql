-- How many of a user's tasks are still to index (title_key NULL) is kept in task_counts, by the
-- trigger that keeps the totals, instead of in a partial index of those tasks. The index took
-- an entry for each new task and for each change of a task not indexed yet, which every task
-- the spec's API writes is until its user first searches or sorts by title; the count costs
-- nothing more on those writes (the counts row is updated anyway), and a search that finds it
-- at zero, as nearly all do, reads nothing else. The tasks still to index are then found from
-- the newest down, where the ones written since the last search are.

-- +goose Up
ALTER TABLE task_counts ADD COLUMN unindexed BIGINT NOT NULL DEFAULT 0;
UPDATE task_counts AS c SET unindexed = n.unindexed
FROM (SELECT user_id, count(*) AS unindexed FROM tasks WHERE title_key IS NULL GROUP BY user_id) AS n
WHERE n.user_id = c.user_id;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tasks_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.user_id = NEW.user_id THEN
        UPDATE task_counts SET completed = completed + NEW.completed::int - OLD.completed::int,
            unindexed = unindexed + (NEW.title_key IS NULL)::int - (OLD.title_key IS NULL)::int
        WHERE user_id = NEW.user_id;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE task_counts SET total = total - 1, completed = completed - OLD.completed::int,
            unindexed = unindexed - (OLD.title_key IS NULL)::int
        WHERE user_id = OLD.user_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO task_counts AS c (user_id, total, completed, unindexed)
        VALUES (NEW.user_id, 1, NEW.completed::int, (NEW.title_key IS NULL)::int)
        ON CONFLICT (user_id) DO UPDATE SET total = c.total + 1, completed = c.completed + EXCLUDED.completed,
            unindexed = c.unindexed + EXCLUDED.unindexed;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

DROP TRIGGER tasks_count_update ON tasks;
CREATE TRIGGER tasks_count_update AFTER UPDATE OF completed, user_id, title_key ON tasks
    FOR EACH ROW WHEN (OLD.completed IS DISTINCT FROM NEW.completed OR OLD.user_id IS DISTINCT FROM NEW.user_id
        OR (OLD.title_key IS NULL) <> (NEW.title_key IS NULL))
    EXECUTE FUNCTION tasks_count();
DROP INDEX idx_tasks_unindexed;

-- +goose Down
CREATE INDEX idx_tasks_unindexed ON tasks (user_id) WHERE title_key IS NULL;
DROP TRIGGER tasks_count_update ON tasks;
CREATE TRIGGER tasks_count_update AFTER UPDATE OF completed, user_id ON tasks
    FOR EACH ROW WHEN (OLD.completed IS DISTINCT FROM NEW.completed OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION tasks_count();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tasks_count() RETURNS trigger LANGUAGE plpgsql AS $$
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

ALTER TABLE task_counts DROP COLUMN unindexed;
