// Package mail is the application's one way of sending email: Outbox.Send stores a message
// as a job (internal/jobs) and returns; a worker on one of the instances sends it, retrying
// with backoff while the server cannot take it. Where it goes depends on the configuration:
// an SMTP server (SMTP_URL, through go-mail), the log in development when there is none, or
// nowhere in production without one, where Enabled says so.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strings"

	"github.com/riverqueue/river"

	"todo/internal/jobs"
)

// Message is one email: a plain-text body and, optionally, the same in HTML.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
}

// Config says where mail goes.
type Config struct {
	// Server is SMTP_URL's server; nil when SMTP_URL is not set.
	Server *Server
	// From (MAIL_FROM) is the sender, an address with an optional name: Todo <todo@example.com>.
	From string
	// Development: without a Server, messages are written to the log (whole, links included)
	// instead of sent. In production without a Server, mail is off.
	Development bool
	// RootCAs, when set, replace the system's roots in checking the server's certificate
	// (tests, a private CA).
	RootCAs *x509.CertPool
}

// DefaultFrom is the sender in development when MAIL_FROM is not set.
const DefaultFrom = "Todo <no-reply@localhost>"

// ErrDisabled is Send's error when mail is off.
var ErrDisabled = errors.New("email is off: SMTP_URL is not set")

// sender delivers one message now.
type sender interface {
	send(ctx context.Context, messageID string, m Message) error
}

// Outbox stores messages to be sent.
type Outbox struct {
	jobs   *jobs.Client
	domain string // of the sender's address, for Message-IDs
}

// NewOutbox makes the outbox of cfg over q and registers on q the worker that sends.
func NewOutbox(q *jobs.Client, cfg Config, log *slog.Logger) (*Outbox, error) {
	log = log.With("component", "mail")
	from := cfg.From
	if from == "" {
		from = DefaultFrom
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("MAIL_FROM: %w", err)
	}
	var s sender
	switch {
	case cfg.Server != nil:
		s = &smtpSender{server: cfg.Server, from: addr.String(), roots: cfg.RootCAs}
		log.Info("email goes out through the SMTP server", "server", cfg.Server.String(), "from", addr.String())
	case cfg.Development:
		s = logSender{log: log, from: addr.String()}
		log.Info("SMTP_URL is not set: email is written to this log instead of sent (development)")
	default:
		log.Warn("SMTP_URL is not set: email is off, and so is what needs it (password reset, email verification)")
		return &Outbox{}, nil
	}
	if err := jobs.Register(q, &sendWorker{sender: s, log: log}); err != nil {
		return nil, err
	}
	_, domain, _ := strings.Cut(addr.Address, "@")
	return &Outbox{jobs: q, domain: domain}, nil
}

// Enabled reports whether messages can be sent. When not, features that need email say so
// rather than promise a message that never comes. A nil Outbox is off.
func (o *Outbox) Enabled() bool { return o != nil && o.jobs != nil }

// Send stores m to be sent and returns once it is stored: it survives a restart, and one of
// the instances sends it, once, retrying while the server cannot take it. It does not wait for
// the server.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	args, err := o.args(m)
	if err != nil {
		return err
	}
	return o.jobs.Insert(ctx, args, nil)
}

// SendTx is Send within tx, a database/sql transaction on the app's database: the message is
// sent if and only if tx commits.
func (o *Outbox) SendTx(ctx context.Context, tx *sql.Tx, m Message) error {
	args, err := o.args(m)
	if err != nil {
		return err
	}
	return o.jobs.InsertTx(ctx, tx, args, nil)
}

func (o *Outbox) args(m Message) (sendArgs, error) {
	if !o.Enabled() {
		return sendArgs{}, ErrDisabled
	}
	if err := m.check(); err != nil {
		return sendArgs{}, err
	}
	// The Message-ID is chosen once, so that every attempt sends the same message and a
	// receiver can tell a repeat (the rare resend after an instance died mid-send).
	var id [16]byte
	rand.Read(id[:])
	return sendArgs{Message: m, MessageID: hex.EncodeToString(id[:]) + "@" + o.domain}, nil
}

// check refuses what no mail server should be given: a message is written by the app, so a
// bad one is a bug, reported before it is stored.
func (m Message) check() error {
	addr, err := netmail.ParseAddress(m.To)
	if err != nil || addr.Name != "" {
		return fmt.Errorf("mail: bad recipient %q", m.To)
	}
	switch {
	case strings.TrimSpace(m.Subject) == "" || strings.ContainsAny(m.Subject, "\r\n"):
		return errors.New("mail: the subject must be one non-empty line")
	case strings.TrimSpace(m.Text) == "":
		return errors.New("mail: the message has no text")
	}
	return nil
}

// sendArgs is the job of sending one message.
type sendArgs struct {
	Message   Message `json:"message"`
	MessageID string  `json:"message_id"`
}

func (sendArgs) Kind() string { return "mail.send" }

// sendWorker sends the messages of the outbox.
type sendWorker struct {
	river.WorkerDefaults[sendArgs]
	sender sender
	log    *slog.Logger
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[sendArgs]) error {
	err := w.sender.send(ctx, job.Args.MessageID, job.Args.Message)
	if err != nil && permanent(err) {
		// The server refused the recipient for good: another attempt would be refused too.
		w.log.Error("email refused by the server: not retried", "job_id", job.ID, "err", err)
		return river.JobCancel(err)
	}
	return err
}

// logSender writes messages to the log: a developer without a mail server follows the links
// from there.
type logSender struct {
	log  *slog.Logger
	from string
}

func (l logSender) send(ctx context.Context, messageID string, m Message) error {
	l.log.InfoContext(ctx, "email (development: written here, not sent)", "message_id", messageID,
		"from", l.from, "to", m.To, "subject", m.Subject, "text", m.Text, "html", m.HTML)
	return nil
}
