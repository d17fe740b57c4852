package jobs_test

import (
	"context"
	"database/sql"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/jobs"
	"todo/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type laterArgs struct{ Due time.Time }

func (laterArgs) Kind() string { return "test.later" }

type laterWorker struct {
	river.WorkerDefaults[laterArgs]
	worked chan time.Time
}

func (w *laterWorker) Work(context.Context, *river.Job[laterArgs]) error {
	w.worked <- time.Now()
	return nil
}

// TestScheduledJobsWaitAvailable: a job scheduled for later is stored available from its time
// (so that a fetch takes it as soon as its time has come, not at River's next scheduling pass
// seconds later), and is worked once that time has come, not before.
func TestScheduledJobsWaitAvailable(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		t.Parallel()
		db := apptest.OpenDB(t, d)
		q, err := jobs.New(db, jobs.Config{}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		w := &laterWorker{worked: make(chan time.Time, 1)}
		if err := jobs.Register(q, w); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		due := time.Now().Add(1500 * time.Millisecond)
		if err := q.Insert(ctx, laterArgs{Due: due}, &river.InsertOpts{ScheduledAt: due}); err != nil {
			t.Fatal(err)
		}
		var sqlDB *sql.DB
		if db.Dialect == database.Postgres {
			sqlDB = stdlib.OpenDBFromPool(db.Postgres)
			defer sqlDB.Close()
		} else {
			sqlDB = db.SQLite.Read
		}
		var state string
		if err := sqlDB.QueryRow(`SELECT state FROM river_job WHERE kind = 'test.later'`).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if state != "available" {
			t.Fatalf("a job scheduled for later is stored %q, want available (from its scheduled_at)", state)
		}
		// One that may run a few seconds late stays scheduled: its insert wakes no fetcher.
		if err := q.Insert(ctx, laterArgs{Due: due.Add(time.Hour)}, &river.InsertOpts{ScheduledAt: due.Add(time.Hour), Tags: []string{jobs.Eventually}}); err != nil {
			t.Fatal(err)
		}
		if err := sqlDB.QueryRow(`SELECT state FROM river_job WHERE kind = 'test.later' AND scheduled_at > $1`, due.Add(time.Minute)).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if state != "scheduled" {
			t.Fatalf("a job for later tagged Eventually is stored %q, want scheduled", state)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer q.Stop(ctx)
		select {
		case at := <-w.worked:
			if at.Before(due) {
				t.Fatalf("the job was worked at %v, before its time %v", at, due)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the scheduled job was not worked within 30 s")
		}
	})
}
