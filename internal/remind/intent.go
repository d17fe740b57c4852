package remind

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"todo/internal/jobs"
	"todo/internal/task"
)

// A task whose due moves owes its reminders a job at each one's new time, and a task given a
// timed due owes the user's default reminder when it has none. The observer of the save
// (taskChanged) does that work; old jobs stay, and do nothing when they run, as the time they
// were made for is no longer the reminder's. A crash between the save and the observer would
// lose the work, and the reminder would never fire: so the intent (intend) records it durably
// before the save, as a remind.reconcile job ReconcileAfter ahead; the observer deletes that
// job in the transaction of its own writes; and a job that nobody deleted does the work from
// the task as it is when it runs. The two may overlap (an observer slower than
// ReconcileAfter): both are idempotent, as fire jobs are unique by their arguments and the
// default reminder's id is its change's.

// debt is what a change of a task owes its reminders, as far as the change tells.
type debt struct {
	// created: the task is new, and has no reminders to move yet.
	created bool
	// newlyTimed: the task has just been given a timed due, and gets the user's default
	// reminder if it has none.
	newlyTimed bool
}

// debtOf is what the change of a task from before to after (before nil: created, after nil:
// deleted) owes its reminders; false when it owes nothing: the task is deleted or completed,
// has no due, or its due did not move. Deleted tasks' reminders go with them; completed ones
// check at firing time.
func debtOf(before, after *task.Task) (debt, bool) {
	if after == nil || after.Completed || after.Due == nil {
		return debt{}, false
	}
	if before != nil && before.Due != nil && sameDue(*before.Due, *after.Due) {
		return debt{}, false
	}
	untimed := before == nil || before.Due == nil || before.Due.AllDay()
	return debt{created: before == nil, newlyTimed: untimed && !after.Due.AllDay()}, true
}

func sameDue(a, b task.Due) bool { return a.Date == b.Date && a.At.Equal(b.At) }

// intent is what a change owes, recorded before its save.
type intent struct {
	taskID uuid.UUID
	// version is the task's once the change is saved: a task still older was never changed
	// (its save failed or was refused).
	version int64
	// due is the task's once the change is saved: with the version, it tells this change from
	// another made at the same time from the same version, which only one can win.
	due task.Due
	debt
	// defaultBefore is the default reminder owed (nil: none), added if the task has none.
	defaultBefore *time.Duration
	// jobs are the remind.reconcile jobs stored for the change.
	jobs []int64
	// expires is when those jobs run: after it, the observer of a save that failed never
	// comes to take the intent back.
	expires time.Time
}

// reconcileArgs is the job of an intent.
type reconcileArgs struct {
	UserID        string         `json:"user_id"`
	TaskID        uuid.UUID      `json:"task_id"`
	Version       int64          `json:"version"`
	DefaultBefore *time.Duration `json:"default_before,omitempty"`
}

func (reconcileArgs) Kind() string { return "remind.reconcile" }

// intend is the service's Intent: before the changes are saved, it stores the job of each
// that owes the task's reminders something, all in one statement. Changes that owe nothing
// (a title, a tag, a due that did not move) cost no query; of the tasks whose due moved, one
// query tells which have reminders to move.
func (s *Service) intend(ctx context.Context, userID string, changes []task.Pending) error {
	var owed []intent
	var timed bool
	for _, c := range changes {
		if d, ok := debtOf(c.Before, c.After); ok {
			owed = append(owed, intent{taskID: c.After.ID, version: c.After.Version, due: *c.After.Due, debt: d})
			timed = timed || d.newlyTimed
		}
	}
	if len(owed) == 0 {
		return nil
	}
	var defaultBefore *time.Duration
	if timed {
		settings, err := s.store.settings(ctx, userID)
		if err != nil {
			return err
		}
		defaultBefore = settings.DefaultBefore
	}
	var moved []uuid.UUID
	for i, in := range owed {
		if in.newlyTimed {
			owed[i].defaultBefore = defaultBefore
		}
		if owed[i].defaultBefore == nil && !in.created {
			moved = append(moved, in.taskID)
		}
	}
	withReminders, err := s.store.tasksWithReminders(ctx, userID, moved)
	if err != nil {
		return err
	}
	now := s.now()
	at := now.Add(s.reconcileAfter)
	var many []river.InsertManyParams
	var due []intent
	for _, in := range owed {
		if in.defaultBefore == nil && !withReminders[in.taskID] {
			continue // a new task without a default, or a task without reminders
		}
		in.expires = at
		due = append(due, in)
		many = append(many, river.InsertManyParams{
			Args:       reconcileArgs{UserID: userID, TaskID: in.taskID, Version: in.version, DefaultBefore: in.defaultBefore},
			InsertOpts: &river.InsertOpts{ScheduledAt: at, Tags: []string{jobs.Eventually}},
		})
	}
	if len(many) == 0 {
		return nil
	}
	var ids []int64
	err = s.store.inTx(ctx, func(tx *sql.Tx) error {
		ids, err = s.jobs.InsertManyTx(ctx, tx, many)
		return err
	})
	if err != nil {
		return err
	}
	for i := range due {
		due[i].jobs = []int64{ids[i]}
	}
	s.intents.add(now, due)
	return nil
}

// taskChanged is the service's Observer: it does what the change's intent recorded, and
// takes the intent back in the same transaction. A change without an intent owes nothing.
// When it fails, the intent's job does the work later.
func (s *Service) taskChanged(ctx context.Context, userID string, _, after *task.Task) {
	if after == nil || after.Due == nil {
		return // no intent owes anything to a task without a due
	}
	in, ok := s.intents.take(intentKeyOf(after.ID, after.Version, *after.Due))
	if !ok {
		return
	}
	var list []Reminder
	var err error
	if !in.created {
		list, err = s.store.taskReminders(ctx, s.store.read, userID, after.ID)
	}
	if err == nil {
		err = s.settle(ctx, userID, *after, list, in, s.now())
	}
	if err != nil {
		s.log.ErrorContext(ctx, "scheduling the reminders of a changed task (its remind.reconcile job will do it later)", "task_id", after.ID, "err", err)
	}
}

type reconcileWorker struct {
	river.WorkerDefaults[reconcileArgs]
	s *Service
}

// Work does the work of an intent that no observer took back (the process died after the
// save, or the observer failed), from the task as it is now: a later change may have moved it
// again, or completed or deleted it. An occurrence that has passed since the change fires now
// (or is recorded missed past the window), as it would have had its job been stored then.
func (w *reconcileWorker) Work(ctx context.Context, job *river.Job[reconcileArgs]) error {
	s, a := w.s, job.Args
	t, err := s.tasks.Get(ctx, a.UserID, a.TaskID)
	if errors.Is(err, task.ErrNotFound) {
		return nil // deleted, or never created
	}
	if err != nil {
		return err
	}
	if t.Version < a.Version || t.Completed || t.Due == nil {
		return nil
	}
	list, err := s.store.taskReminders(ctx, s.store.read, a.UserID, a.TaskID)
	if err != nil {
		return err
	}
	return s.settle(ctx, a.UserID, t, list, intent{version: a.Version, defaultBefore: a.DefaultBefore}, job.CreatedAt)
}

// settle stores the jobs of the reminders (list) of the user's task t at their times for its
// due after since (when the change was made), after adding the default reminder the intent
// owes when t is timed and has none, and deletes the intent's jobs in the same transaction.
func (s *Service) settle(ctx context.Context, userID string, t task.Task, list []Reminder, in intent, since time.Time) error {
	if t.Due == nil {
		return nil
	}
	addDefault := in.defaultBefore != nil && len(list) == 0 && !t.Due.AllDay()
	if len(list) == 0 && !addDefault && len(in.jobs) == 0 {
		return nil
	}
	var loc *time.Location
	if len(list) > 0 || addDefault {
		var err error
		if loc, err = s.zone(ctx, userID); err != nil {
			return err
		}
	}
	return s.store.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range in.jobs {
			// A job running does the same work; one gone was deleted by an earlier attempt.
			err := s.jobs.DeleteTx(ctx, tx, id)
			if err != nil && !errors.Is(err, rivertype.ErrJobRunning) && !errors.Is(err, rivertype.ErrNotFound) {
				return err
			}
		}
		if addDefault {
			r := s.defaultReminder(userID, t.ID, in.version, *in.defaultBefore)
			if err := s.store.insertReminder(ctx, tx, r); err != nil {
				return err
			}
			list = append(list, r)
		}
		for _, r := range list {
			if r.Kind == AtTime {
				continue // its time is its own
			}
			if err := s.schedule(ctx, tx, r, t, loc, since); err != nil {
				return err
			}
		}
		return nil
	})
}

// defaultReminder is the default reminder that the change of the task to version owes it.
// Its id is the change's, so that the observer and the intent's job, should both add it,
// add one.
func (s *Service) defaultReminder(userID string, taskID uuid.UUID, version int64, before time.Duration) Reminder {
	id := uuid.NewSHA1(taskID, []byte("default reminder of version "+strconv.FormatInt(version, 10)))
	r := Reminder{ID: id, UserID: userID, TaskID: taskID, Kind: AtDue, CreatedAt: fireTime(s.now())}
	if before > 0 {
		r.Kind, r.Before = BeforeDue, before
	}
	return r
}

// intents are the intents stored for changes being saved, by task and version, until the
// observer of the save takes them: in the process that stored them, since the intent and the
// observer of a change run in one call of the task service.
type intents struct {
	mu sync.Mutex
	m  map[intentKey]*intent
}

// intentKey names the change an intent is for: the task, and its version and due once saved.
type intentKey struct {
	task    uuid.UUID
	version int64
	date    task.Date
	at      int64 // the timed due, in Unix nanoseconds (0: none)
}

func intentKeyOf(taskID uuid.UUID, version int64, due task.Due) intentKey {
	k := intentKey{task: taskID, version: version, date: due.Date}
	if !due.At.IsZero() {
		k.at = due.At.UnixNano()
	}
	return k
}

// add keeps the intents stored at now, and forgets those whose jobs have run. Two changes made
// at once that would bring a task to the same version and due, of which only one can be saved,
// keep one intent with the jobs of both, for the observer of the one saved.
func (is *intents) add(now time.Time, list []intent) {
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.m == nil {
		is.m = map[intentKey]*intent{}
	}
	for k, in := range is.m {
		if now.After(in.expires) {
			delete(is.m, k)
		}
	}
	for _, in := range list {
		k := intentKeyOf(in.taskID, in.version, in.due)
		if old, ok := is.m[k]; ok {
			old.jobs = append(old.jobs, in.jobs...)
			continue
		}
		is.m[k] = &in
	}
}

// take removes and returns the intent of the change k names.
func (is *intents) take(k intentKey) (intent, bool) {
	is.mu.Lock()
	defer is.mu.Unlock()
	in, ok := is.m[k]
	if !ok {
		return intent{}, false
	}
	delete(is.m, k)
	return *in, true
}
