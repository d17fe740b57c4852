-- The list's indexes no longer copy each task's title and description: two copies of the
-- text of every task took six times the space of the table itself, for a page that reads its
-- fifty rows a little faster from the index than from the table.

-- +goose Up
DROP INDEX idx_tasks_user_created;
CREATE INDEX idx_tasks_user_created ON tasks (user_id, created_at DESC, id DESC);
DROP INDEX idx_tasks_user_completed_created;
CREATE INDEX idx_tasks_user_completed_created ON tasks (user_id, completed, created_at DESC, id DESC);

-- +goose Down
DROP INDEX idx_tasks_user_completed_created;
CREATE INDEX idx_tasks_user_completed_created
    ON tasks (user_id, completed, created_at DESC, id DESC, updated_at, title, description);
DROP INDEX idx_tasks_user_created;
CREATE INDEX idx_tasks_user_created
    ON tasks (user_id, created_at DESC, id DESC, completed, updated_at, title, description);
