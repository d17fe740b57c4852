-- Each search term in the index now begins with a key of its task's user, so that a search
-- (a word's prefix too) reads only the matches of its user's tasks rather than those of every
-- user. The terms written before lack that key: they are dropped, and each task is indexed
-- again, as tasks that other programs write are, when its user's next search needs it.

-- +goose Up
INSERT INTO task_search (task_search) VALUES ('delete-all');
UPDATE tasks SET search_id = NULL WHERE search_id IS NOT NULL;

-- +goose Down
INSERT INTO task_search (task_search) VALUES ('delete-all');
UPDATE tasks SET search_id = NULL WHERE search_id IS NOT NULL;
