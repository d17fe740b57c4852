package auth

import (
	"net/http"
	"net/url"
	"strings"
)

var (
	errMissingOrigin   = &Error{http.StatusForbidden, "MISSING_OR_NULL_ORIGIN", "Missing or null Origin"}
	errInvalidOrigin   = &Error{http.StatusForbidden, "INVALID_ORIGIN", "Invalid origin"}
	errCrossSiteSignIn = &Error{http.StatusForbidden, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED", "Cross-site navigation login blocked. This request appears to be a CSRF attack."}
)

// checkOrigin is Better Auth's protection against cross-site requests, for every request that
// is not GET, HEAD or OPTIONS: when it carries cookies, its Origin (or else Referer) must be
// trusted. Sign-in and sign-up, which carry no cookie yet, also refuse cross-site navigations
// and check any Origin that Fetch Metadata or the request itself reveals.
func (s *Service) checkOrigin(r *http.Request, signInForm bool) error {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return nil
	}
	hasCookies := r.Header.Get("Cookie") != ""
	if hasCookies {
		return s.validateOrigin(r)
	}
	if !signInForm {
		return nil
	}
	site, mode, dest := r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Sec-Fetch-Mode"), r.Header.Get("Sec-Fetch-Dest")
	if site != "" || mode != "" || dest != "" {
		if site == "cross-site" && mode == "navigate" {
			return errCrossSiteSignIn
		}
		return s.validateOrigin(r)
	}
	if r.Header.Get("Origin") != "" || r.Header.Get("Referer") != "" {
		return s.validateOrigin(r)
	}
	return nil
}

func (s *Service) validateOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		origin = r.Header.Get("Referer")
	}
	if origin == "" || origin == "null" {
		return errMissingOrigin
	}
	if !s.Trusted(origin) {
		return errInvalidOrigin
	}
	return nil
}

// Trusted reports whether rawURL's origin is one the service trusts. Patterns with * or ? are
// matched as globs: against the whole origin when they name a scheme, else against the host.
func (s *Service) Trusted(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return false
	}
	origin := u.Scheme + "://" + u.Host
	for _, pattern := range s.origins {
		switch {
		case !strings.ContainsAny(pattern, "*?"):
			if pattern == origin {
				return true
			}
		case strings.Contains(pattern, "://"):
			if globAcrossDots(pattern, origin) {
				return true
			}
		default:
			if globAcrossDots(pattern, u.Host) {
				return true
			}
		}
	}
	return false
}

// globAcrossDots matches s against pattern where * is any run of characters (dots and
// slashes included) and ? any one character.
func globAcrossDots(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globAcrossDots(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globAcrossDots(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && globAcrossDots(pattern[1:], s[1:])
}

// checkRedirect validates a callback URL from a body or query: a same-site path, or a URL on a
// trusted origin.
func (s *Service) checkRedirect(value, code, label string) error {
	if value == "" {
		return nil
	}
	if safeRelativePath(value) || s.Trusted(value) {
		return nil
	}
	return &Error{http.StatusForbidden, code, "Invalid " + label}
}

// safeRelativePath accepts "/path…" but nothing a browser could read as another host:
// "//host", back-slashes, control characters or encoded separators.
func safeRelativePath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, `\`) {
		return false
	}
	lower := strings.ToLower(p)
	if strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x20 || p[i] == 0x7f {
			return false
		}
	}
	return true
}
