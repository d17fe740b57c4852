package database_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestSQLiteFilesAreOwnerOnly: the database and its WAL and shared-memory files are 0600
// whatever the umask, and a file that an earlier version left readable is made private.
func TestSQLiteFilesAreOwnerOnly(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)

	dir := t.TempDir()
	path := filepath.Join(dir, "nested", "todo.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil { // as an earlier version left it
		t.Fatal(err)
	}
	db, cfg := openFile(t, path)
	if err := database.Migrate(context.Background(), db, cfg, apptest.Logger(t), database.MigrateUp, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s: mode %o, want 600", filepath.Base(name), mode)
		}
	}
}

// TestSQLiteCheckpointsInTheBackground: the writer's commits never copy the WAL into the
// database file; the checkpointer does, while the writes go on.
func TestSQLiteCheckpointsInTheBackground(t *testing.T) {
	path := filepath.Join(t.TempDir(), "todo.db")
	db, _ := openFile(t, path)
	var every int
	if err := db.SQLite.Write.QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&every); err != nil {
		t.Fatal(err)
	}
	if every != 0 {
		t.Errorf("the writer checkpoints every %d pages in its commits", every)
	}
	if _, err := db.SQLite.Write.Exec(`CREATE TABLE t (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return info.Size()
	}
	// The WAL holds the table; the file has only what the open wrote.
	before := size()
	deadline := time.Now().Add(10 * time.Second)
	for size() == before {
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint copied the WAL into the database file")
		}
		if _, err := db.SQLite.Write.Exec(`INSERT INTO t VALUES (zeroblob(4000))`); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSQLiteWALStartsOverUnderWrites: under a stream of writes that never pauses, the WAL
// still starts over from its beginning, so its file ends far shorter than all the frames
// written (at most half of them here, against four times the restart length). A checkpoint
// that only copies what it can without waiting (PASSIVE) never catches up with such a stream,
// and the file grows by every page written.
func TestSQLiteWALStartsOverUnderWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "todo.db")
	db, _ := openFile(t, path)
	if _, err := db.SQLite.Write.Exec(`CREATE TABLE t (v BLOB)`); err != nil {
		t.Fatal(err)
	}
	const page = 4096
	// Commits of a small row each (a WAL frame or more), eight times the restart length, and a
	// checkpoint each time they have added the restart length, while they go on (the ticker's
	// checkpoints go on too).
	total, every := 8*database.RestartFrames, database.RestartFrames
	added := make(chan struct{}) // the writes have added the restart length
	stop := make(chan struct{})
	defer close(stop)
	failed := make(chan error, 1)
	go func() {
		defer close(failed)
		for n := 1; n <= total; n++ {
			if _, err := db.SQLite.Write.Exec(`INSERT INTO t VALUES (randomblob(16))`); err != nil {
				failed <- err
				return
			}
			// Readers as the app has them, each in a read transaction of its own.
			if err := db.SQLite.Read.QueryRow(`SELECT max(rowid) FROM t`).Scan(new(int64)); err != nil {
				failed <- err
				return
			}
			if n%every == 0 {
				select {
				case added <- struct{}{}:
				case <-stop:
					return
				}
			}
		}
	}()
	for range total / every {
		select {
		case <-added:
		case err := <-failed:
			t.Fatalf("the writes stopped: %v", err)
		}
		if err := db.SQLite.Checkpoint(); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-failed; err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	// Each commit writes a page or more to the WAL: a WAL that never starts over ends as long
	// as all of them.
	if limit := int64(total * page / 2); info.Size() > limit {
		t.Errorf("the WAL is %d MB after %d commits; it never started over (limit %d MB)",
			info.Size()>>20, total, limit>>20)
	}
}

// openFile opens the SQLite database at path, closed when the test ends.
func openFile(t *testing.T, path string) (*database.DB, database.Config) {
	t.Helper()
	u, err := database.ParseURL("sqlite:///" + path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := database.Config{URL: u, ConnectTimeout: time.Second, StartupTimeout: time.Second, QueryTimeout: time.Second}
	db, err := database.Open(context.Background(), cfg, apptest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db, cfg
}
