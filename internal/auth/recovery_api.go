package auth

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"todo/internal/apperr"
)

// The endpoints of the flows that send mail: password reset, email verification and change
// of email, as Better Auth 1.7 has them.
func (a *API) RequestPasswordReset() http.Handler {
	return a.endpoint(endpoint{limitedByService: true, parse: parseRequestPasswordReset, handle: (*Service).handleRequestPasswordReset})
}
func (a *API) ResetPasswordCallback() http.Handler {
	return a.endpoint(endpoint{noBody: true, handle: (*Service).handleResetPasswordCallback})
}
func (a *API) ResetPassword() http.Handler {
	return a.endpoint(endpoint{limitedByService: true, parse: parseResetPassword, handle: (*Service).handleResetPassword})
}
func (a *API) SendVerificationEmail() http.Handler {
	return a.endpoint(endpoint{limitedByService: true, session: maybeSession, parse: parseSendVerificationEmail, handle: (*Service).handleSendVerificationEmail})
}
func (a *API) VerifyEmail() http.Handler {
	return a.endpoint(endpoint{noBody: true, handle: (*Service).handleVerifyEmail})
}
func (a *API) ChangeEmail() http.Handler {
	return a.endpoint(endpoint{limitedByService: true, session: anySession, parse: parseChangeEmail, handle: (*Service).handleChangeEmail})
}

type requestResetInput struct{ email, redirectTo string }

type resetPasswordInput struct{ newPassword, token string }

type emailInput struct{ email, callbackURL string }

// emailField reads a required email address as zod's z.email() checks it.
func emailField(b *body, m map[string]any, name string) string {
	email := b.str(m, name)
	if _, ok := m[name].(string); ok && !validEmail(email) {
		b.problem(name, "Invalid email address")
	}
	return email
}

func optional(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func parseRequestPasswordReset(b *body) any {
	m := b.object(false)
	return requestResetInput{email: emailField(b, m, "email"), redirectTo: optional(b.optStr(m, "redirectTo"))}
}

func parseResetPassword(b *body) any {
	m := b.object(false)
	return resetPasswordInput{newPassword: b.str(m, "newPassword"), token: optional(b.optStr(m, "token"))}
}

func parseSendVerificationEmail(b *body) any {
	m := b.object(false)
	return emailInput{email: emailField(b, m, "email"), callbackURL: optional(b.optStr(m, "callbackURL"))}
}

func parseChangeEmail(b *body) any {
	m := b.object(false)
	return emailInput{email: emailField(b, m, "newEmail"), callbackURL: optional(b.optStr(m, "callbackURL"))}
}

func (s *Service) handleRequestPasswordReset(w http.ResponseWriter, r *http.Request, req *request) error {
	in := req.input.(requestResetInput)
	if err := s.RequestPasswordReset(r.Context(), in.email, in.redirectTo, req.client); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Status  bool   `json:"status"`
		Message string `json:"message"`
	}{true, "If this email exists in our system, check your email for the reset link"})
}

// handleResetPasswordCallback is the link of the reset mail: it sends the browser on to the
// callback URL with the token, or with error=INVALID_TOKEN when the token cannot be used.
func (s *Service) handleResetPasswordCallback(w http.ResponseWriter, r *http.Request, _ *request) error {
	q := queryOf(r)
	callbackURL := q.str(q.value.(map[string]any), "callbackURL")
	if err := q.err(); err != nil {
		return err
	}
	if err := s.checkRedirect(callbackURL, "INVALID_CALLBACK_URL", "callbackURL"); err != nil {
		return err
	}
	token := r.PathValue("token")
	if token == "" || callbackURL == "" {
		return s.redirect(w, callbackURL, "error", "INVALID_TOKEN")
	}
	if err := s.CheckResetToken(r.Context(), token); errors.Is(err, ErrInvalidResetToken) {
		return s.redirect(w, callbackURL, "error", "INVALID_TOKEN")
	} else if err != nil {
		return err
	}
	return s.redirect(w, callbackURL, "token", token)
}

// redirect answers Better Auth's 302 to target (a path or URL, resolved against this API's
// URL; "" is the API's error page) with the query parameter name set to value.
func (s *Service) redirect(w http.ResponseWriter, target, name, value string) error {
	if target == "" {
		target = s.authURL + "/error"
	}
	base, err := url.Parse(s.authURL)
	if err != nil {
		return s.internal("parse base URL", err)
	}
	ref, err := url.Parse(target)
	if err != nil {
		return s.internal("parse callback URL", err) // checkRedirect let only URLs through
	}
	u := base.ResolveReference(ref)
	u.RawQuery = setSearchParam(u.RawQuery, name, value)
	found(w, u.String())
	return nil
}

// found is Better Auth's redirect: a 302 without a body, which it still labels as JSON.
func found(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusFound)
}

// setSearchParam is the query with name set to value, as the URL standard's
// URLSearchParams.set writes it: the first pair of that name takes the value and the others
// go, or the pair is added at the end, and the whole query is written out again in
// application/x-www-form-urlencoded form.
func setSearchParam(query, name, value string) string {
	type pair struct{ name, value string }
	var pairs []pair
	set := false
	for _, part := range strings.Split(query, "&") {
		if part == "" {
			continue
		}
		n, v, _ := strings.Cut(part, "=")
		p := pair{formDecode(n), formDecode(v)}
		if p.name == name {
			if set {
				continue
			}
			p.value, set = value, true
		}
		pairs = append(pairs, p)
	}
	if !set {
		pairs = append(pairs, pair{name, value})
	}
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(formEncode(p.name))
		b.WriteByte('=')
		b.WriteString(formEncode(p.value))
	}
	return b.String()
}

// formEncode is the URL standard's application/x-www-form-urlencoded byte serializer.
func formEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	return b.String()
}

func (s *Service) handleResetPassword(w http.ResponseWriter, r *http.Request, req *request) error {
	in := req.input.(resetPasswordInput)
	if in.token == "" {
		// Better Auth also takes the token from the query.
		in.token = r.URL.Query().Get("token")
	}
	if err := s.ResetPassword(r.Context(), in.token, in.newPassword, req.client); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]bool{"status": true})
}

func (s *Service) handleSendVerificationEmail(w http.ResponseWriter, r *http.Request, req *request) error {
	in := req.input.(emailInput)
	if err := s.SendVerificationEmail(r.Context(), in.email, in.callbackURL, req.auth, req.client); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]bool{"status": true})
}

// handleVerifyEmail is the link of a verification mail. With a callback URL, it sends the
// browser there, with error=<code> when the link cannot be used; without one it answers JSON.
func (s *Service) handleVerifyEmail(w http.ResponseWriter, r *http.Request, _ *request) error {
	q := queryOf(r)
	m := q.value.(map[string]any)
	token, callbackURL := q.str(m, "token"), optional(q.optStr(m, "callbackURL"))
	if err := q.err(); err != nil {
		return err
	}
	if err := s.checkRedirect(callbackURL, "INVALID_CALLBACK_URL", "callbackURL"); err != nil {
		return err
	}
	var caller *Authenticated
	session := func() (*Authenticated, error) {
		var err error
		caller, err = s.readSession(r.Context(), w, r, true)
		return caller, err
	}
	done, err := s.verifyEmail(r.Context(), token, callbackURL, session)
	if err != nil {
		code := linkError(err)
		if callbackURL == "" || code == "" {
			return err
		}
		found(w, appendQueryParam(callbackURL, "error", code))
		return nil
	}
	if done.user != nil && caller != nil {
		// The caller's session is the user whose address changed: its cookie goes again, as
		// Better Auth sends it.
		s.cookies.setSession(w, r, caller.Session.Token, caller.Remember)
	}
	if callbackURL != "" {
		found(w, callbackURL)
		return nil
	}
	if done.confirmed {
		return writeJSON(w, http.StatusOK, map[string]bool{"status": true})
	}
	return writeJSON(w, http.StatusOK, struct {
		Status bool  `json:"status"`
		User   *User `json:"user"`
	}{true, done.user})
}

// linkError is the code that verify-email sends to the callback URL for err: what is wrong
// with the link, rather than with the server ("" for that).
func linkError(err error) string {
	for _, e := range []*apperr.Error{errLinkInvalid, errLinkExpired, errLinkUserNotFound, errLinkInvalidUser, ErrUserExists} {
		if errors.Is(err, e) {
			return e.Code
		}
	}
	return ""
}

func (s *Service) handleChangeEmail(w http.ResponseWriter, r *http.Request, req *request) error {
	in := req.input.(emailInput)
	if err := s.ChangeEmail(r.Context(), *req.auth, in.email, in.callbackURL, req.client); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]bool{"status": true})
}

// appendQueryParam adds name=value to the query of a path or URL, before its fragment, as
// Better Auth's appendQueryParams does: the query already there is kept as written.
func appendQueryParam(target, name, value string) string {
	rest, fragment, hasFragment := strings.Cut(target, "#")
	pair := formEncode(name) + "=" + formEncode(value)
	switch {
	case !strings.Contains(rest, "?"):
		rest += "?" + pair
	case strings.HasSuffix(rest, "&"), strings.HasSuffix(rest, "?"):
		rest += pair
	default:
		rest += "&" + pair
	}
	if hasFragment {
		rest += "#" + fragment
	}
	return rest
}
