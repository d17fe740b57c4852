// Package load is the todo-load tool: it drives a todo server's task API with a closed loop
// of virtual users, each sending one request at a time of a fixed mix on its own tasks (the
// spec's API v1, or a task UI's use of v2), and reports throughput, failures by kind and
// latency percentiles. Users sign up through the server's built-in auth, or carry tokens the
// tool mints from a key set it serves itself.
package load

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Run runs the workload of cfg against its server: it makes the virtual users (signing them
// up, or as subjects of minter's tokens in AuthJWKS mode), checks that the server accepts
// them, seeds their tasks, warms up, then measures. It reports progress to progress. An error
// means the run could not start; failed requests of the run are counted in the report.
// Cancelling ctx ends the measurement early and reports what was measured.
func Run(ctx context.Context, cfg Config, minter *Minter, progress io.Writer) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Auth == AuthJWKS && minter == nil {
		return nil, errors.New("jwks auth needs a minter")
	}
	work := newWorkload(cfg.API, time.Now().UTC())
	transport := newTransport(cfg.Concurrency)
	defer transport.CloseIdleConnections()
	api, err := newAPIClient(cfg.BaseURL, work.path, cfg.Timeout)
	if err != nil {
		return nil, err
	}

	fmt.Fprintf(progress, "making %d virtual users (auth %s)\n", cfg.Concurrency, cfg.Auth)
	users, err := makeUsers(ctx, cfg, minter, transport, api, work)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, u := range users {
			u.conn.close()
		}
	}()
	fmt.Fprintf(progress, "checking that the server accepts them, then seeding %d tasks each\n", cfg.Seed)
	if err := eachUser(users, func(_ int, u *virtualUser) error { return u.prepare(ctx, cfg.Seed) }); err != nil {
		return nil, err
	}

	if cfg.Warmup > 0 {
		fmt.Fprintf(progress, "warming up for %s\n", cfg.Warmup)
		warm := newRecorder()
		runPhase(ctx, users, time.Now().Add(cfg.Warmup), nil, warm)
		if ok, failed := warm.totals(); failed > 0 {
			fmt.Fprintf(progress, "warm-up: %d requests failed, %d succeeded\n", failed, ok)
		}
	}

	fmt.Fprintf(progress, "measuring for %s\n", cfg.Duration)
	var budget *atomic.Int64
	if cfg.MaxRequests > 0 {
		budget = new(atomic.Int64)
		budget.Store(cfg.MaxRequests)
	}
	var probe *cpuProbe
	if cfg.CPU {
		if probe, err = newCPUProbe(port(cfg.BaseURL), cfg.DBPort); err != nil {
			return nil, err
		}
	}
	var serverCPU, dbCPU time.Duration
	if probe != nil {
		if serverCPU, dbCPU, err = probe.sample(); err != nil {
			return nil, err
		}
	}
	rec := newRecorder()
	start, startCPU := time.Now(), processCPU()
	runPhase(ctx, users, start.Add(cfg.Duration), budget, rec)
	r := newReport(cfg, work, time.Since(start), processCPU()-startCPU, rec)
	if probe != nil {
		server, db, err := probe.sample()
		if err != nil {
			return nil, err
		}
		r.ServerCPUSec, r.DBCPUSec = (server - serverCPU).Seconds(), (db - dbCPU).Seconds()
	}
	return r, nil
}

// runPhase keeps every virtual user busy, one request at a time (a closed loop: each waits for
// its answer before it sends the next), until the deadline passes, the budget of requests is
// spent or ctx is done. Requests under way at the deadline are finished and counted.
func runPhase(ctx context.Context, users []*virtualUser, until time.Time, budget *atomic.Int64, rec *recorder) {
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(until) {
				if budget != nil && budget.Add(-1) < 0 {
					return
				}
				u.step(ctx, rec)
			}
		})
	}
	wg.Wait()
}

// virtualUser is one client of the closed loop. It only ever touches its own tasks, which it
// keeps.
type virtualUser struct {
	identity *identity
	conn     *conn
	work     *workload
	tasks    []ownTask
	rng      *mathrand.Rand
	// nextPage is the query of the page after the last one that had a next, "" when there is
	// none: which page an opNext asks for.
	nextPage string
}

// ownTask is one of the user's tasks.
type ownTask struct {
	id   string
	etag string // as last read, "" when not known
}

// newRNG gives each user its own generator, so that drawing the mix needs no lock.
func newRNG() *mathrand.Rand {
	return mathrand.New(mathrand.NewPCG(mathrand.Uint64(), mathrand.Uint64()))
}

func makeUsers(ctx context.Context, cfg Config, minter *Minter, transport http.RoundTripper, api *apiClient, work *workload) ([]*virtualUser, error) {
	// A fresh run id keeps users apart from those of earlier runs against the same database.
	runID := strings.ToLower(rand.Text()[:10])
	users := make([]*virtualUser, cfg.Concurrency)
	for i := range users {
		users[i] = &virtualUser{conn: api.conn(), work: work, rng: newRNG()}
	}
	if cfg.Auth == AuthJWKS {
		for i, u := range users {
			u.identity = mintedIdentity(minter, fmt.Sprintf("load-%s-%d", runID, i))
		}
		return users, nil
	}
	// One sign-up at a time: the server hashes only a few passwords at once (half its CPUs)
	// and counts the wait for a slot against the request's deadline, so a burst of sign-ups
	// would make the last ones wait for all the others' hashes and be refused as too slow.
	// Sent in turn, each waits for its own hash only, and the server is busy for as long.
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	for i, u := range users {
		id, err := signedUpIdentity(ctx, base, transport, cfg.Timeout, fmt.Sprintf("load-%s-%d@example.com", runID, i))
		if err != nil {
			return nil, fmt.Errorf("virtual user %d: %w", i, err)
		}
		u.identity = id
	}
	return users, nil
}

// prepare lists the user's tasks once, which tells whether the server accepts the user's
// token at all, then creates seed tasks.
func (u *virtualUser) prepare(ctx context.Context, seed int) error {
	if _, err := u.unmeasured(ctx, u.request(opList, -1)); err != nil {
		return fmt.Errorf("the server refused a first list of tasks: %w", err)
	}
	for range seed {
		a, err := u.unmeasured(ctx, u.request(opCreate, -1))
		if err != nil {
			return fmt.Errorf("seeding: create: %w", err)
		}
		u.tasks = append(u.tasks, ownTask{id: a.createdID, etag: a.etag})
	}
	return nil
}

// unmeasured sends a request of the set-up, which no report counts.
func (u *virtualUser) unmeasured(ctx context.Context, req request) (answer, error) {
	authorization, err := u.identity.authorization(ctx, time.Now())
	if err != nil {
		return answer{}, fmt.Errorf("token: %w", err)
	}
	req.authorization = authorization
	return u.conn.send(ctx, req)
}

// step sends the user's next request and records its outcome.
func (u *virtualUser) step(ctx context.Context, rec *recorder) {
	req, index := u.next()
	authorization, err := u.identity.authorization(ctx, time.Now())
	if err != nil {
		rec.failure(req.op, "token renewal: "+err.Error())
		return
	}
	req.authorization = authorization
	start := time.Now()
	a, err := u.conn.send(ctx, req)
	elapsed := time.Since(start)
	switch {
	case err != nil && ctx.Err() != nil:
		// Interrupted by the end of the run, not failed.
	case err != nil:
		rec.failure(req.op, err.Error())
		if index >= 0 {
			// The change may have been made without the user hearing of it: send the next
			// one without a precondition rather than one that may be stale.
			u.tasks[index].etag = ""
		}
	default:
		rec.success(req.op, elapsed)
		u.apply(req, index, a)
	}
}

// next picks the next operation of the mix, and for those on one task, which of the user's
// tasks. A user without tasks creates one instead, and one without a next page lists a
// first page; the report shows the mix actually sent.
func (u *virtualUser) next() (req request, index int) {
	o := u.work.opFor(u.rng.IntN(100))
	switch {
	case o == opNext && u.nextPage == "":
		o = opList
	case o.needsTask() && len(u.tasks) == 0:
		o = opCreate
	case o.needsTask():
		index = u.rng.IntN(len(u.tasks))
		return u.request(o, index), index
	}
	return u.request(o, -1), -1
}

// request is the request of operation o, on the user's task at index for the operations on
// one task.
func (u *virtualUser) request(o op, index int) request {
	r := request{op: o}
	switch o {
	case opList:
		r.query = u.work.listQuery(u.rng)
	case opSearch:
		r.query = u.work.searchQuery(u.rng)
	case opNext:
		r.query = u.nextPage
	case opCreate:
		r.body = u.work.createBody(u.rng)
	default:
		t := u.tasks[index]
		r.taskID = t.id
		if o == opPatch {
			r.body = u.work.patchBody(u.rng)
		}
		if o != opGet {
			r.ifMatch = t.etag
		}
	}
	return r
}

// apply keeps the user's tasks and next page in step with what the server answered.
func (u *virtualUser) apply(req request, index int, a answer) {
	switch req.op {
	case opList, opSearch, opNext:
		if a.next != "" {
			u.nextPage = withCursor(req.query, a.next)
		} else if req.op == opNext {
			u.nextPage = "" // the last page: scrolled to the end
		}
	case opCreate:
		u.tasks = append(u.tasks, ownTask{id: a.createdID, etag: a.etag})
	case opGet, opPatch, opToggle:
		u.tasks[index].etag = a.etag
	case opDelete:
		last := len(u.tasks) - 1
		u.tasks[index] = u.tasks[last]
		u.tasks = u.tasks[:last]
	}
}

// withCursor is the query of a page with its cursor replaced by next: the same filters and
// sort, which the cursor must go with.
func withCursor(query, next string) string {
	if i := strings.Index(query, "&cursor="); i >= 0 {
		query = query[:i]
	}
	return query + "&cursor=" + url.QueryEscape(next)
}

// eachUser runs f for every user at once and returns the first error.
func eachUser(users []*virtualUser, f func(i int, u *virtualUser) error) error {
	errs := make([]error, len(users))
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() { errs[i] = f(i, u) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("virtual user %d: %w", i, err)
		}
	}
	return nil
}

// port is the TCP port of a base URL that Validate accepted.
func port(base string) int {
	u, _ := url.Parse(base)
	if p, err := strconv.Atoi(u.Port()); err == nil {
		return p
	}
	if u.Scheme == "https" {
		return 443
	}
	return 80
}
