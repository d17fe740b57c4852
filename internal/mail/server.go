package mail

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Security is how the connection to the SMTP server is protected.
type Security int

const (
	// StartTLS: a plain connection that must be upgraded with STARTTLS before anything is
	// sent; a server that does not offer it is an error, not a reason to send in clear.
	StartTLS Security = iota
	// ImplicitTLS: TLS from the first byte (smtps://, usually port 465).
	ImplicitTLS
	// NoTLS: no encryption at all, for a mail catcher on a developer's machine.
	NoTLS
)

// Server is the SMTP server of SMTP_URL.
type Server struct {
	Host     string
	Port     int
	Username string
	Password string
	Security Security
}

// ParseServerURL reads SMTP_URL:
//
//	smtp://user:pass@host:587           STARTTLS required (the default port is 587)
//	smtps://user:pass@host:465          implicit TLS (the default port is 465)
//	smtp://host:1025?tls=none           no TLS, and then no credentials (a local mail catcher)
//
// The user name and password are percent-encoded as in any URL.
func ParseServerURL(s string) (*Server, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("must be a URL such as smtp://user:password@smtp.example.com:587")
	}
	srv := &Server{Host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		srv.Security, srv.Port = StartTLS, 587
	case "smtps":
		srv.Security, srv.Port = ImplicitTLS, 465
	default:
		return nil, fmt.Errorf("must start with smtp:// (STARTTLS) or smtps:// (TLS), got %q", u.Scheme+"://")
	}
	if srv.Host == "" {
		return nil, errors.New("has no host: use smtp://user:password@smtp.example.com:587")
	}
	if p := u.Port(); p != "" {
		if srv.Port, err = strconv.Atoi(p); err != nil || srv.Port < 1 || srv.Port > 65535 {
			return nil, fmt.Errorf("has a bad port %q", p)
		}
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("must have no path, got %q", u.Path)
	}
	if u.User != nil {
		srv.Username = u.User.Username()
		srv.Password, _ = u.User.Password()
	}
	q := u.Query()
	for key := range q {
		if key != "tls" {
			return nil, fmt.Errorf("has an unknown option %q (only tls=none is known)", key)
		}
	}
	switch tls := q.Get("tls"); {
	case !q.Has("tls"):
	case tls == "none" && u.Scheme == "smtp":
		if u.User != nil {
			return nil, errors.New("with tls=none would send the password in clear: drop the credentials or the option")
		}
		srv.Security = NoTLS
	default:
		return nil, fmt.Errorf("has tls=%q: the only value is none, and only with smtp://", tls)
	}
	return srv, nil
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// String is the URL without the password, for the log.
func (s *Server) String() string {
	var b strings.Builder
	if s.Security == ImplicitTLS {
		b.WriteString("smtps://")
	} else {
		b.WriteString("smtp://")
	}
	if s.Username != "" {
		b.WriteString(url.User(s.Username).String() + "@")
	}
	b.WriteString(s.Addr())
	if s.Security == NoTLS {
		b.WriteString("?tls=none")
	}
	return b.String()
}
