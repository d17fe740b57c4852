// Package mcp serves the task tools to AI assistants over the Model Context Protocol
// (Streamable HTTP at /mcp), as another door onto the task service.
package mcp

import (
	"log/slog"
	"net/http"

	"todo/internal/jwt"
	"todo/internal/task"
)

// New returns the MCP endpoint: the tools act for the subject of the request's bearer token,
// verified as the task API verifies it.
func New(tasks *task.Service, verifier *jwt.Verifier, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not implemented", http.StatusNotImplemented)
	})
}
