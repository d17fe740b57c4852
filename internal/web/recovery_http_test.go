package web_test

// The account pages as plain HTML forms, without a browser: what a visitor without JavaScript
// gets, status codes included.

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// mailLink is the link into the auth API of the newest mail the outbox holds for the address,
// as a path and query of the server.
func mailLink(t *testing.T, srv *apptest.Server, to string) string {
	t.Helper()
	mails := srv.Mails(t, to)
	if len(mails) == 0 {
		t.Fatalf("no mail to %s", to)
	}
	found := regexp.MustCompile(regexp.QuoteMeta(srv.URL+"/api/auth/") + `\S+`).FindString(mails[len(mails)-1].Text)
	if found == "" {
		t.Fatalf("no link in the mail to %s:\n%s", to, mails[len(mails)-1].Text)
	}
	return strings.TrimPrefix(found, srv.URL)
}

// wantPage checks an answer's status and that its page says each of the texts.
func wantPage(t *testing.T, a answer, status int, texts ...string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("got %d, want %d:\n%s", a.status, status, mainOf(a.body))
	}
	page := html.UnescapeString(a.body)
	for _, s := range texts {
		if !strings.Contains(page, s) {
			t.Errorf("the page lacks %q:\n%s", s, mainOf(page))
		}
	}
}

// mainOf is the main element of a page, for failure messages.
func mainOf(page string) string {
	if _, after, ok := strings.Cut(page, `<main`); ok {
		page, _, _ = strings.Cut(after, `</main>`)
	}
	return page
}

// wantRedirect checks a 303 (a form) or 302 (the auth API's links) to location.
func wantRedirect(t *testing.T, a answer, status int, location string) {
	t.Helper()
	if a.status != status || a.header.Get("Location") != location {
		t.Fatalf("got %d Location %q, want %d to %q:\n%s", a.status, a.header.Get("Location"), status, location, a.body)
	}
}

func TestPasswordResetPages(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	user := srv.SignUp(t, "forgetful@example.com")
	c := anonymousClient()

	signin := send(t, c, "GET", srv.URL+"/signin", nil)
	wantPage(t, signin, 200, `href="/forgot-password"`, "Forgot password?")
	wantPage(t, send(t, c, "GET", srv.URL+"/forgot-password?email=forgetful%40example.com", nil), 200,
		`action="/forgot-password"`, `value="forgetful@example.com"`)

	// The same page whether the address has an account or not.
	unknown := send(t, c, "POST", srv.URL+"/forgot-password", url.Values{"email": {"nobody@example.com"}}, sameOrigin(srv)...)
	known := send(t, c, "POST", srv.URL+"/forgot-password", url.Values{"email": {user.Email}}, sameOrigin(srv)...)
	wantPage(t, known, 200, "Check your inbox", "works for 1 hour")
	if strings.ReplaceAll(unknown.body, "nobody@example.com", user.Email) != known.body || unknown.status != known.status {
		t.Errorf("the pages for an unknown address and a known one differ:\n%s\n%s", unknown.body, known.body)
	}
	if n := len(srv.Mails(t, "nobody@example.com")); n != 0 {
		t.Errorf("%d mails to an address without an account", n)
	}
	wantPage(t, send(t, c, "POST", srv.URL+"/forgot-password", url.Values{"email": {""}}, sameOrigin(srv)...), 422, "Enter the email address")
	wantPage(t, send(t, c, "POST", srv.URL+"/forgot-password", url.Values{"email": {"not-an-address"}}, sameOrigin(srv)...), 400,
		"Enter a valid email address")
	wantPage(t, send(t, c, "POST", srv.URL+"/forgot-password", url.Values{"email": {user.Email}}, "Origin", "https://evil.example"), 403)

	// The mail's link leads to the form.
	link := mailLink(t, srv, user.Email)
	token := strings.TrimPrefix(strings.SplitN(link, "?", 2)[0], "/api/auth/reset-password/")
	wantRedirect(t, send(t, c, "GET", srv.URL+link, nil), 302, srv.URL+"/reset-password?token="+token)
	wantPage(t, send(t, c, "GET", srv.URL+"/reset-password?token="+token, nil), 200,
		"Choose a new password", `name="token" value="`+token+`"`)

	reset := func(pw, confirm string) answer {
		return send(t, c, "POST", srv.URL+"/reset-password", url.Values{"token": {token}, "password": {pw}, "confirm": {confirm}}, sameOrigin(srv)...)
	}
	wantPage(t, reset("short", "short"), 400, "Password too short")
	wantPage(t, reset("a long new password", "another one"), 422, "The two passwords differ")
	wantPage(t, reset("a long new password", "a long new password"), 200, "Your password is changed", `href="/signin"`)
	// Used: the link and the form say so, and offer a new link.
	wantPage(t, reset("yet another password", "yet another password"), 400, "This link no longer works", `href="/forgot-password"`)
	wantRedirect(t, send(t, c, "GET", srv.URL+link, nil), 302, srv.URL+"/reset-password?error=INVALID_TOKEN")
	wantPage(t, send(t, c, "GET", srv.URL+"/reset-password?error=INVALID_TOKEN", nil), 400, "This link no longer works")
	wantPage(t, send(t, c, "GET", srv.URL+"/reset-password?token="+token, nil), 400, "This link no longer works")

	wantRedirect(t, send(t, c, "POST", srv.URL+"/signin", url.Values{"email": {user.Email}, "password": {"a long new password"}}, sameOrigin(srv)...), 303, "/")
	wantPage(t, send(t, anonymousClient(), "POST", srv.URL+"/signin", url.Values{"email": {user.Email}, "password": {apptest.Password}}, sameOrigin(srv)...),
		422, "Wrong email or password")
}

func TestPasswordResetPagesWithoutMail(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, map[string]string{"APP_ENV": "production"})
	c := anonymousClient()
	if page := send(t, c, "GET", srv.URL+"/signin", nil); strings.Contains(page.body, "/forgot-password") {
		t.Error("the sign-in page offers a reset that this server cannot mail")
	}
	page := send(t, c, "GET", srv.URL+"/forgot-password", nil)
	wantPage(t, page, 200, "cannot send email")
	if strings.Contains(page.body, `action="/forgot-password"`) {
		t.Error("the page offers the form anyway")
	}
	wantPage(t, send(t, c, "POST", srv.URL+"/forgot-password", url.Values{"email": {"someone@example.com"}}, sameOrigin(srv)...), 400, "cannot send email")
}

func TestAccountPage(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, map[string]string{"CHANGE_EMAIL_ENABLED": "true"})
	user := srv.SignUp(t, "settings@example.com")
	c := user.Client

	// An unverified address: the banner on every page, and the account page says so.
	list := send(t, c, "GET", srv.URL+"/", nil)
	wantPage(t, list, 200, "Please verify your email address", `action="/verify-email/send"`, `href="/account"`)
	wantPage(t, send(t, c, "GET", srv.URL+"/account", nil), 200, user.Email, "not verified yet", "Change my address", "Change my password")

	wantPage(t, send(t, c, "POST", srv.URL+"/verify-email/send", url.Values{}, sameOrigin(srv)...), 200, "We've sent a new link to "+user.Email)
	link := mailLink(t, srv, user.Email)
	wantRedirect(t, send(t, c, "GET", srv.URL+link, nil), 302, "/email-verified")
	wantPage(t, send(t, c, "GET", srv.URL+"/email-verified", nil), 200, "Your address is confirmed", user.Email)
	account := send(t, c, "GET", srv.URL+"/account", nil)
	wantPage(t, account, 200, "· verified")
	if strings.Contains(account.body, "Please verify your email address") {
		t.Error("the banner stays once the address is verified")
	}
	wantPage(t, send(t, c, "POST", srv.URL+"/verify-email/send", url.Values{}, sameOrigin(srv)...), 200, "is verified already")

	// The password: the current one first, then the new one twice.
	password := func(current, next, confirm string, revoke bool) answer {
		form := url.Values{"current": {current}, "password": {next}, "confirm": {confirm}}
		if revoke {
			form.Set("revoke", "1")
		}
		return send(t, c, "POST", srv.URL+"/account/password", form, sameOrigin(srv)...)
	}
	wantPage(t, password("wrong password", "a new password", "a new password", false), 422, "This is not your current password")
	wantPage(t, password(apptest.Password, "a new password", "a new pasword", false), 422, "differ")
	wantPage(t, password(apptest.Password, "short", "short", false), 400, "Password too short")
	other := anonymousClient()
	wantRedirect(t, send(t, other, "POST", srv.URL+"/signin", url.Values{"email": {user.Email}, "password": {apptest.Password}}, sameOrigin(srv)...), 303, "/")
	wantRedirect(t, password(apptest.Password, "a new password", "a new password", true), 303, "/account?done=sessions")
	wantPage(t, send(t, c, "GET", srv.URL+"/account?done=sessions", nil), 200, "your other devices are signed out")
	if page := send(t, other, "GET", srv.URL+"/", nil); page.status != 303 {
		t.Errorf("the other device's session still works after \"Sign out my other devices\": %d", page.status)
	}

	// The address: a link to the new one, which changes it.
	wantPage(t, send(t, c, "POST", srv.URL+"/account/email", url.Values{"email": {user.Email}}, sameOrigin(srv)...), 400, "This is your address already")
	wantPage(t, send(t, c, "POST", srv.URL+"/account/email", url.Values{"email": {"nope"}}, sameOrigin(srv)...), 400, "Enter a valid email address")
	wantRedirect(t, send(t, c, "POST", srv.URL+"/account/email", url.Values{"email": {"moved@example.com"}}, sameOrigin(srv)...), 303, "/account?done=email")
	wantPage(t, send(t, c, "GET", srv.URL+"/account?done=email", nil), 200, "We've sent a link to your new address", user.Email)
	wantRedirect(t, send(t, c, "GET", srv.URL+mailLink(t, srv, "moved@example.com"), nil), 302, "/email-verified")
	wantPage(t, send(t, c, "GET", srv.URL+"/account", nil), 200, "moved@example.com · verified")

	wantPage(t, send(t, c, "GET", srv.URL+"/email-verified?error=TOKEN_EXPIRED", nil), 400, "This link has expired")
	wantPage(t, send(t, c, "GET", srv.URL+"/email-verified?error=INVALID_TOKEN", nil), 400, "This link doesn't work")
	if page := send(t, anonymousClient(), "GET", srv.URL+"/account", nil); page.status != 303 {
		t.Errorf("the account page without a session: %d, want a redirect to sign in", page.status)
	}
}

func TestSignInWaitsForVerification(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, map[string]string{"REQUIRE_EMAIL_VERIFICATION": "true"})
	c := anonymousClient()
	signUp := url.Values{"name": {"Careful"}, "email": {"careful@example.com"}, "password": {apptest.Password}}
	first := send(t, c, "POST", srv.URL+"/signup", signUp, sameOrigin(srv)...)
	wantPage(t, first, 200, "Check your inbox", "careful@example.com")
	if len(first.header.Values("Set-Cookie")) != 0 {
		t.Errorf("sign-up set cookies %q before the address was verified", first.header.Values("Set-Cookie"))
	}
	// A taken address gets the same page.
	if again := send(t, c, "POST", srv.URL+"/signup", signUp, sameOrigin(srv)...); again.body != first.body || again.status != first.status {
		t.Errorf("signing up again with the address: %d, a page unlike the first:\n%s", again.status, again.body)
	}

	refused := send(t, c, "POST", srv.URL+"/signin", url.Values{"email": {"careful@example.com"}, "password": {apptest.Password}}, sameOrigin(srv)...)
	wantPage(t, refused, 403, "Verify your email address first", "Send me a new verification link", `name="email" value="careful@example.com"`)
	wantPage(t, send(t, c, "POST", srv.URL+"/verify-email/send", url.Values{"email": {"careful@example.com"}}, sameOrigin(srv)...), 200,
		"If careful@example.com has an account whose address is not verified yet")
	if n := len(srv.Mails(t, "careful@example.com")); n != 2 {
		t.Fatalf("%d mails, want 2: the sign-up's and the one asked for", n)
	}
	wantRedirect(t, send(t, c, "GET", srv.URL+mailLink(t, srv, "careful@example.com"), nil), 302, "/email-verified")
	wantPage(t, send(t, c, "GET", srv.URL+"/email-verified", nil), 200, "Your address is confirmed", "Sign in to go on")
	wantRedirect(t, send(t, c, "POST", srv.URL+"/signin", url.Values{"email": {"careful@example.com"}, "password": {apptest.Password}}, sameOrigin(srv)...), 303, "/")
}
