package remind_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"todo/internal/apptest"
	"todo/internal/config"
	"todo/internal/database"
	"todo/internal/recur"
	"todo/internal/remind"
	"todo/internal/task"
)

// reconcileJobs are the states of the remind.reconcile jobs (the intents of task changes),
// oldest first.
func reconcileJobs(t testing.TB, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT state FROM river_job WHERE kind = 'remind.reconcile' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var states []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		states = append(states, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return states
}

// waitReconciled waits until n intents have run.
func waitReconciled(t testing.TB, db *sql.DB, n int) {
	t.Helper()
	waitFor(t, "the intents to run", func() bool {
		states := reconcileJobs(t, db)
		for _, s := range states {
			if s != "completed" {
				return false
			}
		}
		return len(states) == n
	})
}

// fireTimes are the times for which the reminder has a fire job.
func fireTimes(t testing.TB, db *sql.DB, d database.Dialect, reminderID uuid.UUID) []time.Time {
	t.Helper()
	args := "json(args)"
	if d == database.Postgres {
		args = "args::text"
	}
	rows, err := db.Query(`SELECT ` + args + ` FROM river_job WHERE kind = 'remind.fire' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var a struct {
			ReminderID uuid.UUID `json:"reminder_id"`
			FireAt     time.Time `json:"fire_at"`
		}
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			t.Fatal(err)
		}
		if a.ReminderID == reminderID {
			out = append(out, a.FireAt)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitFired waits for the user's notification of the reminder at at, and returns the
// notifications of its task.
func waitFired(t testing.TB, reminders *remind.Service, userID string, taskID uuid.UUID, at time.Time) []remind.Notification {
	t.Helper()
	var mine []remind.Notification
	waitFor(t, "the reminder to fire at "+at.String(), func() bool {
		all, err := reminders.Notifications(context.Background(), userID, 0, remind.MaxNotifications)
		if err != nil {
			t.Fatal(err)
		}
		mine = mine[:0]
		fired := false
		for _, n := range all {
			if n.TaskID == taskID {
				mine = append(mine, n)
				fired = fired || (n.FireAt.Equal(at) && n.State == remind.Fired)
			}
		}
		return fired
	})
	return mine
}

func timed(at time.Time) *task.Due { return &task.Due{At: at.UTC().Truncate(time.Second)} }

// crashed starts a server whose observer of task changes never runs, as if the process died
// after each save, and whose intents run after a second.
func crashed(t *testing.T, d database.Dialect, env map[string]string) *apptest.Server {
	return apptest.Start(t, d, env, func(c *config.Config) {
		c.Reminders.ReconcileAfter = time.Second
		remind.WithoutObserver(&c.Reminders)
	})
}

// TestIntentMovesRemindersAfterACrash: when the process dies between the save of a change and
// its observer, the change's intent moves the task's reminders to the new due, and adds the
// default reminder a newly timed task owes, so that they fire; changes that owe nothing store
// no intent.
func TestIntentMovesRemindersAfterACrash(t *testing.T) {
	t.Parallel()
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := crashed(t, d, nil)
		db := openDB(t, s)
		ctx := context.Background()
		tasks, reminders := s.App.Tasks(), s.App.Reminders()
		u := s.SignUp(t, "crash@example.com")

		moved, err := tasks.Create(ctx, u.ID, task.Draft{Title: "moved", Due: timed(time.Now().Add(24 * time.Hour))})
		if err != nil {
			t.Fatal(err)
		}
		r, err := reminders.Add(ctx, u.ID, moved.ID, remind.Draft{Kind: remind.AtDue})
		if err != nil {
			t.Fatal(err)
		}
		// What owes nothing stores no intent: a title, a due moved on a task without
		// reminders, a new task without a due or with one but no default reminder to add.
		bare, err := tasks.Create(ctx, u.ID, task.Draft{Title: "bare", Due: timed(time.Now().Add(time.Hour))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tasks.Create(ctx, u.ID, task.Draft{Title: "no due"}); err != nil {
			t.Fatal(err)
		}
		title := "renamed"
		if _, err := tasks.Update(ctx, u.ID, moved.ID, task.Patch{Title: &title}); err != nil {
			t.Fatal(err)
		}
		if _, err := tasks.Update(ctx, u.ID, bare.ID, task.Patch{Due: timed(time.Now().Add(2 * time.Hour))}); err != nil {
			t.Fatal(err)
		}
		if jobs := reconcileJobs(t, db); len(jobs) != 0 {
			t.Fatalf("intents %v of changes that owe reminders nothing, want none", jobs)
		}

		// The due moves to a moment that passes before the intent runs, a second later: the
		// reminder fires late, as it would if its job had been stored with the change.
		at := time.Now().Add(500 * time.Millisecond).UTC().Truncate(time.Microsecond)
		if _, err := tasks.Update(ctx, u.ID, moved.ID, task.Patch{Due: &task.Due{At: at}}); err != nil {
			t.Fatal(err)
		}
		if jobs := reconcileJobs(t, db); len(jobs) != 1 {
			t.Fatalf("intents %v of one due moved, want one", jobs)
		}
		if got := waitFired(t, reminders, u.ID, moved.ID, at); len(got) != 1 || got[0].ReminderID != r.ID {
			t.Fatalf("notifications %+v, want the one of reminder %s at %v", got, r.ID, at)
		}

		// A task created with a timed due gets the user's default reminder, which fires.
		before := time.Duration(0)
		if err := reminders.SaveSettings(ctx, u.ID, remind.Settings{Push: true, InPage: true, DefaultBefore: &before}); err != nil {
			t.Fatal(err)
		}
		at = soon()
		created, err := tasks.Create(ctx, u.ID, task.Draft{Title: "created", Due: timed(at)})
		if err != nil {
			t.Fatal(err)
		}
		waitFired(t, reminders, u.ID, created.ID, at)
		list, err := reminders.Reminders(ctx, u.ID, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Kind != remind.AtDue {
			t.Fatalf("reminders %+v of a task created with a timed due, want the default one, at the due", list)
		}
		waitReconciled(t, db, 2)
	})
}

// TestIntentOfABulkChange: a bulk change that moves many dues (repeating tasks completed,
// which move to their next due) stores the intents of the tasks with reminders, and after a
// crash they schedule each reminder at its task's new due.
func TestIntentOfABulkChange(t *testing.T) {
	t.Parallel()
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := crashed(t, d, nil)
		db := openDB(t, s)
		ctx := context.Background()
		tasks, reminders := s.App.Tasks(), s.App.Reminders()
		u := s.SignUp(t, "bulk@example.com")
		daily, err := recur.Parse("RRULE:FREQ=DAILY")
		if err != nil {
			t.Fatal(err)
		}
		due := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		var ids []uuid.UUID
		rems := map[uuid.UUID]uuid.UUID{}
		for i := range 5 {
			tk, err := tasks.Create(ctx, u.ID, task.Draft{Title: "daily", Due: timed(due), Repeat: daily})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tk.ID)
			if i < 3 { // the last two have no reminders, and owe nothing
				r, err := reminders.Add(ctx, u.ID, tk.ID, remind.Draft{Kind: remind.BeforeDue, Before: 10 * time.Minute})
				if err != nil {
					t.Fatal(err)
				}
				rems[tk.ID] = r.ID
			}
		}
		done, err := tasks.Apply(ctx, u.ID, task.Bulk{Action: task.BulkComplete, IDs: ids})
		if err != nil {
			t.Fatal(err)
		}
		waitReconciled(t, db, 3)
		for _, tk := range done {
			r, ok := rems[tk.ID]
			if !ok {
				continue
			}
			want := tk.Due.At.Add(-10 * time.Minute)
			if !tk.Due.At.After(due) {
				t.Fatalf("task completed: due %v, want its next due after %v", tk.Due.At, due)
			}
			if got := fireTimes(t, db, d, r); len(got) != 2 || !got[1].Equal(want) {
				t.Fatalf("fire jobs of a reminder at %v, want the first due's and the next one's, %v", got, want)
			}
		}
	})
}

// TestIntentTakenBackAfterTheSave: in the normal course the observer of the save does the
// work and deletes the change's intent in the same transaction: none is left.
func TestIntentTakenBackAfterTheSave(t *testing.T) {
	t.Parallel()
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, nil)
		db := openDB(t, s)
		ctx := context.Background()
		tasks, reminders := s.App.Tasks(), s.App.Reminders()
		u := s.SignUp(t, "normal@example.com")
		before := 30 * time.Minute
		if err := reminders.SaveSettings(ctx, u.ID, remind.Settings{Push: true, InPage: true, DefaultBefore: &before}); err != nil {
			t.Fatal(err)
		}
		due := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
		tk, err := tasks.Create(ctx, u.ID, task.Draft{Title: "timed", Due: timed(due)})
		if err != nil {
			t.Fatal(err)
		}
		if jobs := reconcileJobs(t, db); len(jobs) != 0 {
			t.Fatalf("intents %v left after a create, want none", jobs)
		}
		list, err := reminders.Reminders(ctx, u.ID, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Next == nil || !list[0].Next.Equal(due.Add(-before)) {
			t.Fatalf("reminders %+v, want the default one, 30 minutes before the due", list)
		}
		later := due.Add(time.Hour)
		if _, err := tasks.Update(ctx, u.ID, tk.ID, task.Patch{Due: timed(later)}); err != nil {
			t.Fatal(err)
		}
		if jobs := reconcileJobs(t, db); len(jobs) != 0 {
			t.Fatalf("intents %v left after a due moved, want none", jobs)
		}
		if got := fireTimes(t, db, d, list[0].ID); len(got) != 2 || !got[1].Equal(later.Add(-before)) {
			t.Fatalf("fire jobs at %v, want the first due's and the moved one's, %v", got, later.Add(-before))
		}
	})
}

// TestIntentOfAFailedSave: the intent of a change that was never saved (refused after the
// intent, or over the quota) runs and does nothing: no default reminder for a task still
// all-day, none for a task never created, no job for a due that never moved.
func TestIntentOfAFailedSave(t *testing.T) {
	t.Parallel()
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := crashed(t, d, map[string]string{"QUOTA_TASKS": "2"})
		db := openDB(t, s)
		ctx := context.Background()
		tasks, reminders := s.App.Tasks(), s.App.Reminders()
		var refuse atomic.Bool
		refused := errors.New("refused")
		tasks.BeforeChange(func(context.Context, string, []task.Pending) error {
			if refuse.Load() {
				return refused
			}
			return nil
		})
		u := s.SignUp(t, "failed@example.com")
		before := time.Duration(0)
		if err := reminders.SaveSettings(ctx, u.ID, remind.Settings{Push: true, InPage: true, DefaultBefore: &before}); err != nil {
			t.Fatal(err)
		}
		day := task.DateOf(time.Now().Add(48 * time.Hour))
		allDay, err := tasks.Create(ctx, u.ID, task.Draft{Title: "all day", Due: &task.Due{Date: day}})
		if err != nil {
			t.Fatal(err)
		}
		due := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
		withReminder, err := tasks.Create(ctx, u.ID, task.Draft{Title: "with a reminder", Due: timed(due)})
		if err != nil {
			t.Fatal(err)
		}
		waitReconciled(t, db, 1) // the default reminder of the timed task
		list, err := reminders.Reminders(ctx, u.ID, withReminder.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("reminders %+v, %v; want the default one", list, err)
		}

		refuse.Store(true)
		if _, err := tasks.Update(ctx, u.ID, allDay.ID, task.Patch{Due: timed(due)}); !errors.Is(err, refused) {
			t.Fatalf("a change refused after the intent: %v, want it refused", err)
		}
		if _, err := tasks.Update(ctx, u.ID, withReminder.ID, task.Patch{Due: timed(due.Add(time.Hour))}); !errors.Is(err, refused) {
			t.Fatalf("a change refused after the intent: %v, want it refused", err)
		}
		refuse.Store(false)
		if _, err := tasks.Create(ctx, u.ID, task.Draft{Title: "over the quota", Due: timed(due)}); !errors.Is(err, task.ErrQuota) {
			t.Fatalf("a create over the quota: %v, want ErrQuota", err)
		}
		waitReconciled(t, db, 4)

		if list, err := reminders.Reminders(ctx, u.ID, allDay.ID); err != nil || len(list) != 0 {
			t.Fatalf("reminders %+v, %v of a task whose timed due was refused, want none", list, err)
		}
		if got := fireTimes(t, db, d, list[0].ID); len(got) != 1 || !got[0].Equal(due) {
			t.Fatalf("fire jobs at %v of a reminder whose move was refused, want only its due's, %v", got, due)
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM reminders`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d reminders (%v), want the one of the timed task", n, err)
		}
	})
}
