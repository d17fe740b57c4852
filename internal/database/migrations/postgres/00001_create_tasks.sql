-- The tasks table exactly as the specification's raw SQL migration (section 6.3) defines it.

-- +goose Up
-- Enable UUID extension (Neon has this enabled by default)
CREATE EXTENSION IF NOT EXISTS "pgcrypto";

CREATE TABLE IF NOT EXISTS tasks (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id TEXT NOT NULL,
    title VARCHAR(200) NOT NULL,
    description TEXT DEFAULT '',
    completed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE
);

CREATE INDEX IF NOT EXISTS idx_tasks_user_id ON tasks(user_id);
CREATE INDEX IF NOT EXISTS idx_tasks_user_completed ON tasks(user_id, completed);

-- +goose Down
-- pgcrypto stays: other objects of the database may depend on it, and since PostgreSQL 13
-- gen_random_uuid() is built in anyway.
DROP TABLE IF EXISTS tasks;
