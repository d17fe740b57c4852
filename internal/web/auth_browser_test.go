package web_test

import (
	"strings"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

func TestSignUpSignOutSignIn(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	p := openPage(t, srv)
	p.screenshotOnFailure()

	p.signUp("Ada Lovelace", "ada@example.com", "analytical engine")
	if got := p.text(".account-name"); got != "Ada Lovelace" {
		t.Errorf("header shows %q, want the user's name", got)
	}
	if got := p.text(".empty-title"); got != "Nothing to do yet" {
		t.Errorf("a new account's list says %q, want the empty state", got)
	}
	// The UI's session is the auth API's: the same cookie gets a JWT for the task API.
	if got := evaluateAsync[int](p, `fetch("/api/auth/token", {credentials: "same-origin"}).then(r => r.status)`); got != 200 {
		t.Errorf("GET /api/auth/token with the UI's session: got %d, want 200", got)
	}

	p.clickRole("button", "Sign out")
	p.waitFor("the sign-in page", `location.pathname === "/signin"`)
	p.open("/")
	if got := p.path(); got != "/signin" {
		t.Errorf("after signing out, / went to %q, want /signin", got)
	}

	p.fillRole("form", "Email", "ada@example.com")
	p.fillRole("form", "Password", "analytical engine")
	p.clickRole("button", "Sign in")
	p.waitFor("the task list", `location.pathname === "/" && !!document.getElementById("new-task")`)
	if got := p.text(".account-name"); got != "Ada Lovelace" {
		t.Errorf("after signing in, header shows %q, want the user's name", got)
	}
}

func TestSignInReturnsToThePageAskedFor(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	user := srv.SignUp(t, "grace@example.com")
	createTasks(t, srv, user, "Done already")
	p := openPage(t, srv)
	p.screenshotOnFailure()

	p.open("/?status=completed")
	if got, want := p.path(), "/signin?next=%2F%3Fstatus%3Dcompleted"; got != want {
		t.Fatalf("a visitor asking for the completed tasks went to %q, want %q", got, want)
	}
	p.fillRole("form", "Email", user.Email)
	p.fillRole("form", "Password", apptest.Password)
	p.press("Enter")
	p.waitFor("the list", `location.pathname === "/"`)
	if got, want := p.path(), "/?status=completed"; got != want {
		t.Errorf("after signing in, got %q, want the page asked for, %q", got, want)
	}
	if got := p.text(`.filters [aria-current="page"]`); got != "Completed" {
		t.Errorf("current filter is %q, want Completed", got)
	}
}

func TestAuthErrorsKeepWhatWasTyped(t *testing.T) {
	srv := apptest.Start(t, database.SQLite, nil)
	existing := srv.SignUp(t, "taken@example.com")
	limited := apptest.Start(t, database.SQLite, map[string]string{"RATE_LIMIT": "true"})

	tests := []struct {
		name      string
		srv       *apptest.Server
		page      string
		fields    map[string]string // label → what is typed
		attempts  int
		wantError string // shown next to the form
		wantKept  []string
	}{
		{
			name: "wrong password", srv: srv, page: "/signin", attempts: 1,
			fields:    map[string]string{"Email": existing.Email, "Password": "not the password"},
			wantError: "Wrong email or password.",
			wantKept:  []string{"Email"},
		},
		{
			name: "email taken", srv: srv, page: "/signup", attempts: 1,
			fields:    map[string]string{"Name": "Someone", "Email": existing.Email, "Password": "long enough password"},
			wantError: "An account with this email already exists.",
			wantKept:  []string{"Name", "Email"},
		},
		{
			name: "password too short", srv: srv, page: "/signup", attempts: 1,
			fields:    map[string]string{"Name": "Shorty", "Email": "short@example.com", "Password": "abc"},
			wantError: "Password too short: use at least 8 characters.",
			wantKept:  []string{"Name", "Email"},
		},
		{
			name: "rate limited", srv: limited, page: "/signin", attempts: 4, // Better Auth allows 3 per 10 s
			fields:    map[string]string{"Email": "nobody@example.com", "Password": "wrong password"},
			wantError: "Too many attempts, try again in ",
			wantKept:  []string{"Email"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := openPage(t, tt.srv)
			p.screenshotOnFailure()
			for range tt.attempts {
				p.open(tt.page)
				for _, label := range []string{"Name", "Email", "Password"} {
					if v, ok := tt.fields[label]; ok {
						p.fillRole("form", label, v)
					}
				}
				p.press("Enter")
				p.waitFor("the refusal", `!!document.querySelector(".alert, .field-error")`)
			}
			if got := p.text("main"); !strings.Contains(got, tt.wantError) {
				t.Errorf("page says %q, want it to contain %q", got, tt.wantError)
			}
			for _, label := range tt.wantKept {
				if got := p.fieldValue("form", label); got != tt.fields[label] {
					t.Errorf("%s field holds %q, want what was typed, %q", label, got, tt.fields[label])
				}
			}
			if got := p.fieldValue("form", "Password"); got != "" {
				t.Errorf("password field holds %q, want it empty", got)
			}
		})
	}
}

// fieldValue is the value of the text field labelled label within scope.
func (p *page) fieldValue(scope, label string) string {
	p.t.Helper()
	n := p.the(scope, "textbox", named(label), "text field "+label)
	p.focus(n)
	return evaluate[string](p, `document.activeElement.value`)
}
