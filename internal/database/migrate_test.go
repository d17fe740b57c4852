package database_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
)

var ctx = context.Background()

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func config(t *testing.T, dialect database.Dialect) database.Config {
	u, err := database.ParseURL(apptest.DatabaseURL(t, dialect))
	if err != nil {
		t.Fatal(err)
	}
	return database.Config{URL: u, ConnectTimeout: 5 * time.Second, StartupTimeout: 5 * time.Second, QueryTimeout: 5 * time.Second}
}

func open(t *testing.T, cfg database.Config) *database.DB {
	t.Helper()
	db, err := database.Open(ctx, cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

func tables(t *testing.T, db *database.DB) []string {
	t.Helper()
	var names []string
	if db.Dialect == database.Postgres {
		rows, err := db.Postgres.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n string
			rows.Scan(&n)
			names = append(names, n)
		}
		rows.Close()
	} else {
		rows, err := db.SQLite.Read.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n string
			rows.Scan(&n)
			names = append(names, n)
		}
		rows.Close()
	}
	sort.Strings(names)
	return names
}

func TestMigrateUpDownStatus(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		cfg := config(t, d)
		db := open(t, cfg)
		migrate := func(command string) (string, error) {
			var out bytes.Buffer
			err := database.Migrate(ctx, db, cfg, quiet, command, &out)
			return out.String(), err
		}
		if _, err := migrate(database.MigrateUp); err != nil {
			t.Fatal(err)
		}
		want := []string{"account", "goose_db_version", "jwks", "session", "task_counts", "tasks", "user", "verification"}
		if got := tables(t, db); !slices.Equal(got, want) {
			t.Fatalf("tables after up: %v, want %v", got, want)
		}
		status, err := migrate(database.MigrateStatus)
		if err != nil || strings.Count(status, "applied") != 3 || strings.Contains(status, "pending") {
			t.Fatalf("status after up: %v\n%s", err, status)
		}

		// Each down reverts exactly one migration, newest first.
		for _, remaining := range [][]string{
			{"goose_db_version", "task_counts", "tasks"},
			{"goose_db_version", "tasks"},
			{"goose_db_version"},
		} {
			if _, err := migrate(database.MigrateDown); err != nil {
				t.Fatal(err)
			}
			if got := tables(t, db); !slices.Equal(got, remaining) {
				t.Fatalf("tables after down: %v, want %v", got, remaining)
			}
		}
		if _, err := migrate(database.MigrateDown); err == nil || !strings.Contains(err.Error(), "no migration left") {
			t.Fatalf("down with nothing applied: %v", err)
		}
		status, _ = migrate(database.MigrateStatus)
		if strings.Count(status, "pending") != 3 {
			t.Fatalf("status after all downs:\n%s", status)
		}
		if _, err := migrate(database.MigrateUp); err != nil {
			t.Fatalf("up again: %v", err)
		}
		if _, err := migrate("sideways"); err == nil {
			t.Fatal("an unknown command must fail")
		}
	})
}

// TestConcurrentMigrations starts several instances at once on one new database, as a
// deployment does: every one must come up, and each migration must run once.
func TestConcurrentMigrations(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		cfg := config(t, d)
		const instances = 5
		var wg sync.WaitGroup
		errs := make(chan error, instances)
		for range instances {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := database.Open(ctx, cfg, quiet)
				if err != nil {
					errs <- err
					return
				}
				defer db.Close()
				errs <- database.Migrate(ctx, db, cfg, quiet, database.MigrateUp, io.Discard)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("an instance failed to migrate: %v", err)
			}
		}
		db := open(t, cfg)
		var applied int
		query := `SELECT count(*) FROM goose_db_version WHERE version_id > 0`
		var err error
		if d == database.Postgres {
			err = db.Postgres.QueryRow(ctx, query).Scan(&applied)
		} else {
			err = db.SQLite.Read.QueryRow(query).Scan(&applied)
		}
		if err != nil || applied != 3 {
			t.Fatalf("migrations recorded: %d, %v; want each of the 3 once", applied, err)
		}
	})
}

func TestSQLitePragmas(t *testing.T) {
	db := open(t, config(t, database.SQLite))
	for name, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000", "synchronous": "1"} {
		for _, h := range []struct {
			label string
			query func(string) (string, error)
		}{
			{"writer", func(q string) (s string, err error) { err = db.SQLite.Write.QueryRow(q).Scan(&s); return }},
			{"reader", func(q string) (s string, err error) { err = db.SQLite.Read.QueryRow(q).Scan(&s); return }},
		} {
			got, err := h.query("PRAGMA " + name)
			if err != nil || got != want {
				t.Errorf("%s PRAGMA %s = %q, %v; want %q", h.label, name, got, err, want)
			}
		}
	}
	if _, err := db.SQLite.Read.Exec(`CREATE TABLE x (y)`); err == nil {
		t.Error("the read pool must refuse writes")
	}
}
