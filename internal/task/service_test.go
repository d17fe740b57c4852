package task_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"todo/internal/apperr"
	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/task"
)

// TestService: the rules that both doors (API and web UI) get from the service, on both
// databases.
func TestService(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		t.Parallel()
		store, db := newStore(t, d)
		svc := task.NewService(store)

		t.Run("an edit that changes nothing once trimmed leaves the task as it is", func(t *testing.T) {
			tk, err := svc.Create(ctx, "edit", task.Draft{Title: "Buy milk", Description: "Two litres"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := svc.Edit(ctx, "edit", tk.ID, task.Patch{Title: ptr("  Buy milk\u3000"), Description: ptr("Two litres ")})
			if err != nil || got.UpdatedAt != nil || got.Title != "Buy milk" {
				t.Fatalf("unchanged edit: got %+v, %v; want the task untouched, updated_at null", got, err)
			}
			got, err = svc.Edit(ctx, "edit", tk.ID, task.Patch{Title: ptr(" Buy oat milk ")})
			if err != nil || got.UpdatedAt == nil || got.Title != "Buy oat milk" || got.Description != "Two litres" {
				t.Fatalf("edit: got %+v, %v; want the trimmed title saved and updated_at set", got, err)
			}
			// The API's update marks the task updated even when nothing changes, as the
			// specification's backend does.
			before := *got.UpdatedAt
			got, err = svc.Update(ctx, "edit", tk.ID, task.Patch{Title: ptr("Buy oat milk")})
			if err != nil || got.UpdatedAt == nil || got.UpdatedAt.Before(before) {
				t.Fatalf("update: got %+v, %v; want updated_at set again", got, err)
			}
		})

		t.Run("edits follow the same rules as updates", func(t *testing.T) {
			tk, err := svc.Create(ctx, "rules", task.Draft{Title: "x"})
			if err != nil {
				t.Fatal(err)
			}
			_, editErr := svc.Edit(ctx, "rules", tk.ID, task.Patch{Title: ptr("   ")})
			_, updateErr := svc.Update(ctx, "rules", tk.ID, task.Patch{Title: ptr("   ")})
			if editErr == nil || updateErr == nil || editErr.Error() != updateErr.Error() {
				t.Fatalf("blank title: edit %v, update %v; want the same refusal", editErr, updateErr)
			}
			if _, err := svc.Edit(ctx, "someone else", tk.ID, task.Patch{Title: ptr("y")}); !errors.Is(err, task.ErrNotFound) {
				t.Fatalf("another user's edit: got %v, want not found", err)
			}
		})

		t.Run("deleting a user's data removes their tasks and counts, and no one else's", func(t *testing.T) {
			for _, user := range []string{"leaving", "staying"} {
				if _, err := svc.Create(ctx, user, task.Draft{Title: "t"}); err != nil {
					t.Fatal(err)
				}
			}
			if err := svc.DeleteUserData(ctx, "leaving"); err != nil {
				t.Fatal(err)
			}
			gone, err := svc.List(ctx, "leaving", task.Filter{Limit: 10})
			if err != nil || len(gone.Tasks) != 0 || gone.Counts != (task.Counts{}) {
				t.Fatalf("after deletion: %+v, %v; want nothing", gone, err)
			}
			kept, err := svc.List(ctx, "staying", task.Filter{Limit: 10})
			if err != nil || len(kept.Tasks) != 1 || kept.Total != 1 {
				t.Fatalf("another user's tasks: %+v, %v; want one", kept, err)
			}
			const counted = `SELECT count(*) FROM task_counts WHERE user_id = 'leaving'`
			var rows int
			if d == database.Postgres {
				err = db.Postgres.QueryRow(ctx, counted).Scan(&rows)
			} else {
				err = db.SQLite.Read.QueryRow(counted).Scan(&rows)
			}
			if err != nil || rows != 0 {
				t.Fatalf("task_counts rows of the deleted user: %d, %v; want none", rows, err)
			}
		})

		t.Run("a user at the task quota is refused with a conflict until they delete one", func(t *testing.T) {
			limited := task.NewService(store)
			limited.MaxTasks = 3
			var first task.Task
			for i := range 3 {
				tk, err := limited.Create(ctx, "quota", task.Draft{Title: fmt.Sprint("t", i)})
				if err != nil {
					t.Fatalf("task %d of 3: %v", i+1, err)
				}
				if i == 0 {
					first = tk
				}
			}
			_, err := limited.Create(ctx, "quota", task.Draft{Title: "one too many"})
			var e *apperr.Error
			if !errors.As(err, &e) || !errors.Is(err, task.ErrQuota) || e.Status() != http.StatusConflict ||
				!strings.Contains(e.Message, "at most 3 tasks") {
				t.Fatalf("fourth task: got %v, want a 409 quota error that says the limit", err)
			}
			page, err := limited.List(ctx, "quota", task.Filter{Limit: 10})
			if err != nil || page.Total != 3 {
				t.Fatalf("after the refusal: total %d, %v; want 3", page.Total, err)
			}
			// Another user has their own quota.
			if _, err := limited.Create(ctx, "quota-other", task.Draft{Title: "mine"}); err != nil {
				t.Fatalf("another user's task: %v", err)
			}
			if err := limited.Delete(ctx, "quota", first.ID, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := limited.Create(ctx, "quota", task.Draft{Title: "room again"}); err != nil {
				t.Fatalf("after a deletion: %v, want the task created", err)
			}
		})
	})
}
