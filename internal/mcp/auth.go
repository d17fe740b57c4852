package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"todo/internal/apperr"
	"todo/internal/jwt"
	"todo/internal/observe"
)

// The refusals of authentication, as the task API words them.
var (
	errNotAuthenticated = &apperr.Error{Kind: apperr.Unauthorized, Code: "NOT_AUTHENTICATED", Message: "Not authenticated"}
	errInvalidToken     = &apperr.Error{Kind: apperr.Unauthorized, Code: "INVALID_TOKEN", Message: "Invalid or expired token"}
	errKeysUnavailable  = &apperr.Error{Kind: apperr.Unavailable, Code: "KEYS_UNAVAILABLE", Message: "Signing keys are unavailable; try again shortly"}
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

// authenticate accepts `Authorization: Bearer <JWT>` and nothing else, before the request
// reaches the MCP handler, and answers its refusals as the task API does: 401 with a Bearer
// challenge (invalid_token for a token that was sent), 503 with Retry-After while the signing
// keys cannot be read. The SDK's auth.RequireBearerToken would send no challenge without
// OAuth metadata, make unreadable keys a 500, and require an expiry that our verifier keeps
// to itself.
func authenticate(verifier *jwt.Verifier, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "bearer") || token == "" {
			refuse(w, r, "missing", errNotAuthenticated, "Bearer")
			return
		}
		id, err := verifier.Verify(r.Context(), token)
		switch {
		case errors.Is(err, jwt.ErrKeysUnavailable):
			log.WarnContext(r.Context(), "token not checked: signing keys unavailable", "reason", truncate(err.Error()))
			refuse(w, r, "keys_unavailable", errKeysUnavailable, "")
			return
		case err != nil:
			log.DebugContext(r.Context(), "token refused", "reason", truncate(err.Error()))
			refuse(w, r, "invalid", errInvalidToken, `Bearer error="invalid_token"`)
			return
		}
		observe.SetUser(r.Context(), id)
		ctx := context.WithValue(r.Context(), callerKey{}, &caller{userID: id, request: r.Context()})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func refuse(w http.ResponseWriter, r *http.Request, reason string, e *apperr.Error, challenge string) {
	observe.AuthFailed(r.Context(), reason)
	if challenge != "" {
		w.Header().Set("WWW-Authenticate", challenge)
	}
	e.SetHeaders(w.Header())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status())
	json.NewEncoder(w).Encode(map[string]string{"detail": e.Message})
}

// truncate bounds what a client's token puts in a log line (a reason may quote its issuer or
// audience).
func truncate(s string) string {
	const most = 200
	if len(s) <= most {
		return s
	}
	return strings.ToValidUTF8(s[:most], "") + "…"
}
