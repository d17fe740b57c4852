package apptest

import (
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver

	"todo/internal/database"
)

// Mail is a message of the server's outbox.
type Mail struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

// Mails are the messages the server's outbox holds for the address (any case), oldest first,
// sent or still to send. The app hands a mail to the outbox before it answers the request
// that sends it, so they are there as soon as the answer is: they are read from the job
// queue's table, where each is a mail.send job whose arguments carry the message.
func (s *Server) Mails(t testing.TB, to string) []Mail {
	t.Helper()
	db := s.openDB(t)
	defer db.Close()
	args := "args::text"
	if s.Config.Database.URL.Dialect == database.SQLite {
		args = "json(args)" // SQLite keeps River's arguments as JSONB
	}
	rows, err := db.Query(`SELECT ` + args + ` FROM river_job WHERE kind = 'mail.send' ORDER BY id`)
	if err != nil {
		t.Fatalf("read the outbox: %v", err)
	}
	defer rows.Close()
	var out []Mail
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var job struct{ Message Mail }
		if err := json.Unmarshal(raw, &job); err != nil {
			t.Fatalf("outbox job %.200q: %v", raw, err)
		}
		if strings.EqualFold(job.Message.To, to) {
			out = append(out, job.Message)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// openDB opens the server's database beside it.
func (s *Server) openDB(t testing.TB) *sql.DB {
	t.Helper()
	u := s.Config.Database.URL
	driver, dsn := "pgx", u.DSN
	if u.Dialect == database.SQLite {
		driver, dsn = "sqlite", "file:"+u.Path+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	return db
}
