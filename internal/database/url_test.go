package database_test

import (
	"strings"
	"testing"

	"todo/internal/database"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in      string
		want    database.URL
		wantErr string
	}{
		{in: "sqlite:///data/todo.db", want: database.URL{Dialect: database.SQLite, Path: "data/todo.db"}},
		{in: "sqlite:////var/lib/todo/todo.db", want: database.URL{Dialect: database.SQLite, Path: "/var/lib/todo/todo.db"}},
		{in: "sqlite://", want: database.URL{Dialect: database.SQLite}},
		{in: "sqlite:///:memory:", want: database.URL{Dialect: database.SQLite}},
		{in: "postgresql://u:p@ep-x.aws.neon.tech/db?sslmode=require", want: database.URL{Dialect: database.Postgres, DSN: "postgresql://u:p@ep-x.aws.neon.tech/db?sslmode=require"}},
		{in: "postgres://localhost/db", want: database.URL{Dialect: database.Postgres, DSN: "postgres://localhost/db"}},
		{in: "sqlite://relative.db", wantErr: "sqlite:///relative.db"},
		{in: "sqlite:///", wantErr: "names no file"},
		{in: "sqlite:///x.db?mode=ro", wantErr: "no query options"},
		{in: "mysql://localhost/db", wantErr: "must start with"},
		{in: "postgresql:///db", wantErr: "no host"},
		{in: "", wantErr: "must start with"},
	}
	for _, tt := range tests {
		got, err := database.ParseURL(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseURL(%q): got %+v, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestRedactedHidesPasswords(t *testing.T) {
	for _, in := range []string{
		"postgresql://user:s3cr3t@host/db?sslmode=require",
		"postgresql://user@host/db?password=s3cr3t",
	} {
		u, err := database.ParseURL(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Redacted(); strings.Contains(got, "s3cr3t") || !strings.Contains(got, "host") {
			t.Errorf("Redacted(%q) = %q", in, got)
		}
	}
}

func TestIsTransactionPooler(t *testing.T) {
	for host, want := range map[string]bool{
		"ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech": true,
		"ep-cool-darkness-123456.us-east-2.aws.neon.tech":        false,
		"db.example.com":          false,
		"pooler.example.com":      false,
		"127.0.0.1":               false,
		"my-pooler":               true,
		"ep-x.pooler-region.tech": false,
	} {
		if got := database.IsTransactionPooler(host); got != want {
			t.Errorf("IsTransactionPooler(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestRandomPageCost: connections to PostgreSQL plan for data in memory or on SSD unless the
// URL says otherwise; through a transaction pooler, which would refuse the setting, the
// database's own stays.
func TestRandomPageCost(t *testing.T) {
	for url, want := range map[string]string{
		"postgresql://u@db.example.com/todo":                                         "1.1",
		"postgresql://u@db.example.com/todo?random_page_cost=2":                      "2",
		"postgresql://u@db.example.com/todo?pgbouncer=true":                          "",
		"postgresql://u@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/todo": "",
	} {
		params, err := database.PlannerSettings(url)
		if err != nil {
			t.Fatal(err)
		}
		if got := params["random_page_cost"]; got != want {
			t.Errorf("%s: random_page_cost %q, want %q", url, got, want)
		}
	}
}
