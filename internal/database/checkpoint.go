package database

import (
	"database/sql"
	"log/slog"
	"time"
)

// checkpointEvery is how often the checkpointer copies the WAL into the database file. At
// thousands of writes a second the WAL grows by some megabytes in that time.
const checkpointEvery = 200 * time.Millisecond

// checkpointer copies the WAL into the database file in the background, on a connection of
// its own. The writer's connection never does (wal_autocheckpoint=0): by default SQLite
// checkpoints inside the commit that takes the WAL past 1,000 pages, and every write queued
// behind the single writer waits for that copy and its fsync. A PASSIVE checkpoint waits for
// no lock and blocks neither the writer nor the readers; what it cannot copy yet, because a
// reader still needs it, the next one does. The WAL starts over from its beginning once all
// of it is copied, and journal_size_limit then trims the file.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	done chan struct{}
}

// startCheckpointer opens the connection and starts the copying.
func startCheckpointer(path string, log *slog.Logger) (*checkpointer, error) {
	db, err := openSQLiteDB(path + "?" + sqlitePragmas)
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
		_, err := c.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		if err != nil && !failing {
			log.Warn("sqlite: checkpoint of the WAL failed; retrying", "err", err)
		}
		failing = err != nil
	}
}

// close stops the copying, then copies what is left and closes the connection.
func (c *checkpointer) close() {
	close(c.stop)
	<-c.done
	c.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
	c.db.Close()
}
