package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"todo/internal/apperr"
)

// ErrorBody is every error the API answers with: a human detail, and for an invalid request
// each field at fault (location such as body.title or query.limit) and what is wrong with it.
type ErrorBody struct {
	status  int
	headers http.Header
	Detail  string       `json:"detail" doc:"What went wrong" example:"Task not found"`
	Errors  []FieldError `json:"errors,omitempty" doc:"The fields at fault, for an invalid request"`
}

// FieldError is one invalid field.
type FieldError struct {
	Location string `json:"location" example:"body.title"`
	Message  string `json:"message" example:"must not be blank"`
}

func (e *ErrorBody) Error() string           { return e.Detail }
func (e *ErrorBody) GetStatus() int          { return e.status }
func (e *ErrorBody) GetHeaders() http.Header { return e.headers }

// errorBody is the body of status with msg and the fields at fault; with fields, the detail
// lists them.
func errorBody(status int, msg string, fields []FieldError) *ErrorBody {
	body := &ErrorBody{status: status, Detail: msg, Errors: fields}
	if len(fields) > 0 {
		parts := make([]string, len(fields))
		for i, fe := range fields {
			parts[i] = fe.Location + ": " + fe.Message
		}
		body.Detail = "Invalid request: " + strings.Join(parts, "; ")
	}
	return body
}

// problem formats an application error as the API answers it, with the status and headers of
// apperr's table; location prefixes the fields of an invalid request ("body" or "query").
// A server-side failure is logged here, once.
func (a *API) problem(ctx context.Context, err error, location string) error {
	e := apperr.From(err)
	apperr.Log(ctx, a.log, e)
	var fields []FieldError
	for _, f := range e.Fields {
		fields = append(fields, FieldError{Location: location + "." + f.Name, Message: f.Message})
	}
	body := errorBody(e.Status(), e.Message, fields)
	body.headers = http.Header{}
	e.SetHeaders(body.headers)
	return body
}

// newError is huma.NewError: the errors of huma's own request validation (and its body limit)
// in the API's shape. 5xx bodies never show internals.
func newError(status int, msg string, errs ...error) huma.StatusError {
	if status >= http.StatusInternalServerError {
		return &ErrorBody{status: status, Detail: msg}
	}
	var fields []FieldError
	for _, err := range errs {
		if err == nil {
			continue
		}
		fe := FieldError{Location: "body", Message: err.Error()}
		var detailer huma.ErrorDetailer
		if errors.As(err, &detailer) {
			d := detailer.ErrorDetail()
			fe = FieldError{Location: d.Location, Message: d.Message}
			// huma reports a missing property at its parent; name the property itself.
			var property string
			if n, _ := fmt.Sscanf(d.Message, "expected required property %s to be present", &property); n == 1 {
				fe = FieldError{Location: d.Location + "." + property, Message: "is required"}
			}
		}
		fields = append(fields, fe)
	}
	return errorBody(status, msg, fields)
}
