package web_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"todo/internal/apptest"
	"todo/internal/config"
	"todo/internal/database"
	"todo/internal/smtptest"
)

// mailedServer runs the app with its mail going to a real SMTP server on loopback (aiosmtpd,
// with STARTTLS and AUTH), with vars and opts on top.
func mailedServer(t *testing.T, vars map[string]string, opts ...apptest.Option) (*apptest.Server, *smtptest.Server) {
	t.Helper()
	smtp := smtptest.Start(t)
	env := map[string]string{"SMTP_URL": smtp.URL(), "MAIL_FROM": "Todo <todo@example.com>", "JOB_RETRY_BACKOFF": "100ms"}
	for k, v := range vars {
		env[k] = v
	}
	opts = append(opts, func(c *config.Config) { c.Mail.RootCAs = smtp.RootCAs })
	return apptest.Start(t, database.SQLite, env, opts...), smtp
}

// testClock is a server clock that the test moves forward.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		c.t = time.Now()
	}
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	now := c.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = now.Add(d)
}

// TestPasswordResetByMail: "Forgot password?" on the sign-in page, the mail through a real
// SMTP server, its link opened in Chromium, a new password set; the new one signs in and the
// old one no longer does; the used link, and an expired one, say so. With JavaScript on and
// off.
func TestPasswordResetByMail(t *testing.T) {
	clock := &testClock{}
	srv, smtp := mailedServer(t, nil, apptest.WithClock(clock.Now))
	for _, mode := range []struct {
		name string
		opts []pageOption
	}{{"JavaScript", nil}, {"NoJavaScript", []pageOption{withoutJavaScript}}} {
		t.Run(mode.name, func(t *testing.T) {
			email := strings.ToLower(mode.name) + ".reset@example.com"
			srv.SignUp(t, email)
			p := openPage(t, srv, mode.opts...)
			p.screenshotOnFailure()

			p.open("/signin")
			p.clickRole("link", "Forgot password?")
			p.waitFor("the request form", `location.pathname === "/forgot-password"`)
			p.fillRole("form", "Email", email)
			p.clickRole("button", "Send me a link")
			p.waitFor("the check-your-inbox page", `document.querySelector("main h1")?.textContent === "Check your inbox"`)

			m := smtp.WaitMessage(t, email)
			if m.Subject != "Todo: Reset your password" || m.HTML == "" || !strings.Contains(m.Text, "works for 1 hour") ||
				!strings.Contains(m.Header.Get("From"), "todo@example.com") {
				t.Errorf("the mail: subject %q, From %q, HTML %d bytes, text:\n%s", m.Subject, m.Header.Get("From"), len(m.HTML), m.Text)
			}
			link := m.Link(t, "/api/auth/reset-password/")
			p.do(chromedp.Navigate(link))
			p.waitFor("the reset form", `location.pathname === "/reset-password" && !!document.getElementById("confirm")`)
			p.fillRole("form", "New password", "a fresh start, at last")
			p.fillRole("form", "New password again", "a fresh start, at last")
			p.clickRole("button", "Set my new password")
			p.waitFor("the result", `document.querySelector("main h1")?.textContent === "Your password is changed"`)

			p.clickRole("link", "Sign in")
			p.waitFor("the sign-in page", `location.pathname === "/signin"`)
			p.fillRole("form", "Email", email)
			p.fillRole("form", "Password", apptest.Password)
			p.clickRole("button", "Sign in")
			p.waitFor("the refusal", `!!document.querySelector(".alert")`)
			if got := p.text(".alert"); got != "Wrong email or password." {
				t.Errorf("the old password: the page says %q", got)
			}
			p.fillRole("form", "Password", "a fresh start, at last")
			p.clickRole("button", "Sign in")
			p.waitFor("the task list", `location.pathname === "/" && !!document.getElementById("new-task")`)

			// The link again: used, it says so and offers a new one.
			p.do(chromedp.Navigate(link))
			p.waitFor("the used-link page", `document.querySelector("main h1")?.textContent === "This link no longer works"`)
			p.clickRole("link", "Send me a new link")
			p.waitFor("the request form", `location.pathname === "/forgot-password"`)

			// A new link, opened after its hour: the same page.
			p.fillRole("form", "Email", email)
			p.clickRole("button", "Send me a link")
			p.waitFor("the check-your-inbox page", `document.querySelector("main h1")?.textContent === "Check your inbox"`)
			expiring := smtp.WaitMessage(t, email).Link(t, "/api/auth/reset-password/")
			clock.advance(time.Hour + time.Second)
			p.do(chromedp.Navigate(expiring))
			p.waitFor("the expired-link page", `document.querySelector("main h1")?.textContent === "This link no longer works"`)
		})
	}
}

// TestEmailVerificationBanner: a new account's pages ask to verify the address; the banner's
// button mails a link through a real SMTP server; the link, opened in Chromium, verifies it,
// and the banner goes.
func TestEmailVerificationBanner(t *testing.T) {
	srv, smtp := mailedServer(t, nil)
	p := openPage(t, srv)
	p.screenshotOnFailure()
	p.signUp("Grace Hopper", "grace.verify@example.com", "a long and careful password")
	if got := p.text(".site-banner p"); !strings.Contains(got, "Please verify your email address, grace.verify@example.com") {
		t.Fatalf("the banner says %q", got)
	}
	p.clickRole("button", "Send a new link")
	p.waitFor("the check-your-inbox page", `document.querySelector("main h1")?.textContent === "Check your inbox"`)

	m := smtp.WaitMessage(t, "grace.verify@example.com")
	if m.Subject != "Todo: Verify your email address" {
		t.Errorf("subject %q", m.Subject)
	}
	p.do(chromedp.Navigate(m.Link(t, "/api/auth/verify-email")))
	p.waitFor("the confirmation", `location.pathname === "/email-verified" && document.querySelector("main h1")?.textContent === "Your address is confirmed"`)
	p.clickRole("link", "Go to your tasks")
	p.waitFor("the task list", `location.pathname === "/" && !!document.getElementById("new-task")`)
	if n := evaluate[int](p, `document.querySelectorAll(".site-banner").length`); n != 0 {
		t.Error("the banner stays once the address is verified")
	}
	p.open("/account")
	if got := p.text(".settings-value"); got != "grace.verify@example.com · verified" {
		t.Errorf("the account page says %q", got)
	}
}
