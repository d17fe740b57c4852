package web

import (
	"errors"
	"net/http"
)

// contentSecurityPolicy lets pages load only this server's own scripts, styles and images, and
// talk only to it: no inline script or style, so that text that slipped into the markup could
// not run. htmx is told (layout.html) not to inject its indicator style, which this forbids.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// maxFormBytes bounds a form body: a title and a description fit many times over.
const maxFormBytes = 64 << 10

// setPageHeaders marks a response as an HTML page of the UI. Pages carry the user's tasks, so
// no cache keeps them; the other security headers come from the server's middleware.
func setPageHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "HX-Request")
}

// newCrossOriginProtection refuses state-changing requests that a browser says come from
// another site (Fetch Metadata), or whose Origin is neither this host nor the public origin.
// Session cookies are also SameSite=Lax; this covers browsers and subdomains that Lax does not.
func newCrossOriginProtection(publicOrigin string) (*http.CrossOriginProtection, error) {
	p := http.NewCrossOriginProtection()
	if err := p.AddTrustedOrigin(publicOrigin); err != nil {
		return nil, err
	}
	return p, nil
}

// sameOrigin is the stricter half of the check that a form comes from this site. Without
// Fetch Metadata, CrossOriginProtection compares only the host of the Origin header with the
// request's Host, so a page of the same host on another scheme passes. An Origin must be this
// site's own, scheme, host and port; in development without a configured public URL, the
// origin of the host the browser is on also counts, since localhost and 127.0.0.1 both reach
// the server.
func (ui *UI) sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "same-origin" || site == "none" {
		return true // the browser itself compared the origins, scheme and port included
	}
	origin := r.Header.Get("Origin")
	return origin == "" || origin == ui.origin || (!ui.strictOrigin && origin == "http://"+r.Host)
}

// form wraps a handler of a state-changing form: the request must come from this site, its
// body is bounded and parsed before h runs.
func (ui *UI) form(h http.HandlerFunc) http.Handler {
	return ui.crossOrigin.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ui.sameOrigin(r) {
			ui.crossSiteRefused(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
				ui.showError(w, r, http.StatusRequestEntityTooLarge, "This form is too large to send. Shorten the text and try again.")
				return
			}
			ui.showError(w, r, http.StatusBadRequest, "This form could not be read. Reload the page and try again.")
			return
		}
		h(w, r)
	}))
}

// crossSiteRefused answers a form submitted from another site.
func (ui *UI) crossSiteRefused(w http.ResponseWriter, r *http.Request) {
	ui.log.WarnContext(r.Context(), "cross-origin form refused",
		"path", r.URL.Path, "origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
	ui.showError(w, r, http.StatusForbidden, "This form was sent from another site, so it was refused. Nothing was changed.")
}
