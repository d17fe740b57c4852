package remind_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"

	"todo/internal/apptest"
	"todo/internal/config"
	"todo/internal/database"
	"todo/internal/pgtest"
	"todo/internal/pushtest"
	"todo/internal/remind"
	"todo/internal/smtptest"
	"todo/internal/task"
)

// The tests that wait for reminders' times, each on an app and database of its own, run in
// parallel; TestManyInOneMinute, which measures a burst, runs alone before them.
func TestMain(m *testing.M) { pgtest.Main(m) }

// call sends a request and decodes the answer into out (when not nil), failing unless the
// status is want.
func call(t testing.TB, s *apptest.Server, method, path, token string, body any, want int, out any) apptest.Response {
	t.Helper()
	r := s.Do(t, method, path, token, body)
	if r.Status != want {
		t.Fatalf("%s %s: got %d %s, want %d", method, path, r.Status, r.Body, want)
	}
	if out != nil {
		r.JSON(t, out)
	}
	return r
}

type taskOut struct {
	ID string `json:"id"`
}

type reminderOut struct {
	ID           string     `json:"id"`
	Kind         string     `json:"kind"`
	Before       *string    `json:"before"`
	SnoozedUntil *time.Time `json:"snoozed_until"`
	NextFireAt   *time.Time `json:"next_fire_at"`
}

type notificationsOut struct {
	Notifications []struct {
		ID         int64     `json:"id"`
		ReminderID string    `json:"reminder_id"`
		TaskID     string    `json:"task_id"`
		Title      string    `json:"title"`
		FireAt     time.Time `json:"fire_at"`
		State      string    `json:"state"`
	} `json:"notifications"`
	Since int64 `json:"since"`
}

// dueIn makes a task due at (an instant, to the second) with a reminder at its due, and
// returns the task's and the reminder's ids.
func dueIn(t testing.TB, s *apptest.Server, token, title string, at time.Time) (string, string) {
	t.Helper()
	var tk taskOut
	call(t, s, "POST", "/api/v2/tasks", token, map[string]any{"title": title, "due": map[string]string{"at": at.UTC().Format(time.RFC3339)}}, http.StatusCreated, &tk)
	var r reminderOut
	call(t, s, "POST", "/api/v2/tasks/"+tk.ID+"/reminders", token, map[string]string{"kind": "due"}, http.StatusCreated, &r)
	return tk.ID, r.ID
}

// soon is an instant one to two seconds ahead, to the second as a due is sent.
func soon() time.Time { return time.Now().Add(2 * time.Second).Truncate(time.Second) }

func subscribe(t testing.TB, s *apptest.Server, token string, sub pushtest.Subscription) {
	t.Helper()
	call(t, s, "POST", "/api/v2/push/subscriptions", token, sub, http.StatusCreated, nil)
}

// openDB opens the server's database beside it, for reading River's jobs.
func openDB(t testing.TB, s *apptest.Server) *sql.DB {
	t.Helper()
	db, err := database.Open(context.Background(), s.Config.Database, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if db.Dialect == database.Postgres {
		h := stdlib.OpenDBFromPool(db.Postgres)
		t.Cleanup(func() { h.Close() })
		return h
	}
	return db.SQLite.Read
}

// waitIdle waits until no reminder job whose time has come is left to run: every occurrence
// due has been fired (or found stale) and every delivery made. Jobs for later (a snooze, a due
// moved ahead) wait.
func waitIdle(t testing.TB, db *sql.DB) {
	t.Helper()
	waitFor(t, "every reminder job due to be done", func() bool {
		rows, err := db.Query(`SELECT scheduled_at FROM river_job WHERE kind LIKE 'remind.%' AND state NOT IN ('completed', 'cancelled', 'discarded')`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		idle := true
		for rows.Next() {
			var at any
			if err := rows.Scan(&at); err != nil {
				t.Fatal(err)
			}
			idle = idle && instantOf(t, at).After(time.Now().Add(time.Minute))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return idle
	})
}

// signIn signs the user in on s and returns a token s accepts.
func signIn(t testing.TB, s *apptest.Server, email string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.Post(s.URL+"/api/auth/sign-in/email", "application/json",
		strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, email, apptest.Password)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", s.URL+"/api/auth/token", nil)
	var tok struct{ Token string }
	apptest.Send(t, c, req).JSON(t, &tok)
	return tok.Token
}

// instantOf reads an instant as River's table keeps it: timestamptz, or SQLite's text.
func instantOf(t testing.TB, v any) time.Time {
	t.Helper()
	switch v := v.(type) {
	case time.Time:
		return v
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05.999999999-07:00"} {
			if at, err := time.Parse(layout, v); err == nil {
				return at
			}
		}
	}
	t.Fatalf("cannot read %T %v as an instant", v, v)
	return time.Time{}
}

// expect sends a request from another goroutine than the test's, and returns the body of its
// answer, or how its answer differs from want.
func expect(base, method, path, token, body string, want int) ([]byte, error) {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: got %d %s, want %d", method, path, resp.StatusCode, b, want)
	}
	return b, nil
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after 60 s waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReminderFires: a reminder a second or two ahead reaches the user's browser by Web Push
// (a real push service that checks the VAPID signature and decrypts the message), their
// mailbox (a real SMTP server), and the page's notifications; the push notification's token
// snoozes it without a session; a subscription its push service says is gone is forgotten.
func TestReminderFires(t *testing.T) {
	t.Parallel()
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		smtp := smtptest.Start(t)
		s := apptest.Start(t, d, map[string]string{"SMTP_URL": smtp.URL(), "MAIL_FROM": "Todo <todo@example.com>", "JOB_RETRY_BACKOFF": "100ms"},
			func(c *config.Config) { c.Mail.RootCAs = smtp.RootCAs })
		u := s.SignUp(t, "fire@example.com")
		receiver := pushtest.Start(t)
		browser, dropped := receiver.Subscribe(t), receiver.Subscribe(t)
		subscribe(t, s, u.Token, browser)
		subscribe(t, s, u.Token, dropped)
		receiver.Unsubscribe(dropped)
		var key struct{ Key string }
		call(t, s, "GET", "/api/v2/push/vapid-public-key", u.Token, nil, http.StatusOK, &key)
		call(t, s, "PATCH", "/api/v2/reminder-settings", u.Token, map[string]any{"channels": map[string]bool{"email": true}}, http.StatusOK, nil)

		at := soon()
		taskID, reminderID := dueIn(t, s, u.Token, "Call the <plumber>", at)

		m := receiver.Wait(t, browser, 0)
		if m.VAPIDKey != key.Key {
			t.Fatalf("signed with %q, want the key the API gives browsers, %q", m.VAPIDKey, key.Key)
		}
		var p remind.Payload
		m.JSON(t, &p)
		if p.Type != "reminder" || p.TaskID.String() != taskID || p.ReminderID.String() != reminderID || p.Title != "Call the <plumber>" ||
			!p.FireAt.Equal(at) || p.URL != s.URL+"/tasks/"+taskID || !strings.HasPrefix(p.Body, "Due ") {
			t.Fatalf("payload %+v; want the task's title, ids, link and due, fired at %v", p, at)
		}

		mail := smtp.WaitMessage(t, "fire@example.com")
		if mail.Subject != "Reminder: Call the <plumber>" || !strings.Contains(mail.Text, s.URL+"/tasks/"+taskID) ||
			!strings.Contains(mail.Text, s.URL+"/account") || !strings.Contains(mail.HTML, "Call the &lt;plumber&gt;") {
			t.Fatalf("email %q:\n%s\n%s\nwant the title, the task's link and the settings' link, the HTML escaped", mail.Subject, mail.Text, mail.HTML)
		}

		var list notificationsOut
		call(t, s, "GET", "/api/v2/notifications", u.Token, nil, http.StatusOK, &list)
		if len(list.Notifications) != 1 || list.Notifications[0].State != "fired" || list.Notifications[0].TaskID != taskID ||
			!list.Notifications[0].FireAt.Equal(at) || list.Since != list.Notifications[0].ID {
			t.Fatalf("notifications %+v, want the one fired", list)
		}
		call(t, s, "GET", fmt.Sprintf("/api/v2/notifications?since=%d", list.Since), u.Token, nil, http.StatusOK, &list)
		if len(list.Notifications) != 0 {
			t.Fatalf("notifications after the last: %+v, want none", list.Notifications)
		}

		waitIdle(t, openDB(t, s))
		call(t, s, "DELETE", "/api/v2/push/subscriptions", u.Token, map[string]string{"endpoint": dropped.Endpoint}, http.StatusNotFound, nil)
		call(t, s, "DELETE", "/api/v2/push/subscriptions", u.Token, map[string]string{"endpoint": browser.Endpoint}, http.StatusNoContent, nil)
		if n := len(receiver.Messages()); n != 1 {
			t.Fatalf("%d push messages, want 1", n)
		}

		// The service worker snoozes with the payload's token, without a bearer token.
		var r reminderOut
		call(t, s, "POST", strings.TrimPrefix(p.Snooze.URL, s.URL), "", map[string]string{"for": "10m", "token": p.Snooze.Token}, http.StatusOK, &r)
		if r.SnoozedUntil == nil || r.NextFireAt == nil || !r.NextFireAt.Equal(*r.SnoozedUntil) || time.Until(*r.SnoozedUntil) < 9*time.Minute {
			t.Fatalf("snoozed: %+v, want it to fire again in 10 minutes", r)
		}
		call(t, s, "POST", strings.TrimPrefix(p.Snooze.URL, s.URL), "", map[string]string{"for": "10m", "token": p.Snooze.Token + "x"}, http.StatusUnauthorized, nil)
	})
}

// TestOnlyCurrentTimesFire: a completed or deleted task's reminder never fires, a moved due
// fires at its new time only, once.
func TestOnlyCurrentTimesFire(t *testing.T) {
	t.Parallel()
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, nil)
		u := s.SignUp(t, "moved@example.com")
		receiver := pushtest.Start(t)
		sub := receiver.Subscribe(t)
		subscribe(t, s, u.Token, sub)

		at := soon()
		done, _ := dueIn(t, s, u.Token, "completed", at)
		gone, _ := dueIn(t, s, u.Token, "deleted", at)
		moved, _ := dueIn(t, s, u.Token, "moved", at)
		dueIn(t, s, u.Token, "kept", at)
		later := at.Add(2 * time.Second)
		call(t, s, "POST", "/api/v2/tasks/"+done+"/toggle", u.Token, nil, http.StatusOK, nil)
		call(t, s, "DELETE", "/api/v2/tasks/"+gone, u.Token, nil, http.StatusNoContent, nil)
		call(t, s, "PATCH", "/api/v2/tasks/"+moved, u.Token, map[string]any{"due": map[string]string{"at": later.UTC().Format(time.RFC3339)}}, http.StatusOK, nil)

		receiver.WaitFor(t, "the kept and moved tasks' reminders", pushtest.WaitTimeout, func(ms []pushtest.Message) bool { return len(ms) >= 2 })
		waitIdle(t, openDB(t, s))
		fired := map[string]time.Time{}
		for _, m := range receiver.Messages() {
			var p remind.Payload
			m.JSON(t, &p)
			if _, twice := fired[p.Title]; twice {
				t.Fatalf("%q fired twice", p.Title)
			}
			fired[p.Title] = p.FireAt
		}
		if len(fired) != 2 || !fired["kept"].Equal(at) || !fired["moved"].Equal(later) {
			t.Fatalf("fired %v; want kept at %v and moved at %v, nothing else", fired, at, later)
		}
		var list notificationsOut
		call(t, s, "GET", "/api/v2/notifications", u.Token, nil, http.StatusOK, &list)
		if len(list.Notifications) != 2 {
			t.Fatalf("notifications %+v, want 2", list.Notifications)
		}
	})
}

// TestQuietHoursHoldPushAndEmail: during quiet hours the occurrence is recorded (the open page
// shows it) while its push waits, stored for the end of the quiet hours.
func TestQuietHoursHoldPushAndEmail(t *testing.T) {
	t.Parallel()
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, nil)
		u := s.SignUp(t, "quiet@example.com")
		receiver := pushtest.Start(t)
		subscribe(t, s, u.Token, receiver.Subscribe(t))
		now := time.Now().UTC()
		quiet := map[string]string{"start": now.Add(-time.Hour).Format("15:04"), "end": now.Add(2 * time.Hour).Format("15:04")}
		call(t, s, "PATCH", "/api/v2/reminder-settings", u.Token, map[string]any{"quiet_hours": quiet}, http.StatusOK, nil)
		dueIn(t, s, u.Token, "at night", soon())

		var list notificationsOut
		waitFor(t, "the occurrence to be recorded", func() bool {
			call(t, s, "GET", "/api/v2/notifications", u.Token, nil, http.StatusOK, &list)
			return len(list.Notifications) == 1
		})
		db := openDB(t, s)
		var state string
		var scheduled any
		waitFor(t, "the push job to be stored", func() bool {
			err := db.QueryRow(`SELECT state, scheduled_at FROM river_job WHERE kind = 'remind.push'`).Scan(&state, &scheduled)
			return err == nil
		})
		start, _ := remind.ParseClock(quiet["start"])
		end, _ := remind.ParseClock(quiet["end"])
		want := remind.QuietHours{Start: start, End: end}.Until(time.Now(), time.UTC)
		if at := instantOf(t, scheduled); state != "available" || !at.Equal(want) {
			t.Fatalf("push job %s for %v, want it waiting (available) for the end of the quiet hours, %v", state, at, want)
		}
		if n := len(receiver.Messages()); n != 0 {
			t.Fatalf("%d push messages during quiet hours", n)
		}
	})
}

// TestTwoInstancesFireOnce: two servers on one PostgreSQL database, both scheduling the
// reminders of their requests, send each occurrence once.
func TestTwoInstancesFireOnce(t *testing.T) {
	t.Parallel()
	url := apptest.DatabaseURL(t, database.Postgres)
	a := apptest.Start(t, database.Postgres, map[string]string{"DATABASE_URL": url})
	b := apptest.Start(t, database.Postgres, map[string]string{"DATABASE_URL": url})
	u := a.SignUp(t, "twice@example.com")
	// Each server issues its own tokens (its URL is their issuer).
	tokens := map[*apptest.Server]string{a: u.Token, b: signIn(t, b, u.Email)}
	receiver := pushtest.Start(t)
	subscribe(t, b, tokens[b], receiver.Subscribe(t))
	const n = 40
	// Each task is due a little after its four requests, which take longer on a loaded
	// machine: its due leaves two seconds and four times the last task's requests ahead.
	last := time.Second
	for i := range n {
		began := time.Now()
		at := began.Add(2*time.Second + 4*last).Truncate(time.Second).Add(time.Second)
		via := []*apptest.Server{a, b}[i%2]
		tk, _ := dueIn(t, via, tokens[via], fmt.Sprintf("task %d", i), at)
		// The same reminder scheduled again by the other instance (a patch that moves the
		// due away and back) is still one job.
		other := []*apptest.Server{b, a}[i%2]
		call(t, other, "PATCH", "/api/v2/tasks/"+tk, tokens[other], map[string]any{"due": map[string]string{"at": at.Add(time.Hour).UTC().Format(time.RFC3339)}}, http.StatusOK, nil)
		call(t, other, "PATCH", "/api/v2/tasks/"+tk, tokens[other], map[string]any{"due": map[string]string{"at": at.UTC().Format(time.RFC3339)}}, http.StatusOK, nil)
		if !time.Now().Before(at) {
			t.Fatalf("task %d was due at %v, before its requests were answered: a due in the past has no reminder to send", i, at)
		}
		last = time.Since(began)
	}
	receiver.WaitFor(t, fmt.Sprintf("%d push messages", n), pushtest.WaitTimeout, func(ms []pushtest.Message) bool { return len(ms) >= n })
	waitIdle(t, openDB(t, a))
	titles := map[string]int{}
	for _, m := range receiver.Messages() {
		var p remind.Payload
		m.JSON(t, &p)
		titles[p.Title]++
	}
	for i := range n {
		if c := titles[fmt.Sprintf("task %d", i)]; c != 1 {
			t.Fatalf("task %d fired %d times, want once (all: %v)", i, c, titles)
		}
	}
}

// TestManyInOneMinute: the reminders of ten users due in the same minute, all at its first
// second, reach their browsers, each once, while the API keeps answering. REMINDER_LOAD sets
// how many in all: 2,000 by default, which keep the job queue's workers busy from the first
// second to the last in a fifth of the time of the README's 10,000 (REMINDER_LOAD=10000).
// How late the reminders arrived and how long the requests took while they were delivered are
// logged, not checked: a machine shared with other work is slower.
func TestManyInOneMinute(t *testing.T) {
	if testing.Short() {
		t.Skip("many reminders: not in -short")
	}
	total := 2_000
	if v := os.Getenv("REMINDER_LOAD"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 || n%10 != 0 {
			t.Fatalf("REMINDER_LOAD=%q: want a multiple of 10, at least 10", v)
		}
		total = n
	}
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, nil)
		receiver := pushtest.Start(t)
		const users = 10
		perUser := total / users
		type user struct {
			apptest.User
			sub   pushtest.Subscription
			tasks []uuid.UUID
		}
		us := make([]user, users)
		for i := range us {
			us[i].User = s.SignUp(t, fmt.Sprintf("many%d@example.com", i))
			us[i].sub = receiver.Subscribe(t)
			subscribe(t, s, us[i].Token, us[i].sub)
		}
		ctx := context.Background()
		tasks, reminders := s.App.Tasks(), s.App.Reminders()
		eachUser := func(f func(u *user) error) {
			t.Helper()
			var wg sync.WaitGroup
			errs := make(chan error, users)
			for i := range us {
				wg.Go(func() {
					if err := f(&us[i]); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
		}
		began := time.Now()
		eachUser(func(u *user) error {
			for i := range perUser {
				tk, err := tasks.Create(ctx, u.ID, task.Draft{Title: fmt.Sprintf("task %d", i)})
				if err != nil {
					return err
				}
				u.tasks = append(u.tasks, tk.ID)
			}
			return nil
		})
		// All due at one instant, as the all-day dues of a zone are at 09:00, a little after
		// they are made (one made after its time would be past, and not sent late). How slow
		// this machine is now is told by the same work: a twentieth of the reminders made, at
		// the same pace, for a time far off, and taken back.
		probes := max(1, perUser/20)
		start := time.Now()
		eachUser(func(u *user) error {
			for _, id := range u.tasks[:probes] {
				if _, err := reminders.Add(ctx, u.ID, id, remind.Draft{Kind: remind.AtTime, At: start.Add(time.Hour)}); err != nil {
					return err
				}
			}
			return nil
		})
		making := time.Since(start) * time.Duration(perUser) / time.Duration(probes)
		eachUser(func(u *user) error {
			for _, id := range u.tasks[:probes] {
				list, err := reminders.Reminders(ctx, u.ID, id)
				for _, r := range list {
					if err == nil {
						err = reminders.Delete(ctx, u.ID, r.ID)
					}
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		at := time.Now().Add(10*time.Second + 2*making).Truncate(time.Second)
		eachUser(func(u *user) error {
			for _, id := range u.tasks {
				r, err := reminders.Add(ctx, u.ID, id, remind.Draft{Kind: remind.AtTime, At: at})
				if err != nil {
					return err
				}
				if r.Next == nil {
					return fmt.Errorf("a reminder due at %v was made after its time: setting up took too long", at)
				}
			}
			return nil
		})
		setUp := time.Now()
		// While they fire, the API answers: reads and writes, every one of them.
		stop := make(chan struct{})
		requests := make(chan error, 1)
		var latencies []time.Duration
		go func() {
			timed := func(method, path, token, body string, want int) ([]byte, error) {
				began := time.Now()
				b, err := expect(s.URL, method, path, token, body, want)
				if !began.Before(at) {
					latencies = append(latencies, time.Since(began))
				}
				return b, err
			}
			for n := 0; ; n++ {
				select {
				case <-stop:
					requests <- nil
					return
				default:
				}
				u := us[n%users]
				_, err := timed("GET", "/api/v2/tasks?limit=5", u.Token, "", http.StatusOK)
				var created struct{ ID string }
				if err == nil {
					var b []byte
					if b, err = timed("POST", "/api/v2/tasks", u.Token, `{"title":"while firing"}`, http.StatusCreated); err == nil {
						err = json.Unmarshal(b, &created)
					}
				}
				if err == nil {
					_, err = timed("DELETE", "/api/v2/tasks/"+created.ID, u.Token, "", http.StatusNoContent)
				}
				if err != nil {
					requests <- err
					return
				}
			}
		}()
		// How late each arrived after its time, as the test hears of it.
		var lags []time.Duration
		receiver.WaitFor(t, fmt.Sprintf("%d push messages", total), 10*time.Minute+time.Until(at), func(ms []pushtest.Message) bool {
			now := time.Now()
			for _, m := range ms[len(lags):] {
				var p remind.Payload
				if err := json.Unmarshal(m.Payload, &p); err != nil {
					t.Fatal(err)
				}
				lags = append(lags, now.Sub(p.FireAt))
			}
			return len(ms) >= total
		})
		delivered := time.Now()
		close(stop)
		if err := <-requests; err != nil {
			t.Fatalf("while the reminders fired: %v", err)
		}
		t.Logf("%d reminders: tasks and reminders made in %v, all due %v after the start; the last delivered %v after their time",
			total, setUp.Sub(began).Round(time.Millisecond), at.Sub(began).Round(time.Millisecond), delivered.Sub(at).Round(time.Millisecond))
		t.Logf("delivered after their time by: %s", spreadOf(lags))
		t.Logf("%d requests while they were delivered, answered in: %s", len(latencies), spreadOf(latencies))
		waitIdle(t, openDB(t, s))
		got := map[string]int{}
		for _, m := range receiver.Messages() {
			got[m.Endpoint]++
		}
		for i, u := range us {
			if got[u.sub.Endpoint] != perUser {
				t.Fatalf("user %d got %d messages, want %d", i, got[u.sub.Endpoint], perUser)
			}
		}
	})
}

// spreadOf describes durations: their median, 99th percentile and longest.
func spreadOf(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	ds = slices.Sorted(slices.Values(ds))
	return fmt.Sprintf("median %v, 99th percentile %v, longest %v", ds[len(ds)/2].Round(time.Microsecond),
		ds[len(ds)*99/100].Round(time.Microsecond), ds[len(ds)-1].Round(time.Microsecond))
}
