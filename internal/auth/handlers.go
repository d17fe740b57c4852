package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// BasePath is where the auth API lives, as in Better Auth.
const BasePath = "/api/auth"

// sessionNeed says what an endpoint requires of the caller's session.
type sessionNeed int

const (
	noSession    sessionNeed = iota
	anySession               // 401 without one
	freshSession             // also created within the last day, else 403
)

// endpoint is one route of the auth API and what its request must pass before the handler
// runs, in Better Auth's order: rate limit, route, body parsing, origin checks, body
// validation, session.
type endpoint struct {
	method     string
	form       bool // also takes application/x-www-form-urlencoded
	signInForm bool // sign-in and sign-up: Fetch Metadata checks even without cookies
	session    sessionNeed
	handle     func(s *Service, w http.ResponseWriter, r *http.Request, req *request) error
}

// request is a parsed auth request.
type request struct {
	body   *body
	fields map[string]any
	auth   *Authenticated
	client Client
}

var endpoints = map[string]endpoint{
	"/sign-up/email":         {method: http.MethodPost, form: true, signInForm: true, handle: (*Service).handleSignUp},
	"/sign-in/email":         {method: http.MethodPost, form: true, signInForm: true, handle: (*Service).handleSignIn},
	"/sign-out":              {method: http.MethodPost, handle: (*Service).handleSignOut},
	"/get-session":           {method: http.MethodGet, handle: (*Service).handleGetSession},
	"/token":                 {method: http.MethodGet, session: anySession, handle: (*Service).handleToken},
	"/jwks":                  {method: http.MethodGet, handle: (*Service).handleJWKS},
	"/change-password":       {method: http.MethodPost, session: anySession, handle: (*Service).handleChangePassword},
	"/list-sessions":         {method: http.MethodGet, session: freshSession, handle: (*Service).handleListSessions},
	"/revoke-session":        {method: http.MethodPost, session: anySession, handle: (*Service).handleRevokeSession},
	"/revoke-sessions":       {method: http.MethodPost, session: anySession, handle: (*Service).handleRevokeSessions},
	"/revoke-other-sessions": {method: http.MethodPost, session: anySession, handle: (*Service).handleRevokeOtherSessions},
	"/update-user":           {method: http.MethodPost, session: anySession, handle: (*Service).handleUpdateUser},
	"/delete-user":           {method: http.MethodPost, session: anySession, handle: (*Service).handleDeleteUser},
}

// Handler serves the auth API under BasePath.
func (s *Service) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimRight(strings.TrimPrefix(r.URL.Path, BasePath), "/")
		client := Client{IP: s.ClientIP(r), UserAgent: r.UserAgent()}
		if ok, retry := s.Allow(client, path); !ok {
			s.log.WarnContext(r.Context(), "rate limited", "path", path, "ip", client.IP)
			tooManyRequests(w, retry)
			return
		}
		ep, ok := endpoints[path]
		if !ok || (ep.method != r.Method && !(ep.method == http.MethodGet && r.Method == http.MethodHead)) {
			if path == "/get-session" && r.Method == http.MethodPost {
				writeError(w, &Error{http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED",
					"POST method requires deferSessionRefresh to be enabled in session config"})
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if err := s.serve(w, r, ep, client); err != nil {
			writeError(w, err)
		}
	})
}

func (s *Service) serve(w http.ResponseWriter, r *http.Request, ep endpoint, client Client) error {
	req := &request{client: client}
	var err error
	if req.body, err = readBody(w, r, ep.form); err != nil {
		return err
	}
	if err := s.checkOrigin(r, ep.signInForm); err != nil {
		return err
	}
	if err := s.checkCallbacks(r, req.body); err != nil {
		return err
	}
	if ep.session != noSession {
		a, err := s.readSession(r.Context(), w, r, true)
		if err != nil {
			return err
		}
		if a == nil {
			return errUnauthorized
		}
		if ep.session == freshSession && time.Since(a.Session.CreatedAt.Time) >= sessionFreshAge {
			return errSessionStale
		}
		req.auth = a
	}
	return ep.handle(s, w, r, req)
}

// checkCallbacks refuses redirect targets, in the body or the query, that leave the trusted
// origins.
func (s *Service) checkCallbacks(r *http.Request, b *body) error {
	fields, _ := b.value.(map[string]any)
	for _, c := range []struct{ name, code, label string }{
		{"callbackURL", "INVALID_CALLBACK_URL", "callbackURL"},
		{"redirectTo", "INVALID_REDIRECT_URL", "redirectURL"},
		{"errorCallbackURL", "INVALID_ERROR_CALLBACK_URL", "errorCallbackURL"},
		{"newUserCallbackURL", "INVALID_NEW_USER_CALLBACK_URL", "newUserCallbackURL"},
	} {
		v, ok := fields[c.name]
		if !ok {
			if q := r.URL.Query().Get(c.name); q != "" {
				v, ok = q, true
			}
		}
		if !ok || v == nil {
			continue
		}
		str, isString := v.(string)
		if !isString {
			return &Error{http.StatusBadRequest, "VALIDATION_ERROR", "Invalid " + c.label + ": expected a string"}
		}
		if err := s.checkRedirect(str, c.code, c.label); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) handleSignUp(w http.ResponseWriter, r *http.Request, req *request) error {
	b := req.body
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
	b.optStr(m, "callbackURL")
	in.Remember = b.optBool(m, "rememberMe", true)
	if err := b.err(); err != nil {
		return err
	}
	a, err := s.SignUp(r.Context(), in, req.client)
	if err != nil {
		return err
	}
	s.SetSessionCookie(w, a)
	return writeJSON(w, http.StatusOK, struct {
		Token string `json:"token"`
		User  User   `json:"user"`
	}{a.Session.Token, a.User})
}

func (s *Service) handleSignIn(w http.ResponseWriter, r *http.Request, req *request) error {
	b := req.body
	m := b.object(false)
	email, password := b.str(m, "email"), b.str(m, "password")
	callback := b.optStr(m, "callbackURL")
	remember := b.optBool(m, "rememberMe", true)
	if err := b.err(); err != nil {
		return err
	}
	a, err := s.SignIn(r.Context(), email, password, remember, req.client)
	if err != nil {
		return err
	}
	s.SetSessionCookie(w, a)
	res := struct {
		Redirect bool   `json:"redirect"`
		Token    string `json:"token"`
		URL      string `json:"url,omitempty"`
		User     User   `json:"user"`
	}{Token: a.Session.Token, User: a.User}
	if callback != nil && *callback != "" {
		res.Redirect, res.URL = true, *callback
		w.Header().Set("Location", *callback)
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Service) handleSignOut(w http.ResponseWriter, r *http.Request, _ *request) error {
	if token, ok := s.cookies.signed(r, sessionCookie); ok {
		if err := s.SignOut(r.Context(), token); err != nil {
			return err
		}
	}
	s.cookies.clear(w)
	return writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

func (s *Service) handleGetSession(w http.ResponseWriter, r *http.Request, _ *request) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
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
	b := req.body
	m := b.object(false)
	next, current := b.str(m, "newPassword"), b.str(m, "currentPassword")
	revoke := b.optBool(m, "revokeOtherSessions", false)
	if err := b.err(); err != nil {
		return err
	}
	se, err := s.ChangePassword(r.Context(), *req.auth, current, next, revoke, req.client)
	if err != nil {
		return err
	}
	res := struct {
		Token *string `json:"token"`
		User  User    `json:"user"`
	}{User: req.auth.User}
	if se != nil {
		res.Token = &se.Token
		s.cookies.setSession(w, se.Token, req.auth.Remember)
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
	b := req.body
	token := b.str(b.object(false), "token")
	if err := b.err(); err != nil {
		return err
	}
	if err := s.RevokeSession(r.Context(), *req.auth, token); err != nil {
		return err
	}
	if token == req.auth.Session.Token {
		s.cookies.clear(w)
	}
	return writeJSON(w, http.StatusOK, map[string]bool{"status": true})
}

func (s *Service) handleRevokeSessions(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.RevokeSessions(r.Context(), *req.auth, ""); err != nil {
		return err
	}
	s.cookies.clear(w)
	return writeJSON(w, http.StatusOK, map[string]bool{"status": true})
}

func (s *Service) handleRevokeOtherSessions(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.RevokeSessions(r.Context(), *req.auth, req.auth.Session.Token); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]bool{"status": true})
}

func (s *Service) handleUpdateUser(w http.ResponseWriter, r *http.Request, req *request) error {
	b := req.body
	m, ok := b.value.(map[string]any)
	if !ok {
		b.issues = append(b.issues, "[body] Invalid input: expected record, received "+received(b.value, b.present))
		return b.err()
	}
	if email, ok := m["email"]; ok && truthy(email) {
		return errEmailImmutable
	}
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
	s.cookies.setSession(w, req.auth.Session.Token, req.auth.Remember)
	return writeJSON(w, http.StatusOK, map[string]bool{"status": true})
}

func (s *Service) handleDeleteUser(w http.ResponseWriter, r *http.Request, req *request) error {
	b := req.body
	m := b.object(false)
	password := b.optStr(m, "password")
	token := b.optStr(m, "token")
	b.optStr(m, "callbackURL")
	if err := b.err(); err != nil {
		return err
	}
	if token != nil {
		// Deletion by an emailed token needs an email sender, which this server does not have,
		// so no such token exists.
		return errInvalidToken
	}
	if err := s.DeleteUser(r.Context(), *req.auth, password); err != nil {
		return err
	}
	s.cookies.clear(w)
	return writeJSON(w, http.StatusOK, struct {
		Success bool   `json:"success"`
		Message string `json:"message"`
	}{true, "User deleted"})
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		return x.String() != "0"
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
	return nil
}

// writeError writes {"message", "code"} (no code when the error has none).
func writeError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Status: http.StatusInternalServerError, Code: "INTERNAL_SERVER_ERROR", Message: "Internal server error"}
	}
	if e.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	writeJSON(w, e.Status, struct {
		Message string `json:"message"`
		Code    string `json:"code,omitempty"`
	}{e.Message, e.Code})
}
