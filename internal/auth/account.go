package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"todo/internal/apperr"
)

var (
	errEmailImmutable = &apperr.Error{Kind: apperr.BadRequest, Code: "EMAIL_CAN_NOT_BE_UPDATED", Message: "Email can not be updated"}
	errNothingToSet   = &apperr.Error{Kind: apperr.BadRequest, Message: "No fields to update"}
	errInvalidToken   = &apperr.Error{Kind: apperr.NotFound, Code: "INVALID_TOKEN", Message: "Invalid token"}
	errSessionStale   = &apperr.Error{Kind: apperr.Forbidden, Code: "SESSION_NOT_FRESH", Message: "Session is not fresh"}
)

// Limits of a user's name and image URL. Better Auth sets none, but the name goes into every
// JWT and so into the set-auth-jwt header, which proxies bound, and PostgreSQL text holds no
// NUL character.
const (
	MaxNameLength  = 256
	MaxImageLength = 2048
)

// checkProfile applies the limits to a name and an image (nil: not given), before anything
// costly is done with the request.
func checkProfile(name, image *string) error {
	for _, f := range []struct {
		field string
		value *string
		limit int
	}{{"name", name, MaxNameLength}, {"image", image, MaxImageLength}} {
		switch {
		case f.value == nil:
		case strings.ContainsRune(*f.value, 0):
			return validationError(f.field, "Invalid input: must not contain NUL characters")
		case jsLength(*f.value) > f.limit:
			return validationError(f.field, fmt.Sprintf("Too big: expected string to have <=%d characters", f.limit))
		}
	}
	return nil
}

// checkPassword verifies the user's current password, as change-password and delete-user do.
func (s *Service) checkPassword(ctx context.Context, userID, password string) error {
	if jsLength(password) > MaxPasswordLength {
		return ErrPasswordTooLong
	}
	hash, err := s.store.credentialPassword(ctx, userID)
	if errors.Is(err, errNotFound) {
		return errNoCredential
	} else if err != nil {
		return s.internal("read password", err)
	}
	ok, err := s.hasher.verify(ctx, userClient(userID), hash, password)
	if err != nil {
		return s.internal("verify password", err)
	}
	if !ok {
		return ErrInvalidPassword
	}
	return nil
}

// ChangePassword sets a new password after checking the current one. With revokeOthers, every
// session of the user ends and a new one is returned for the caller; as in Better Auth, that
// happens in the same transaction as the password change, so that a new password never stands
// beside sessions its owner asked to end. Its rate limit (Better Auth's, 3 per 10 s) counts
// every door, as sign-in's does: guesses of the current password share one bucket.
func (s *Service) ChangePassword(ctx context.Context, a Authenticated, current, next string, revokeOthers bool, c Client) (*Session, error) {
	if err := s.Allow(ctx, c, changePasswordPath); err != nil {
		return nil, err
	}
	if err := checkNewPassword(next); err != nil {
		return nil, err
	}
	if err := s.checkPassword(ctx, a.User.ID, current); err != nil {
		return nil, err
	}
	hash, err := s.hasher.hash(ctx, userClient(a.User.ID), next)
	if err != nil {
		return nil, s.internal("hash password", err)
	}
	at := now()
	var se *Session
	if revokeOthers {
		fresh := s.newSession(a.User.ID, true, c, at)
		se = &fresh
	}
	if err := s.store.changePassword(ctx, a.User.ID, hash, at, se); errors.Is(err, errNotFound) {
		return nil, errNoCredential
	} else if err != nil {
		return nil, s.internal("change password", err)
	}
	s.log.InfoContext(ctx, "password changed", "user_id", a.User.ID, "revoke_other_sessions", revokeOthers)
	return se, nil
}

// UpdateUser changes the user's name and image (nil leaves a field as it is; clearImage
// removes the image).
func (s *Service) UpdateUser(ctx context.Context, a Authenticated, name, image *string, clearImage bool) (User, error) {
	if name == nil && image == nil && !clearImage {
		return User{}, errNothingToSet
	}
	if err := checkProfile(name, image); err != nil {
		return User{}, err
	}
	u, err := s.store.updateUser(ctx, a.User.ID, name, image, clearImage, now())
	if err != nil {
		return User{}, s.internal("update user", err)
	}
	return u, nil
}

// DeleteUser deletes the user: first it records the deletion (in deleted_users, for every
// instance, and at once in this instance's set), so that the user's tokens, valid until they
// expire, can no longer add what would outlive them; then what other parts of the app keep
// for them (their tasks, through the UserData hook); then their sessions, accounts and user
// row. Should a later step fail, the user's tokens stay refused and deleting again finishes. Better Auth
// tests password and token for truth: an empty one counts as absent. A password must be the
// user's; without one, the session must have been created within the last day. A token
// (deletion confirmed by email) is refused: this server sends no such email, so no such token
// exists.
func (s *Service) DeleteUser(ctx context.Context, a Authenticated, password, token *string) error {
	verified := password != nil && *password != ""
	if verified {
		if err := s.checkPassword(ctx, a.User.ID, *password); err != nil {
			return err
		}
	}
	if token != nil && *token != "" {
		return errInvalidToken
	}
	if !verified && time.Since(a.Session.CreatedAt.Time) >= sessionFreshAge {
		return errSessionExpired
	}
	at := now()
	if err := s.store.recordDeleted(ctx, a.User.ID, at); err != nil {
		return s.internal("record deleted user", err)
	}
	if s.deleted != nil {
		s.deleted.Add(a.User.ID, at)
	}
	if s.userData != nil {
		if err := s.userData.DeleteUserData(ctx, a.User.ID); err != nil {
			return s.internal("delete user data", err)
		}
	}
	if err := s.store.deleteUser(ctx, a.User.ID); err != nil {
		return s.internal("delete user", err)
	}
	s.log.InfoContext(ctx, "user deleted", "user_id", a.User.ID)
	return nil
}

// Sessions lists the user's active sessions.
func (s *Service) Sessions(ctx context.Context, a Authenticated) ([]Session, error) {
	sessions, err := s.store.activeSessions(ctx, a.User.ID, now())
	if err != nil {
		return nil, s.internal("list sessions", err)
	}
	return sessions, nil
}

// RevokeSession ends the user's session with token; another user's token is left alone.
func (s *Service) RevokeSession(ctx context.Context, a Authenticated, token string) error {
	if strings.ContainsRune(token, 0) {
		return nil // no session has such a token, and PostgreSQL could not even compare it
	}
	if _, err := s.store.deleteUserSession(ctx, a.User.ID, token); err != nil {
		return s.internal("revoke session", err)
	}
	return nil
}

// RevokeSessions ends the user's sessions except the one with keepToken ("" ends them all).
// Better Auth's revoke-other-sessions deletes only the unexpired ones; deleting the expired
// rows too changes nothing a client can see.
func (s *Service) RevokeSessions(ctx context.Context, a Authenticated, keepToken string) error {
	if err := s.store.deleteUserSessions(ctx, a.User.ID, keepToken); err != nil {
		return s.internal("revoke sessions", err)
	}
	return nil
}
