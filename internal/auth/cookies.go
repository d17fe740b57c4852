package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Cookie names without their prefix.
const (
	sessionCookie      = "session_token"
	sessionDataCookie  = "session_data"
	dontRememberCookie = "dont_remember"
)

// cookieJar writes and reads Better Auth's cookies: `better-auth.<name>` (with the `__Secure-`
// prefix and the Secure attribute on https), signed values "<value>.<base64 HMAC-SHA256>"
// percent-encoded as JavaScript's encodeURIComponent does, and attributes in Better Auth's order.
type cookieJar struct {
	secret []byte
	secure bool
}

func (c cookieJar) name(n string) string {
	if c.secure {
		return "__Secure-better-auth." + n
	}
	return "better-auth." + n
}

func (c cookieJar) sign(value string) string {
	mac := hmac.New(sha256.New, c.secret)
	mac.Write([]byte(value))
	return value + "." + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// header is one Set-Cookie value. maxAge < 0 means a session cookie (no Max-Age).
func (c cookieJar) header(name, value string, maxAge int) string {
	var b strings.Builder
	b.WriteString(c.name(name))
	b.WriteByte('=')
	b.WriteString(encodeURIComponent(value))
	if maxAge >= 0 {
		b.WriteString("; Max-Age=")
		b.WriteString(strconv.Itoa(maxAge))
	}
	b.WriteString("; Path=/; HttpOnly")
	if c.secure {
		b.WriteString("; Secure")
	}
	b.WriteString("; SameSite=Lax")
	return b.String()
}

// setSession sets the session cookie; a session not to be remembered gets a browser-session
// cookie and the signed dont_remember flag.
func (c cookieJar) setSession(w http.ResponseWriter, token string, remember bool) {
	if remember {
		w.Header().Add("Set-Cookie", c.header(sessionCookie, c.sign(token), int(sessionExpiresIn.Seconds())))
		return
	}
	w.Header().Add("Set-Cookie", c.header(sessionCookie, c.sign(token), -1))
	w.Header().Add("Set-Cookie", c.header(dontRememberCookie, c.sign("true"), -1))
}

// clear expires all of Better Auth's session cookies.
func (c cookieJar) clear(w http.ResponseWriter) {
	for _, n := range []string{sessionCookie, sessionDataCookie, dontRememberCookie} {
		w.Header().Add("Set-Cookie", c.header(n, "", 0))
	}
}

// signed returns the verified value of a signed cookie.
func (c cookieJar) signed(r *http.Request, name string) (string, bool) {
	ck, err := r.Cookie(c.name(name))
	if err != nil {
		return "", false
	}
	raw, err := url.PathUnescape(ck.Value)
	if err != nil {
		return "", false
	}
	i := strings.LastIndexByte(raw, '.')
	if i < 1 {
		return "", false
	}
	value, sig := raw[:i], raw[i+1:]
	if len(sig) != 44 || !strings.HasSuffix(sig, "=") {
		return "", false
	}
	if !hmac.Equal([]byte(c.sign(value)[i+1:]), []byte(sig)) {
		return "", false
	}
	return value, true
}

// encodeURIComponent escapes like JavaScript's function of that name.
func encodeURIComponent(s string) string {
	const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if strings.IndexByte(unreserved, ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte("0123456789ABCDEF"[ch>>4])
		b.WriteByte("0123456789ABCDEF"[ch&15])
	}
	return b.String()
}
