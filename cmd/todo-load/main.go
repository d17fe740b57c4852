// Command todo-load puts a todo server (or any server of the spec's task API) under a
// closed-loop mixed workload and reports throughput, errors and latency percentiles.
// See `todo-load -h`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"todo/internal/load"
)

func main() {
	// The tool shares the machine with the server it measures: collect garbage less often
	// (its live heap is small) unless GOGC says otherwise.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := load.Main(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "todo-load:", err)
		os.Exit(1)
	}
}
