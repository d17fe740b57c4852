package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"

	"todo/internal/apperr"
)

const maxBodyBytes = 1 << 20

// body is a request body as Better Auth's router reads it: a JSON value or, where an endpoint
// allows it, a form (all values strings). Field readers check types the way Better Auth's zod
// schemas do and collect the same messages.
type body struct {
	present bool
	value   any // the decoded JSON, or map[string]any of a form
	issues  []string
	// query says the values are a URL's query, where issues are reported.
	query bool
}

// queryOf is the query of r as Better Auth's router reads it, to be checked like a body:
// every value a string, a repeated parameter an array of them.
func queryOf(r *http.Request) *body {
	m := map[string]any{}
	for name, values := range r.URL.Query() {
		if len(values) == 1 {
			m[name] = values[0]
			continue
		}
		list := make([]any, len(values))
		for i, v := range values {
			list[i] = v
		}
		m[name] = list
	}
	return &body{present: true, value: m, query: true}
}

// at names a field in issues: [body.name], or [query.name].
func (b *body) at(name string) string {
	where := "body"
	if b.query {
		where = "query"
	}
	return "[" + where + "." + name + "]"
}

var (
	errJSON        = &apperr.Error{Kind: apperr.BadRequest, Code: "BAD_REQUEST", Message: "Invalid JSON in request body"}
	errBodyTooBig  = &apperr.Error{Kind: apperr.TooLarge, Code: "PAYLOAD_TOO_LARGE", Message: "Request body too large"}
	errContentType = func(got string, form bool) *apperr.Error {
		// Better Auth lists the allowed types in this order.
		allowed := "application/json"
		if form {
			allowed = "application/x-www-form-urlencoded, application/json"
		}
		return &apperr.Error{Kind: apperr.UnsupportedMedia, Code: "UNSUPPORTED_MEDIA_TYPE", Message: `Content-Type "` + got + `" is not allowed. Allowed types: ` + allowed}
	}
)

// readBody reads the body of r as Better Auth's router does. form says whether the endpoint
// also takes application/x-www-form-urlencoded. A request without Content-Type, like an empty
// one, has no body: Better Auth's Node adapter does not read it.
func readBody(w http.ResponseWriter, r *http.Request, form bool) (*body, error) {
	contentType := r.Header.Get("Content-Type")
	if contentType == "" {
		return &body{}, nil
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errBodyTooBig
		}
		return nil, errJSON
	}
	if len(raw) == 0 {
		return &body{}, nil
	}
	media := strings.TrimSpace(strings.ToLower(strings.Split(contentType, ";")[0]))
	switch {
	case media == "application/json":
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil || dec.More() {
			return nil, errJSON
		}
		return &body{present: true, value: v}, nil
	case form && media == "application/x-www-form-urlencoded":
		return &body{present: true, value: parseForm(string(raw))}, nil
	}
	return nil, errContentType(contentType, form)
}

// parseForm reads a form body as the WHATWG URLSearchParams that Better Auth uses: '&'
// separates pairs, '+' is a space, a malformed escape stays as it is, and the last of
// repeated names wins. Every value is a string.
func parseForm(raw string) map[string]any {
	m := map[string]any{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		m[formDecode(name)] = formDecode(value)
	}
	return m
}

func formDecode(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// object checks that the body is a JSON object and records zod's messages if it is not.
// Sign-up's schema is an object intersected with a record, which reports twice.
func (b *body) object(alsoRecord bool) map[string]any {
	if m, ok := b.value.(map[string]any); ok {
		return m
	}
	got := received(b.value, b.present)
	b.issues = append(b.issues, "[body] Invalid input: expected object, received "+got)
	if alsoRecord {
		b.issues = append(b.issues, "[body] Invalid input: expected record, received "+got)
	}
	return nil
}

func (b *body) field(m map[string]any, name string) (any, bool) {
	if m == nil {
		return nil, false
	}
	v, ok := m[name]
	return v, ok
}

// str reads a required string.
func (b *body) str(m map[string]any, name string) string {
	v, ok := b.field(m, name)
	s, isString := v.(string)
	if m != nil && !isString {
		b.issues = append(b.issues, b.at(name)+" Invalid input: expected string, received "+received(v, ok))
	}
	return s
}

// optStr reads an optional string; nil when absent.
func (b *body) optStr(m map[string]any, name string) *string {
	v, ok := b.field(m, name)
	if !ok {
		return nil
	}
	s, isString := v.(string)
	if !isString {
		b.issues = append(b.issues, b.at(name)+" Invalid input: expected string, received "+received(v, true))
		return nil
	}
	return &s
}

// optBool reads an optional boolean; def when absent.
func (b *body) optBool(m map[string]any, name string, def bool) bool {
	v, ok := b.field(m, name)
	if !ok {
		return def
	}
	x, isBool := v.(bool)
	if !isBool {
		b.issues = append(b.issues, b.at(name)+" Invalid input: expected boolean, received "+received(v, true))
		return def
	}
	return x
}

func (b *body) problem(field, message string) {
	b.issues = append(b.issues, b.at(field)+" "+message)
}

// err is the VALIDATION_ERROR of the collected issues, or nil.
func (b *body) err() error {
	if len(b.issues) == 0 {
		return nil
	}
	return &apperr.Error{Kind: apperr.BadRequest, Code: "VALIDATION_ERROR", Message: strings.Join(b.issues, "; ")}
}

// validationError is Better Auth's VALIDATION_ERROR of one field, which it names.
func validationError(field, message string) error {
	return &apperr.Error{Kind: apperr.BadRequest, Code: "VALIDATION_ERROR", Message: "[body." + field + "] " + message,
		Fields: []apperr.Field{{Name: field, Message: message}}}
}

// received names a JSON value's type as zod does.
func received(v any, present bool) string {
	if !present {
		return "undefined"
	}
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case []any:
		return "array"
	}
	return "object"
}

// emailPattern is zod 4's email check, which Better Auth uses.
var emailPattern = regexp.MustCompile(`^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$`)

// validEmail is the one email rule of every door: zod's check of the address without the
// white space around it, which the service trims before keeping it.
func validEmail(s string) bool { return emailPattern.MatchString(strings.TrimSpace(s)) }
