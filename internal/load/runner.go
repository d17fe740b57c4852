// Package load is the todo-load tool: it drives a todo server's task API with a closed loop
// of virtual users, each sending one request at a time of a fixed mix on its own tasks, and
// reports throughput, failures by kind and latency percentiles. Users sign up through the
// server's built-in auth, or carry tokens the tool mints from a key set it serves itself.
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
	transport := newTransport(cfg.Concurrency)
	defer transport.CloseIdleConnections()
	api, err := newAPIClient(cfg.BaseURL, cfg.Timeout)
	if err != nil {
		return nil, err
	}

	fmt.Fprintf(progress, "making %d virtual users (auth %s)\n", cfg.Concurrency, cfg.Auth)
	users, err := makeUsers(ctx, cfg, minter, transport, api)
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
	r := newReport(cfg, time.Since(start), processCPU()-startCPU, rec)
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

// virtualUser is one client of the closed loop. It only ever touches its own tasks, whose ids
// it keeps.
type virtualUser struct {
	identity *identity
	conn     *conn
	tasks    []string
	rng      *mathrand.Rand
}

// newRNG gives each user its own generator, so that drawing the mix needs no lock.
func newRNG() *mathrand.Rand {
	return mathrand.New(mathrand.NewPCG(mathrand.Uint64(), mathrand.Uint64()))
}

func makeUsers(ctx context.Context, cfg Config, minter *Minter, transport http.RoundTripper, api *apiClient) ([]*virtualUser, error) {
	// A fresh run id keeps users apart from those of earlier runs against the same database.
	runID := strings.ToLower(rand.Text()[:10])
	users := make([]*virtualUser, cfg.Concurrency)
	for i := range users {
		users[i] = &virtualUser{conn: api.conn(), rng: newRNG()}
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
	if _, err := u.unmeasured(ctx, opList); err != nil {
		return fmt.Errorf("the server refused a first list of tasks: %w", err)
	}
	for range seed {
		id, err := u.unmeasured(ctx, opCreate)
		if err != nil {
			return fmt.Errorf("seeding: create: %w", err)
		}
		u.tasks = append(u.tasks, id)
	}
	return nil
}

// unmeasured sends a request of the set-up, which no report counts.
func (u *virtualUser) unmeasured(ctx context.Context, o op) (createdID string, err error) {
	authorization, err := u.identity.authorization(ctx, time.Now())
	if err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return u.conn.send(ctx, request{op: o, authorization: authorization})
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
	createdID, err := u.conn.send(ctx, req)
	elapsed := time.Since(start)
	switch {
	case err != nil && ctx.Err() != nil:
		// Interrupted by the end of the run, not failed.
	case err != nil:
		rec.failure(req.op, err.Error())
	default:
		rec.success(req.op, elapsed)
		u.apply(req.op, index, createdID)
	}
}

// next picks the next operation of the mix, and for those on one task, which of the user's
// tasks. A user without tasks creates one instead; the report shows the mix actually sent.
func (u *virtualUser) next() (req request, index int) {
	o := opFor(u.rng.IntN(100))
	if !o.needsTask() {
		return request{op: o}, -1
	}
	if len(u.tasks) == 0 {
		return request{op: opCreate}, -1
	}
	index = u.rng.IntN(len(u.tasks))
	return request{op: o, taskID: u.tasks[index]}, index
}

// apply keeps the user's list of tasks in step with what the server did.
func (u *virtualUser) apply(o op, index int, createdID string) {
	switch o {
	case opCreate:
		u.tasks = append(u.tasks, createdID)
	case opDelete:
		last := len(u.tasks) - 1
		u.tasks[index] = u.tasks[last]
		u.tasks = u.tasks[:last]
	}
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
