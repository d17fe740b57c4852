// Package api is the JSON API: huma operations on the server's mux, documented by the OpenAPI
// 3.1 document at /openapi.json. Its handlers are doors onto the services; they parse, call
// and format, and hold no rule of their own.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"todo/internal/bearer"
	"todo/internal/calendar"
	"todo/internal/remind"
	"todo/internal/task"
)

// API serves the JSON operations. routes.go places each one with Handle.
type API struct {
	huma      huma.API
	tasks     *task.Service
	reminders *remind.Service
	bearer    *bearer.Checker
	log       *slog.Logger
	// calendar makes and revokes the calendar feeds (SetCalendar).
	calendar *calendar.Service
}

// New configures huma on mux: OpenAPI 3.1 at /openapi.json, no remote docs page (ours is
// served offline at /docs), no $schema links in bodies, and JSON bodies that must be UTF-8.
// Every operation authenticates its caller with checker (and applies its rate limit).
func New(mux *http.ServeMux, version string, tasks *task.Service, reminders *remind.Service, checker *bearer.Checker, log *slog.Logger) *API {
	// huma builds the errors of its own request validation (and documents every error)
	// through this package variable, its only hook; every API of the process has the same
	// error shape. It is set once, before the first operation of any API: servers built
	// concurrently (tests) would otherwise write it while another registers its operations.
	setErrorShape.Do(func() { huma.NewError = newError })

	cfg := huma.DefaultConfig("Todo API", version)
	cfg.Info.Description = "Personal task lists. Every operation needs `Authorization: Bearer <JWT>` " +
		"from the built-in auth (`GET /api/auth/token`) or from the Better Auth server at AUTH_URL."
	cfg.CreateHooks = nil
	cfg.DocsPath = ""
	cfg.SchemasPath = ""
	cfg.OpenAPIPath = "/openapi"
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", BearerFormat: "JWT"},
	}
	jsonFormat := huma.Format{Marshal: marshalJSON, Unmarshal: unmarshalJSON}
	cfg.Formats = map[string]huma.Format{"application/json": jsonFormat, "json": jsonFormat}
	cfg.Transformers = append(cfg.Transformers, encodeBody)
	byUser := http.NewServeMux()
	mux.Handle("/api/", byUser)
	return &API{huma: humago.New(splitMux{mux, byUser}, cfg), tasks: tasks, reminders: reminders, bearer: checker, log: log}
}

// splitMux puts the brief's /api/{user_id}/… routes on a mux of their own, which the main mux
// reaches through "/api/": on the main mux they would conflict with the auth API's
// "/api/auth/" (both match GET /api/auth/tasks, and neither is more specific), and
// http.ServeMux refuses such pairs.
type splitMux struct {
	*http.ServeMux // the main mux, which serves everything
	byUser         *http.ServeMux
}

func (m splitMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	if _, path, _ := strings.Cut(pattern, " "); strings.HasPrefix(path, "/api/{user_id}/") {
		m.byUser.HandleFunc(pattern, h)
		return
	}
	m.ServeMux.HandleFunc(pattern, h)
}

var setErrorShape sync.Once

// Endpoint is one operation, made by a handler maker, not yet placed on a route.
type Endpoint struct {
	op       huma.Operation
	register func(huma.API, huma.Operation)
}

func endpoint[I, O any](op huma.Operation, handler func(context.Context, *I) (*O, error)) Endpoint {
	return Endpoint{op: op, register: func(api huma.API, op huma.Operation) { huma.Register(api, op, handler) }}
}

// Handle places e on pattern, "METHOD /path/{param}", as http.ServeMux patterns read.
func (a *API) Handle(pattern string, e Endpoint) {
	e.op.Method, e.op.Path, _ = strings.Cut(pattern, " ")
	e.register(a.huma, e.op)
}

var jsonSlices = sync.Pool{New: func() any { return new([]byte) }}

// jsonAppender is a body that writes its own JSON (the hot answers: tasks and their lists).
type jsonAppender interface{ AppendJSON([]byte) []byte }

// appendJSON appends v as JSON without HTML escaping and without the trailing newline of
// json.Encoder, so that bodies are exactly the JSON (`{"detail":"Task not found"}`).
func appendJSON(dst []byte, v any) ([]byte, error) {
	if a, ok := v.(jsonAppender); ok {
		return a.AppendJSON(dst), nil
	}
	buf := bytes.NewBuffer(dst)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return dst, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// encoded is a body that encodeBody has already written as JSON, for marshalJSON to send.
type encoded struct{ b *[]byte }

// encodeBody writes each answer's JSON before its status line goes out, and gives it a
// Content-Length: without one, net/http sends a body larger than its buffer in chunks, which
// takes a page of tasks one more write to the connection than its bytes need.
func encodeBody(ctx huma.Context, status string, v any) (any, error) {
	if status == "204" || status == "304" {
		return v, nil // no body is written
	}
	b := jsonSlices.Get().(*[]byte)
	var err error
	if *b, err = appendJSON((*b)[:0], v); err != nil {
		jsonSlices.Put(b)
		return nil, err
	}
	ctx.SetHeader("Content-Length", strconv.Itoa(len(*b)))
	return encoded{b}, nil
}

// marshalJSON writes v as appendJSON encodes it, or as encodeBody did.
func marshalJSON(w io.Writer, v any) error {
	e, ok := v.(encoded)
	if !ok {
		b := jsonSlices.Get().(*[]byte)
		defer jsonSlices.Put(b)
		var err error
		if *b, err = appendJSON((*b)[:0], v); err != nil {
			return err
		}
		_, err = w.Write(*b)
		return err
	}
	defer jsonSlices.Put(e.b)
	_, err := w.Write(*e.b)
	return err
}

// unmarshalJSON refuses bodies that are not UTF-8 (encoding/json would silently replace the
// bad bytes, storing text the client never sent) and matches member names exactly:
// encoding/json would take {"title":"a","TITLE":"c"} as the title c. A name sent twice is
// taken last, as the specification's Python backend takes it.
func unmarshalJSON(data []byte, v any) error {
	if !utf8.Valid(data) {
		return errors.New("request body is not valid UTF-8")
	}
	return jsonv2.Unmarshal(data, v, jsontext.AllowDuplicateNames(true))
}
