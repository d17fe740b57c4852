package web

import (
	"net/http"
	"net/url"

	"todo/internal/auth"
)

// userHandler is a handler for a signed-in user.
type userHandler func(w http.ResponseWriter, r *http.Request, a *auth.Authenticated)

// withUser runs h for the user of the request's session, the same session as the auth API's,
// within the user's rate limit (the one place of the UI where it is checked: a 429 with
// Retry-After over it). A visitor who is not signed in is sent to sign in, and from there back
// to the list they were on: the page asked for, or for a form, the list it was sent from.
func (ui *UI) withUser(h userHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := ui.auth.Session(r.Context(), w, r)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		if a != nil {
			if e := ui.Limit.Allow(a.User.ID); e != nil {
				ui.fail(w, r, e)
				return
			}
			h(w, r, a)
			return
		}
		back := r.URL.RequestURI()
		if r.Method != http.MethodGet || isHTMX(r) {
			// A form, or a fragment: back to the list it was on, whose state is in the query.
			back = "/"
			if s, err := listStateFrom(r.URL.Query()); err == nil {
				back = s.URL()
			}
		}
		to := signInURL(back)
		if isHTMX(r) {
			// A swap cannot show the sign-in page; htmx navigates the whole window instead.
			w.Header().Set("HX-Redirect", to)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	})
}

// signInURL is the sign-in page, which sends the user on to next once signed in.
func signInURL(next string) string {
	if next = localPath(next); next == "/" {
		return "/signin"
	}
	return "/signin?" + url.Values{"next": {next}}.Encode()
}

// localPath returns p if it is a path on this site, else "/": the page to go to after signing
// in comes from the URL, and must not send the user to another site (an open redirect).
func localPath(p string) string {
	if !auth.IsLocalPath(p) {
		return "/"
	}
	return p
}
