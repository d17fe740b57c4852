-- The search index takes new terms into its tree at once instead of gathering them in a
-- pending list first (fastupdate): a search reads all of that list, every user's new terms,
-- and tasks are indexed in batches now, which is what the list was there to make cheap.

-- +goose Up
ALTER INDEX idx_task_search SET (fastupdate = off);

-- +goose Down
ALTER INDEX idx_task_search RESET (fastupdate);
