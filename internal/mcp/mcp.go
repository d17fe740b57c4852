// Package mcp serves the task tools to AI assistants over the Model Context Protocol
// (Streamable HTTP at /mcp), as another door onto the task service.
package mcp

import (
	"context"
	"log/slog"
	"net/http"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"todo/internal/bearer"
	"todo/internal/task"
)

// maxBody is the task API's limit on a request body: no tool call needs more.
const maxBody = 1 << 20

const instructions = `These tools manage the to-do list of the signed-in user (the subject of the bearer token).
Task ids are UUID strings: take them from add_task, list_tasks or search_tasks.
user_id is optional everywhere; leave it out, the tools always act for the signed-in user.`

// New returns the MCP endpoint: the tools act for the subject of the request's bearer token,
// verified (and rate limited) as the task API does it.
func New(tasks *task.Service, checker *bearer.Checker, log *slog.Logger) http.Handler {
	server := sdk.NewServer(
		// The version is that of the tool set, which clients may cache; the binary's is not known here.
		&sdk.Implementation{Name: "todo", Title: "Todo", Version: "1.0.0"},
		&sdk.ServerOptions{Instructions: instructions, Logger: slog.New(warnings{log.Handler()})},
	)
	addTools(server, &door{tasks: tasks, log: log})

	handler := sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return server }, &sdk.StreamableHTTPOptions{
		// Every request is served on its own, so any instance behind a load balancer can take
		// any request: no session lives in one process. A tool answer is one JSON body (no
		// event stream), since there is nothing to stream.
		Stateless:    true,
		JSONResponse: true,
		// The protection against DNS rebinding refuses a loopback connection whose Host is not
		// loopback, which is every request through a reverse proxy on the same machine (the
		// default HOST is 127.0.0.1). A rebinding page gains nothing here: every request needs
		// a bearer token, which a browser does not attach by itself as it does cookies.
		DisableLocalhostProtection: true,
		MaxRequestBodyBytes:        maxBody,
		Logger:                     log,
	})
	return authenticate(checker, handler)
}

// warnings passes on the SDK's warnings and errors only: it logs each connection at info, and
// the stateless transport makes one connection per request.
type warnings struct{ slog.Handler }

func (w warnings) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelWarn && w.Handler.Enabled(ctx, level)
}

func (w warnings) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warnings{w.Handler.WithAttrs(attrs)}
}

func (w warnings) WithGroup(name string) slog.Handler { return warnings{w.Handler.WithGroup(name)} }
