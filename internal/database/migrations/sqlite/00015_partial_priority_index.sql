-- The priority order's index holds only the tasks that have a priority: a list by priority
-- reads those from it, and those without one (priority 0: every task of the specification's
-- API, and most others) in the order of their creation, from the index of that order. The
-- tasks without a priority then cost no entry of their own on every insert and change.

-- +goose Up
DROP INDEX idx_tasks_user_priority;
CREATE INDEX idx_tasks_user_priority ON tasks (user_id, priority, created_at, id) WHERE priority > 0;

-- +goose Down
DROP INDEX idx_tasks_user_priority;
CREATE INDEX idx_tasks_user_priority ON tasks (user_id, priority, created_at, id);
