package sqlite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"todo/internal/database"
)

// newTestGroupWriter is a group writer on a SQLite file of the test's own, with one table w
// of one column v and without the app's tables.
func newTestGroupWriter(t *testing.T) (*database.DB, *groupWriter) {
	t.Helper()
	u, err := database.ParseURL("sqlite:///" + filepath.Join(t.TempDir(), "group.db"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := database.Config{URL: u, ConnectTimeout: time.Second, StartupTimeout: time.Second, QueryTimeout: time.Second}
	db, err := database.Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if _, err := db.SQLite.Write.Exec(`CREATE TABLE w (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	stmts, err := newStatements(context.Background(), db.SQLite.Write)
	if err != nil {
		t.Fatal(err)
	}
	return db, &groupWriter{db: db.SQLite.Write, stmts: stmts}
}

// TestGroupWriter: the writes that queue while the writer's connection is busy are written
// in one transaction; one that fails, or whose request has ended, leaves the others as they
// were and writes nothing; and every write is answered once its group has committed.
func TestGroupWriter(t *testing.T) {
	db, g := newTestGroupWriter(t)
	ctx := context.Background()
	refused := errors.New("refused")
	ended, end := context.WithCancel(ctx)

	// The writer's connection is busy: the first write waits for it, the others queue.
	busy, err := db.SQLite.Write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := make(map[string]error)
	var mu sync.Mutex
	var wg sync.WaitGroup
	write := func(v string, ctx context.Context, fail bool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := g.do(ctx, func(st txStatements) error {
				if _, err := st.exec(ctx, `INSERT INTO w VALUES (?)`, v); err != nil {
					return err
				}
				if fail {
					return refused
				}
				return nil
			})
			mu.Lock()
			outcomes[v] = err
			mu.Unlock()
		}()
	}
	write("a", ctx, false)
	waitFor(t, func() bool { return g.queued() == 1 })
	write("b", ctx, true)
	waitFor(t, func() bool { return g.queued() == 2 })
	write("c", ended, false)
	waitFor(t, func() bool { return g.queued() == 3 })
	write("d", ctx, false)
	waitFor(t, func() bool { return g.queued() == 4 })
	end()
	busy.Close()
	wg.Wait()

	want := map[string]error{"a": nil, "b": refused, "c": context.Canceled, "d": nil}
	if fmt.Sprint(outcomes) != fmt.Sprint(want) {
		t.Errorf("outcomes %v, want %v", outcomes, want)
	}
	for v, err := range want {
		if !errors.Is(outcomes[v], err) {
			t.Errorf("%s: %v, want %v", v, outcomes[v], err)
		}
	}
	if stored := storedValues(t, db); fmt.Sprint(stored) != "[a d]" {
		t.Errorf("stored %q, want [a d]", stored)
	}
	if g.leading || g.queued() != 0 {
		t.Errorf("after the group: leading %v, %d queued", g.leading, g.queued())
	}
}

// TestGroupWriterAlone: a write that fails alone writes nothing.
func TestGroupWriterAlone(t *testing.T) {
	db, g := newTestGroupWriter(t)
	ctx := context.Background()
	refused := errors.New("refused")
	err := g.do(ctx, func(st txStatements) error {
		if _, err := st.exec(ctx, `INSERT INTO w VALUES ('x')`); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("got %v, want the write's own error", err)
	}
	var n int
	if err := db.SQLite.Read.QueryRow(`SELECT count(*) FROM w`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows stored (%v), want none", n, err)
	}
}

func (g *groupWriter) queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

// waitFor waits until cond holds, for the goroutines of the test to reach their places.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("the writes did not queue")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestGroupWriterLeaderDeadline: a write that leads waits for the busy connection no longer
// than its request may, and the write queued behind it leads once the connection is free.
func TestGroupWriterLeaderDeadline(t *testing.T) {
	db, g := newTestGroupWriter(t)
	ctx := context.Background()
	busy, err := db.SQLite.Write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithCancel(ctx)
	insert := func(ctx context.Context, v string) error {
		return g.do(ctx, func(st txStatements) error {
			_, err := st.exec(ctx, `INSERT INTO w VALUES (?)`, v)
			return err
		})
	}
	first := make(chan error, 1)
	go func() { first <- insert(short, "first") }()
	waitFor(t, func() bool { return g.queued() == 1 })
	second := make(chan error, 1)
	go func() { second <- insert(ctx, "second") }()
	waitFor(t, func() bool { return g.queued() == 2 })
	cancel() // the first request ends while the connection is still busy
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("the leader's write: %v, want its request's end", err)
	}
	busy.Close()
	if err := <-second; err != nil {
		t.Fatalf("the write queued behind: %v", err)
	}
	if stored := storedValues(t, db); fmt.Sprint(stored) != "[second]" {
		t.Errorf("stored %q, want [second]", stored)
	}
}

// storedValues are the values of table w, in order.
func storedValues(t *testing.T, db *database.DB) []string {
	t.Helper()
	rows, err := db.SQLite.Read.Query(`SELECT v FROM w ORDER BY v`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var stored []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, v)
	}
	return stored
}
