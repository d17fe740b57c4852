// Package apperr is the application's one error type. A service says what went wrong as a
// Kind (which one table maps to an HTTP status and headers), a stable Code and a message for
// people; each door formats it in its own shape: the task API as JSON with a detail, the auth
// API as Better Auth's {message, code}, the web UI as a page or an alert.
package apperr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"todo/internal/database"
)

// Kind is what sort of failure an error is, as far as the client is concerned.
type Kind uint8

const (
	Internal           Kind = iota // the server failed; nothing the client can change
	BadRequest                     // the request cannot be read or breaks a protocol rule
	Invalid                        // a field breaks a rule of the service
	Unauthorized                   // no valid credentials
	Forbidden                      // credentials, but not for this
	NotFound                       // no such thing, or not the caller's
	MethodNotAllowed               // the resource does not take this method (in this configuration)
	TooLarge                       // the body is over the limit
	UnsupportedMedia               // the body's content type is not taken
	RateLimited                    // too many requests; RetryAfter says when to come back
	Unavailable                    // the server or its database cannot answer now; try again
	Conflict                       // the request is valid but the caller's current state refuses it (a quota is full)
	PreconditionFailed             // the thing changed since the caller read it (If-Match)
)

// RetryAfter is how long a client should wait after an Unavailable answer.
const RetryAfter = 5 * time.Second

// statuses is the one table from kinds to HTTP statuses.
var statuses = [...]int{
	Internal:           http.StatusInternalServerError,
	BadRequest:         http.StatusBadRequest,
	Invalid:            http.StatusUnprocessableEntity,
	Unauthorized:       http.StatusUnauthorized,
	Forbidden:          http.StatusForbidden,
	NotFound:           http.StatusNotFound,
	MethodNotAllowed:   http.StatusMethodNotAllowed,
	TooLarge:           http.StatusRequestEntityTooLarge,
	UnsupportedMedia:   http.StatusUnsupportedMediaType,
	RateLimited:        http.StatusTooManyRequests,
	Unavailable:        http.StatusServiceUnavailable,
	Conflict:           http.StatusConflict,
	PreconditionFailed: http.StatusPreconditionFailed,
}

// Error is a failure as the application reports it.
type Error struct {
	Kind Kind
	// Code is a stable, machine-readable name (Better Auth's codes for auth failures); it may
	// be empty. Two errors with the same kind and code are the same error for errors.Is.
	Code    string
	Message string
	// Fields are the fields at fault of an Invalid error, by name (the door adds where the
	// field was: body, query, path).
	Fields []Field
	// RetryAfter is, for RateLimited, when the client may try again.
	RetryAfter time.Duration
	// Err is the cause, for the log only; clients never see it.
	Err error
}

// Field is one field at fault and what is wrong with it.
type Field struct {
	Name    string
	Message string
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes a sentinel *Error match every error of its kind and code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code != "" && t.Kind == e.Kind && t.Code == e.Code
}

// Field returns the error's field of that name, if it is at fault.
func (e *Error) Field(name string) (Field, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Status is the HTTP status of the error's kind.
func (e *Error) Status() int { return statuses[e.Kind] }

// SetHeaders adds the headers that go with the error's kind: when to retry.
func (e *Error) SetHeaders(h http.Header) {
	switch e.Kind {
	case Unavailable:
		h.Set("Retry-After", strconv.Itoa(int(RetryAfter/time.Second)))
	case RateLimited:
		h.Set("Retry-After", strconv.Itoa(e.RetrySeconds()))
	}
}

// RetrySeconds is RetryAfter in whole seconds, rounded up, at least 1.
func (e *Error) RetrySeconds() int {
	return max(1, int((e.RetryAfter+time.Second-1)/time.Second))
}

// Invalidf is an Invalid error of one field.
func Invalidf(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Kind: Invalid, Code: "VALIDATION_ERROR", Message: field + ": " + msg,
		Fields: []Field{{Name: field, Message: msg}}}
}

// Messages of the failures that are nobody's fault but the server's.
const (
	busyMessage        = "The server is busy; try again shortly"
	unavailableMessage = "The database is unavailable; try again shortly"
	internalMessage    = "Internal server error"
)

// From returns err as an *Error: err itself when it is one, else what a client may be told of
// an unexpected failure, with err kept as the cause. A passed deadline (queued too long, or a
// database too slow) and an unreachable database are Unavailable, a client that went away is
// Unavailable too (nobody reads that answer), and anything else is Internal.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Kind: Unavailable, Code: "SERVICE_UNAVAILABLE", Message: busyMessage, Err: err}
	case database.IsUnavailable(err):
		return &Error{Kind: Unavailable, Code: "SERVICE_UNAVAILABLE", Message: unavailableMessage, Err: err}
	case errors.Is(err, context.Canceled):
		return &Error{Kind: Unavailable, Code: "CANCELED", Message: "Request canceled", Err: err}
	}
	return &Error{Kind: Internal, Code: "INTERNAL_SERVER_ERROR", Message: internalMessage, Err: err}
}

// Log writes a server-side failure to the log, once, at the door that answers it: an
// Unavailable as a warning, an Internal as an error. Client errors are not logged here.
func Log(ctx context.Context, log *slog.Logger, e *Error) {
	switch {
	case e.Kind == Internal:
		log.ErrorContext(ctx, "request failed", "err", e)
	case e.Kind == Unavailable && e.Code != "CANCELED":
		log.WarnContext(ctx, "unavailable", "err", e)
	}
}
