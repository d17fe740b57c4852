// Package stores picks the task store for a database: the one adapter that knows both.
package stores

import (
	"todo/internal/database"
	"todo/internal/task"
	"todo/internal/task/postgres"
	"todo/internal/task/sqlite"
)

// New returns the task store of db's dialect.
func New(db *database.DB) (task.Store, error) {
	if db.Dialect == database.Postgres {
		return postgres.New(db.Postgres), nil
	}
	return sqlite.New(db.SQLite)
}
