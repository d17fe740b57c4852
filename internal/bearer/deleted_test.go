package bearer_test

import (
	"context"
	"testing"
	"time"

	"todo/internal/bearer"
)

func TestDeletedUsers(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	d := bearer.NewDeletedUsers(24*time.Hour, func() time.Time { return now })
	d.Add("local", now)
	if !d.Has("local") || d.Has("someone") {
		t.Fatalf("after Add: local %v, someone %v; want true, false", d.Has("local"), d.Has("someone"))
	}
	var since time.Time
	src := func(_ context.Context, s time.Time) (map[string]time.Time, error) {
		since = s
		// A table read that began before the local deletion was written does not have it.
		return map[string]time.Time{"remote": now.Add(-time.Hour), "stale": now.Add(-25 * time.Hour)}, nil
	}
	if err := d.Refresh(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	if want := now.Add(-24 * time.Hour); !since.Equal(want) {
		t.Errorf("read since %v, want %v (the longest token lifetime ago)", since, want)
	}
	for id, want := range map[string]bool{"local": true, "remote": true, "stale": false} {
		if got := d.Has(id); got != want {
			t.Errorf("after Refresh, Has(%q) = %v, want %v", id, got, want)
		}
	}
	now = now.Add(25 * time.Hour)
	d.Add("later", now)
	if d.Has("local") || d.Has("remote") || !d.Has("later") {
		t.Errorf("a day later: local %v, remote %v, later %v; want the old ones forgotten", d.Has("local"), d.Has("remote"), d.Has("later"))
	}
	var none *bearer.DeletedUsers
	if none.Has("x") {
		t.Error("a nil set has someone")
	}
	if n := testing.AllocsPerRun(100, func() { d.Has("later") }); n != 0 {
		t.Errorf("allocations per Has: %v, want 0", n)
	}
}
