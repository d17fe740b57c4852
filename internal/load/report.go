package load

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Report is the outcome of the measured phase of a run.
type Report struct {
	Target      string  `json:"target"`
	API         string  `json:"api"`
	Auth        string  `json:"auth"`
	Concurrency int     `json:"concurrency"`
	SeedPerUser int     `json:"seed_per_user"`
	ElapsedSec  float64 `json:"elapsed_s"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	// Throughput counts successful requests only, so that fast failures cannot inflate it.
	Throughput float64 `json:"throughput_rps"`
	// Latency is that of the successful requests, from sending to the last byte of the answer.
	Latency    Latency           `json:"latency_ms"`
	Operations []OperationReport `json:"operations"`
	ErrorKinds map[string]int64  `json:"error_kinds"`
	// ClientCPUSec is the CPU time the tool itself used while measuring: on one machine, what
	// it took away from the server.
	ClientCPUSec float64 `json:"client_cpu_s,omitempty"`
	// ServerCPUSec and DBCPUSec (with -cpu) are the CPU time the server process and the
	// PostgreSQL cluster used while measuring.
	ServerCPUSec float64 `json:"server_cpu_s,omitempty"`
	DBCPUSec     float64 `json:"db_cpu_s,omitempty"`
}

// Latency holds percentiles in milliseconds.
type Latency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// OperationReport is one operation's share of the run.
type OperationReport struct {
	Name     string  `json:"name"`
	Requests int64   `json:"requests"`
	Share    float64 `json:"share"` // of all requests, 0 to 1
	Errors   int64   `json:"errors"`
	Latency  Latency `json:"latency_ms"`
}

func newReport(cfg Config, work *workload, elapsed, clientCPU time.Duration, rec *recorder) *Report {
	ok, failed := rec.totals()
	r := &Report{
		Target: cfg.BaseURL, API: cfg.API, Auth: cfg.Auth, Concurrency: cfg.Concurrency, SeedPerUser: cfg.Seed,
		ElapsedSec: elapsed.Seconds(), Requests: ok + failed, Errors: failed,
		Throughput: float64(ok) / elapsed.Seconds(),
		ErrorKinds: rec.kinds, ClientCPUSec: clientCPU.Seconds(),
	}
	all := newHistogram()
	for _, o := range work.ops() {
		h := rec.latency[o]
		all.add(h)
		errs := rec.errors[o].Load()
		requests := int64(h.count()) + errs
		op := OperationReport{Name: o.String(), Requests: requests, Errors: errs, Latency: latencyOf(h)}
		if r.Requests > 0 {
			op.Share = float64(requests) / float64(r.Requests)
		}
		r.Operations = append(r.Operations, op)
	}
	r.Latency = latencyOf(all)
	return r
}

func latencyOf(h *histogram) Latency {
	return Latency{P50: ms(h.percentile(50)), P90: ms(h.percentile(90)), P99: ms(h.percentile(99)), Max: ms(h.maximum())}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// WriteJSON writes the report as one JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report for a person.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "target      %s (API %s, auth %s, %d virtual users, %d seed tasks each)\n", r.Target, r.API, r.Auth, r.Concurrency, r.SeedPerUser)
	fmt.Fprintf(&b, "requests    %d in %.2f s, %d failed\n", r.Requests, r.ElapsedSec, r.Errors)
	fmt.Fprintf(&b, "throughput  %.1f successful requests/s\n", r.Throughput)
	fmt.Fprintf(&b, "latency     p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (successful requests)\n",
		r.Latency.P50, r.Latency.P90, r.Latency.P99, r.Latency.Max)
	if r.ClientCPUSec > 0 && r.Requests > 0 {
		fmt.Fprintf(&b, "client CPU  %.2f s, %.0f µs per request (this tool's own share of the machine)\n",
			r.ClientCPUSec, 1e6*r.ClientCPUSec/float64(r.Requests))
	}
	for _, c := range []struct {
		name string
		sec  float64
	}{{"server CPU", r.ServerCPUSec}, {"db CPU", r.DBCPUSec}} {
		if c.sec > 0 && r.Requests > 0 {
			fmt.Fprintf(&b, "%-11s %.2f s, %.0f µs per request\n", c.name, c.sec, 1e6*c.sec/float64(r.Requests))
		}
	}
	fmt.Fprintf(&b, "\n%-10s %9s %7s %7s %8s %8s %8s %8s\n", "operation", "requests", "share", "errors", "p50 ms", "p90 ms", "p99 ms", "max ms")
	for _, o := range r.Operations {
		fmt.Fprintf(&b, "%-10s %9d %6.1f%% %7d %8.2f %8.2f %8.2f %8.2f\n",
			o.Name, o.Requests, 100*o.Share, o.Errors, o.Latency.P50, o.Latency.P90, o.Latency.P99, o.Latency.Max)
	}
	if len(r.ErrorKinds) > 0 {
		b.WriteString("\nerrors by kind:\n")
		for _, kind := range slices.Sorted(maps.Keys(r.ErrorKinds)) {
			fmt.Fprintf(&b, "  %8d  %s\n", r.ErrorKinds[kind], kind)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
