package database

import (
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// checkpointEvery is how often the checkpointer copies the WAL into the database file. At
// thousands of writes a second the WAL grows by some megabytes in that time.
const checkpointEvery = 200 * time.Millisecond

// restartFrames is the length of the WAL, in pages, from which a checkpoint makes the next
// commit write from the WAL's beginning again: 32 MB, half of journal_size_limit, so that the
// file is seldom trimmed only to be extended again. Under the v1 load a restart then comes
// every second or two; at 4 MB, where SQLite's own commits would checkpoint, it came at every
// tick, and the writes waited for it: the 99th percentile went from 9-11 to 12-13 ms.
const restartFrames = 8192

// restartWait bounds how long a restarting checkpoint waits (busy_timeout), first for the
// writer's commit to end, then, holding the writes back, for the readers still reading the
// WAL. The app's reads take a millisecond or so; a longer one (a search that counts 100,000
// matches) would hold every write back for as long as the wait, so the checkpoint gives up
// sooner and the next tick tries again.
const restartWait = 10 * time.Millisecond

// checkpointer copies the WAL into the database file in the background, on a connection of
// its own. The writer's connection never does (wal_autocheckpoint=0): by default SQLite
// checkpoints inside the commit that takes the WAL past 1,000 pages, and every write queued
// behind the single writer waits for that copy and its fsync.
//
// Each tick first copies what it can without waiting for any lock (PASSIVE): that is nearly
// all of the WAL, and neither the writer nor the readers wait for it. But the WAL starts over
// from its beginning only once all of it is copied, and under a steady stream of writes a
// PASSIVE copy never gets there: commits add frames while it runs. The file then grows
// without end (700 MB in 8 s of the v1 load), and each commit extends it, which costs the
// kernel far more than writing over pages it has. So when the WAL is restartFrames long, a
// RESTART follows: it holds the writers back while it copies the few frames written since
// the PASSIVE copy, waits for the readers still reading the WAL, and so makes the next commit
// write from the WAL's beginning; journal_size_limit then trims the file.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	done chan struct{}
}

// startCheckpointer opens the connection and starts the copying.
func startCheckpointer(path string, log *slog.Logger) (*checkpointer, error) {
	// modernc applies its _pragma list after _busy_timeout: the later busy_timeout is the one.
	db, err := openSQLiteDB(path + "?" + sqlitePragmas + "&_pragma=busy_timeout(" + fmt.Sprint(restartWait.Milliseconds()) + ")")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	c := &checkpointer{db: db, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run(log)
	return c, nil
}

func (c *checkpointer) run(log *slog.Logger) {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		err := c.checkpoint()
		if err != nil && !failing {
			log.Warn("sqlite: checkpoint of the WAL failed; retrying", "err", err)
		}
		failing = err != nil
	}
}

// checkpoint copies the WAL into the database file, and restarts it once it is restartFrames
// long. A RESTART that the writer or the readers held off past restartWait says so in its
// result (busy), not as an error; the next tick tries again.
func (c *checkpointer) checkpoint() error {
	var busy, frames, copied int
	if err := c.db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
		return err
	}
	if frames < restartFrames {
		return nil
	}
	_, err := c.db.Exec(`PRAGMA wal_checkpoint(RESTART)`)
	return err
}

// close stops the copying, then copies what is left and closes the connection.
func (c *checkpointer) close() {
	close(c.stop)
	<-c.done
	c.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
	c.db.Close()
}
