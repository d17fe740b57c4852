package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
)

// A short run against the real application, in both auth modes, on both databases: every
// request of the mix must succeed, which also proves that each user only touches tasks that
// exist and are its own (anything else would be a 404).
func TestRunAgainstTheApp(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		for _, auth := range []string{AuthSignup, AuthJWKS} {
			t.Run(auth, func(t *testing.T) {
				cfg := DefaultConfig()
				cfg.Concurrency, cfg.Duration, cfg.Seed, cfg.Auth = 4, time.Second, 3, auth
				var minter *Minter
				env := map[string]string{}
				if auth == AuthSignup {
					// A test of the tool's workload, not of the server's request deadline (the
					// resilience tests own that): under the race detector on a busy machine one
					// password hash of a sign-up takes seconds.
					env["DATABASE_QUERY_TIMEOUT"] = "1m"
				}
				if auth == AuthJWKS {
					cfg.JWKSAddr = "127.0.0.1:0"
					jwks, err := serveJWKS(cfg)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(jwks.close)
					minter, env["AUTH_URL"] = jwks.minter, jwks.url
				}
				cfg.BaseURL = apptest.Start(t, dialect, env).URL

				report, err := Run(context.Background(), cfg, minter, io.Discard)
				if err != nil {
					t.Fatal(err)
				}
				allSucceeded(t, report)
				l := report.Latency
				if report.Throughput <= 0 || !(0 < l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max) {
					t.Errorf("got throughput %v, latency %+v; want positive and ordered", report.Throughput, l)
				}
			})
		}
	})
}

// The v2 mix against the real application on both databases: every request succeeds, every
// operation is sent (next pages too, so cursors were followed), and the changes carry the
// ETag the user last read.
func TestV2AgainstTheApp(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		cfg := DefaultConfig()
		cfg.API, cfg.Auth, cfg.JWKSAddr = APIv2, AuthJWKS, "127.0.0.1:0"
		jwks, err := serveJWKS(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(jwks.close)
		cfg.BaseURL = apptest.Start(t, dialect, map[string]string{"AUTH_URL": jwks.url}).URL

		t.Run("run", func(t *testing.T) {
			cfg := cfg
			// More seed tasks than a page, so that the first lists have a next page; the
			// run ends after its requests, the duration is only a bound.
			cfg.Concurrency, cfg.Seed, cfg.Duration, cfg.MaxRequests = 4, 60, time.Minute, 1500
			report, err := Run(context.Background(), cfg, jwks.minter, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			allSucceeded(t, report)
		})

		t.Run("if-match", func(t *testing.T) {
			ctx := context.Background()
			work := newWorkload(APIv2, time.Now().UTC())
			api, err := newAPIClient(cfg.BaseURL, work.path, cfg.Timeout)
			if err != nil {
				t.Fatal(err)
			}
			cfg := cfg
			cfg.Concurrency = 1
			users, err := makeUsers(ctx, cfg, jwks.minter, nil, api, work)
			if err != nil {
				t.Fatal(err)
			}
			u := users[0]
			defer u.conn.close()
			if err := u.prepare(ctx, 2); err != nil {
				t.Fatal(err)
			}
			if u.tasks[0].etag == "" || u.tasks[0].etag == u.tasks[1].etag {
				t.Fatalf("seed tasks %v, want each with its own ETag", u.tasks)
			}
			stale := u.request(opPatch, 0)
			stale.ifMatch = u.tasks[1].etag
			var refused *statusError
			if _, err := u.unmeasured(ctx, stale); !errors.As(err, &refused) || refused.code != http.StatusPreconditionFailed {
				t.Fatalf("patch with another task's ETag: got %v, want 412", err)
			}
			for _, o := range []op{opPatch, opToggle, opGet, opPatch, opDelete} {
				req := u.request(o, 0)
				a, err := u.unmeasured(ctx, req)
				if err != nil {
					t.Fatalf("%s with If-Match %q: %v", o, req.ifMatch, err)
				}
				u.apply(req, 0, a)
			}
		})
	})
}

// fakeTaskAPI answers the task API without keeping anything, except that it fails the
// operation failing names with a 500.
func fakeTaskAPI(failing string) http.Handler {
	var ids atomic.Int64
	mux := http.NewServeMux()
	answer := func(name string, status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			code := status // each request its own: the handler serves many at once
			if name == failing {
				code = http.StatusInternalServerError
			}
			w.WriteHeader(code)
			io.WriteString(w, body)
		}
	}
	mux.Handle("GET /api/v1/tasks", answer("list", 200, `{"tasks":[],"total":0}`))
	mux.HandleFunc("POST /api/v1/tasks", func(w http.ResponseWriter, r *http.Request) {
		answer("create", 201, fmt.Sprintf(`{"id":"%d"}`, ids.Add(1)))(w, r)
	})
	mux.Handle("GET /api/v1/tasks/{id}", answer("get", 200, `{}`))
	mux.Handle("PATCH /api/v1/tasks/{id}", answer("patch", 200, `{}`))
	mux.Handle("POST /api/v1/tasks/{id}/toggle", answer("toggle", 200, `{}`))
	mux.Handle("DELETE /api/v1/tasks/{id}", answer("delete", 204, ``))
	return mux
}

func startFake(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func fakeRunConfig(t *testing.T, url string) (Config, *Minter) {
	cfg := DefaultConfig()
	cfg.BaseURL, cfg.Concurrency, cfg.Duration, cfg.Auth = url, 3, 300*time.Millisecond, AuthJWKS
	m, err := NewMinter("http://127.0.0.1:3000", "http://127.0.0.1:3000")
	if err != nil {
		t.Fatal(err)
	}
	return cfg, m
}

func TestUnexpectedStatusesAreCountedByKind(t *testing.T) {
	cfg, m := fakeRunConfig(t, startFake(t, fakeTaskAPI("patch")))
	report, err := Run(context.Background(), cfg, m, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var patch OperationReport
	for _, o := range report.Operations {
		if o.Name == "patch" {
			patch = o
		} else if o.Errors != 0 {
			t.Errorf("%s: %d errors, want none", o.Name, o.Errors)
		}
	}
	if patch.Requests == 0 || patch.Errors != patch.Requests || report.Errors != patch.Errors {
		t.Errorf("patch: %d requests, %d errors, %d in all; want every patch failed and nothing else", patch.Requests, patch.Errors, report.Errors)
	}
	kinds := map[string]int64{"patch: status 500 Internal Server Error": patch.Errors}
	if fmt.Sprint(report.ErrorKinds) != fmt.Sprint(kinds) {
		t.Errorf("error kinds: got %v, want %v", report.ErrorKinds, kinds)
	}
	if successes := report.Requests - report.Errors; report.Throughput*report.ElapsedSec > float64(successes)+0.5 {
		t.Errorf("throughput %.1f/s over %.2fs counts failures: %d requests succeeded", report.Throughput, report.ElapsedSec, successes)
	}
}

func TestTransportErrorsAreCounted(t *testing.T) {
	api := fakeTaskAPI("")
	var lists atomic.Int64
	const users = 3
	// Hang up on every list but each user's first, the check before the run.
	url := startFake(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/api/v1/tasks" && lists.Add(1) > users {
			panic(http.ErrAbortHandler)
		}
		api.ServeHTTP(w, r)
	}))
	cfg, m := fakeRunConfig(t, url)
	cfg.Concurrency = users
	report, err := Run(context.Background(), cfg, m, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if n := report.ErrorKinds["list: connection closed by the server"]; n == 0 || n != report.Errors {
		t.Errorf("error kinds: got %v, want only lists, closed by the server", report.ErrorKinds)
	}
}

func TestMaxRequestsCapsTheRun(t *testing.T) {
	cfg, m := fakeRunConfig(t, startFake(t, fakeTaskAPI("")))
	cfg.Duration, cfg.MaxRequests = time.Minute, 100
	start := time.Now()
	report, err := Run(context.Background(), cfg, m, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if report.Requests != 100 {
		t.Errorf("requests: got %d, want exactly 100", report.Requests)
	}
	if time.Since(start) > 30*time.Second {
		t.Error("the cap of requests did not end the run")
	}
}

func TestCancellingEndsTheRunWithoutErrors(t *testing.T) {
	cfg, m := fakeRunConfig(t, startFake(t, fakeTaskAPI("")))
	cfg.Duration = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	report, err := Run(ctx, cfg, m, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if report.Requests == 0 || report.Errors != 0 {
		t.Errorf("got %d requests, %d errors (%v); want some requests and no errors", report.Requests, report.Errors, report.ErrorKinds)
	}
}

func TestRefusedTokensStopTheRunBeforeItStarts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	cfg, m := fakeRunConfig(t, srv.URL)
	_, err := Run(context.Background(), cfg, m, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("got %v, want the server's 401", err)
	}
}

// allSucceeded checks that no request of the run failed and that every operation was sent.
func allSucceeded(t *testing.T, report *Report) {
	t.Helper()
	if report.Errors != 0 {
		t.Errorf("errors: got %d %v, want none", report.Errors, report.ErrorKinds)
	}
	for _, o := range report.Operations {
		if o.Requests == 0 {
			t.Errorf("%s: no requests", o.Name)
		}
	}
}
