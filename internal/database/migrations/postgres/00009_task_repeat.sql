-- Repeating tasks: the rule (an RFC 5545 RRULE, see internal/recur) and how many of its
-- occurrences are done, and the history of those occurrences.

-- +goose Up
ALTER TABLE tasks ADD COLUMN repeat TEXT;
ALTER TABLE tasks ADD COLUMN repeat_done INTEGER NOT NULL DEFAULT 0;

CREATE TABLE task_completions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id UUID NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    completed_at TIMESTAMPTZ NOT NULL,
    due_date DATE,
    due_at TIMESTAMPTZ
);
CREATE INDEX idx_task_completions_task ON task_completions (task_id, completed_at);

-- +goose Down
DROP TABLE IF EXISTS task_completions;
ALTER TABLE tasks DROP COLUMN repeat_done;
ALTER TABLE tasks DROP COLUMN repeat;
