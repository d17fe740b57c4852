package database

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
)

// sqlitePragmas are applied to every connection. busy_timeout comes first so that even
// switching to WAL waits for another process's lock instead of failing. synchronous=NORMAL in
// WAL mode keeps every committed transaction across a crash of the process (the WAL is in the
// OS's hands once the commit returns); only a power loss can take back the last commits.
const sqlitePragmas = "_busy_timeout=10000&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=1"

// ownerOnly makes the database file readable by its owner alone (0600), whatever the umask,
// before SQLite opens it: it holds password hashes and sessions. SQLite gives its WAL and
// shared-memory files the database file's permissions.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("make %s private: %w", path, err)
	}
	return nil
}

func openSQLite(ctx context.Context, cfg Config, log *slog.Logger) (*SQLiteDB, error) {
	path := cfg.URL.Path
	if path == "" {
		// One connection shared by reads and writes: each new connection to ":memory:" would
		// be a new, empty database.
		db, err := openSQLiteDB(":memory:?_foreign_keys=1")
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
		return &SQLiteDB{Write: db, Read: db}, nil
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create the database directory: %w", err)
		}
	}
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	write, err := openSQLiteDB(path + "?" + sqlitePragmas + "&_txlock=immediate&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	// A new file is switched to WAL by the first connection; connections of other processes
	// switching it at the same moment may get SQLITE_BUSY without waiting (SQLite does not wait
	// where two would wait for each other). Once the file is in WAL, which it stays, opening
	// again succeeds.
	if err := retryUnavailable(ctx, cfg, log, "database file", write.PingContext); err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	read, err := openSQLiteDB(path + "?" + sqlitePragmas + "&_query_only=1")
	if err != nil {
		write.Close()
		return nil, err
	}
	readers := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	checkpoints, err := startCheckpointer(path, log)
	if err != nil {
		write.Close()
		read.Close()
		return nil, err
	}
	return &SQLiteDB{Write: write, Read: read, checkpoints: checkpoints}, nil
}
