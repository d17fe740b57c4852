package mail_test

import (
	"strings"
	"testing"

	"todo/internal/mail"
)

func TestParseServerURL(t *testing.T) {
	for _, tc := range []struct {
		url      string
		want     mail.Server
		redacted string
	}{
		{"smtp://user:secret@mail.example.com:587", mail.Server{Host: "mail.example.com", Port: 587, Username: "user", Password: "secret", Security: mail.StartTLS}, "smtp://user@mail.example.com:587"},
		{"smtp://user:secret@mail.example.com", mail.Server{Host: "mail.example.com", Port: 587, Username: "user", Password: "secret", Security: mail.StartTLS}, "smtp://user@mail.example.com:587"},
		{"smtps://a%40b.example:p%2Fw%3Ad@mail.example.com", mail.Server{Host: "mail.example.com", Port: 465, Username: "a@b.example", Password: "p/w:d", Security: mail.ImplicitTLS}, "smtps://a%40b.example@mail.example.com:465"},
		{"smtps://mail.example.com:2465/", mail.Server{Host: "mail.example.com", Port: 2465, Security: mail.ImplicitTLS}, "smtps://mail.example.com:2465"},
		{"smtp://localhost:1025?tls=none", mail.Server{Host: "localhost", Port: 1025, Security: mail.NoTLS}, "smtp://localhost:1025?tls=none"},
		{"smtp://[::1]:25", mail.Server{Host: "::1", Port: 25, Security: mail.StartTLS}, "smtp://[::1]:25"},
	} {
		got, err := mail.ParseServerURL(tc.url)
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if *got != tc.want || got.String() != tc.redacted {
			t.Errorf("%s: %+v %s, want %+v %s", tc.url, *got, got, tc.want, tc.redacted)
		}
	}
	for _, bad := range []string{
		"mail.example.com:587",                      // no scheme
		"http://mail.example.com",                   // not SMTP
		"smtp://",                                   // no host
		"smtp://mail.example.com:0",                 // bad port
		"smtp://mail.example.com:70000",             // bad port
		"smtp://mail.example.com/inbox",             // a path
		"smtp://mail.example.com?auth=plain",        // an unknown option
		"smtp://mail.example.com?tls=maybe",         // an unknown value
		"smtps://mail.example.com?tls=none",         // no TLS with TLS
		"smtp://user:secret@localhost:25?tls=none",  // a password in clear
		"smtp://user:secret@mail.example.com:x%zz/", // not a URL
	} {
		_, err := mail.ParseServerURL(bad)
		if err == nil {
			t.Errorf("%s: accepted", bad)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error %q shows the password", bad, err)
		}
	}
}
