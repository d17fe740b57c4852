// Package smtptest gives tests a real SMTP server on loopback: Debian's aiosmtpd
// (python3-aiosmtpd) with STARTTLS and AUTH required, a certificate made for the test, and
// every message it receives kept for the test to read.
//
//	srv := smtptest.Start(t)
//	// SMTP_URL=srv.URL(), MAIL_FROM=…, and trust srv.RootCAs (mail.Config.RootCAs) or, for a
//	// server process, point SSL_CERT_FILE at srv.CertFile.
//	m := srv.WaitMessage(t, "ada@example.com")
//	link := m.Link(t, "/reset-password/")
//
// Without aiosmtpd a test is skipped, unless CI=true, where it fails.
package smtptest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

//go:embed smtpd.py
var script string

// WaitTimeout is how long WaitMessage waits before it fails the test.
var WaitTimeout = 60 * time.Second

// Refused is a recipient the server refuses with a permanent error (550 on RCPT TO), as a
// real server refuses an address it does not know.
const Refused = "refused@example.com"

// Server is a running aiosmtpd.
type Server struct {
	Host     string // 127.0.0.1
	Port     int
	Username string
	Password string
	// ImplicitTLS: TLS from the first byte (smtps://) instead of STARTTLS.
	ImplicitTLS bool
	// RootCAs trusts the server's certificate and nothing else; CertFile is it in PEM.
	RootCAs  *x509.CertPool
	CertFile string

	python, dir, keyFile string

	mu       sync.Mutex
	proc     *exec.Cmd
	exited   chan struct{}
	messages []Message
	taken    map[int]bool  // indexes of messages WaitMessage has returned
	arrived  chan struct{} // closed and replaced whenever a message arrives
}

// Message is one message as the server received it.
type Message struct {
	From    string   // envelope sender (MAIL FROM)
	To      []string // envelope recipients (RCPT TO)
	Header  mail.Header
	Subject string // decoded
	Text    string // the text/plain part, decoded
	HTML    string // the text/html part, decoded
	Raw     []byte
}

// Option changes how the server is started.
type Option func(*Server)

// WithImplicitTLS makes the server speak TLS from the first byte (smtps://), not STARTTLS.
func WithImplicitTLS() Option { return func(s *Server) { s.ImplicitTLS = true } }

// Start runs a server on a free loopback port until the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		Host: "127.0.0.1", Username: "mailer", Password: "p@ss w0rd:" + strconv.Itoa(os.Getpid()),
		python: python(t), dir: t.TempDir(), taken: map[int]bool{}, arrived: make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	s.certificate(t)
	if err := os.Mkdir(filepath.Join(s.dir, "messages"), 0o700); err != nil {
		t.Fatal(err)
	}
	s.start(t)
	t.Cleanup(func() { s.Stop(t) })
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// URL is the SMTP_URL of the server, credentials included.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", User: url.UserPassword(s.Username, s.Password), Host: s.Addr()}
	if s.ImplicitTLS {
		u.Scheme = "smtps"
	}
	return u.String()
}

// Stop shuts the server down: connections are refused until Restart. Messages received so
// far stay readable.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	proc, exited := s.proc, s.exited
	s.proc = nil
	s.mu.Unlock()
	if proc == nil {
		return
	}
	proc.Process.Kill()
	<-exited
}

// Restart starts the server again on the same port, after Stop.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	running := s.proc != nil
	s.mu.Unlock()
	if running {
		t.Fatal("smtptest: Restart of a running server")
	}
	s.start(t)
}

// Messages returns every message received so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// To returns the messages received so far for the recipient, oldest first.
func (s *Server) To(to string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		if m.isTo(to) {
			out = append(out, m)
		}
	}
	return out
}

// WaitMessage returns the oldest message to the recipient that no earlier WaitMessage has
// returned, waiting up to WaitTimeout for it to arrive; the test fails if none does.
func (s *Server) WaitMessage(t testing.TB, to string) Message {
	t.Helper()
	deadline := time.NewTimer(WaitTimeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for i, m := range s.messages {
			if !s.taken[i] && m.isTo(to) {
				s.taken[i] = true
				s.mu.Unlock()
				return m
			}
		}
		arrived := s.arrived
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-deadline.C:
			t.Fatalf("smtptest: no new message to %s within %v; received %s", to, WaitTimeout, s.summary())
			return Message{}
		}
	}
}

func (s *Server) summary() string {
	var b strings.Builder
	b.WriteString("[")
	for i, m := range s.Messages() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%v %q", m.To, m.Subject)
	}
	b.WriteString("]")
	return b.String()
}

func (m Message) isTo(to string) bool {
	for _, r := range m.To {
		if strings.EqualFold(r, to) {
			return true
		}
	}
	return false
}

var linkPattern = regexp.MustCompile(`https?://[^\s"'<>]+`)

// Link returns the first link in the text part whose URL contains part; the test fails if
// there is none.
func (m Message) Link(t testing.TB, part string) string {
	t.Helper()
	for _, l := range linkPattern.FindAllString(m.Text, -1) {
		if strings.Contains(l, part) {
			return l
		}
	}
	t.Fatalf("smtptest: no link containing %q in the message %q:\n%s", part, m.Subject, m.Text)
	return ""
}

// start runs the server process and waits until it listens.
func (s *Server) start(t testing.TB) {
	t.Helper()
	args := []string{"-c", script, "--host", s.Host, "--port", strconv.Itoa(s.Port),
		"--cert", s.CertFile, "--key", s.keyFile, "--user", s.Username, "--password", s.Password,
		"--dir", filepath.Join(s.dir, "messages")}
	if s.ImplicitTLS {
		args = append(args, "--implicit-tls")
	}
	cmd := exec.Command(s.python, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("smtptest: start aiosmtpd: %v", err)
	}
	exited := make(chan struct{})
	ready := make(chan int, 1)
	go func() {
		defer close(exited)
		s.read(stdout, ready)
		cmd.Wait()
	}()
	select {
	case port := <-ready:
		s.mu.Lock()
		s.Port, s.proc, s.exited = port, cmd, exited
		s.mu.Unlock()
	case <-exited:
		t.Fatalf("smtptest: aiosmtpd exited before it listened:\n%s", stderr.String())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("smtptest: aiosmtpd did not listen within 30 s:\n%s", stderr.String())
	}
}

// read follows the server's announcements until it exits.
func (s *Server) read(stdout io.Reader, ready chan<- int) {
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		word, rest, _ := strings.Cut(lines.Text(), " ")
		switch word {
		case "ready":
			port, _ := strconv.Atoi(rest)
			ready <- port
		case "message":
			m, err := readMessage(rest)
			if err != nil {
				m = Message{Subject: "smtptest: unreadable message: " + err.Error()}
			}
			s.mu.Lock()
			s.messages = append(s.messages, m)
			close(s.arrived)
			s.arrived = make(chan struct{})
			s.mu.Unlock()
		}
	}
}

func readMessage(file string) (Message, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return Message{}, err
	}
	var rec struct {
		From string   `json:"from"`
		To   []string `json:"to"`
		Data string   `json:"data"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return Message{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(rec.Data)
	if err != nil {
		return Message{}, err
	}
	m := Message{From: rec.From, To: rec.To, Raw: raw}
	parsed, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return m, err
	}
	m.Header = parsed.Header
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject")); err != nil {
		return m, err
	}
	return m, m.readPart(parsed.Header.Get("Content-Type"), parsed.Header.Get("Content-Transfer-Encoding"), parsed.Body)
}

// readPart keeps the text/plain and text/html parts of body, through any multipart nesting.
func (m *Message) readPart(contentType, encoding string, body io.Reader) error {
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		media = "text/plain"
	}
	if strings.HasPrefix(media, "multipart/") {
		parts := multipart.NewReader(body, params["boundary"])
		for {
			p, err := parts.NextRawPart()
			if err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if err := m.readPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	// Lines end in CRLF on the wire; the test compares them with what the app wrote.
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	switch media {
	case "text/plain":
		m.Text = text
	case "text/html":
		m.HTML = text
	}
	return nil
}

// certificate makes a self-signed certificate for 127.0.0.1 and localhost.
func (s *Server) certificate(t testing.TB) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "smtptest"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP(s.Host)},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	s.RootCAs = x509.NewCertPool()
	s.RootCAs.AddCert(cert)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	s.CertFile, s.keyFile = filepath.Join(s.dir, "cert.pem"), filepath.Join(s.dir, "key.pem")
	if err := os.WriteFile(s.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
}

var (
	pythonOnce sync.Once
	pythonPath string
	pythonErr  error
)

// python finds a Python with aiosmtpd: Debian's /usr/bin/python3 first, where
// python3-aiosmtpd installs it, then python3 on the PATH.
func python(t testing.TB) string {
	t.Helper()
	pythonOnce.Do(func() {
		pythonErr = fmt.Errorf("no python3 with aiosmtpd (apt-get install python3-aiosmtpd)")
		for _, p := range []string{"/usr/bin/python3", "python3"} {
			if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import aiosmtpd").Run() == nil {
				pythonPath, pythonErr = path, nil
				return
			}
		}
	})
	if pythonErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("aiosmtpd is required in CI: %v", pythonErr)
		}
		t.Skipf("aiosmtpd not available: %v", pythonErr)
	}
	return pythonPath
}
