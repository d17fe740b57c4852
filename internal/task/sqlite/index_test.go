package sqlite_test

import (
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/task/sqlite"
	"todo/internal/task/tasktest"
)

func TestIndexOfAChangedTask(t *testing.T) {
	store, err := sqlite.New(apptest.OpenDB(t, database.SQLite).SQLite)
	if err != nil {
		t.Fatal(err)
	}
	tasktest.CheckIndexOfAChangedTask(t, store, store.Reindex)
}
