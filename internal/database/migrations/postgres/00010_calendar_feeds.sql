-- Calendar feeds: each user's secret feed URL, kept only as the SHA-256 of its token, so that
-- the table alone opens no one's calendar. One feed per user: rotating it replaces the row.

-- +goose Up
CREATE TABLE calendar_feeds (
    user_id TEXT PRIMARY KEY,
    token_hash BYTEA NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE IF EXISTS calendar_feeds;
