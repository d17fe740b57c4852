package database

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// River's tables (river_job, river_leader, river_queue …, internal/jobs's queue) are made by
// River's own migrator, right after the app's migrations and under the same lock: River's SQL
// stays River's, and an upgrade of River brings its migrations along. They are recorded in
// River's river_migration table, not goose's, so `todo migrate down` leaves them alone.

// riverMigrator is River's migrator for db's dialect over sqlDB, the migration handle.
func riverMigrator(dialect Dialect, sqlDB *sql.DB) (*rivermigrate.Migrator[*sql.Tx], error) {
	// Its informational lines would repeat every start; what it applied is logged below.
	cfg := &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)}
	if dialect == Postgres {
		return rivermigrate.New(riverdatabasesql.New(sqlDB), cfg)
	}
	return rivermigrate.New(riversqlite.New(sqlDB), cfg)
}

// migrateRiver applies River's pending migrations, each in its own transaction.
func migrateRiver(ctx context.Context, dialect Dialect, sqlDB *sql.DB, log *slog.Logger) error {
	m, err := riverMigrator(dialect, sqlDB)
	if err != nil {
		return err
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("migrate River's tables: %w", err)
	}
	for _, v := range res.Versions {
		log.Info("applied River's migration", "component", "migrate", "version", v.Version, "name", v.Name)
	}
	return nil
}

// riverStatus writes how many of River's migrations are applied.
func riverStatus(ctx context.Context, dialect Dialect, sqlDB *sql.DB, out io.Writer) error {
	m, err := riverMigrator(dialect, sqlDB)
	if err != nil {
		return err
	}
	applied, err := m.ExistingVersions(ctx)
	if err != nil {
		return fmt.Errorf("read the state of River's migrations: %w", err)
	}
	fmt.Fprintf(out, "river  %d of River's %d migrations applied\n", len(applied), len(m.AllVersions()))
	return nil
}
