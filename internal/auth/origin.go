package auth

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"todo/internal/apperr"
)

var (
	errMissingOrigin   = &apperr.Error{Kind: apperr.Forbidden, Code: "MISSING_OR_NULL_ORIGIN", Message: "Missing or null Origin"}
	errInvalidOrigin   = &apperr.Error{Kind: apperr.Forbidden, Code: "INVALID_ORIGIN", Message: "Invalid origin"}
	errCrossSiteSignIn = &apperr.Error{Kind: apperr.Forbidden, Code: "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED", Message: "Cross-site navigation login blocked. This request appears to be a CSRF attack."}
)

// checkOrigin is Better Auth's protection against cross-site requests, for every request that
// is not GET, HEAD or OPTIONS: when it carries cookies, its Origin (or else Referer) must be
// trusted. Sign-in and sign-up, which carry no cookie yet, also refuse cross-site navigations
// and check any Origin that Fetch Metadata or the request itself reveals.
func (s *Service) checkOrigin(r *http.Request, signInForm bool) error {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return nil
	}
	// A Cookie header counts even when empty, as in Better Auth.
	if _, hasCookies := r.Header["Cookie"]; hasCookies {
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
	value := origin
	if value == "" {
		value = r.Header.Get("Referer")
	}
	if origin == "null" && r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		// A browser that hides the origin of a same-origin request (privacy settings, some
		// sandboxed contexts) still vouches for it: Better Auth then takes the origin the
		// request was sent to.
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		value = scheme + "://" + r.Host
	}
	if value == "" || value == "null" {
		return errMissingOrigin
	}
	if !s.Trusted(value) {
		return errInvalidOrigin
	}
	return nil
}

// ipv4Pattern is a wildcard host made of digits, dots and wildcards only (192.168.*.*): it
// names an address range, so only an IPv4 address may match it, not 192.168.evil.example.
var ipv4Pattern = regexp.MustCompile(`^[\d*?.]*\d[\d*?.]*$`)

// Trusted reports whether rawURL's origin is one the service trusts. Origins are compared as
// a browser writes them (lower-case scheme and host, no default port). Patterns with * or ?
// are matched as Better Auth matches them: as globs (where * also crosses dots) against the
// whole origin when they name a scheme, else against the host.
func (s *Service) Trusted(rawURL string) bool {
	origin, host, ok := parseOrigin(rawURL)
	if !ok {
		return false
	}
	for _, pattern := range s.origins {
		switch {
		case !strings.ContainsAny(pattern, "*?"):
			if p, _, ok := parseOrigin(pattern); ok && p == origin {
				return true
			}
		case strings.Contains(pattern, "://"):
			_, patternHost, _ := strings.Cut(pattern, "://")
			if globAcrossDots(strings.ToLower(pattern), origin) && ipv4Allowed(patternHost, host) {
				return true
			}
		default:
			if globAcrossDots(strings.ToLower(pattern), host) && ipv4Allowed(pattern, host) {
				return true
			}
		}
	}
	return false
}

// parseOrigin returns the origin of an http(s) URL as the URL standard serialises it, and its
// host (with port, when not the default).
func parseOrigin(rawURL string) (origin, host string, ok bool) {
	u, err := url.Parse(rawURL) // lower-cases the scheme
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", false
	}
	scheme := u.Scheme
	host = strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port := u.Port(); port != "" && !(scheme == "http" && port == "80") && !(scheme == "https" && port == "443") {
		host += ":" + port
	}
	return scheme + "://" + host, host, true
}

func ipv4Allowed(patternAuthority, authority string) bool {
	patternHost, _, _ := strings.Cut(patternAuthority, ":")
	if !ipv4Pattern.MatchString(patternHost) {
		return true
	}
	host := authority
	if h, _, err := net.SplitHostPort(authority); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Is4()
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
	if IsLocalPath(value) || s.Trusted(value) {
		return nil
	}
	return &apperr.Error{Kind: apperr.Forbidden, Code: code, Message: "Invalid " + label}
}

// IsLocalPath accepts "/path…", a redirect that stays on this site, but nothing a browser could
// read as another host: "//host", back-slashes, control characters or, in the path, encoded
// separators.
func IsLocalPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, `\`) {
		return false
	}
	for _, r := range p {
		if r < 0x20 || 0x7f <= r && r <= 0x9f {
			return false
		}
	}
	path := p
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		path = p[:i]
	}
	lower := strings.ToLower(path)
	if strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") {
		return false
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == ""
}
