-- The order of the last change has no index: an index of the update time takes a new entry on
-- every change of a task, and it makes each one write new entries in all of the task's other
-- indexes too (PostgreSQL cannot change the row in place, a "HOT" update, once a column it
-- changes is in an index): every PATCH and toggle of the specification's API paid that for a
-- sort of API v2. A list by update time now sorts the user's tasks, a page at a time.

-- +goose Up
DROP INDEX idx_tasks_user_updated;

-- +goose Down
CREATE INDEX idx_tasks_user_updated ON tasks (user_id, coalesce(updated_at, created_at), id);
