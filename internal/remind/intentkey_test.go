package remind

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"todo/internal/task"
)

// TestIntentsTellChangesApart: two changes made at once from the same version of a task save
// to the same version; the observer of one never takes the other's intent.
func TestIntentsTellChangesApart(t *testing.T) {
	t.Parallel()
	var is intents
	id := uuid.New()
	now := time.Now()
	timed := task.Due{At: now.Add(time.Hour).UTC()}
	allDay := task.Due{Date: task.Date{Year: 2026, Month: 12, Day: 24}}
	is.add(now, []intent{{taskID: id, version: 2, due: timed, jobs: []int64{1}, expires: now.Add(time.Minute)}})
	if _, ok := is.take(intentKeyOf(id, 2, allDay)); ok {
		t.Fatal("the intent of one change was taken for another saved to the same version")
	}
	in, ok := is.take(intentKeyOf(id, 2, timed))
	if !ok || len(in.jobs) != 1 {
		t.Fatalf("the change's own intent: %+v, %v", in, ok)
	}
	if _, ok := is.take(intentKeyOf(id, 2, timed)); ok {
		t.Fatal("an intent was taken twice")
	}
}
