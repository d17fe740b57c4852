-- Better Auth's "rateLimit" table, exactly as Better Auth 1.7's migrator creates it with
-- rateLimit.storage "database": the auth rate limits that every instance shares (and a Better
-- Auth on the same database counts in), lastRequest in milliseconds since the epoch. IF NOT
-- EXISTS lets us adopt a database Better Auth already migrated.

-- +goose Up
create table if not exists "rateLimit" ("id" text not null primary key, "key" text not null unique, "count" integer not null, "lastRequest" bigint not null);

-- +goose Down
drop table if exists "rateLimit";
