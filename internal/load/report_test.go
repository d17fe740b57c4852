package load

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestReportCountsAndShares(t *testing.T) {
	rec := newRecorder()
	for range 3 {
		rec.success(opList, 2*time.Millisecond)
	}
	rec.success(opCreate, 4*time.Millisecond)
	rec.failure(opDelete, "status 500 Internal Server Error")
	cfg := DefaultConfig()
	r := newReport(cfg, v1Workload(), 2*time.Second, 100*time.Millisecond, rec)

	if r.Requests != 5 || r.Errors != 1 || r.Throughput != 2 {
		t.Errorf("got %d requests, %d errors, %v/s; want 5, 1, 2/s (successes only)", r.Requests, r.Errors, r.Throughput)
	}
	shares := map[string]float64{}
	for _, o := range r.Operations {
		shares[o.Name] = o.Share
	}
	if shares["list"] != 0.6 || shares["create"] != 0.2 || shares["delete"] != 0.2 || shares["get"] != 0 {
		t.Errorf("shares: got %v, want list 0.6, create 0.2, delete 0.2", shares)
	}
	if !withinBucket(time.Duration(r.Latency.Max*float64(time.Millisecond)), 4*time.Millisecond) {
		t.Errorf("max latency: got %v ms, want 4", r.Latency.Max)
	}

	var text strings.Builder
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"requests    5 in 2.00 s, 1 failed", "throughput  2.0 successful", "client CPU  0.10 s, 20000 µs per request",
		"list               3   60.0%", "       1  delete: status 500 Internal Server Error"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}

	var js strings.Builder
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Throughput float64            `json:"throughput_rps"`
		Latency    map[string]float64 `json:"latency_ms"`
		ErrorKinds map[string]int64   `json:"error_kinds"`
	}
	if err := json.Unmarshal([]byte(js.String()), &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded.Throughput != 2 || len(decoded.Latency) != 4 || decoded.ErrorKinds["delete: status 500 Internal Server Error"] != 1 {
		t.Errorf("JSON report: got %+v", decoded)
	}
}

// A report has a row for each operation of its workload, in a fixed order, none for the others.
func TestReportRowsAreTheWorkloadsOperations(t *testing.T) {
	for _, tt := range []struct {
		work *workload
		want []string
	}{
		{v1Workload(), []string{"list", "create", "get", "patch", "toggle", "delete"}},
		{v2Workload(time.Now()), []string{"list", "search", "next", "create", "get", "patch", "toggle", "delete"}},
	} {
		r := newReport(DefaultConfig(), tt.work, time.Second, 0, newRecorder())
		var got []string
		for _, o := range r.Operations {
			got = append(got, o.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: rows %v, want %v", tt.work.path, got, tt.want)
		}
	}
}
