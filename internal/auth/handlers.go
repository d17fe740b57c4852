package auth

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"todo/internal/apperr"
)

// BasePath is where the auth API lives, as in Better Auth.
const BasePath = "/api/auth"

// sessionNeed says what an endpoint requires of the caller's session.
type sessionNeed int

const (
	noSession    sessionNeed = iota
	maybeSession             // read when there is one
	anySession               // 401 without one
	freshSession             // also created within the last day, else 403
)

// endpoint is one route of the auth API and what its request must pass before the handler
// runs, in Better Auth's order: rate limit, route, body parsing, origin checks, callback URL
// checks, body validation, session.
type endpoint struct {
	form       bool // also takes application/x-www-form-urlencoded
	noBody     bool // the body is never read (Better Auth's disableBody)
	signInForm bool // sign-in and sign-up: Fetch Metadata checks even without cookies
	// limitedByService: the service applies this endpoint's rate limit itself (sign-in,
	// sign-up and the others the web UI also offers, whatever door they come through), so the
	// router's count would be a second one.
	limitedByService bool
	session          sessionNeed
	// parse validates the body as the endpoint's zod schema does, recording issues in the
	// body, and returns the endpoint's input; nil means the endpoint has no body schema.
	parse  func(b *body) any
	handle func(s *Service, w http.ResponseWriter, r *http.Request, req *request) error
}

// request is a parsed auth request.
type request struct {
	body   *body
	input  any // what the endpoint's parse returned
	auth   *Authenticated
	client Client
}

// API is the auth server's HTTP API under BasePath, in Better Auth's wire format. routes.go
// places each endpoint on its route.
type API struct{ s *Service }

// NewAPI returns the HTTP API of s.
func NewAPI(s *Service) *API { return &API{s: s} }

// The endpoints, one handler maker each.
func (a *API) SignUp() http.Handler {
	return a.endpoint(endpoint{form: true, signInForm: true, limitedByService: true, parse: parseSignUp, handle: (*Service).handleSignUp})
}
func (a *API) SignIn() http.Handler {
	return a.endpoint(endpoint{form: true, signInForm: true, limitedByService: true, parse: parseSignIn, handle: (*Service).handleSignIn})
}
func (a *API) SignOut() http.Handler {
	return a.endpoint(endpoint{parse: parseSignOut, handle: (*Service).handleSignOut})
}
func (a *API) GetSession() http.Handler {
	return a.endpoint(endpoint{noBody: true, handle: (*Service).handleGetSession})
}
func (a *API) Token() http.Handler {
	return a.endpoint(endpoint{session: anySession, handle: (*Service).handleToken})
}
func (a *API) JWKS() http.Handler { return a.endpoint(endpoint{handle: (*Service).handleJWKS}) }
func (a *API) ChangePassword() http.Handler {
	return a.endpoint(endpoint{limitedByService: true, session: anySession, parse: parseChangePassword, handle: (*Service).handleChangePassword})
}
func (a *API) ListSessions() http.Handler {
	return a.endpoint(endpoint{session: freshSession, handle: (*Service).handleListSessions})
}
func (a *API) RevokeSession() http.Handler {
	return a.endpoint(endpoint{session: anySession, parse: parseRevokeSession, handle: (*Service).handleRevokeSession})
}
func (a *API) RevokeSessions() http.Handler {
	return a.endpoint(endpoint{session: anySession, handle: (*Service).handleRevokeSessions})
}
func (a *API) RevokeOtherSessions() http.Handler {
	return a.endpoint(endpoint{session: anySession, handle: (*Service).handleRevokeOtherSessions})
}
func (a *API) UpdateUser() http.Handler {
	return a.endpoint(endpoint{session: anySession, parse: parseUpdateUser, handle: (*Service).handleUpdateUser})
}
func (a *API) DeleteUser() http.Handler {
	return a.endpoint(endpoint{session: anySession, parse: parseDeleteUser, handle: (*Service).handleDeleteUser})
}

// NotFound answers every other path and method under BasePath as Better Auth does: an empty
// 404, after the rate limit, which counts unknown paths too.
func (a *API) NotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.limited(w, r) {
			return
		}
		w.WriteHeader(http.StatusNotFound)
	})
}

// endpointPaths are the endpoints that routes.go places below BasePath. Each has a rate-limit
// bucket per client; every other path shares one, so that made-up paths cannot each make a
// bucket of their own.
var endpointPaths = map[string]bool{
	signUpPath: true, signInPath: true, "/sign-out": true, "/get-session": true, "/token": true,
	"/jwks": true, changePasswordPath: true, "/list-sessions": true, "/revoke-session": true,
	"/revoke-sessions": true, "/revoke-other-sessions": true, "/update-user": true, "/delete-user": true,
	requestResetPath: true, resetPasswordPath: true, sendVerificationPath: true, "/verify-email": true, changeEmailPath: true,
}

// resetLinkPath is the bucket of the reset links, /reset-password/<token>. Better Auth counts
// each token apart; one bucket for them all keeps tokens out of the rate-limit table.
const resetLinkPath = "/reset-password/:token"

// rateKey is the bucket of a path: its endpoint's, the trailing slashes aside (as Better Auth
// counts them), or the one of all other paths.
func rateKey(path string) string {
	p := strings.TrimRight(strings.TrimPrefix(path, BasePath), "/")
	switch {
	case endpointPaths[p]:
		return p
	case strings.HasPrefix(p, resetPasswordPath+"/"):
		return resetLinkPath
	}
	return "/*"
}

// limited counts the request against its path's rate limit and answers the 429 when it is
// over.
func (a *API) limited(w http.ResponseWriter, r *http.Request) bool {
	key, client := rateKey(r.URL.Path), a.client(r)
	if err := a.s.Allow(r.Context(), client, key); err != nil {
		if apperr.From(err).Kind == apperr.RateLimited {
			a.s.log.WarnContext(r.Context(), "rate limited", "endpoint", key, "ip", client.IP)
		}
		a.writeError(w, r, err)
		return true
	}
	return false
}

func (a *API) client(r *http.Request) Client {
	return Client{IP: a.s.ClientIP(r), UserAgent: r.UserAgent()}
}

func (a *API) endpoint(ep endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ep.limitedByService && a.limited(w, r) {
			return
		}
		// The mux lets HEAD through to GET routes; Better Auth answers it with an empty 404.
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if err := a.s.serve(w, r, ep, a.client(r)); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// serve runs the checks in order. One deliberate difference: Better Auth validates the body
// of sign-in and sign-up before their Fetch Metadata check (a middleware of the endpoint),
// where we refuse a cross-site request first, with the origin check, before reading its
// fields; either way the request is refused, only the error differs.
func (s *Service) serve(w http.ResponseWriter, r *http.Request, ep endpoint, client Client) error {
	req := &request{client: client, body: &body{}}
	if !ep.noBody && r.Method != http.MethodGet {
		var err error
		if req.body, err = readBody(w, r, ep.form); err != nil {
			return err
		}
	}
	if err := s.checkOrigin(r, ep.signInForm); err != nil {
		return err
	}
	if err := s.checkCallbacks(r, req.body); err != nil {
		return err
	}
	if ep.parse != nil {
		req.input = ep.parse(req.body)
		if err := req.body.err(); err != nil {
			return err
		}
	}
	if ep.session != noSession {
		a, err := s.readSession(r.Context(), w, r, true)
		if err != nil {
			return err
		}
		if a == nil && ep.session != maybeSession {
			return errUnauthorized
		}
		if ep.session == freshSession && time.Since(a.Session.CreatedAt.Time) >= sessionFreshAge {
			return errSessionStale
		}
		req.auth = a
	}
	return ep.handle(s, w, r, req)
}

// checkCallbacks refuses redirect targets that leave the trusted origins, as Better Auth's
// origin check does for every request but GET, HEAD and OPTIONS: callbackURL from the body,
// or else from the query, and redirectTo, errorCallbackURL and newUserCallbackURL from the
// body. Values JavaScript counts as false are not checked.
func (s *Service) checkCallbacks(r *http.Request, b *body) error {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return nil
	}
	fields, _ := b.value.(map[string]any)
	for _, c := range []struct{ name, code, label string }{
		{"callbackURL", "INVALID_CALLBACK_URL", "callbackURL"},
		{"redirectTo", "INVALID_REDIRECT_URL", "redirectURL"},
		{"errorCallbackURL", "INVALID_ERROR_CALLBACK_URL", "errorCallbackURL"},
		{"newUserCallbackURL", "INVALID_NEW_USER_CALLBACK_URL", "newUserCallbackURL"},
	} {
		v := fields[c.name]
		if c.name == "callbackURL" && !truthy(v) {
			// The query of Better Auth's router gives a repeated parameter as an array.
			switch q := r.URL.Query()[c.name]; len(q) {
			case 0:
			case 1:
				v = q[0]
			default:
				v = []any{q}
			}
		}
		if !truthy(v) {
			continue
		}
		str, isString := v.(string)
		if !isString {
			return &apperr.Error{Kind: apperr.BadRequest, Message: "Invalid " + c.label + ": expected a string"}
		}
		if err := s.checkRedirect(str, c.code, c.label); err != nil {
			return err
		}
	}
	return nil
}

type changePasswordInput struct {
	next, current string
	revokeOthers  bool
}

type deleteUserInput struct{ password, token *string }

func parseSignUp(b *body) any {
	m := b.object(true)
	in := SignUpInput{Name: b.str(m, "name"), Email: b.str(m, "email")}
	if email, ok := m["email"].(string); ok && !validEmail(email) {
		b.problem("email", "Invalid email address")
	}
	in.Password = b.str(m, "password")
	if password, ok := m["password"].(string); ok && password == "" {
		b.problem("password", "Too small: expected string to have >=1 characters")
	}
	in.Image = b.optStr(m, "image")
	in.CallbackURL = optional(b.optStr(m, "callbackURL"))
	in.Remember = b.optBool(m, "rememberMe", true)
	return in
}

// signInRequest is sign-in's body; the answer tells a callbackURL that is absent from an
// empty one.
type signInRequest struct {
	SignInInput
	callbackURL *string
}

func parseSignIn(b *body) any {
	m := b.object(false)
	in := signInRequest{SignInInput: SignInInput{Email: b.str(m, "email"), Password: b.str(m, "password")}}
	in.callbackURL = b.optStr(m, "callbackURL")
	in.CallbackURL = optional(in.callbackURL)
	in.Remember = b.optBool(m, "rememberMe", true)
	return in
}

// parseSignOut checks the optional body of sign-out; its fields only matter to social
// providers, which this server does not have.
func parseSignOut(b *body) any {
	if !b.present {
		return nil
	}
	m := b.object(false)
	b.optStr(m, "callbackURL")
	b.optBool(m, "disableRedirect", false)
	b.optStr(m, "state")
	return nil
}

func parseChangePassword(b *body) any {
	m := b.object(false)
	in := changePasswordInput{next: b.str(m, "newPassword"), current: b.str(m, "currentPassword")}
	in.revokeOthers = b.optBool(m, "revokeOtherSessions", false)
	return in
}

func parseRevokeSession(b *body) any {
	return b.str(b.object(false), "token")
}

// parseUpdateUser checks that the body is a record; its fields are read by the handler, after
// the session, as Better Auth reads them.
func parseUpdateUser(b *body) any {
	m, ok := b.value.(map[string]any)
	if !ok {
		b.issues = append(b.issues, "[body] Invalid input: expected record, received "+received(b.value, b.present))
	}
	return m
}

func parseDeleteUser(b *body) any {
	m := b.object(false)
	b.optStr(m, "callbackURL")
	return deleteUserInput{password: b.optStr(m, "password"), token: b.optStr(m, "token")}
}

func (s *Service) handleSignUp(w http.ResponseWriter, r *http.Request, req *request) error {
	in := req.input.(SignUpInput)
	a, err := s.SignUp(r.Context(), in, req.client)
	if err != nil {
		return err
	}
	res := struct {
		Token *string `json:"token"`
		User  User    `json:"user"`
	}{User: a.User}
	if a.HasSession() {
		s.cookies.setSession(w, r, a.Session.Token, a.Remember)
		res.Token = &a.Session.Token
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Service) handleSignIn(w http.ResponseWriter, r *http.Request, req *request) error {
	in := req.input.(signInRequest)
	a, err := s.SignIn(r.Context(), in.SignInInput, req.client)
	if err != nil {
		return err
	}
	s.cookies.setSession(w, r, a.Session.Token, a.Remember)
	// Better Auth answers with url whenever the body has a callbackURL, but redirects (and
	// sends Location) only for a non-empty one.
	res := struct {
		Redirect bool    `json:"redirect"`
		Token    string  `json:"token"`
		URL      *string `json:"url,omitempty"`
		User     User    `json:"user"`
	}{Token: a.Session.Token, URL: in.callbackURL, User: a.User}
	if in.callbackURL != nil && *in.callbackURL != "" {
		res.Redirect = true
		w.Header().Set("Location", *in.callbackURL)
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Service) handleSignOut(w http.ResponseWriter, r *http.Request, _ *request) error {
	if token, ok := s.cookies.signed(r, sessionCookie); ok {
		if err := s.SignOut(r.Context(), token); err != nil {
			return err
		}
	}
	s.cookies.clear(w, r)
	return writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

func (s *Service) handleGetSession(w http.ResponseWriter, r *http.Request, _ *request) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if r.Method == http.MethodPost {
		return &apperr.Error{Kind: apperr.MethodNotAllowed, Code: "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED",
			Message: "POST method requires deferSessionRefresh to be enabled in session config"}
	}
	// Better Auth's query schema coerces the flag with Boolean(): any non-empty value is true.
	refresh := r.URL.Query().Get("disableRefresh") == ""
	a, err := s.readSession(r.Context(), w, r, refresh)
	if err != nil {
		return err
	}
	if a == nil {
		return writeJSON(w, http.StatusOK, nil)
	}
	token, err := s.Token(r.Context(), a.User)
	if err != nil {
		return err
	}
	w.Header().Set("set-auth-jwt", token)
	w.Header().Set("Access-Control-Expose-Headers", "set-auth-jwt")
	return writeJSON(w, http.StatusOK, a)
}

func (s *Service) handleToken(w http.ResponseWriter, r *http.Request, req *request) error {
	token, err := s.Token(r.Context(), req.auth.User)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"token": token})
}

func (s *Service) handleJWKS(w http.ResponseWriter, r *http.Request, _ *request) error {
	keys, err := s.JWKS(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(keys)
	return nil
}

func (s *Service) handleChangePassword(w http.ResponseWriter, r *http.Request, req *request) error {
	in := req.input.(changePasswordInput)
	se, err := s.ChangePassword(r.Context(), *req.auth, in.current, in.next, in.revokeOthers, req.client)
	if err != nil {
		return err
	}
	res := struct {
		Token *string `json:"token"`
		User  User    `json:"user"`
	}{User: req.auth.User}
	if se != nil {
		res.Token = &se.Token
		s.cookies.setSession(w, r, se.Token, req.auth.Remember)
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Service) handleListSessions(w http.ResponseWriter, r *http.Request, req *request) error {
	sessions, err := s.Sessions(r.Context(), *req.auth)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sessions)
}

func (s *Service) handleRevokeSession(w http.ResponseWriter, r *http.Request, req *request) error {
	token := req.input.(string)
	if err := s.RevokeSession(r.Context(), *req.auth, token); err != nil {
		return err
	}
	if token == req.auth.Session.Token {
		s.cookies.clear(w, r)
	}
	return writeJSON(w, http.StatusOK, map[string]bool{"status": true})
}

func (s *Service) handleRevokeSessions(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.RevokeSessions(r.Context(), *req.auth, ""); err != nil {
		return err
	}
	s.cookies.clear(w, r)
	return writeJSON(w, http.StatusOK, map[string]bool{"status": true})
}

func (s *Service) handleRevokeOtherSessions(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.RevokeSessions(r.Context(), *req.auth, req.auth.Session.Token); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]bool{"status": true})
}

func (s *Service) handleUpdateUser(w http.ResponseWriter, r *http.Request, req *request) error {
	b, m := req.body, req.input.(map[string]any)
	if truthy(m["email"]) {
		return errEmailImmutable
	}
	// Better Auth writes name and image whatever their JSON type (a number lands in a text
	// column, a null name fails the NOT NULL constraint with a 500); we require strings, and
	// null for removing the image.
	name := b.optStr(m, "name")
	var image *string
	clearImage := false
	if v, ok := m["image"]; ok && v == nil {
		clearImage = true
	} else {
		image = b.optStr(m, "image")
	}
	if err := b.err(); err != nil {
		return err
	}
	u, err := s.UpdateUser(r.Context(), *req.auth, name, image, clearImage)
	if err != nil {
		return err
	}
	req.auth.User = u
	s.cookies.setSession(w, r, req.auth.Session.Token, req.auth.Remember)
	return writeJSON(w, http.StatusOK, map[string]bool{"status": true})
}

func (s *Service) handleDeleteUser(w http.ResponseWriter, r *http.Request, req *request) error {
	in := req.input.(deleteUserInput)
	if err := s.DeleteUser(r.Context(), *req.auth, in.password, in.token); err != nil {
		return err
	}
	s.cookies.clear(w, r)
	return writeJSON(w, http.StatusOK, struct {
		Success bool   `json:"success"`
		Message string `json:"message"`
	}{true, "User deleted"})
}

// truthy is JavaScript's truth of a JSON value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		f, err := x.Float64()
		return err != nil || (f != 0 && !math.IsNaN(f))
	}
	return true
}

// marshalJSON encodes v as JavaScript's JSON.stringify does: without Go's escaping of <, >
// and &.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := marshalJSON(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
	return nil
}

// writeError writes {"message", "code"} (no code when the error has none), with the status and
// headers of apperr's table, and Better Auth's X-Retry-After on a 429. A server-side failure
// is logged here, once.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.From(err)
	apperr.Log(r.Context(), a.s.log, e)
	e.SetHeaders(w.Header())
	if e.Kind == apperr.RateLimited {
		w.Header().Set("X-Retry-After", strconv.Itoa(e.RetrySeconds()))
	}
	writeJSON(w, e.Status(), struct {
		Message string `json:"message"`
		Code    string `json:"code,omitempty"`
	}{e.Message, e.Code})
}
