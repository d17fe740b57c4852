package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/smtptest"
)

// mailEnv is the environment of a server that sends mail through srv, trusting its
// certificate as it would a real server's: through the bundle SSL_CERT_FILE names.
func mailEnv(srv *smtptest.Server, databaseURL, retry string) map[string]string {
	return map[string]string{
		"DATABASE_URL": databaseURL, "SMTP_URL": srv.URL(), "MAIL_FROM": "Todo <todo@example.com>",
		"SSL_CERT_FILE": srv.CertFile, "JOB_RETRY_BACKOFF": retry,
	}
}

// requestReset asks the server for a password reset link for email.
func requestReset(t *testing.T, baseURL, email string) {
	t.Helper()
	req, err := http.NewRequest("POST", baseURL+"/api/auth/request-password-reset",
		strings.NewReader(fmt.Sprintf(`{"email":%q,"redirectTo":"/reset-password"}`, email)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", baseURL)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("request-password-reset: %d %s", resp.StatusCode, body)
	}
}

// openDB opens the database at url for the test to read, beside the servers.
func openDB(t *testing.T, url string) *sql.DB {
	t.Helper()
	u, err := database.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg := database.Config{URL: u, ConnectTimeout: 5 * time.Second, StartupTimeout: 5 * time.Second}
	db, err := database.Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if db.Dialect == database.Postgres {
		pooled := stdlib.OpenDBFromPool(db.Postgres)
		t.Cleanup(func() { pooled.Close() })
		return pooled
	}
	return db.SQLite.Read
}

// mailJobs reads the mail jobs in db, oldest first, each as "state/attempts".
func mailJobs(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT state || '/' || attempt FROM river_job WHERE kind = 'mail.send' ORDER BY id`)
	if err != nil {
		t.Fatalf("read the mail jobs: %v", err)
	}
	defer rows.Close()
	var jobs []string
	for rows.Next() {
		var j string
		if err := rows.Scan(&j); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return jobs
}

// TestMailSurvivesKill: a server that has stored a mail it could not send yet (its SMTP
// server unreachable) is killed with SIGKILL; the next server on the database sends it, once.
func TestMailSurvivesKill(t *testing.T) {
	t.Parallel() // mostly waiting, for the mail's retry
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		t.Parallel()
		srv := smtptest.Start(t)
		srv.Stop(t)
		dbURL := apptest.DatabaseURL(t, d)
		// A retry 10 s after the failure: the job then waits, retryable, and is not being
		// worked at the moment of the kill (a job killed mid-attempt waits for River's rescue).
		first := startProcess(t, mailEnv(srv, dbURL, "10s"))
		signUp(t, first.URL, "killed@example.com")
		requestReset(t, first.URL, "killed@example.com")
		db := openDB(t, dbURL)
		waitFor(t, "the first attempt to fail and be recorded", func() bool {
			jobs := mailJobs(t, db)
			return len(jobs) == 1 && jobs[0] == "retryable/1"
		})
		if err := first.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		first.wait(t, 10*time.Second)

		srv.Restart(t)
		startProcess(t, mailEnv(srv, dbURL, "100ms"))
		m := srv.WaitMessage(t, "killed@example.com")
		m.Link(t, "/reset-password/")
		waitFor(t, "the mail job to be recorded complete", func() bool {
			jobs := mailJobs(t, db)
			return len(jobs) == 1 && jobs[0] == "completed/2"
		})
		if n := len(srv.To("killed@example.com")); n != 1 {
			t.Fatalf("%d mails arrived, want 1", n)
		}
	})
}

// TestMailOnceAcrossInstances: two servers on one PostgreSQL database both take reset
// requests and both send mail; each mail arrives once.
func TestMailOnceAcrossInstances(t *testing.T) {
	srv := smtptest.Start(t)
	dbURL := apptest.DatabaseURL(t, database.Postgres)
	ports := freePorts(t, 2)
	a := startInstance(t, ports[0], mailEnv(srv, dbURL, "100ms"))
	b := startInstance(t, ports[1], mailEnv(srv, dbURL, "100ms"))
	const users = 12
	for i := range users {
		via := []*instance{a, b}[i%2]
		email := fmt.Sprintf("twice%d@example.com", i)
		signUp(t, via.URL, email)
		requestReset(t, via.URL, email)
	}
	for i := range users {
		srv.WaitMessage(t, fmt.Sprintf("twice%d@example.com", i)).Link(t, "/reset-password/")
	}
	db := openDB(t, dbURL)
	waitFor(t, "every mail job to be recorded complete", func() bool {
		jobs := mailJobs(t, db)
		done := 0
		for _, j := range jobs {
			if strings.HasPrefix(j, "completed/") {
				done++
			}
		}
		return len(jobs) == users && done == users
	})
	for i := range users {
		if n := len(srv.To(fmt.Sprintf("twice%d@example.com", i))); n != 1 {
			t.Fatalf("%d mails to twice%d@example.com, want 1", n, i)
		}
	}
	if n := len(srv.Messages()); n != users {
		t.Fatalf("%d mails arrived, want %d", n, users)
	}
}
