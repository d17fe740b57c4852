package mcp

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The SDK hands a tool a context without the request's deadline or cancellation; within
// must bring both back, and keep a passed deadline a deadline.
func TestWithin(t *testing.T) {
	detached := context.WithoutCancel

	t.Run("deadline", func(t *testing.T) {
		req, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		ctx, stop := (&caller{request: req}).within(detached(req))
		defer stop()
		want, _ := req.Deadline()
		if got, ok := ctx.Deadline(); !ok || !got.Equal(want) {
			t.Fatalf("deadline %v %v, want %v", got, ok, want)
		}
		<-ctx.Done()
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Errorf("got %v, want the deadline exceeded", ctx.Err())
		}
	})

	t.Run("client gone", func(t *testing.T) {
		req, cancel := context.WithCancel(context.Background())
		ctx, stop := (&caller{request: req}).within(detached(req))
		defer stop()
		cancel()
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("not canceled with the request")
		}
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Errorf("got %v, want canceled", ctx.Err())
		}
	})

	t.Run("stopped", func(t *testing.T) {
		req, cancel := context.WithCancel(context.Background())
		defer cancel()
		ctx, stop := (&caller{request: req}).within(detached(req))
		stop()
		if ctx.Err() == nil {
			t.Error("ctx still live after stop")
		}
	})
}
