package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"todo/internal/apperr"
	"todo/internal/auth"
)

// accountView is the account page: the user's address (and whether it is verified), the form
// that changes it and the one that changes the password, with what went wrong in each.
type accountView struct {
	layoutView
	Features auth.EmailFeatures
	// Done says what the last form did, for the line at the top of the page.
	Done          string
	NewEmail      string
	EmailError    string
	EmailAlert    string
	CurrentError  string
	PasswordError string
	PasswordAlert string
	RevokeOthers  bool
}

func (accountView) MinPasswordLength() int { return auth.MinPasswordLength }

// What the account page says after a form succeeded (its ?done=).
var accountDone = map[string]string{
	"password": "Your password is changed.",
	"sessions": "Your password is changed, and your other devices are signed out.",
	"email":    "We've sent a link to your new address. Your address changes when you open it.",
}

func (ui *UI) accountView(a *auth.Authenticated) accountView {
	return accountView{layoutView: layoutView{Title: "Your account", User: &a.User}, Features: ui.auth.EmailFeatures()}
}

// AccountPage serves GET /account.
func (ui *UI) AccountPage() http.Handler {
	return ui.withUser(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		v := ui.accountView(a)
		v.Done = accountDone[r.URL.Query().Get("done")]
		ui.page(w, r, http.StatusOK, "account", v)
	})
}

// ChangeEmail serves POST /account/email: a link goes to the new address, which becomes the
// account's once the link is opened.
func (ui *UI) ChangeEmail() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		v := ui.accountView(a)
		v.NewEmail = strings.TrimSpace(r.PostForm.Get("email"))
		if v.NewEmail == "" {
			v.EmailError = "Enter your new email address."
			ui.page(w, r, http.StatusUnprocessableEntity, "account", v)
			return
		}
		err := ui.auth.ChangeEmail(r.Context(), *a, v.NewEmail, emailVerifiedPage, ui.client(r))
		if err != nil {
			e := apperr.From(err)
			apperr.Log(r.Context(), ui.log, e)
			e.SetHeaders(w.Header())
			_, emailAtFault := e.Field("newEmail")
			switch {
			case emailAtFault:
				v.EmailError = "Enter a valid email address, like name@example.com."
			case errors.Is(e, auth.ErrSameEmail):
				v.EmailError = "This is your address already."
			case errors.Is(e, auth.ErrChangeEmailDisabled), errors.Is(e, auth.ErrChangeEmailNoMail):
				v.EmailAlert = "Addresses cannot be changed on this server."
			default:
				v.EmailAlert = failureText(e)
			}
			ui.page(w, r, e.Status(), "account", v)
			return
		}
		http.Redirect(w, r, "/account?done=email", http.StatusSeeOther)
	})
}

// ChangePassword serves POST /account/password: the current password, then the new one twice;
// optionally every other session of the user ends.
func (ui *UI) ChangePassword() http.Handler {
	return ui.userForm(func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated) {
		v := ui.accountView(a)
		v.RevokeOthers = r.PostForm.Get("revoke") != ""
		current, next, confirm := r.PostForm.Get("current"), r.PostForm.Get("password"), r.PostForm.Get("confirm")
		switch {
		case current == "":
			v.CurrentError = "Enter your current password."
		case next == "":
			v.PasswordError = fmt.Sprintf("Choose a password of at least %d characters.", auth.MinPasswordLength)
		case confirm != next:
			v.PasswordError = "The two new passwords differ. Type the same password twice."
		}
		if v.CurrentError != "" || v.PasswordError != "" {
			ui.page(w, r, http.StatusUnprocessableEntity, "account", v)
			return
		}
		se, err := ui.auth.ChangePassword(r.Context(), *a, current, next, v.RevokeOthers, ui.client(r))
		if err != nil {
			e := apperr.From(err)
			apperr.Log(r.Context(), ui.log, e)
			e.SetHeaders(w.Header())
			status := e.Status()
			switch {
			case errors.Is(e, auth.ErrInvalidPassword):
				v.CurrentError = "This is not your current password."
				status = http.StatusUnprocessableEntity
			case errors.Is(e, auth.ErrPasswordTooShort):
				v.PasswordError = fmt.Sprintf("Password too short: use at least %d characters.", auth.MinPasswordLength)
			case errors.Is(e, auth.ErrPasswordTooLong):
				v.PasswordError = fmt.Sprintf("Password too long: use at most %d characters.", auth.MaxPasswordLength)
			default:
				v.PasswordAlert = failureText(e)
			}
			ui.page(w, r, status, "account", v)
			return
		}
		done := "password"
		if se != nil {
			// The other sessions ended with this one; the browser carries on in a new one.
			ui.auth.SetSessionCookie(w, auth.Authenticated{Session: *se, User: a.User, Remember: a.Remember})
			done = "sessions"
		}
		http.Redirect(w, r, "/account?done="+done, http.StatusSeeOther)
	})
}
