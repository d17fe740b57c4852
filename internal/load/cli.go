package load

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Main is the todo-load command: it parses args (without the program name), runs the load and
// prints the report to stdout, progress and hints to stderr.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, asJSON, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	var (
		minter  *Minter
		authURL string // what the server's AUTH_URL must be, in jwks mode
	)
	if cfg.Auth == AuthJWKS {
		jwks, err := serveJWKS(cfg)
		if err != nil {
			return err
		}
		defer jwks.close()
		minter, authURL = jwks.minter, jwks.url
		fmt.Fprintf(stderr, "serving the key set at %s/api/auth/jwks; the server must run with AUTH_URL=%s", jwks.url, jwks.url)
		if jwks.issuer != jwks.url || jwks.audience != jwks.url {
			fmt.Fprintf(stderr, " JWT_ISSUER=%s JWT_AUDIENCE=%s", jwks.issuer, jwks.audience)
		}
		fmt.Fprintln(stderr)
	}
	report, err := Run(ctx, cfg, minter, stderr)
	var refused *statusError
	if cfg.Auth == AuthJWKS && errors.As(err, &refused) && refused.code == http.StatusUnauthorized {
		return fmt.Errorf("%w: the server does not trust this tool's key set; start it with AUTH_URL=%s", err, authURL)
	}
	if err != nil {
		return err
	}
	if asJSON {
		return report.WriteJSON(stdout)
	}
	return report.WriteText(stdout)
}

func parseFlags(args []string, stderr io.Writer) (cfg Config, asJSON bool, err error) {
	cfg = DefaultConfig()
	fs := flag.NewFlagSet("todo-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: todo-load [flags]

Runs a closed loop of task API requests against a todo server, each virtual user on its own
tasks, and prints throughput, errors and latency percentiles.

Workloads (-api):
  v1  the spec's /api/v1: 40%% list (a page of 50), 25%% create, 10%% get, 10%% patch,
      10%% toggle, 5%% delete
  v2  a task UI on /api/v2: 35%% list (a first page of 50, filtered by status, priority, tags
      or dues, in every sort and order), 15%% search (a common word, rarer ones, a prefix,
      two words), 10%% next (the page after the last one that had more, by its cursor),
      10%% create (with priority, tags and due, like the seed tasks), 5%% get, 12%% patch,
      8%% toggle, 5%% delete (the changes with If-Match: the task's ETag as last read)

Flags:
`)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.BaseURL, "url", cfg.BaseURL, "base URL of the server")
	fs.StringVar(&cfg.API, "api", cfg.API, "the workload: v1 (the spec's task API) or v2 (a task UI on the product's API)")
	fs.BoolVar(&cfg.AllowRemote, "allow-remote", false, "permit a -url (and -jwks-addr) that is not loopback")
	fs.IntVar(&cfg.Concurrency, "c", cfg.Concurrency, fmt.Sprintf("virtual users, each with one request in flight (at most %d)", MaxConcurrency))
	fs.DurationVar(&cfg.Duration, "d", cfg.Duration, fmt.Sprintf("measured duration (at most %s)", MaxDuration))
	fs.DurationVar(&cfg.Warmup, "warmup", cfg.Warmup, "load before measuring, not counted")
	fs.Int64Var(&cfg.MaxRequests, "n", cfg.MaxRequests, "stop measuring after this many requests (0: only -d bounds the run)")
	fs.IntVar(&cfg.Seed, "seed", cfg.Seed, fmt.Sprintf("tasks each user creates before the run (at most %d)", MaxSeed))
	fs.DurationVar(&cfg.Timeout, "timeout", cfg.Timeout, "bound on one request")
	fs.StringVar(&cfg.Auth, "auth", cfg.Auth, "signup: sign users up through the server's built-in auth;\n"+
		"jwks: mint Better Auth-shaped tokens with a key served at -jwks-addr (start the server with AUTH_URL there)")
	fs.StringVar(&cfg.JWKSAddr, "jwks-addr", cfg.JWKSAddr, "with -auth=jwks: where to serve /api/auth/jwks")
	fs.StringVar(&cfg.Issuer, "issuer", "", "with -auth=jwks: iss of the tokens (default: the JWKS origin, as AUTH_URL implies)")
	fs.StringVar(&cfg.Audience, "audience", "", "with -auth=jwks: aud of the tokens (default: the issuer)")
	fs.BoolVar(&cfg.CPU, "cpu", false, "report the server's CPU time per request, read from /proc (Linux, server on this machine)")
	fs.IntVar(&cfg.DBPort, "cpu-db-port", 0, "with -cpu: also the CPU time of the PostgreSQL cluster listening on this port")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return Config{}, false, err
	}
	if fs.NArg() > 0 {
		return Config{}, false, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return cfg, asJSON, nil
}

// jwksServer is a Minter whose key set is served over HTTP for the server under load.
type jwksServer struct {
	minter   *Minter
	url      string // http://host:port, what AUTH_URL must be
	issuer   string
	audience string
	srv      *http.Server
}

// serveJWKS listens on cfg.JWKSAddr (port 0 picks a free one) and serves a new key set there.
func serveJWKS(cfg Config) (*jwksServer, error) {
	ln, err := net.Listen("tcp", cfg.JWKSAddr)
	if err != nil {
		return nil, fmt.Errorf("serve the key set: %w", err)
	}
	s := &jwksServer{url: "http://" + ln.Addr().String(), issuer: cfg.Issuer, audience: cfg.Audience}
	if s.issuer == "" {
		s.issuer = s.url
	}
	if s.audience == "" {
		s.audience = s.issuer
	}
	if s.minter, err = NewMinter(s.issuer, s.audience); err != nil {
		ln.Close()
		return nil, err
	}
	s.srv = &http.Server{Handler: s.minter.JWKSHandler(), ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(ln) // until close
	return s, nil
}

func (s *jwksServer) close() { s.srv.Close() }
