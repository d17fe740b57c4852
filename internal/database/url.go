package database

import (
	"errors"
	"net/url"
	"strings"
)

// Dialect names the SQL database behind a URL.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// URL is a parsed DATABASE_URL.
type URL struct {
	Dialect Dialect
	// Path is the SQLite file; empty means an in-memory database.
	Path string
	// DSN is the PostgreSQL connection string as given.
	DSN string
}

// ParseURL accepts postgres:// and postgresql:// URLs, and SQLite URLs the way SQLAlchemy
// writes them: sqlite:///relative/path.db, sqlite:////absolute/path.db and sqlite:// (memory).
func ParseURL(s string) (URL, error) {
	switch {
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		u, err := url.Parse(s)
		if err != nil {
			return URL{}, errors.New("is not a valid PostgreSQL URL (postgresql://user:password@host/dbname)")
		}
		if u.Host == "" && u.Query().Get("host") == "" {
			return URL{}, errors.New("names no host (postgresql://user:password@host/dbname)")
		}
		return URL{Dialect: Postgres, DSN: s}, nil
	case strings.HasPrefix(s, "sqlite://"):
		rest := strings.TrimPrefix(s, "sqlite://")
		if i := strings.IndexAny(rest, "?#"); i >= 0 {
			return URL{}, errors.New("takes no query options: use sqlite:///path/to/file.db")
		}
		switch {
		case rest == "", rest == "/:memory:":
			return URL{Dialect: SQLite}, nil
		case !strings.HasPrefix(rest, "/"):
			return URL{}, errors.New("must be sqlite:///relative.db, sqlite:////absolute/path.db or sqlite:// for memory")
		}
		path := strings.TrimPrefix(rest, "/")
		if path == "" {
			return URL{}, errors.New("names no file: use sqlite:///path/to/file.db")
		}
		return URL{Dialect: SQLite, Path: path}, nil
	}
	return URL{}, errors.New("must start with postgresql://, postgres:// or sqlite://")
}

// Redacted is the URL fit for a log line: the password is hidden.
func (u URL) Redacted() string {
	if u.Dialect == SQLite {
		if u.Path == "" {
			return "sqlite:// (memory)"
		}
		return "sqlite:///" + u.Path
	}
	parsed, err := url.Parse(u.DSN)
	if err != nil {
		return "postgresql://(unparsable)"
	}
	q := parsed.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		parsed.RawQuery = q.Encode()
	}
	return parsed.Redacted()
}
