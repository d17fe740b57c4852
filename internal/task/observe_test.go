package task_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/recur"
	"todo/internal/task"
)

// TestObserversHearSavedChanges: every write path that saves tasks one by one tells the
// observers what it saved, and a refused change tells them nothing.
func TestObserversHearSavedChanges(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		t.Parallel()
		store, _ := newStore(t, d)
		svc := task.NewService(store)
		var heard []string
		svc.OnChange(func(_ context.Context, userID string, before, after *task.Task) {
			var b, a string
			if before != nil {
				b = before.Title
				if b == "" {
					b = before.ID.String()[:4] // made without reading the task: only the id
				}
			}
			if after != nil {
				a = after.Title
				if after.Completed {
					a += " (done)"
				}
			}
			heard = append(heard, fmt.Sprintf("%s: %q -> %q", userID, b, a))
		})
		expect := func(t *testing.T, want ...string) {
			t.Helper()
			if fmt.Sprint(heard) != fmt.Sprint(want) {
				t.Fatalf("observers heard %q, want %q", heard, want)
			}
			heard = nil
		}
		const user = "observed"
		a, err := svc.Create(ctx, user, task.Draft{Title: "a"})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, `observed: "" -> "a"`)
		// A plain change is made in one step, without reading the task first.
		id := a.ID.String()[:4]
		if _, err := svc.Update(ctx, user, a.ID, task.Patch{Title: ptr("a2")}); err != nil {
			t.Fatal(err)
		}
		expect(t, fmt.Sprintf(`observed: %q -> "a2"`, id))
		if _, err := svc.Toggle(ctx, user, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		expect(t, fmt.Sprintf(`observed: %q -> "a2 (done)"`, id))
		if _, err := svc.Update(ctx, user, a.ID, task.Patch{Priority: ptr(task.PriorityHigh)}); err != nil {
			t.Fatal(err)
		}
		expect(t, `observed: "a2" -> "a2 (done)"`) // not plain: read first, and before is the task as read
		if _, err := svc.Update(ctx, user, a.ID, task.Patch{Title: ptr(" ")}); err == nil {
			t.Fatal("a blank title was saved")
		}
		if _, err := svc.Update(ctx, "someone else", a.ID, task.Patch{Title: ptr("x")}); err == nil {
			t.Fatal("another user's change was saved")
		}
		if _, err := svc.Edit(ctx, user, a.ID, task.Patch{Title: ptr("a2")}); err != nil {
			t.Fatal(err)
		}
		expect(t) // refused, and an edit that changes nothing saves nothing

		b, _ := svc.Create(ctx, user, task.Draft{Title: "b"})
		c, _ := svc.Create(ctx, user, task.Draft{Title: "c"})
		heard = nil
		if _, err := svc.Apply(ctx, user, task.Bulk{Action: task.BulkComplete, IDs: []uuid.UUID{b.ID, c.ID}}); err != nil {
			t.Fatal(err)
		}
		expect(t, `observed: "b" -> "b (done)"`, `observed: "c" -> "c (done)"`)
		if _, err := svc.Apply(ctx, user, task.Bulk{Action: task.BulkDelete, IDs: []uuid.UUID{b.ID, c.ID}}); err != nil {
			t.Fatal(err)
		}
		expect(t, `observed: "b" -> ""`, `observed: "c" -> ""`)

		daily, err := recur.Parse("RRULE:FREQ=DAILY")
		if err != nil {
			t.Fatal(err)
		}
		r, err := svc.Create(ctx, user, task.Draft{Title: "r", Repeat: daily, Due: &task.Due{At: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}})
		if err != nil {
			t.Fatal(err)
		}
		heard = nil
		if _, err := svc.SetAllCompleted(ctx, user, true); err != nil {
			t.Fatal(err)
		}
		expect(t, `observed: "r" -> "r"`) // moved to its next due, still open

		fresh, _ := svc.Get(ctx, user, r.ID)
		if err := svc.Delete(ctx, user, r.ID, fresh.ETag()); err != nil {
			t.Fatal(err)
		}
		expect(t, `observed: "r" -> ""`)
		if err := svc.Delete(ctx, user, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		expect(t, fmt.Sprintf(`observed: %q -> ""`, id))
		if err := svc.Delete(ctx, user, a.ID, ""); err == nil {
			t.Fatal("a task was deleted twice")
		}
		expect(t)
	})
}

// TestIntentsComeBeforeTheSave: creates, changes and bulk changes that give a task a due or
// move it are told to the intents before they are saved (and before the observers hear of
// them), others are not, and an intent's error refuses them, leaving the tasks as they were.
func TestIntentsComeBeforeTheSave(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		t.Parallel()
		store, _ := newStore(t, d)
		svc := task.NewService(store)
		var heard []string
		refuse := errors.New("refused by the intent")
		svc.BeforeChange(func(ctx context.Context, userID string, changes []task.Pending) error {
			for _, c := range changes {
				b := "new"
				if c.Before != nil {
					b = c.Before.Title
					// Not saved yet: the store still has the task as it was.
					stored, err := svc.Get(ctx, userID, c.Before.ID)
					if err != nil || stored.Title != c.Before.Title {
						t.Errorf("the intent for %q ran after the save: the store has %q (%v)", c.After.Title, stored.Title, err)
					}
				}
				heard = append(heard, fmt.Sprintf("intent %s -> %s", b, c.After.Title))
				if c.After.Title == "refused" || slices.Contains(c.After.Tags, "refused") {
					return refuse
				}
			}
			return nil
		})
		svc.OnChange(func(_ context.Context, _ string, _, after *task.Task) {
			if after != nil {
				heard = append(heard, "saved "+after.Title)
			}
		})
		expect := func(t *testing.T, want ...string) {
			t.Helper()
			if fmt.Sprint(heard) != fmt.Sprint(want) {
				t.Fatalf("heard %q, want %q", heard, want)
			}
			heard = nil
		}
		due := task.Due{At: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
		later := task.Due{At: due.At.Add(time.Hour)}
		const user = "intended"
		a, err := svc.Create(ctx, user, task.Draft{Title: "a", Due: &due})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, "intent new -> a", "saved a")
		plain, err := svc.Create(ctx, user, task.Draft{Title: "plain"})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, "saved plain") // no due: nothing follows it
		if _, err := svc.Create(ctx, user, task.Draft{Title: "refused", Due: &due}); !errors.Is(err, refuse) {
			t.Fatalf("a create its intent refused answered %v", err)
		}
		expect(t, "intent new -> refused")
		if _, err := svc.Update(ctx, user, a.ID, task.Patch{Title: ptr("a2")}); err != nil {
			t.Fatal(err)
		}
		expect(t, "saved a2") // its due did not move
		if _, err := svc.Update(ctx, user, a.ID, task.Patch{Title: ptr("refused"), Due: &later}); !errors.Is(err, refuse) {
			t.Fatalf("a change its intent refused answered %v", err)
		}
		expect(t, "intent a2 -> refused")
		if _, err := svc.Update(ctx, user, plain.ID, task.Patch{Due: &due}); err != nil {
			t.Fatal(err)
		}
		expect(t, "intent plain -> plain", "saved plain")
		if _, err := svc.Toggle(ctx, user, plain.ID, ""); err != nil {
			t.Fatal(err)
		}
		expect(t, "saved plain") // completing a task that does not repeat leaves its due

		daily, err := recur.Parse("RRULE:FREQ=DAILY")
		if err != nil {
			t.Fatal(err)
		}
		r, err := svc.Create(ctx, user, task.Draft{Title: "r", Due: &due, Repeat: daily, Tags: []string{"refused"}})
		if !errors.Is(err, refuse) {
			t.Fatalf("a create its intent refused answered %v", err)
		}
		if r, err = svc.Create(ctx, user, task.Draft{Title: "r", Due: &due, Repeat: daily}); err != nil {
			t.Fatal(err)
		}
		heard = nil
		if _, err := svc.Apply(ctx, user, task.Bulk{Action: task.BulkAddTag, IDs: []uuid.UUID{a.ID, r.ID}, Tag: "refused"}); err != nil {
			t.Fatal(err)
		}
		expect(t, "saved a2", "saved r") // tags move no due
		if _, err := svc.Apply(ctx, user, task.Bulk{Action: task.BulkComplete, IDs: []uuid.UUID{a.ID, r.ID}}); !errors.Is(err, refuse) {
			t.Fatalf("a bulk change its intent refused answered %v", err)
		}
		expect(t, "intent r -> r") // completing r moves it to its next due
		if _, err := svc.Toggle(ctx, user, r.ID, ""); !errors.Is(err, refuse) {
			t.Fatalf("a toggle its intent refused answered %v", err)
		}
		expect(t, "intent r -> r")
		for _, id := range []uuid.UUID{a.ID, r.ID} {
			got, err := svc.Get(ctx, user, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Completed || got.Due == nil || !got.Due.At.Equal(due.At) || got.Title == "refused" {
				t.Fatalf("after the refusals %q is completed %v, due %v; want open, due %v", got.Title, got.Completed, got.Due, due.At)
			}
		}
	})
}
