// Command todo is the Todo application: web UI, auth server compatible with Better Auth, and
// task API, in one binary. See `todo help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"todo/internal/config"
	"todo/internal/database"
	"todo/internal/server"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise it is read from
// the build information.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "todo:", err)
		os.Exit(1)
	}
}

const usage = `Usage: todo [command]

Commands:
  serve [--host HOST] [--port PORT] [--cpuprofile FILE]
                            run the server (the default); the flags win over HOST and PORT
  migrate up|down|status    apply all migrations, revert the latest one, or list them
  version                   print the version

Configuration comes from the environment and an optional .env file; see README.md.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	command, rest := "serve", []string(nil)
	if len(args) > 1 {
		command, rest = args[1], args[2:]
		if strings.HasPrefix(command, "-") && command != "-h" && command != "--help" && command != "--version" {
			command, rest = "serve", args[1:] // `todo --port 9000` is `todo serve --port 9000`
		}
	}
	switch command {
	case "serve":
		getenv, profile, err := serveFlags(rest, getenv, stderr)
		if errors.Is(err, flag.ErrHelp) {
			return nil
		} else if err != nil {
			return err
		}
		if profile != "" {
			stop, err := profileCPU(profile)
			if err != nil {
				return err
			}
			defer stop()
		}
		return serve(ctx, getenv, stderr)
	case "migrate":
		if len(args) != 3 {
			return errors.New("usage: todo migrate up|down|status")
		}
		return migrate(ctx, args[2], getenv, stdout, stderr)
	case "version", "--version":
		if len(rest) > 0 {
			return fmt.Errorf("unexpected arguments %q", rest)
		}
		fmt.Fprintln(stdout, buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", command)
}

// serveFlags reads serve's flags, which stand for HOST and PORT in what getenv returns, so
// that everything derived from them (BETTER_AUTH_URL's default included) follows. Anything
// else on the command line is an error: a server that ignored it would listen elsewhere than
// its operator thinks.
func serveFlags(args []string, getenv func(string) string, stderr io.Writer) (func(string) string, string, error) {
	fs := flag.NewFlagSet("todo serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host := fs.String("host", "", "the address to listen on (HOST)")
	port := fs.String("port", "", "the port to listen on (PORT)")
	profile := fs.String("cpuprofile", "", "write a CPU profile (go tool pprof) of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return nil, "", err
	}
	if fs.NArg() > 0 {
		return nil, "", fmt.Errorf("unexpected arguments %q; see todo help", fs.Args())
	}
	return func(key string) string {
		switch {
		case key == "HOST" && *host != "":
			return *host
		case key == "PORT" && *port != "":
			return *port
		}
		return getenv(key)
	}, *profile, nil
}

func serve(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, log, err := setup(getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.Secret == "" {
		secret, created, err := config.DevelopmentSecret(cfg.DataDir)
		if err != nil {
			return fmt.Errorf("BETTER_AUTH_SECRET is not set and the development secret cannot be kept: %w", err)
		}
		cfg.Secret = secret
		log.Warn("BETTER_AUTH_SECRET is not set: using a development secret kept in "+cfg.DataDir+
			"; set BETTER_AUTH_SECRET (at least 32 characters) in production", "generated", created)
	}
	tuneGC(getenv)
	app, err := server.New(ctx, cfg, log, buildVersion())
	if err != nil {
		return err
	}
	defer app.Close()
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return err
	}
	log.Info("listening", "url", "http://"+ln.Addr().String(), "database", cfg.Database.URL.Redacted(), "version", buildVersion())
	return app.Serve(ctx, ln)
}

func migrate(ctx context.Context, command string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, log, err := setup(getenv, stderr)
	if err != nil {
		return err
	}
	db, err := database.Open(ctx, cfg.Database, log)
	if err != nil {
		return err
	}
	defer db.Close()
	return database.Migrate(ctx, db, cfg.Database, log, command, stdout)
}

// tuneGC sets the garbage collector for a server whose live heap is a few MiB: with Go's
// default (GOGC=100) it would collect many times a second under load, and twice the live heap
// is still little memory. At four times it, the v1 load on SQLite peaked at 65–69 MiB resident
// against 58–59 MiB, for no CPU per request that the runs could tell apart. A soft limit
// (GOMEMLIMIT) makes the runtime give back the 32 MiB of each password hash as soon as it is
// done instead of keeping it as headroom. Either variable, when set, wins.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(64 << 20)
	}
}

func setup(getenv func(string) string, stderr io.Writer) (config.Config, *slog.Logger, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return config.Config{}, nil, err
	}
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var handler slog.Handler = slog.NewTextHandler(stderr, opts)
	if cfg.LogFormat == "json" {
		handler = slog.NewJSONHandler(stderr, opts)
	}
	return cfg, slog.New(handler), nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	if info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
