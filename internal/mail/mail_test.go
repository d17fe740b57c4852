package mail_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/jobs"
	"todo/internal/mail"
	"todo/internal/pgtest"
	"todo/internal/smtptest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

const from = "Todo <todo@example.com>"

// outbox is an outbox on a new database of the dialect, its jobs client started with short
// retries, and the log it writes.
func outbox(t *testing.T, d database.Dialect, cfg mail.Config) (*mail.Outbox, *database.DB, *logRecorder) {
	t.Helper()
	db := apptest.OpenDB(t, d)
	logs := &logRecorder{changed: make(chan struct{})}
	log := slog.New(logs)
	q, err := jobs.New(db, jobs.Config{RetryBackoff: 50 * time.Millisecond}, log)
	if err != nil {
		t.Fatal(err)
	}
	o, err := mail.NewOutbox(q, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := q.Stop(stopCtx); err != nil {
			t.Errorf("stop the jobs: %v", err)
		}
	})
	return o, db, logs
}

// smtpConfig sends through srv, trusting its certificate.
func smtpConfig(t *testing.T, srv *smtptest.Server) mail.Config {
	t.Helper()
	server, err := mail.ParseServerURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	return mail.Config{Server: server, From: from, RootCAs: srv.RootCAs}
}

func message(to string) mail.Message {
	return mail.Message{
		To:      to,
		Subject: "Reset your password — Todo",
		Text:    "Open http://127.0.0.1:8000/reset-password?token=abc to choose a new password.\nIt works for an hour.",
		HTML:    `<p>Open <a href="http://127.0.0.1:8000/reset-password?token=abc">this link</a> to choose a new password.</p>`,
	}
}

func TestSendArrivesOverTLSWithAuth(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []smtptest.Option
	}{
		{"starttls", nil},
		{"implicit tls", []smtptest.Option{smtptest.WithImplicitTLS()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
				srv := smtptest.Start(t, tc.opts...)
				o, _, _ := outbox(t, d, smtpConfig(t, srv))
				if !o.Enabled() {
					t.Fatal("an outbox with an SMTP server must be enabled")
				}
				want := message("ada@example.com")
				if err := o.Send(ctx, want); err != nil {
					t.Fatal(err)
				}
				got := srv.WaitMessage(t, "ada@example.com")
				if got.From != "todo@example.com" || got.Header.Get("From") != `"Todo" <todo@example.com>` {
					t.Errorf("sender: envelope %q, header %q", got.From, got.Header.Get("From"))
				}
				if got.Subject != want.Subject || got.Header.Get("To") != "<ada@example.com>" {
					t.Errorf("subject %q, To %q", got.Subject, got.Header.Get("To"))
				}
				if strings.TrimSpace(got.Text) != want.Text || strings.TrimSpace(got.HTML) != want.HTML {
					t.Errorf("parts:\ntext %q\nhtml %q", got.Text, got.HTML)
				}
				if id := got.Header.Get("Message-Id"); !strings.HasSuffix(id, "@example.com>") {
					t.Errorf("Message-ID %q, want one at the sender's domain", id)
				}
				if link := got.Link(t, "/reset-password"); link != "http://127.0.0.1:8000/reset-password?token=abc" {
					t.Errorf("link %q", link)
				}
			})
		})
	}
}

// TestServerDownThenUp: while the server is down the message stays stored and each attempt
// fails; once it is back, the next attempt delivers it, once.
func TestServerDownThenUp(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		srv := smtptest.Start(t)
		o, db, logs := outbox(t, d, smtpConfig(t, srv))
		srv.Stop(t)
		if err := o.Send(ctx, message("grace@example.com")); err != nil {
			t.Fatal(err)
		}
		failures := logs.wait(t, 3, "job failed: will retry")
		for _, f := range failures {
			if !strings.Contains(f, "connection refused") || strings.Contains(f, srv.Password) {
				t.Fatalf("a failure must say why, and never the password: %s", f)
			}
		}
		srv.Restart(t)
		got := srv.WaitMessage(t, "grace@example.com")
		if got.Subject != message("").Subject {
			t.Fatalf("subject %q", got.Subject)
		}
		state, attempts := job(t, db, "completed")
		if state != "completed" || attempts < 4 {
			t.Fatalf("job %s after %d attempts, want completed after 3 failures at least", state, attempts)
		}
		if n := len(srv.To("grace@example.com")); n != 1 {
			t.Fatalf("%d messages arrived, want 1", n)
		}
	})
}

func TestWrongPasswordIsRetriedNotLogged(t *testing.T) {
	srv := smtptest.Start(t)
	cfg := smtpConfig(t, srv)
	cfg.Server.Password = "not the password"
	o, _, logs := outbox(t, database.SQLite, cfg)
	if err := o.Send(ctx, message("ada@example.com")); err != nil {
		t.Fatal(err)
	}
	f := logs.wait(t, 1, "job failed: will retry")[0]
	if !strings.Contains(f, "535") || strings.Contains(f, "not the password") || strings.Contains(f, "token=abc") {
		t.Fatalf("the failure must be the server's refusal, without the password or the message: %s", f)
	}
}

func TestUntrustedCertificateFails(t *testing.T) {
	srv := smtptest.Start(t)
	cfg := smtpConfig(t, srv)
	cfg.RootCAs = nil // the system's roots, which do not know the test's certificate
	o, _, logs := outbox(t, database.SQLite, cfg)
	if err := o.Send(ctx, message("ada@example.com")); err != nil {
		t.Fatal(err)
	}
	if f := logs.wait(t, 1, "job failed: will retry")[0]; !strings.Contains(f, "certificate") {
		t.Fatalf("the failure must be the certificate: %s", f)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages arrived through an untrusted server", n)
	}
}

// TestRefusedRecipientIsNotRetried: a 5xx to RCPT TO is final; the job is cancelled.
func TestRefusedRecipientIsNotRetried(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		srv := smtptest.Start(t)
		o, db, logs := outbox(t, d, smtpConfig(t, srv))
		if err := o.Send(ctx, message(smtptest.Refused)); err != nil {
			t.Fatal(err)
		}
		if f := logs.wait(t, 1, "email refused by the server: not retried")[0]; !strings.Contains(f, "550") {
			t.Fatalf("the log must give the server's answer: %s", f)
		}
		if state, attempts := job(t, db, "cancelled"); state != "cancelled" || attempts != 1 {
			t.Fatalf("job %s after %d attempts, want cancelled after 1", state, attempts)
		}
	})
}

func TestDevelopmentLog(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		o, _, logs := outbox(t, d, mail.Config{Development: true})
		if !o.Enabled() {
			t.Fatal("the development log sender must be enabled")
		}
		if err := o.Send(ctx, message("ada@example.com")); err != nil {
			t.Fatal(err)
		}
		line := logs.wait(t, 1, "email (development: written here, not sent)")[0]
		for _, want := range []string{"ada@example.com", "http://127.0.0.1:8000/reset-password?token=abc", "from=\"Todo\" <no-reply@localhost>"} {
			if !strings.Contains(line, want) {
				t.Errorf("the logged message lacks %q: %s", want, line)
			}
		}
	})
}

func TestOffInProduction(t *testing.T) {
	o, db, _ := outbox(t, database.SQLite, mail.Config{})
	if o.Enabled() {
		t.Fatal("without an SMTP server in production, mail must be off")
	}
	if err := o.Send(ctx, message("ada@example.com")); !errors.Is(err, mail.ErrDisabled) {
		t.Fatalf("send with mail off: %v, want ErrDisabled", err)
	}
	if n := apptest.Int(t, db, `SELECT count(*) FROM river_job`); n != 0 {
		t.Fatalf("%d jobs stored with mail off", n)
	}
	var off *mail.Outbox
	if off.Enabled() {
		t.Fatal("a nil outbox must be off")
	}
}

func TestBadMessagesAreRefusedBeforeStored(t *testing.T) {
	o, db, _ := outbox(t, database.SQLite, mail.Config{Development: true})
	good := message("ada@example.com")
	for name, m := range map[string]mail.Message{
		"no recipient":       {Subject: good.Subject, Text: good.Text},
		"two recipients":     {To: "a@example.com, b@example.com", Subject: good.Subject, Text: good.Text},
		"a named recipient":  {To: "Ada <ada@example.com>", Subject: good.Subject, Text: good.Text},
		"a header injection": {To: good.To, Subject: "Hi\r\nBcc: eve@example.com", Text: good.Text},
		"no subject":         {To: good.To, Text: good.Text},
		"no text":            {To: good.To, Subject: good.Subject, HTML: good.HTML},
	} {
		if err := o.Send(ctx, m); err == nil {
			t.Errorf("%s: sent", name)
		}
	}
	if n := apptest.Int(t, db, `SELECT count(*) FROM river_job`); n != 0 {
		t.Fatalf("%d jobs stored of bad messages", n)
	}
}

// TestSendTxFollowsTheTransaction: a message sent within a transaction exists if and only if
// the transaction commits.
func TestSendTxFollowsTheTransaction(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		srv := smtptest.Start(t)
		o, db, _ := outbox(t, d, smtpConfig(t, srv))
		var sqlDB *sql.DB
		if d == database.Postgres {
			sqlDB = stdlib.OpenDBFromPool(db.Postgres)
			t.Cleanup(func() { sqlDB.Close() })
		} else {
			sqlDB = db.SQLite.Write
		}
		for _, commit := range []bool{false, true} {
			tx, err := sqlDB.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			m := message(fmt.Sprintf("commit-%v@example.com", commit))
			if err := o.SendTx(ctx, tx, m); err != nil {
				t.Fatal(err)
			}
			if commit {
				err = tx.Commit()
			} else {
				err = tx.Rollback()
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		srv.WaitMessage(t, "commit-true@example.com")
		if n := apptest.Int(t, db, `SELECT count(*) FROM river_job`); n != 1 {
			t.Fatalf("%d jobs stored, want the committed one", n)
		}
	})
}

// TestTwoInstancesSendEachMessageOnce: two job clients on one PostgreSQL database, as two
// instances have, both storing messages and both working them: each message arrives once.
func TestTwoInstancesSendEachMessageOnce(t *testing.T) {
	srv := smtptest.Start(t)
	db := apptest.OpenDB(t, database.Postgres)
	var outboxes []*mail.Outbox
	for range 2 {
		q, err := jobs.New(db, jobs.Config{RetryBackoff: 50 * time.Millisecond}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		o, err := mail.NewOutbox(q, smtpConfig(t, srv), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { q.Stop(ctx) })
		outboxes = append(outboxes, o)
	}
	const n = 40
	for i := range n {
		if err := outboxes[i%2].Send(ctx, message(fmt.Sprintf("user%d@example.com", i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		srv.WaitMessage(t, fmt.Sprintf("user%d@example.com", i))
	}
	// Once every job is recorded complete, none can be worked again.
	var done, workers int
	for deadline := time.Now().Add(30 * time.Second); done < n && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		err := db.Postgres.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'completed'), count(DISTINCT attempted_by[1]) FROM river_job`).Scan(&done, &workers)
		if err != nil {
			t.Fatal(err)
		}
	}
	if done != n {
		t.Fatalf("%d of the %d jobs recorded complete", done, n)
	}
	t.Logf("%d messages sent by %d clients", n, workers)
	for _, m := range srv.Messages() {
		if got := len(srv.To(m.To[0])); got != 1 {
			t.Fatalf("%d messages to %s, want 1", got, m.To[0])
		}
	}
	if got := len(srv.Messages()); got != n {
		t.Fatalf("%d messages arrived, want %d", got, n)
	}
}

// job waits until the one mail job is in state, and returns its state and attempts.
func job(t *testing.T, db *database.DB, state string) (string, int) {
	t.Helper()
	var got string
	var attempts int
	deadline := time.Now().Add(30 * time.Second)
	for {
		query := `SELECT state, attempt FROM river_job WHERE kind = 'mail.send'`
		var err error
		if db.Dialect == database.Postgres {
			err = db.Postgres.QueryRow(ctx, query).Scan(&got, &attempts)
		} else {
			err = db.SQLite.Read.QueryRow(query).Scan(&got, &attempts)
		}
		if err != nil {
			t.Fatal(err)
		}
		// The completer records the outcome a moment after the attempt.
		if got == state || time.Now().After(deadline) {
			return got, attempts
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logRecorder keeps every log record as a line of text, and says when one is added.
type logRecorder struct {
	mu      sync.Mutex
	lines   []string
	changed chan struct{}
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, b.String())
	close(l.changed)
	l.changed = make(chan struct{})
	return nil
}

func (l *logRecorder) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logView{l, attrs}
}

func (l *logRecorder) WithGroup(string) slog.Handler { return l }

// logView is the recorder with attributes added.
type logView struct {
	*logRecorder
	attrs []slog.Attr
}

func (v *logView) Handle(ctx context.Context, r slog.Record) error {
	r.AddAttrs(v.attrs...)
	return v.logRecorder.Handle(ctx, r)
}

func (v *logView) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logView{v.logRecorder, append(append([]slog.Attr(nil), v.attrs...), attrs...)}
}

// wait returns the first n lines that start with message, waiting for them up to a minute.
func (l *logRecorder) wait(t *testing.T, n int, message string) []string {
	t.Helper()
	deadline := time.NewTimer(time.Minute)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		var found []string
		for _, line := range l.lines {
			if strings.HasPrefix(line, message) {
				found = append(found, line)
			}
		}
		changed := l.changed
		all := strings.Join(l.lines, "\n")
		l.mu.Unlock()
		if len(found) >= n {
			return found[:n]
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("%d log lines %q within a minute, want %d; the log:\n%s", len(found), message, n, all)
		}
	}
}
