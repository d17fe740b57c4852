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
	"syscall"

	"todo/internal/load"
)

func main() {
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
