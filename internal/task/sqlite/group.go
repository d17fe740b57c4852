package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxGroup bounds the writes one transaction of a groupWriter takes.
const maxGroup = 64

// groupWriter runs the writes of single tasks (create, save, delete) on the single writer
// connection, as many in one transaction as queued while the one before it committed: SQLite
// writes each page that a transaction changed to the WAL once per commit, and writes that
// come together mostly change the same pages (the end of the table, the counts, the indexes'
// pages of the newest tasks), which a group then writes once rather than once a write. A
// write alone waits for nothing more; under load, the wait for the writer is what gathers a
// group.
//
// Each write runs in a savepoint of its own, so one that fails leaves the others of its group
// as they were, and a write is answered only once its group has committed. The writers take
// turns leading: the first to come when no group is being written writes the queue's first
// group, its own write first among it (the queue is in order, and a leader is its first), and
// hands the lead to the first write still queued.
type groupWriter struct {
	db    *sql.DB
	stmts *statements

	mu      sync.Mutex
	queue   []*groupWrite
	leading bool // a write is leading; the queue waits for its hand-off
}

type groupWrite struct {
	ctx  context.Context
	fn   func(txStatements) error
	done chan error    // the outcome
	lead chan struct{} // the lead is handed to this write
}

// do runs fn in a transaction of the writer and returns once it has committed, or fn or the
// commit failed. fn must use only the statements it is given: the connection is the
// transaction's.
func (g *groupWriter) do(ctx context.Context, fn func(txStatements) error) error {
	w := &groupWrite{ctx: ctx, fn: fn, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	leader := !g.leading
	g.leading = true
	g.mu.Unlock()
	if !leader {
		select {
		case err := <-w.done:
			return err
		case <-w.lead:
		}
	}
	g.commit(w)

	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].lead <- struct{}{}
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	return <-w.done
}

// commit takes the queue's first group once it has the writer's connection (the writes that
// queued while it waited for it are of the group), runs it in one transaction and tells each
// write its outcome. The leader, first of the queue, waits for the connection no longer than
// its request may: then it alone fails, and the next write leads.
func (g *groupWriter) commit(leader *groupWrite) {
	conn, err := g.db.Conn(leader.ctx)
	if err != nil {
		g.mu.Lock()
		g.queue = g.queue[1:]
		g.mu.Unlock()
		leader.done <- err
		return
	}
	defer conn.Close()
	// The transaction outlives any one request of the group.
	tx, err := conn.BeginTx(context.Background(), nil)
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	group := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()
	errs := make([]error, len(group))
	if err == nil {
		st := g.stmts.in(tx)
		ok := false
		for i, w := range group {
			errs[i] = run(tx, st, w, len(group) > 1)
			ok = ok || errs[i] == nil
		}
		if ok {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
	}
	for i, w := range group {
		if errs[i] == nil {
			errs[i] = err
		}
		w.done <- errs[i]
	}
}

// run runs a write of a group, in a savepoint when it has company.
func run(tx *sql.Tx, st txStatements, w *groupWrite, savepoint bool) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if !savepoint {
		return w.fn(st)
	}
	if _, err := tx.Exec(`SAVEPOINT write`); err != nil {
		return err
	}
	err := w.fn(st)
	if err != nil {
		_, undo := tx.Exec(`ROLLBACK TO write`)
		err = errors.Join(err, undo)
	}
	_, release := tx.Exec(`RELEASE write`)
	return errors.Join(err, release)
}
