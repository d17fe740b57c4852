// Package bearer authenticates a request by its `Authorization: Bearer <JWT>`, the one way of
// every door that takes a token (the task API, the MCP tools): the same refusals, challenges,
// metrics and log lines.
package bearer

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"todo/internal/apperr"
	"todo/internal/jwt"
	"todo/internal/observe"
	"todo/internal/userrate"
)

// The refusals.
var (
	ErrNotAuthenticated = &apperr.Error{Kind: apperr.Unauthorized, Code: "NOT_AUTHENTICATED", Message: "Not authenticated"}
	ErrInvalidToken     = &apperr.Error{Kind: apperr.Unauthorized, Code: "INVALID_TOKEN", Message: "Invalid or expired token"}
	ErrKeysUnavailable  = &apperr.Error{Kind: apperr.Unavailable, Code: "KEYS_UNAVAILABLE", Message: "Signing keys are unavailable; try again shortly"}
)

// Refusal is why a request was not authenticated, and the WWW-Authenticate challenge that
// goes with the answer ("" for none).
type Refusal struct {
	Err       *apperr.Error
	Challenge string
}

// Checker authenticates requests by their bearer token: the verifier's checks, then what the
// user of a valid token must still pass.
type Checker struct {
	Verifier *jwt.Verifier
	// Limit, when set, is the per-user rate limit of the doors that take a token, checked
	// once the token is known good (so that a bad token cannot use up someone's bucket).
	Limit *userrate.Limiter
	// Deleted, when set, are the users whose valid tokens are refused: they were deleted.
	Deleted *DeletedUsers
	Log     *slog.Logger
}

// Authenticate returns the user whose token the Authorization header carries, or the
// refusal. Why a token was refused is logged, never the token: a debug line for a token that
// is not valid, which any client can send, and a warning for keys that cannot be fetched,
// which an operator must see. The valid token of a deleted user is refused as an invalid one;
// a user over their rate is a 429 refusal with Retry-After.
func (c *Checker) Authenticate(ctx context.Context, authorization string) (string, *Refusal) {
	scheme, token, _ := strings.Cut(authorization, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "bearer") || token == "" {
		observe.AuthFailed(ctx, "missing")
		return "", &Refusal{ErrNotAuthenticated, "Bearer"}
	}
	id, err := c.Verifier.Verify(ctx, token)
	switch {
	case errors.Is(err, jwt.ErrKeysUnavailable):
		c.Log.WarnContext(ctx, "token not checked: signing keys unavailable", "reason", truncate(err.Error()))
		observe.AuthFailed(ctx, "keys_unavailable")
		return "", &Refusal{ErrKeysUnavailable, ""}
	case err != nil:
		c.Log.DebugContext(ctx, "token refused", "reason", truncate(err.Error()))
		observe.AuthFailed(ctx, "invalid")
		return "", &Refusal{ErrInvalidToken, `Bearer error="invalid_token"`}
	}
	if c.Deleted.Has(id) {
		c.Log.DebugContext(ctx, "token refused", "reason", "the user was deleted")
		observe.AuthFailed(ctx, "invalid")
		return "", &Refusal{ErrDeletedUser, `Bearer error="invalid_token"`}
	}
	observe.SetUser(ctx, id)
	if e := c.Limit.Allow(id); e != nil {
		return "", &Refusal{e, ""}
	}
	return id, nil
}

// truncate bounds what a client's token puts in a log line (a reason quotes its issuer or
// audience).
func truncate(s string) string {
	const most = 200
	if len(s) <= most {
		return s
	}
	return strings.ToValidUTF8(s[:most], "") + "…"
}
