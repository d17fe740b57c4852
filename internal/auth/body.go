package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

const maxBodyBytes = 1 << 20

// body is a request body as Better Auth's router reads it: a JSON value or, where an endpoint
// allows it, a form (all values strings). Field readers check types the way Better Auth's zod
// schemas do and collect the same messages.
type body struct {
	present bool
	value   any // the decoded JSON, or map[string]any of a form
	issues  []string
}

var (
	errJSON        = &Error{http.StatusBadRequest, "BAD_REQUEST", "Invalid JSON in request body"}
	errBodyTooBig  = &Error{http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "Request body too large"}
	errContentType = func(got string, form bool) *Error {
		allowed := "application/json"
		if form {
			allowed += ", application/x-www-form-urlencoded"
		}
		if got == "" {
			return &Error{http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Content-Type is required. Allowed types: " + allowed}
		}
		return &Error{http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", `Content-Type "` + got + `" is not allowed. Allowed types: ` + allowed}
	}
)

// readBody reads the body of r. form says whether the endpoint also takes
// application/x-www-form-urlencoded.
func readBody(w http.ResponseWriter, r *http.Request, form bool) (*body, error) {
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
	contentType := r.Header.Get("Content-Type")
	media, _, _ := mime.ParseMediaType(contentType)
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
		values, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, errJSON
		}
		m := make(map[string]any, len(values))
		for k, v := range values {
			m[k] = v[0]
		}
		return &body{present: true, value: m}, nil
	}
	return nil, errContentType(contentType, form)
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
		b.issues = append(b.issues, "[body."+name+"] Invalid input: expected string, received "+received(v, ok))
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
		b.issues = append(b.issues, "[body."+name+"] Invalid input: expected string, received "+received(v, true))
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
		b.issues = append(b.issues, "[body."+name+"] Invalid input: expected boolean, received "+received(v, true))
		return def
	}
	return x
}

func (b *body) problem(field, message string) {
	b.issues = append(b.issues, "[body."+field+"] "+message)
}

// err is the VALIDATION_ERROR of the collected issues, or nil.
func (b *body) err() error {
	if len(b.issues) == 0 {
		return nil
	}
	return &Error{http.StatusBadRequest, "VALIDATION_ERROR", strings.Join(b.issues, "; ")}
}

func validationError(field, message string) error {
	return &Error{http.StatusBadRequest, "VALIDATION_ERROR", "[body." + field + "] " + message}
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

func validEmail(s string) bool { return emailPattern.MatchString(s) }
