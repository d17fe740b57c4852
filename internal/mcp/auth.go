package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"todo/internal/bearer"
)

// caller is who a request acts for, and the request itself.
type caller struct {
	userID string
	// request is the HTTP request's context: the SDK runs a tool on a context that keeps its
	// values but neither its deadline (DATABASE_QUERY_TIMEOUT) nor its cancellation.
	request context.Context
}

type callerKey struct{}

func callerOf(ctx context.Context) (*caller, bool) {
	c, ok := ctx.Value(callerKey{}).(*caller)
	return c, ok
}

// within bounds a tool call's ctx by the HTTP request that carries the call: its deadline,
// and a client that goes away. A passed deadline stays a deadline (which apperr reports as a
// busy server), not a cancellation.
func (c *caller) within(ctx context.Context) (context.Context, context.CancelFunc) {
	var cancel context.CancelFunc
	if d, ok := c.request.Deadline(); ok {
		ctx, cancel = context.WithDeadline(ctx, d)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	stop := context.AfterFunc(c.request, func() {
		if errors.Is(c.request.Err(), context.Canceled) {
			cancel()
		}
	})
	return ctx, func() { stop(); cancel() }
}

// authenticate checks the bearer token before the request reaches the MCP handler, as the
// task API does, and answers a refusal in the task API's words: 401 with a Bearer challenge
// (invalid_token for a token that was sent), 503 with Retry-After while the signing keys
// cannot be read. The SDK's auth.RequireBearerToken would send no challenge without OAuth
// metadata, make unreadable keys a 500, and require an expiry that our verifier keeps to
// itself.
func authenticate(checker *bearer.Checker, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, refusal := checker.Authenticate(r.Context(), r.Header.Get("Authorization"))
		if refusal != nil {
			refuse(w, refusal)
			return
		}
		ctx := context.WithValue(r.Context(), callerKey{}, &caller{userID: id, request: r.Context()})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func refuse(w http.ResponseWriter, refusal *bearer.Refusal) {
	if refusal.Challenge != "" {
		w.Header().Set("WWW-Authenticate", refusal.Challenge)
	}
	refusal.Err.SetHeaders(w.Header())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(refusal.Err.Status())
	json.NewEncoder(w).Encode(map[string]string{"detail": refusal.Err.Message})
}
