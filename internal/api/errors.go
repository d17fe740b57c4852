package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/validation"

	"todo/internal/apperr"
)

// ErrorBody is every error the API answers with, in FastAPI's shape, which front ends written
// for the specification's backend read: {"detail": "<what went wrong>"}, and for an invalid
// request (422) {"detail": [<one Pydantic v2 error per problem>]}.
type ErrorBody struct {
	status  int
	headers http.Header
	Detail  any `json:"detail" doc:"What went wrong: a message, or for 422 a list of ValidationError (FastAPI's HTTPValidationError)" example:"\"Task not found\""`
}

// ValidationError is one problem of an invalid request, as FastAPI with Pydantic v2 reports
// it: its type ("missing", "string_too_short", …), where it is (["body","title"],
// ["query","limit"], ["path","task_id"]), a message, the input at fault and the limits.
type ValidationError struct {
	Type  string         `json:"type" example:"string_too_short"`
	Loc   []any          `json:"loc"`
	Msg   string         `json:"msg" example:"String should have at least 1 character"`
	Input any            `json:"input"`
	Ctx   map[string]any `json:"ctx,omitempty"`
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Loc))
	for i, p := range e.Loc {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".") + ": " + e.Msg
}

func (e *ErrorBody) Error() string {
	if s, ok := e.Detail.(string); ok {
		return s
	}
	return "validation failed"
}
func (e *ErrorBody) GetStatus() int          { return e.status }
func (e *ErrorBody) GetHeaders() http.Header { return e.headers }

func invalidBody(problems []*ValidationError) *ErrorBody {
	return &ErrorBody{status: http.StatusUnprocessableEntity, Detail: problems}
}

// problem formats an application error as the API answers it, with the status and headers of
// apperr's table. An invalid field of the service is Pydantic's value_error at location (the
// request part, "body" or "query") with the input that inputs gives for the field. A
// server-side failure is logged here, once.
func (a *API) problem(ctx context.Context, err error, location string, inputs map[string]any) error {
	e := apperr.From(err)
	apperr.Log(ctx, a.log, e)
	if e.Kind == apperr.Invalid && len(e.Fields) > 0 {
		problems := make([]*ValidationError, len(e.Fields))
		for i, f := range e.Fields {
			problems[i] = valueError([]any{location, f.Name}, f.Name+" "+f.Message, inputs[f.Name])
		}
		return invalidBody(problems)
	}
	body := &ErrorBody{status: e.Status(), Detail: e.Message, headers: http.Header{}}
	e.SetHeaders(body.headers)
	return body
}

// valueError is Pydantic's error for a rule of our own.
func valueError(loc []any, msg string, input any) *ValidationError {
	return &ValidationError{Type: "value_error", Loc: loc, Msg: "Value error, " + msg, Input: input, Ctx: map[string]any{"error": map[string]any{}}}
}

// bodyRequired is huma's message for an operation that needs a body and got none.
const bodyRequired = "request body is required"

// newError is huma.NewError: the errors of huma's own request validation (and its body limit)
// in the API's shape. A body huma could not parse is FastAPI's 422 json_invalid, not a 400.
// 5xx bodies never show internals.
func newError(status int, msg string, errs ...error) huma.StatusError {
	if status >= http.StatusInternalServerError {
		return &ErrorBody{status: status, Detail: msg}
	}
	if status == http.StatusBadRequest && msg == bodyRequired {
		return invalidBody([]*ValidationError{{Type: "missing", Loc: []any{"body"}, Msg: "Field required"}})
	}
	var problems []*ValidationError
	for _, err := range errs {
		if err == nil {
			continue
		}
		var v *ValidationError
		var detailer huma.ErrorDetailer
		switch {
		case errors.As(err, &v):
			problems = append(problems, v)
		case errors.As(err, &detailer):
			d := detailer.ErrorDetail()
			if status == http.StatusBadRequest && d.Location == "body" {
				problems = append(problems, unreadableBody(d.Value))
				continue
			}
			problems = append(problems, pydantic(d))
		default:
			problems = append(problems, valueError([]any{"body"}, err.Error(), nil))
		}
	}
	if len(problems) == 0 {
		return &ErrorBody{status: status, Detail: msg}
	}
	return invalidBody(slices.CompactFunc(problems, sameProblem))
}

// sameProblem tells whether two problems are one: huma's schema and our null check both see
// an explicit null in a required string.
func sameProblem(a, b *ValidationError) bool {
	return a.Type == b.Type && slices.Equal(a.Loc, b.Loc)
}

// unreadableBody is the problem of a body that is not JSON (json_invalid, at the byte where
// parsing failed, as FastAPI reports it) or not UTF-8 text.
func unreadableBody(value any) *ValidationError {
	raw, _ := value.(string)
	if !utf8.ValidString(raw) {
		return valueError([]any{"body"}, "request body is not valid UTF-8", nil)
	}
	var v any
	err := json.Unmarshal([]byte(raw), &v)
	// FastAPI gives the position of the character at fault, or the end of a body cut short;
	// Go's offset counts the bytes read, the bad one included.
	var syntax *json.SyntaxError
	offset := int64(len(raw))
	if errors.As(err, &syntax) && syntax.Offset < offset {
		offset = syntax.Offset - 1
	}
	reason := "Expecting value"
	if err != nil {
		reason = err.Error()
	}
	return &ValidationError{Type: "json_invalid", Loc: []any{"body", max(offset, 0)}, Msg: "JSON decode error",
		Input: map[string]any{}, Ctx: map[string]any{"error": reason}}
}

// pydantic translates one of huma's validation failures (its messages are the validation
// package's formats) into the error Pydantic v2 gives for the same input.
func pydantic(d *huma.ErrorDetail) *ValidationError {
	loc := location(d.Location)
	var (
		n    int
		f    float64
		name string
	)
	switch {
	case scan(d.Message, validation.MsgExpectedRequiredProperty, &name):
		// huma reports a missing property at its parent, whose value Pydantic shows.
		return &ValidationError{Type: "missing", Loc: append(loc, name), Msg: "Field required", Input: d.Value}
	case scan(d.Message, validation.MsgExpectedMinLength, &n):
		return &ValidationError{Type: "string_too_short", Loc: loc, Input: d.Value, Ctx: map[string]any{"min_length": n},
			Msg: fmt.Sprintf("String should have at least %d %s", n, characters(n))}
	case scan(d.Message, validation.MsgExpectedMaxLength, &n):
		return &ValidationError{Type: "string_too_long", Loc: loc, Input: d.Value, Ctx: map[string]any{"max_length": n},
			Msg: fmt.Sprintf("String should have at most %d %s", n, characters(n))}
	case d.Message == validation.MsgExpectedString:
		return &ValidationError{Type: "string_type", Loc: loc, Msg: "Input should be a valid string", Input: d.Value}
	case d.Message == validation.MsgExpectedBoolean:
		return boolError(loc, d.Value)
	case d.Message == validation.MsgExpectedInteger || d.Message == "invalid integer":
		return &ValidationError{Type: "int_parsing", Loc: loc, Input: d.Value,
			Msg: "Input should be a valid integer, unable to parse string as an integer"}
	case scan(d.Message, validation.MsgExpectedMinimumNumber, &f):
		return &ValidationError{Type: "greater_than_equal", Loc: loc, Input: d.Value, Ctx: map[string]any{"ge": number(f)},
			Msg: fmt.Sprintf("Input should be greater than or equal to %v", number(f))}
	case scan(d.Message, validation.MsgExpectedMaximumNumber, &f):
		return &ValidationError{Type: "less_than_equal", Loc: loc, Input: d.Value, Ctx: map[string]any{"le": number(f)},
			Msg: fmt.Sprintf("Input should be less than or equal to %v", number(f))}
	case strings.HasPrefix(d.Message, strings.SplitN(validation.MsgExpectedRFC4122UUID, ":", 2)[0]):
		input, _ := d.Value.(string)
		return &ValidationError{Type: "uuid_parsing", Loc: loc, Input: d.Value,
			Msg: "Input should be a valid UUID, " + uuidProblem(input), Ctx: map[string]any{"error": uuidProblem(input)}}
	case d.Message == validation.MsgExpectedObject:
		return &ValidationError{Type: "model_attributes_type", Loc: loc, Input: d.Value,
			Msg: "Input should be a valid dictionary or object to extract fields from"}
	}
	return valueError(loc, d.Message, d.Value)
}

// boolError is Pydantic's error for a value that is not a boolean: a string or number it could
// not interpret, or a value of another type.
func boolError(loc []any, input any) *ValidationError {
	switch input.(type) {
	case string, float64, json.Number, int, int64:
		return &ValidationError{Type: "bool_parsing", Loc: loc, Input: input, Msg: "Input should be a valid boolean, unable to interpret input"}
	}
	return &ValidationError{Type: "bool_type", Loc: loc, Input: input, Msg: "Input should be a valid boolean"}
}

// scan reports whether msg is format filled in, reading its one value into dest.
func scan(msg, format string, dest any) bool {
	n, err := fmt.Sscanf(msg, format, dest)
	return err == nil && n == 1
}

func characters(n int) string {
	if n == 1 {
		return "character"
	}
	return "characters"
}

// number is f as Pydantic writes a limit: an integer when it is one.
func number(f float64) any {
	if f == float64(int64(f)) {
		return int64(f)
	}
	return f
}

// location splits huma's "body.title" into FastAPI's ["body", "title"].
func location(l string) []any {
	var loc []any
	for _, p := range strings.Split(l, ".") {
		// An item of an array, due[0], is the name and then the index, as Pydantic writes it.
		name, rest, _ := strings.Cut(p, "[")
		if name != "" {
			loc = append(loc, name)
		}
		for rest != "" {
			var index string
			index, rest, _ = strings.Cut(rest, "]")
			if n, err := strconv.Atoi(index); err == nil {
				loc = append(loc, n)
			}
			rest = strings.TrimPrefix(rest, "[")
		}
	}
	return loc
}

// uuidProblem says what is wrong with a task id that is not a UUID, in the words of the uuid
// crate that Pydantic v2 uses.
func uuidProblem(s string) string {
	for i, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF-", r) {
			return fmt.Sprintf("invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `%c` at %d", r, i+1)
		}
	}
	groups := strings.Split(s, "-")
	switch {
	case len(groups) == 1:
		return fmt.Sprintf("invalid length: expected length 32 for simple format, found %d", len(s))
	case len(groups) != 5:
		return fmt.Sprintf("invalid group count: expected 5, found %d", len(groups))
	}
	for i, want := range []int{8, 4, 4, 4, 12} {
		if len(groups[i]) != want {
			return fmt.Sprintf("invalid group length in group %d: expected %d, found %d", i, want, len(groups[i]))
		}
	}
	return "invalid format"
}
