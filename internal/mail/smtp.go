package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// smtpTimeout bounds connecting and each command: a server that stops answering fails the
// attempt, which is retried later, instead of holding a worker.
const smtpTimeout = 20 * time.Second

// smtpSender sends each message over its own connection to the server: the outbox sends
// little, and a fresh connection is never one the server has quietly dropped.
type smtpSender struct {
	server *Server
	from   string
	roots  *x509.CertPool
}

func (s *smtpSender) send(ctx context.Context, messageID string, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("sender %q: %w", s.from, err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(messageID)
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}

	opts := []gomail.Option{
		gomail.WithTimeout(smtpTimeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: s.server.Host, RootCAs: s.roots, MinVersion: tls.VersionTLS12}),
	}
	switch s.server.Security {
	case StartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.server.Username != "" {
		// The strongest mechanism both sides know; go-mail refuses the plain ones without TLS.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.server.Username), gomail.WithPassword(s.server.Password))
	}
	opts = append(opts, gomail.WithPort(s.server.Port))
	client, err := gomail.NewClient(s.server.Host, opts...)
	if err != nil {
		return err
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send through %s: %w", s.server.Addr(), err)
	}
	return nil
}

// permanent reports whether the server refused the recipient for good (a 5xx reply to RCPT
// TO): unlike an unreachable server or a full mailbox, that does not pass.
func permanent(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo && !se.IsTemp()
}
