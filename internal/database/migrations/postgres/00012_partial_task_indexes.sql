-- New tasks get their search terms and title key when a search or a sort by title first needs
-- them. Until then they stay out of the title order's index, which holds only the tasks that
-- have a key.

-- +goose Up
DROP INDEX idx_tasks_user_title;
CREATE INDEX idx_tasks_user_title ON tasks (user_id, title_key, id) WHERE title_key IS NOT NULL;

-- +goose Down
DROP INDEX idx_tasks_user_title;
CREATE INDEX idx_tasks_user_title ON tasks (user_id, title_key, id);
