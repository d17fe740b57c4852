-- New tasks get their search terms and title key when a search or a sort by title first needs
-- them. Until then they stay out of the indexes of those: the title order and the search's
-- way from a full-text match to its task hold only the tasks that have a key and terms.

-- +goose Up
DROP INDEX idx_tasks_user_title;
CREATE INDEX idx_tasks_user_title ON tasks (user_id, title_key, id) WHERE title_key IS NOT NULL;
DROP INDEX idx_tasks_search_id;
CREATE INDEX idx_tasks_search_id ON tasks (search_id, user_id) WHERE search_id IS NOT NULL;

-- +goose Down
DROP INDEX idx_tasks_search_id;
CREATE INDEX idx_tasks_search_id ON tasks (search_id, user_id);
DROP INDEX idx_tasks_user_title;
CREATE INDEX idx_tasks_user_title ON tasks (user_id, title_key, id);
