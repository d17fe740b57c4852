package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
)

func TestBackoffDoublesUpToItsCap(t *testing.T) {
	b := backoff{first: time.Second, max: time.Hour}
	for failures, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		for range 100 {
			if d := b.delay(failures); d < want*9/10 || d > want*11/10 {
				t.Fatalf("after %d earlier failures: %v, want %v ± 10%%", failures, d, want)
			}
		}
	}
	for _, failures := range []int{12, 30, 1000} {
		if d := b.delay(failures); d < time.Hour*9/10 || d > time.Hour*11/10 {
			t.Fatalf("after %d earlier failures: %v, want the cap of an hour ± 10%%", failures, d)
		}
	}
}

type noopArgs struct{}

func (noopArgs) Kind() string { return "test.noop" }

type noopWorker struct{ river.WorkerDefaults[noopArgs] }

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

type otherArgs struct{}

func (otherArgs) Kind() string { return "test.other" }

type otherWorker struct {
	river.WorkerDefaults[otherArgs]
}

func (otherWorker) Work(context.Context, *river.Job[otherArgs]) error { return nil }

func TestRegisterBeforeStartOnly(t *testing.T) {
	c := &Client{workers: river.NewWorkers()}
	if err := Register(c, noopWorker{}); err != nil {
		t.Fatal(err)
	}
	if err := Register(c, noopWorker{}); err == nil {
		t.Fatal("a kind registered twice must be refused")
	}
	c.started = true
	if err := Register(c, otherWorker{}); err == nil {
		t.Fatal("a worker registered after Start must be refused: River would never fetch its kind")
	}
}
