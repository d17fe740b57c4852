-- Each search term (lexeme) in the index now begins with a key of its task's user, so that a
-- search (a word's prefix too) reads only the matches of its user's tasks rather than those
-- of every user. The terms written before lack that key: they are dropped, and each task is
-- indexed again (terms and title key), as tasks that other programs write are, when its
-- user's next search or sort by title needs it.

-- +goose Up
DELETE FROM task_search;
UPDATE tasks SET title_key = NULL WHERE title_key IS NOT NULL;

-- +goose Down
DELETE FROM task_search;
UPDATE tasks SET title_key = NULL WHERE title_key IS NOT NULL;
