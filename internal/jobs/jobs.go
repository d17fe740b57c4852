// Package jobs is the application's one way to do work later, once: a job is a row in the
// app's database, stored when Insert returns, worked by one of the instances that share the
// database, retried with exponential backoff when it fails, and still there after a restart.
//
// It is River (riverqueue.com) over the app's own database. On PostgreSQL, riverpgxv5 on a
// pool of its own (ConnectionName, up to poolSize connections), so that jobs never take the
// connections of requests nor requests those of jobs: instances take jobs with FOR UPDATE
// SKIP LOCKED and hear of new ones by LISTEN/NOTIFY. On SQLite, riversqlite on the single
// write connection, which serialises River's statements with the app's writes as it does the
// app's own. River's tables are made by River's migrator as part of database.Migrate.
//
// The package that owns a kind of job registers its worker (Register) between New and Start;
// the server starts the client after every package has and stops it on shutdown.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"todo/internal/database"
)

// Config tunes the client; the zero value is the production one.
type Config struct {
	// RetryBackoff (JOB_RETRY_BACKOFF) is the wait before the first retry of a failed job;
	// it doubles with each further failure, up to MaxRetryBackoff. 0 is DefaultRetryBackoff.
	RetryBackoff time.Duration
	// Workers is how many jobs one instance works at once; 0 is DefaultWorkers.
	Workers int
}

const (
	DefaultRetryBackoff = time.Second
	// MaxRetryBackoff bounds the wait between two attempts: with River's 25 attempts, a job
	// is tried for about 14 hours before it is given up.
	MaxRetryBackoff = time.Hour
	DefaultWorkers  = 10
	// fetchCooldown is the least time between two fetches of jobs while jobs keep coming: at
	// River's default (100 ms) an instance takes at most Workers jobs per 100 ms, 100 a second,
	// and 10,000 reminders due at 09:00 (each a job, and a job per delivery) would wait minutes.
	// It also bounds how often inserts wake the fetchers: a job for later tagged Eventually
	// wakes none.
	fetchCooldown = 10 * time.Millisecond
	// jobTimeout bounds one attempt; a worker may ask for less (river.Worker's Timeout).
	jobTimeout = time.Minute
	// ConnectionName is the application_name of the job queue's PostgreSQL connections.
	ConnectionName = "todo-jobs"
	// poolSize bounds those connections: one listens, the others fetch, complete and elect
	// the leader, each for a moment.
	poolSize = 4
	// rescueAfter is how long a job may stay running before it is taken for abandoned (its
	// instance died during the attempt) and worked again. Well over jobTimeout, so that an
	// attempt still going is never worked twice.
	rescueAfter = 5 * time.Minute
)

// Client inserts jobs and, once started, works them.
type Client struct {
	log     *slog.Logger
	workers *river.Workers
	// river is the client that works jobs and inserts outside transactions; its transaction
	// type is the driver's (pgx.Tx or *sql.Tx), which the methods used here do not name.
	river riverClient
	// sqlTx inserts jobs within a caller's database/sql transaction: river itself on SQLite,
	// an insert-only client over the same pool on PostgreSQL.
	sqlTx *river.Client[*sql.Tx]

	// release closes the PostgreSQL connections of the client (none on SQLite).
	release []func()

	mu      sync.Mutex
	kinds   int // how many workers are registered
	started bool
}

// riverClient is what Client uses of a *river.Client, whatever its transaction type.
type riverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// New makes a client over db. It works nothing until Start; Stop releases it.
func New(db *database.DB, cfg Config, log *slog.Logger) (*Client, error) {
	log = log.With("component", "jobs")
	c := &Client{log: log, workers: river.NewWorkers()}
	rc := &river.Config{
		// River's own informational lines (leadership, start and stop) stay out of the log;
		// failed jobs are logged once each by errorLogger.
		Logger:       slog.New(minLevel{log.Handler(), slog.LevelWarn}),
		ErrorHandler: errorLogger{log},
		RetryPolicy:  backoff{first: cmp.Or(cfg.RetryBackoff, DefaultRetryBackoff), max: MaxRetryBackoff},
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cmp.Or(cfg.Workers, DefaultWorkers)}},
		Workers:      c.workers,
		// An instance takes only the kinds it has workers for: during a rolling upgrade, an
		// older instance leaves a newer kind of job to the newer ones.
		FetchOnlyKnownKinds:  true,
		FetchCooldown:        fetchCooldown,
		JobTimeout:           jobTimeout,
		RescueStuckJobsAfter: rescueAfter,
		Middleware:           []rivertype.Middleware{&onTime{}},
	}
	var err error
	switch db.Dialect {
	case database.Postgres:
		// A transaction pooler cannot carry LISTEN: the instances then find new jobs by
		// polling (every second) instead of being told.
		rc.PollOnly = db.TransactionPooler
		pcfg := db.Postgres.Config()
		pcfg.MaxConns, pcfg.MinConns = poolSize, 0
		if pcfg.ConnConfig.RuntimeParams == nil {
			pcfg.ConnConfig.RuntimeParams = map[string]string{}
		}
		pcfg.ConnConfig.RuntimeParams["application_name"] = ConnectionName
		// The pool connects when first used, so the context only matters to that.
		var pool *pgxpool.Pool
		if pool, err = pgxpool.NewWithConfig(context.Background(), pcfg); err != nil {
			return nil, err
		}
		sqlDB := stdlib.OpenDBFromPool(db.Postgres) // the callers' transactions are on the app's pool
		c.release = []func(){pool.Close, func() { sqlDB.Close() }}
		if c.river, err = river.NewClient(riverpgxv5.New(pool), rc); err == nil {
			c.sqlTx, err = river.NewClient(riverdatabasesql.New(sqlDB), &river.Config{
				Logger: rc.Logger, Workers: c.workers, FetchOnlyKnownKinds: true, Middleware: rc.Middleware,
			})
		}
	default:
		c.sqlTx, err = river.NewClient(riversqlite.New(db.SQLite.Write), rc)
		c.river = c.sqlTx
	}
	if err != nil {
		c.Stop(context.Background())
		return nil, err
	}
	return c, nil
}

// Register adds the worker of one kind of job. Every worker is registered before Start; a
// kind registered twice is an error.
func Register[T river.JobArgs](c *Client, w river.Worker[T]) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		var args T
		return fmt.Errorf("register %s: the jobs client has started", args.Kind())
	}
	if err := river.AddWorkerSafely(c.workers, w); err != nil {
		return err
	}
	c.kinds++
	return nil
}

// Start begins working jobs, in the background until Stop. With no worker registered there
// is nothing to work, and Start does nothing.
func (c *Client) Start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return errors.New("the jobs client has started already")
	}
	c.started = true
	if c.kinds == 0 {
		return nil
	}
	return c.river.Start(ctx)
}

// Stop lets the jobs in progress finish until ctx is done, then cancels what is left (those
// jobs are worked again later, by this instance or another), and returns once everything has
// stopped and the client's connections are closed.
func (c *Client) Stop(ctx context.Context) error {
	c.mu.Lock()
	working := c.started && c.kinds > 0
	c.mu.Unlock()
	for _, release := range c.release {
		defer release()
	}
	if !working {
		return nil
	}
	err := c.river.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	c.log.Warn("jobs still running at the end of the shutdown timeout: cancelling them")
	cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return c.river.StopAndCancel(cancelCtx)
}

// Insert stores a job and returns once it is stored; some instance works it from then on.
func (c *Client) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := c.river.Insert(ctx, args, opts)
	return err
}

// InsertTx stores a job within tx, a transaction of database/sql on the app's database: the
// job exists if and only if tx commits.
func (c *Client) InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := c.sqlTx.InsertTx(ctx, tx, args, opts)
	return err
}

// InsertManyTx stores jobs within tx in one statement (the job exists if and only if tx
// commits) and returns their ids, in the order of many.
func (c *Client) InsertManyTx(ctx context.Context, tx *sql.Tx, many []river.InsertManyParams) ([]int64, error) {
	res, err := c.sqlTx.InsertManyTx(ctx, tx, many)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = r.Job.ID
	}
	return ids, nil
}

// DeleteTx removes the job id within tx. A job that is running is not removed
// (rivertype.ErrJobRunning), nor one already gone (rivertype.ErrNotFound).
func (c *Client) DeleteTx(ctx context.Context, tx *sql.Tx, id int64) error {
	_, err := c.sqlTx.JobDeleteTx(ctx, tx, id)
	return err
}

// onTime stores a job scheduled for later as available from its time instead of scheduled.
// River moves scheduled jobs to available every 5 seconds, and its fetch takes an available
// job only once its scheduled_at has come (scheduled_at <= now(), as it does for the short
// retries it makes available at once): so a job runs within a fetch poll (1 s) of its time,
// which a reminder needs, instead of up to 5 s late. A job tagged Eventually is left to the
// 5 seconds: an available job's insert wakes the fetchers of every instance, for nothing
// while its time is still ahead.
type onTime struct{ river.MiddlewareDefaults }

// Eventually is the tag (river.InsertOpts.Tags) of a job for later that may run up to a few
// seconds after its time.
const Eventually = "eventually"

func (*onTime) InsertMany(ctx context.Context, many []*rivertype.JobInsertParams, insert func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	for _, p := range many {
		if p.State == rivertype.JobStateScheduled && !slices.Contains(p.Tags, Eventually) {
			p.State = rivertype.JobStateAvailable
		}
	}
	return insert(ctx)
}

// backoff retries a job first after `first`, then twice as long after each further failure,
// up to max, each wait shortened or lengthened by up to a tenth at random so that jobs that
// failed together (a mail server down) do not all come back at the same moment.
type backoff struct{ first, max time.Duration }

func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(b.delay(len(job.Errors)))
}

// delay is the wait before the next attempt of a job that had failed `failures` times before
// this failure.
func (b backoff) delay(failures int) time.Duration {
	d := b.first
	for i := 0; i < failures && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
}

// errorLogger logs each failed attempt once, without the job's arguments (a message's link
// is a secret).
type errorLogger struct{ log *slog.Logger }

func (e errorLogger) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	attrs := []any{"kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "max_attempts", job.MaxAttempts, "err", err}
	if job.Attempt >= job.MaxAttempts {
		e.log.ErrorContext(ctx, "job failed for the last time: given up", attrs...)
	} else {
		e.log.WarnContext(ctx, "job failed: will retry", attrs...)
	}
	return nil
}

func (e errorLogger) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	e.log.ErrorContext(ctx, "job panicked", "kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "panic", fmt.Sprint(panicVal), "trace", trace)
	return nil
}

// minLevel passes on the records of at least level.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}
