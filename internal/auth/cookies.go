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
	return c.headerNamed(c.name(name), value, maxAge)
}

// headerNamed is header for a cookie named in full.
func (c cookieJar) headerNamed(fullName, value string, maxAge int) string {
	var b strings.Builder
	b.WriteString(fullName)
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
// cookie and the signed dont_remember flag. A remembered session expires a valid
// dont_remember flag that r carries, as Better Auth does, so that the new session is
// refreshed again; without a request (nil) the flag is expired unconditionally.
func (c cookieJar) setSession(w http.ResponseWriter, r *http.Request, token string, remember bool) {
	if remember {
		w.Header().Add("Set-Cookie", c.header(sessionCookie, c.sign(token), int(sessionExpiresIn.Seconds())))
		if _, flagged := c.signed(r, dontRememberCookie); flagged || r == nil {
			c.expire(w, dontRememberCookie)
		}
		return
	}
	w.Header().Add("Set-Cookie", c.header(sessionCookie, c.sign(token), -1))
	w.Header().Add("Set-Cookie", c.header(dontRememberCookie, c.sign("true"), -1))
}

// clear expires all of Better Auth's session cookies, with the chunks of a session_data
// cookie cache that r carries (r may be nil).
func (c cookieJar) clear(w http.ResponseWriter, r *http.Request) {
	c.expire(w, sessionCookie)
	c.expire(w, sessionDataCookie)
	for _, name := range c.sessionDataChunks(r) {
		if name != c.name(sessionDataCookie) {
			w.Header().Add("Set-Cookie", c.headerNamed(name, "", 0))
		}
	}
	c.expire(w, dontRememberCookie)
}

// expireSessionData expires a session_data cookie cache, and its chunks, that r carries:
// Better Auth does so on every session read when its cookie cache is off, as here.
func (c cookieJar) expireSessionData(w http.ResponseWriter, r *http.Request) {
	for _, name := range c.sessionDataChunks(r) {
		w.Header().Add("Set-Cookie", c.headerNamed(name, "", 0))
	}
}

// sessionDataChunks names the session_data cookies of r: the cookie itself and its chunks
// session_data.0, session_data.1, …
func (c cookieJar) sessionDataChunks(r *http.Request) []string {
	if r == nil {
		return nil
	}
	base := c.name(sessionDataCookie)
	var names []string
	seen := map[string]bool{}
	for _, ck := range r.Cookies() {
		if seen[ck.Name] {
			continue
		}
		suffix, chunk := strings.CutPrefix(ck.Name, base+".")
		if ck.Name == base || chunk && isChunkIndex(suffix) {
			names = append(names, ck.Name)
			seen[ck.Name] = true
		}
	}
	return names
}

func isChunkIndex(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && strconv.Itoa(n) == s
}

// expire replaces any Set-Cookie for the cookie already in w by one that deletes it.
func (c cookieJar) expire(w http.ResponseWriter, n string) {
	name := c.name(n)
	h := w.Header()
	var kept []string
	for _, v := range h.Values("Set-Cookie") {
		if !strings.HasPrefix(v, name+"=") && !strings.HasPrefix(v, name+".") {
			kept = append(kept, v)
		}
	}
	h.Del("Set-Cookie")
	for _, v := range kept {
		h.Add("Set-Cookie", v)
	}
	h.Add("Set-Cookie", c.header(n, "", 0))
}

// signed returns the verified value of a signed cookie. The signature must be the canonical
// base64 of the HMAC; Better Auth's atob also takes the three other spellings of the last
// character that decode to the same bytes, which no client of ours produces.
func (c cookieJar) signed(r *http.Request, name string) (string, bool) {
	if r == nil {
		return "", false
	}
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
