package interop_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver

	"todo/internal/apptest"
	"todo/internal/database"
)

func base64URL(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// openURL opens a DATABASE_URL with database/sql, closed when the test ends.
func openURL(t *testing.T, databaseURL string) *sql.DB {
	t.Helper()
	u, err := database.ParseURL(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	var db *sql.DB
	if u.Dialect == database.Postgres {
		db, err = sql.Open("pgx", u.DSN)
	} else {
		db, err = sql.Open("sqlite", "file:"+u.Path+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openDB(t *testing.T, s *apptest.Server) *sql.DB {
	t.Helper()
	u := s.Config.Database.URL
	if u.Dialect == database.Postgres {
		return openURL(t, u.DSN)
	}
	return openURL(t, "sqlite:///"+u.Path)
}

// migrateUp applies our migrations to the database, as `todo migrate up` does.
func migrateUp(t *testing.T, databaseURL string) {
	t.Helper()
	u, err := database.ParseURL(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := database.Config{URL: u, ConnectTimeout: 10 * time.Second, StartupTimeout: 30 * time.Second, QueryTimeout: 10 * time.Second}
	ctx := context.Background()
	db, err := database.Open(ctx, cfg, apptest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := database.Migrate(ctx, db, cfg, apptest.Logger(t), database.MigrateUp, io.Discard); err != nil {
		t.Fatalf("our migrations: %v", err)
	}
}

// plan is the answer of interop/migrate-check.mjs: what Better Auth's migrator would do.
type plan struct {
	ToBeCreated      []string          `json:"toBeCreated"`
	ToBeAdded        []json.RawMessage `json:"toBeAdded"`
	ToBeAddedIndexes []json.RawMessage `json:"toBeAddedIndexes"`
	UnsafeChanges    []json.RawMessage `json:"unsafeChanges"`
	SchemaProblems   []json.RawMessage `json:"schemaProblems"`
	Warnings         []string          `json:"warnings"`
	Applied          bool              `json:"applied"`
}

func (p plan) nothingToDo() bool {
	return len(p.ToBeCreated)+len(p.ToBeAdded)+len(p.ToBeAddedIndexes)+len(p.UnsafeChanges)+len(p.SchemaProblems)+len(p.Warnings) == 0
}

func migrateCheck(t *testing.T, databaseURL string, apply bool) (plan, string) {
	t.Helper()
	var args []string
	if apply {
		args = append(args, "--apply")
	}
	out, stderr, err := runScript(t, []string{"DATABASE_URL=" + databaseURL, "BETTER_AUTH_SECRET=" + apptest.Secret}, "migrate-check.mjs", args...)
	if err != nil {
		t.Fatalf("migrate-check %v: %v\n%s", args, err, stderr)
	}
	var p plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("migrate-check printed %q: %v", out, err)
	}
	return p, strings.TrimSpace(out)
}

var betterAuthTables = []string{"user", "session", "account", "verification", "jwks"}

// schemaOf describes Better Auth's tables in the database: columns with type, nullability and
// default, indexes, and constraints, one sorted line each.
func schemaOf(t *testing.T, databaseURL string) []string {
	t.Helper()
	db := openURL(t, databaseURL)
	var lines []string
	rows := func(query string, args ...any) [][]string {
		t.Helper()
		rs, err := db.Query(query, args...)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer rs.Close()
		cols, _ := rs.Columns()
		var out [][]string
		for rs.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := make([]string, len(cols))
			for i, v := range vals {
				row[i] = v.String
				if !v.Valid {
					row[i] = "NULL"
				}
			}
			out = append(out, row)
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if strings.HasPrefix(databaseURL, "sqlite") {
		for _, table := range betterAuthTables {
			for _, c := range rows(fmt.Sprintf(`SELECT cid, name, type, "notnull", dflt_value, pk FROM pragma_table_info(%q)`, table)) {
				lines = append(lines, fmt.Sprintf("column %s.%s #%s %s notnull=%s default=%s pk=%s", table, c[1], c[0], c[2], c[3], c[4], c[5]))
			}
			for _, ix := range rows(fmt.Sprintf(`SELECT name, "unique", origin FROM pragma_index_list(%q)`, table)) {
				var cols []string
				for _, c := range rows(fmt.Sprintf(`SELECT name FROM pragma_index_info(%q) ORDER BY seqno`, ix[0])) {
					cols = append(cols, c[0])
				}
				lines = append(lines, fmt.Sprintf("index %s.%s unique=%s origin=%s (%s)", table, ix[0], ix[1], ix[2], strings.Join(cols, ", ")))
			}
			for _, fk := range rows(fmt.Sprintf(`SELECT "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(%q)`, table)) {
				lines = append(lines, fmt.Sprintf("foreign key %s.%s -> %s.%s on update %s on delete %s", table, fk[1], fk[0], fk[2], fk[3], fk[4]))
			}
		}
	} else {
		in := `('` + strings.Join(betterAuthTables, `','`) + `')`
		for _, c := range rows(`SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name IN ` + in) {
			lines = append(lines, fmt.Sprintf("column %s.%s #%s %s nullable=%s default=%s", c[0], c[1], c[2], c[3], c[4], c[5]))
		}
		for _, ix := range rows(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ` + in) {
			lines = append(lines, "index "+ix[0])
		}
		for _, con := range rows(`SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
			WHERE c.relnamespace = 'public'::regnamespace AND c.relname IN ` + in) {
			lines = append(lines, fmt.Sprintf("constraint %s.%s %s", con[0], con[1], con[2]))
		}
	}
	if len(lines) == 0 {
		t.Fatalf("no Better Auth tables in %s", databaseURL)
	}
	sort.Strings(lines)
	return lines
}

// TestMigrations: Better Auth's migrator finds nothing to do on our schema, the schema it
// creates is ours, index for index (its migrator does not look at indexes of existing
// tables, so they are compared here), and our server adopts a database it migrated.
func TestMigrations(t *testing.T) {
	harness(t)
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		ourURL := apptest.DatabaseURL(t, dialect)
		migrateUp(t, ourURL)
		if p, raw := migrateCheck(t, ourURL, false); !p.nothingToDo() || p.Applied {
			t.Errorf("Better Auth's migrator on our schema: %s; want nothing to do and no warnings", raw)
		}

		baURL := apptest.DatabaseURL(t, dialect)
		p, raw := migrateCheck(t, baURL, true)
		if strings.Join(p.ToBeCreated, ",") != strings.Join(betterAuthTables, ",") || !p.Applied {
			t.Fatalf("Better Auth's migrator on an empty database: %s; want the five tables created", raw)
		}
		if p, raw := migrateCheck(t, baURL, false); !p.nothingToDo() {
			t.Errorf("Better Auth's migrator after its own migration: %s", raw)
		}
		ourSchema, baSchema := schemaOf(t, ourURL), schemaOf(t, baURL)
		if diff := lineDiff(ourSchema, baSchema); diff != "" {
			t.Errorf("our schema (-) and Better Auth's (+) differ:\n%s", diff)
		}

		// Better Auth works on its database first: a user and the first signing key.
		ba := startBetterAuth(t, baURL)
		first := "first." + string(dialect) + "@example.com"
		a, baCookie := signUp(t, ba.URL, first)
		baJWT := token(t, ba.URL, baCookie)

		// Then our server starts on it: our migrations must run on Better Auth's schema.
		ours := apptest.Start(t, dialect, map[string]string{"DATABASE_URL": baURL})
		in, cookie := signIn(t, ours.URL, first)
		if in.User.ID != a.User.ID {
			t.Errorf("our sign-in: got user %s, want %s", in.User.ID, a.User.ID)
		}
		ourJWT := token(t, ours.URL, cookie)
		if kidOf(t, ourJWT) != kidOf(t, baJWT) {
			t.Errorf("we sign with key %s, Better Auth made %s: want its key", kidOf(t, ourJWT), kidOf(t, baJWT))
		}
		if _, stderr, err := runScript(t, nil, "jose-verify.mjs", ourJWT, ba.URL+"/api/auth/jwks", ours.URL, ours.URL); err != nil {
			t.Errorf("our JWT against Better Auth's JWKS: %v\n%s", err, stderr)
		}
		second := "second." + string(dialect) + "@example.com"
		signUp(t, ours.URL, second)
		signIn(t, ba.URL, second)
		if p, raw := migrateCheck(t, baURL, false); !p.nothingToDo() {
			t.Errorf("Better Auth's migrator after ours ran on its schema: %s", raw)
		}
	})
}

// lineDiff lists the lines only in a (-) or only in b (+).
func lineDiff(a, b []string) string {
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, l := range a {
		inA[l] = true
	}
	for _, l := range b {
		inB[l] = true
	}
	var out []string
	for _, l := range a {
		if !inB[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range b {
		if !inA[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
