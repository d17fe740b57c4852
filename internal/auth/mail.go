package auth

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"todo/internal/mail"
)

// Mailer carries the auth server's mail, password-reset and verification links: the app's
// outbox, mail.Outbox.
type Mailer interface {
	// Enabled tells whether mail can be sent at all. Without it, the features that need mail
	// are off, and say so, as Better Auth's are without sendResetPassword and
	// sendVerificationEmail.
	Enabled() bool
	// Send hands the message over for delivery; once it returns nil, the message is kept
	// until it is delivered.
	Send(ctx context.Context, m mail.Message) error
}

//go:embed mailtemplates/*
var mailTemplateFiles embed.FS

// mailKind is one of the mails the auth server sends: its templates, subject and button.
type mailKind struct {
	name    string // the templates mailtemplates/<name>.txt and .html
	subject string // after the app's name
	button  string
	oneUse  bool
}

var (
	resetPasswordMail = mailKind{name: "reset-password", subject: "Reset your password", button: "Choose a new password", oneUse: true}
	verifyEmailMail   = mailKind{name: "verify-email", subject: "Verify your email address", button: "Verify my email address"}
	changeEmailMail   = mailKind{name: "change-email", subject: "Confirm your new email address", button: "Confirm my new address"}
)

// mailData is what the templates of a mail see.
type mailData struct {
	App      string
	Subject  string
	Name     string
	Email    string // the account's address
	NewEmail string // for a change of address
	Link     string
	Button   string
	Lifetime string
	OneUse   bool
}

// mailTemplates are the parsed templates of every kind of mail.
type mailTemplates struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

// mails are the templates, embedded in the binary: parsing them cannot fail but for a
// mistake in them, which every test run would show.
var mails = func() mailTemplates {
	t, err := parseMailTemplates()
	if err != nil {
		panic(err)
	}
	return t
}()

func parseMailTemplates() (mailTemplates, error) {
	t := mailTemplates{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	layout, err := htmltemplate.ParseFS(mailTemplateFiles, "mailtemplates/layout.html")
	if err != nil {
		return t, err
	}
	for _, k := range []mailKind{resetPasswordMail, verifyEmailMail, changeEmailMail} {
		if t.text[k.name], err = texttemplate.ParseFS(mailTemplateFiles, "mailtemplates/"+k.name+".txt"); err != nil {
			return t, err
		}
		page, err := layout.Clone()
		if err != nil {
			return t, err
		}
		if t.html[k.name], err = page.ParseFS(mailTemplateFiles, "mailtemplates/"+k.name+".html"); err != nil {
			return t, err
		}
	}
	return t, nil
}

// render writes the mail of kind to the address to, with d filled in.
func (t mailTemplates) render(k mailKind, to string, d mailData) (mail.Message, error) {
	d.Subject = d.App + ": " + k.subject
	d.Button, d.OneUse = k.button, k.oneUse
	var text, html bytes.Buffer
	if err := t.text[k.name].Execute(&text, d); err != nil {
		return mail.Message{}, err
	}
	if err := t.html[k.name].ExecuteTemplate(&html, "layout", d); err != nil {
		return mail.Message{}, err
	}
	return mail.Message{To: to, Subject: d.Subject, Text: text.String(), HTML: html.String()}, nil
}

// Lifetime writes a link's lifetime for people: "1 hour", "30 minutes", "2 days".
func Lifetime(d time.Duration) string {
	unit, n := "second", int64(d/time.Second)
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		unit, n = "day", int64(d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		unit, n = "hour", int64(d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		unit, n = "minute", int64(d/time.Minute)
	}
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// mailOn tells whether the service can send mail.
func (s *Service) mailOn() bool { return s.mailer != nil && s.mailer.Enabled() }

// sendMail renders the mail of kind for the user and hands it over. The link is in the mail
// only: nothing here logs it.
func (s *Service) sendMail(ctx context.Context, k mailKind, to string, u User, newEmail, link string, valid time.Duration) error {
	m, err := mails.render(k, to, mailData{
		App: s.appName, Name: strings.TrimSpace(u.Name), Email: u.Email, NewEmail: newEmail, Link: link, Lifetime: Lifetime(valid),
	})
	if err != nil {
		return s.internal("render "+k.name+" mail", err)
	}
	if err := s.mailer.Send(ctx, m); err != nil {
		return s.internal("send "+k.name+" mail", err)
	}
	return nil
}
