package database_test

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strconv"
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
		// A virtual table (FTS5) counts, not the shadow tables SQLite keeps its contents in.
		rows, err := db.SQLite.Read.Query(`SELECT name FROM pragma_table_list
			WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite_%'`)
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
	names = slices.DeleteFunc(names, func(n string) bool { return strings.HasPrefix(n, "river_") })
	sort.Strings(names)
	return names
}

// The tables function leaves out River's tables (river_*): River's migrator makes them, after
// the app's migrations, and records them in its own river_migration table.
var riverLine = regexp.MustCompile(`(?m)^river\s+(\d+) of River's (\d+) migrations applied$`)

// riverApplied reads from a status how many of River's migrations are applied, and of how many.
func riverApplied(t *testing.T, status string) (applied, total int) {
	t.Helper()
	m := riverLine.FindStringSubmatch(status)
	if m == nil {
		t.Fatalf("status has no line for River's migrations:\n%s", status)
	}
	applied, _ = strconv.Atoi(m[1])
	total, _ = strconv.Atoi(m[2])
	return applied, total
}

// migration is one embedded migration file.
type migration struct {
	version int64
	tables  func(before []string) []string // the tables once it is applied
}

var (
	createTable = regexp.MustCompile(`(?i)\bcreate\s+(?:virtual\s+)?table\s+(?:if\s+not\s+exists\s+)?"?(\w+)"?`)
	dropTable   = regexp.MustCompile(`(?i)\bdrop\s+table\s+(?:if\s+exists\s+)?"?(\w+)"?`)
	sqlComment  = regexp.MustCompile(`--.*`)
)

// migrations reads the dialect's embedded migrations, oldest first, and what each does to the
// set of tables, from the CREATE TABLE and DROP TABLE statements of its Up section.
func migrations(t *testing.T, d database.Dialect) []migration {
	t.Helper()
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(database.Migrations, dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []migration
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.ParseInt(prefix, 10, 64)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			t.Fatalf("%s/%s is not a migration named <version>_<name>.sql", dir, e.Name())
		}
		text, err := fs.ReadFile(database.Migrations, dir+"/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		up, _, _ := strings.Cut(string(text), "-- +goose Down")
		up = sqlComment.ReplaceAllString(up, "")
		created, dropped := createTable.FindAllStringSubmatch(up, -1), dropTable.FindAllStringSubmatch(up, -1)
		out = append(out, migration{version: version, tables: func(before []string) []string {
			after := slices.Clone(before)
			for _, m := range dropped {
				after = slices.DeleteFunc(after, func(n string) bool { return n == m[1] })
			}
			for _, m := range created {
				if !slices.Contains(after, m[1]) {
					after = append(after, m[1])
				}
			}
			sort.Strings(after)
			return after
		}})
	}
	slices.SortFunc(out, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	if len(out) == 0 {
		t.Fatalf("no migrations in %s", dir)
	}
	return out
}

// statusLine is a line of `todo migrate status`: the version, then the file, then the state.
var statusLine = regexp.MustCompile(`(?m)^(\d+)\s+\S+\s+(applied|pending)\b`)

// appliedVersions reads which versions a status lists as applied, and checks that it lists
// every migration once.
func appliedVersions(t *testing.T, status string, all []migration) []int64 {
	t.Helper()
	var listed, applied []int64
	for _, m := range statusLine.FindAllStringSubmatch(status, -1) {
		v, _ := strconv.ParseInt(m[1], 10, 64)
		listed = append(listed, v)
		if m[2] == "applied" {
			applied = append(applied, v)
		}
	}
	var want []int64
	for _, m := range all {
		want = append(want, m.version)
	}
	if !slices.Equal(listed, want) {
		t.Fatalf("status lists versions %v, want each migration once, %v:\n%s", listed, want, status)
	}
	return applied
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
		all := migrations(t, d)
		// tablesAfter[k] is the schema with the first k migrations applied.
		tablesAfter := [][]string{{"goose_db_version"}}
		for _, m := range all {
			tablesAfter = append(tablesAfter, m.tables(tablesAfter[len(tablesAfter)-1]))
		}
		versions := func(ms []migration) []int64 {
			vs := []int64{}
			for _, m := range ms {
				vs = append(vs, m.version)
			}
			return vs
		}
		// checkApplied checks that the first k of the app's migrations are applied, and all
		// of River's (or none, before the first up).
		checkApplied := func(when string, k int, river bool) {
			t.Helper()
			status, err := migrate(database.MigrateStatus)
			if err != nil {
				t.Fatalf("status %s: %v", when, err)
			}
			if got, want := appliedVersions(t, status, all), versions(all[:k]); !slices.Equal(got, want) {
				t.Fatalf("status %s: applied %v, want %v:\n%s", when, got, want, status)
			}
			if got := tables(t, db); !slices.Equal(got, tablesAfter[k]) {
				t.Fatalf("tables %s: %v, want %v", when, got, tablesAfter[k])
			}
			applied, total := riverApplied(t, status)
			if want := map[bool]int{true: total, false: 0}[river]; total == 0 || applied != want {
				t.Fatalf("status %s: %d of River's %d migrations applied, want %d", when, applied, total, want)
			}
			if river {
				apptest.Int(t, db, `SELECT count(*) FROM river_job`) // fails if River has no job table
			}
		}

		checkApplied("before up", 0, false)
		if _, err := migrate(database.MigrateUp); err != nil {
			t.Fatal(err)
		}
		checkApplied("after up", len(all), true)
		// What the application and Better Auth need, whatever migration made it.
		for _, table := range []string{"account", "jwks", "session", "task_counts", "tasks", "user", "verification"} {
			if !slices.Contains(tablesAfter[len(all)], table) {
				t.Errorf("no migration creates the %s table", table)
			}
		}

		// Each down reverts exactly one migration, newest first.
		for k := len(all) - 1; k >= 0; k-- {
			if _, err := migrate(database.MigrateDown); err != nil {
				t.Fatal(err)
			}
			// River's tables are not the app's migrations': down leaves them.
			checkApplied(fmt.Sprintf("after reverting version %d", all[k].version), k, true)
		}
		if _, err := migrate(database.MigrateDown); err == nil || !strings.Contains(err.Error(), "no migration left") {
			t.Fatalf("down with nothing applied: %v", err)
		}
		if _, err := migrate(database.MigrateUp); err != nil {
			t.Fatalf("up again: %v", err)
		}
		checkApplied("after up again", len(all), true)
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
		if want := len(migrations(t, d)); err != nil || applied != want {
			t.Fatalf("migrations recorded: %d, %v; want each of the %d once", applied, err, want)
		}
		var status bytes.Buffer
		if err := database.Migrate(ctx, db, cfg, quiet, database.MigrateStatus, &status); err != nil {
			t.Fatal(err)
		}
		query = `SELECT count(*) FROM river_migration`
		if d == database.Postgres {
			err = db.Postgres.QueryRow(ctx, query).Scan(&applied)
		} else {
			err = db.SQLite.Read.QueryRow(query).Scan(&applied)
		}
		if _, want := riverApplied(t, status.String()); err != nil || applied != want {
			t.Fatalf("River's migrations recorded: %d, %v; want each of the %d once", applied, err, want)
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
