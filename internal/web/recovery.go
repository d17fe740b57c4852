package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"todo/internal/apperr"
	"todo/internal/auth"
)

// Where the links of the mails lead once the auth API has checked them: the reset form, and
// the page that says how a verification went.
const (
	resetPasswordPage = "/reset-password"
	emailVerifiedPage = "/email-verified"
)

// link is a button-styled link of a notice.
type link struct{ Href, Label string }

// noticeView is a page that says what happened and what to do next: "check your inbox", the
// result of a link from a mail.
type noticeView struct {
	layoutView
	Heading   string
	Lines     []string
	Ok        bool // good news (a check mark) rather than a problem
	Primary   *link
	Secondary *link
}

// Icon names the sprite symbol of the notice.
func (v noticeView) Icon() string {
	if v.Ok {
		return "check"
	}
	return "alert"
}

func (ui *UI) notice(w http.ResponseWriter, r *http.Request, status int, v noticeView) {
	if v.Title == "" {
		v.Title = v.Heading
	}
	ui.page(w, r, status, "notice", v)
}

// recoveryView is the form that asks for a reset link, or the one that sets a new password.
type recoveryView struct {
	layoutView
	MailOff       bool
	Email         string
	Token         string
	Alert         string
	EmailError    string
	PasswordError string
	ConfirmError  string
}

func (recoveryView) MinPasswordLength() int { return auth.MinPasswordLength }

// ForgotPasswordPage serves GET /forgot-password: the form that asks for a reset link.
func (ui *UI) ForgotPasswordPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ui.page(w, r, http.StatusOK, "forgot-password", recoveryView{
			layoutView: layoutView{Title: "Forgot your password?"},
			MailOff:    !ui.auth.EmailFeatures().Mail,
			Email:      strings.TrimSpace(r.URL.Query().Get("email")),
		})
	})
}

// ForgotPassword serves POST /forgot-password: a reset link goes to the address if it has an
// account, and the page says the same either way.
func (ui *UI) ForgotPassword() http.Handler {
	return ui.form(func(w http.ResponseWriter, r *http.Request) {
		v := recoveryView{layoutView: layoutView{Title: "Forgot your password?"}, Email: strings.TrimSpace(r.PostForm.Get("email"))}
		if v.Email == "" {
			v.EmailError = "Enter the email address of your account."
			ui.page(w, r, http.StatusUnprocessableEntity, "forgot-password", v)
			return
		}
		err := ui.auth.RequestPasswordReset(r.Context(), v.Email, resetPasswordPage, ui.client(r))
		if err != nil {
			ui.recoveryFailed(w, r, "forgot-password", v, err)
			return
		}
		ui.notice(w, r, http.StatusOK, noticeView{
			Heading: "Check your inbox",
			Ok:      true,
			Lines: []string{
				"If an account uses " + v.Email + ", we've sent it a link to choose a new password. " +
					"The link works for " + auth.Lifetime(ui.auth.EmailFeatures().ResetLinkLifetime) + ", once.",
				"Nothing there after a few minutes? Look in your spam folder, or check the address and ask again.",
			},
			Primary:   &link{"/signin", "Back to sign in"},
			Secondary: &link{"/forgot-password", "Ask again"},
		})
	})
}

// ResetPasswordPage serves GET /reset-password, where the link of a reset mail leads: the form
// for a new password, or, when the link has expired or was used, a page that says so.
func (ui *UI) ResetPasswordPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		token := q.Get("token")
		if q.Get("error") != "" || token == "" {
			ui.resetLinkUnusable(w, r)
			return
		}
		if err := ui.auth.CheckResetToken(r.Context(), token); errors.Is(err, auth.ErrInvalidResetToken) {
			ui.resetLinkUnusable(w, r)
			return
		} else if err != nil {
			ui.fail(w, r, err)
			return
		}
		ui.page(w, r, http.StatusOK, "reset-password", recoveryView{layoutView: layoutView{Title: "Choose a new password"}, Token: token})
	})
}

// ResetPassword serves POST /reset-password: the new password, with the link's token.
func (ui *UI) ResetPassword() http.Handler {
	return ui.form(func(w http.ResponseWriter, r *http.Request) {
		v := recoveryView{layoutView: layoutView{Title: "Choose a new password"}, Token: r.PostForm.Get("token")}
		password, confirm := r.PostForm.Get("password"), r.PostForm.Get("confirm")
		switch {
		case password == "":
			v.PasswordError = fmt.Sprintf("Choose a password of at least %d characters.", auth.MinPasswordLength)
		case confirm != password:
			v.ConfirmError = "The two passwords differ. Type the same password twice."
		}
		if v.PasswordError != "" || v.ConfirmError != "" {
			ui.page(w, r, http.StatusUnprocessableEntity, "reset-password", v)
			return
		}
		err := ui.auth.ResetPassword(r.Context(), v.Token, password, ui.client(r))
		if errors.Is(err, auth.ErrInvalidResetToken) {
			ui.resetLinkUnusable(w, r)
			return
		}
		if err != nil {
			ui.recoveryFailed(w, r, "reset-password", v, err)
			return
		}
		ui.notice(w, r, http.StatusOK, noticeView{
			Heading: "Your password is changed",
			Ok:      true,
			Lines:   []string{"Sign in with your new password."},
			Primary: &link{"/signin", "Sign in"},
		})
	})
}

// resetLinkUnusable says that a reset link has expired or was used, and offers a new one.
func (ui *UI) resetLinkUnusable(w http.ResponseWriter, r *http.Request) {
	ui.notice(w, r, http.StatusBadRequest, noticeView{
		Heading: "This link no longer works",
		Lines: []string{
			"A link to reset your password works once, for " + auth.Lifetime(ui.auth.EmailFeatures().ResetLinkLifetime) +
				". This one has expired or was used already.",
			"Ask for a new link, and use the newest mail.",
		},
		Primary:   &link{"/forgot-password", "Send me a new link"},
		Secondary: &link{"/signin", "Back to sign in"},
	})
}

// recoveryFailed shows a recovery form again with the auth service's refusal, worded for
// people, next to the field it is about.
func (ui *UI) recoveryFailed(w http.ResponseWriter, r *http.Request, page string, v recoveryView, err error) {
	e := apperr.From(err)
	apperr.Log(r.Context(), ui.log, e)
	e.SetHeaders(w.Header())
	_, emailAtFault := e.Field("email")
	switch {
	case emailAtFault:
		v.EmailError = "Enter a valid email address, like name@example.com."
	case errors.Is(e, auth.ErrPasswordTooShort):
		v.PasswordError = fmt.Sprintf("Password too short: use at least %d characters.", auth.MinPasswordLength)
	case errors.Is(e, auth.ErrPasswordTooLong):
		v.PasswordError = fmt.Sprintf("Password too long: use at most %d characters.", auth.MaxPasswordLength)
	case errors.Is(e, auth.ErrResetPasswordDisabled):
		v.MailOff = true
	default:
		v.Alert = failureText(e)
	}
	ui.page(w, r, e.Status(), page, v)
}

// failureText words an error of the auth service that belongs to no field.
func failureText(e *apperr.Error) string {
	switch e.Kind {
	case apperr.RateLimited:
		// The limits are the auth API's, counted in the same buckets.
		return fmt.Sprintf("Too many attempts, try again in %d s.", e.RetrySeconds())
	case apperr.Unavailable:
		return "We can't reach the database right now. Please try again in a moment."
	case apperr.Internal:
		return "Something went wrong on our side. Please try again."
	}
	return e.Message
}

// SendVerification serves POST /verify-email/send: a new verification link, for the
// signed-in user's address, or, signed out, for the address of the form (the sign-in page
// offers it when sign-in needs a verified address). Signed out, the page says the same
// whether the address has an account or not.
func (ui *UI) SendVerification() http.Handler {
	return ui.form(func(w http.ResponseWriter, r *http.Request) {
		a, err := ui.auth.Session(r.Context(), w, r)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		v := noticeView{Ok: true, Heading: "Check your inbox"}
		email := strings.TrimSpace(r.PostForm.Get("email"))
		if a != nil {
			email, v.User, v.Primary = a.User.Email, &a.User, &link{"/", "Back to your tasks"}
		} else {
			v.Primary = &link{"/signin", "Back to sign in"}
		}
		err = ui.auth.SendVerificationEmail(r.Context(), email, emailVerifiedPage, a, ui.client(r))
		lifetime := auth.Lifetime(ui.auth.EmailFeatures().VerificationLinkLifetime)
		switch {
		case errors.Is(err, auth.ErrEmailAlreadyVerified):
			v.Heading, v.Lines = "Your address is verified", []string{email + " is verified already: there is nothing more to do."}
		case err != nil:
			e := apperr.From(err)
			apperr.Log(r.Context(), ui.log, e)
			e.SetHeaders(w.Header())
			v.Ok, v.Heading, v.Lines = false, "No link was sent", []string{verificationFailure(e)}
			ui.notice(w, r, e.Status(), v)
			return
		case a != nil:
			v.Lines = []string{"We've sent a new link to " + email + ". Open it to verify your address; it works for " + lifetime + "."}
		default:
			v.Lines = []string{"If " + email + " has an account whose address is not verified yet, we've sent it a new link. " +
				"Open it to verify the address, then sign in; it works for " + lifetime + "."}
		}
		ui.notice(w, r, http.StatusOK, v)
	})
}

func verificationFailure(e *apperr.Error) string {
	switch {
	case errors.Is(e, auth.ErrVerificationDisabled):
		return "This server cannot send email, so it cannot send verification links."
	case e.Kind == apperr.BadRequest && e.Code == "VALIDATION_ERROR":
		return "Enter a valid email address, like name@example.com, on the sign-in page."
	}
	return failureText(e)
}

// EmailVerifiedPage serves GET /email-verified, where the link of a verification mail (or of
// a change of address) leads once the auth API has followed it: with error=<code> when it
// could not be used.
func (ui *UI) EmailVerifiedPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := ui.auth.Session(r.Context(), w, r)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		v := noticeView{Primary: &link{"/signin", "Sign in"}}
		if a != nil {
			v.User, v.Primary = &a.User, &link{"/", "Go to your tasks"}
		}
		code := r.URL.Query().Get("error")
		switch code {
		case "":
			v.Ok, v.Heading = true, "Your address is confirmed"
			if a != nil {
				v.Lines = []string{"Thank you: " + a.User.Email + " is the confirmed address of your account."}
			} else {
				v.Lines = []string{"Thank you: your address is confirmed. Sign in to go on."}
			}
			ui.notice(w, r, http.StatusOK, v)
			return
		case "TOKEN_EXPIRED":
			v.Heading, v.Lines = "This link has expired", []string{"Links in our mails work for " +
				auth.Lifetime(ui.auth.EmailFeatures().VerificationLinkLifetime) + ". Ask for a new one."}
		case auth.ErrUserExists.Code:
			v.Heading, v.Lines = "That address is taken", []string{"Another account uses that address now, so yours keeps its address."}
		default:
			v.Heading, v.Lines = "This link doesn't work", []string{"It may be incomplete: open it again from the mail, or ask for a new one."}
		}
		ui.notice(w, r, http.StatusBadRequest, v) // signed in, the banner offers a new link
	})
}
