package postgres_test

import (
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/task/postgres"
	"todo/internal/task/tasktest"
)

func TestIndexOfAChangedTask(t *testing.T) {
	store := postgres.New(apptest.OpenDB(t, database.Postgres).Postgres)
	tasktest.CheckIndexOfAChangedTask(t, store, store.Reindex)
}
