package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"todo/internal/apperr"
	"todo/internal/auth"
)

// SignInPage serves GET /signin. A user who is signed in already goes straight on.
func (ui *UI) SignInPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := localPath(r.URL.Query().Get("next"))
		if ui.signedIn(w, r) {
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
		ui.page(w, r, http.StatusOK, "signin", signInView{authView: authView{
			layoutView: layoutView{Title: "Sign in"}, Next: next, Remember: true,
		}})
	})
}

// SignUpPage serves GET /signup.
func (ui *UI) SignUpPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := localPath(r.URL.Query().Get("next"))
		if ui.signedIn(w, r) {
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
		ui.page(w, r, http.StatusOK, "signup", authView{layoutView: layoutView{Title: "Create your account"}, Next: next})
	})
}

// signedIn tells whether the request has a valid session. A database outage reads as "not
// signed in": the form is still worth showing, and its submission reports the outage.
func (ui *UI) signedIn(w http.ResponseWriter, r *http.Request) bool {
	a, err := ui.auth.Session(r.Context(), w, r)
	return err == nil && a != nil
}

// SignIn serves POST /signin: check the email and password, open a session, go on to the
// page the user first asked for.
func (ui *UI) SignIn() http.Handler {
	return ui.form(func(w http.ResponseWriter, r *http.Request) {
		v := authView{
			layoutView: layoutView{Title: "Sign in"},
			Next:       localPath(r.PostForm.Get("next")),
			Email:      strings.TrimSpace(r.PostForm.Get("email")),
			Remember:   r.PostForm.Get("remember") != "",
		}
		password := r.PostForm.Get("password")
		if v.Email == "" {
			v.EmailError = "Enter your email address."
		}
		if password == "" {
			v.PasswordError = "Enter your password."
		}
		if v.EmailError != "" || v.PasswordError != "" {
			ui.page(w, r, http.StatusUnprocessableEntity, "signin", signInView{authView: v})
			return
		}
		a, err := ui.auth.SignIn(r.Context(), auth.SignInInput{
			Email: v.Email, Password: password, Remember: v.Remember, CallbackURL: emailVerifiedPage,
		}, ui.client(r))
		if err != nil {
			v, status := ui.authRefusal(w, r, v, err)
			ui.page(w, r, status, "signin", signInView{authView: v, Unverified: errors.Is(err, auth.ErrEmailNotVerified)})
			return
		}
		ui.auth.SetSessionCookie(w, a)
		http.Redirect(w, r, v.Next, http.StatusSeeOther)
	})
}

// SignUp serves POST /signup: create the account, sign in, go on.
func (ui *UI) SignUp() http.Handler {
	return ui.form(func(w http.ResponseWriter, r *http.Request) {
		v := authView{
			layoutView: layoutView{Title: "Create your account"},
			Next:       localPath(r.PostForm.Get("next")),
			Name:       strings.TrimSpace(r.PostForm.Get("name")),
			Email:      strings.TrimSpace(r.PostForm.Get("email")),
		}
		password := r.PostForm.Get("password")
		if v.Email == "" {
			v.EmailError = "Enter your email address."
		}
		if password == "" {
			v.PasswordError = fmt.Sprintf("Choose a password of at least %d characters.", auth.MinPasswordLength)
		}
		if v.EmailError != "" || v.PasswordError != "" {
			ui.page(w, r, http.StatusUnprocessableEntity, "signup", v)
			return
		}
		a, err := ui.auth.SignUp(r.Context(), auth.SignUpInput{
			Name: v.Name, Email: v.Email, Password: password, Remember: true, CallbackURL: emailVerifiedPage,
		}, ui.client(r))
		if err != nil {
			v, status := ui.authRefusal(w, r, v, err)
			ui.page(w, r, status, "signup", v)
			return
		}
		if !a.HasSession() {
			// Sign-in waits for a verified address; the page is the same whether the address
			// was new or had an account already.
			ui.notice(w, r, http.StatusOK, noticeView{
				Heading: "Check your inbox", Ok: true,
				Lines: []string{"We've sent a link to " + v.Email + ". Open it to verify your address, then sign in; it works for " +
					auth.Lifetime(ui.auth.EmailFeatures().VerificationLinkLifetime) + "."},
				Primary: &link{"/signin", "Sign in"},
			})
			return
		}
		ui.auth.SetSessionCookie(w, a)
		ui.keepBrowserZone(r, a.User.ID)
		http.Redirect(w, r, v.Next, http.StatusSeeOther)
	})
}

// SignOut serves POST /signout: end the session and forget its cookies.
func (ui *UI) SignOut() http.Handler {
	return ui.form(func(w http.ResponseWriter, r *http.Request) {
		a, err := ui.auth.Session(r.Context(), w, r)
		if err == nil && a != nil {
			err = ui.auth.SignOut(r.Context(), a.Session.Token)
		}
		if err != nil {
			// The cookies go anyway: on this browser the user is signed out, which is what
			// they asked for; the session row expires on its own.
			ui.log.WarnContext(r.Context(), "sign-out: session not deleted", "err", err)
		}
		ui.auth.ClearSessionCookies(w)
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
	})
}

func (ui *UI) client(r *http.Request) auth.Client {
	return auth.Client{IP: ui.auth.ClientIP(r), UserAgent: r.UserAgent()}
}

// signInView is the sign-in page; Unverified offers a new verification link, when sign-in
// was refused for want of a verified address.
type signInView struct {
	authView
	Unverified bool
}

// authRefusal puts the auth service's refusal into the form, next to the field it is about,
// in words for people rather than API codes, sets the headers of apperr's table and returns
// the status to answer with.
func (ui *UI) authRefusal(w http.ResponseWriter, r *http.Request, v authView, err error) (authView, int) {
	e := apperr.From(err)
	apperr.Log(r.Context(), ui.log, e)
	e.SetHeaders(w.Header())
	status := e.Status()
	_, emailAtFault := e.Field("email")
	_, nameAtFault := e.Field("name")
	switch {
	case errors.Is(e, auth.ErrInvalidCredentials):
		v.Alert = "Wrong email or password."
		// 401 would promise a WWW-Authenticate challenge; this is a form to fill in again.
		status = http.StatusUnprocessableEntity
	case errors.Is(e, auth.ErrInvalidEmail), emailAtFault:
		v.EmailError = "Enter a valid email address, like name@example.com."
	case nameAtFault:
		v.NameError = fmt.Sprintf("Use a name of at most %d characters.", auth.MaxNameLength)
	case errors.Is(e, auth.ErrUserExists):
		v.EmailError, v.EmailTaken = "An account with this email already exists.", true
	case errors.Is(e, auth.ErrPasswordTooShort):
		v.PasswordError = fmt.Sprintf("Password too short: use at least %d characters.", auth.MinPasswordLength)
	case errors.Is(e, auth.ErrPasswordTooLong):
		v.PasswordError = fmt.Sprintf("Password too long: use at most %d characters.", auth.MaxPasswordLength)
	case errors.Is(e, auth.ErrEmailNotVerified):
		v.Alert = "Verify your email address first: open the link we sent to " + v.Email + ", then sign in."
	default:
		v.Alert = failureText(e)
	}
	return v, status
}
