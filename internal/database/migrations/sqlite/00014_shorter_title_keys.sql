-- Title keys are cut to their first 96 bytes (task.TitleKey). The keys written before are
-- taken back; the tasks are indexed again, a batch at a time, when a search or a sort by
-- title first needs them.

-- +goose Up
UPDATE tasks SET title_key = NULL WHERE length(title_key) > 96;

-- +goose Down
SELECT 1;
