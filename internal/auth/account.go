package auth

import (
	"context"
	"errors"
	"net/http"
	"time"
)

var (
	errEmailImmutable = &Error{http.StatusBadRequest, "EMAIL_CAN_NOT_BE_UPDATED", "Email can not be updated"}
	errNothingToSet   = &Error{Status: http.StatusBadRequest, Message: "No fields to update"}
	errInvalidToken   = &Error{http.StatusNotFound, "INVALID_TOKEN", "Invalid token"}
	errSessionStale   = &Error{http.StatusForbidden, "SESSION_NOT_FRESH", "Session is not fresh"}
)

// checkPassword verifies the user's current password, as change-password and delete-user do.
func (s *Service) checkPassword(ctx context.Context, userID, password string) error {
	if jsLength(password) > MaxPasswordLength {
		return errPasswordTooLong
	}
	hash, err := s.store.credentialPassword(ctx, userID)
	if errors.Is(err, errNotFound) {
		return errNoCredential
	} else if err != nil {
		return s.internal(ctx, "read password", err)
	}
	ok, err := s.hasher.verify(ctx, hash, password)
	if err != nil {
		return s.internal(ctx, "verify password", err)
	}
	if !ok {
		return errInvalidPassword
	}
	return nil
}

// ChangePassword sets a new password after checking the current one. With revokeOthers, every
// session of the user ends and a new one is returned for the caller; as in Better Auth, that
// happens in the same transaction as the password change, so that a new password never stands
// beside sessions its owner asked to end.
func (s *Service) ChangePassword(ctx context.Context, a Authenticated, current, next string, revokeOthers bool, c Client) (*Session, error) {
	if err := checkNewPassword(next); err != nil {
		return nil, err
	}
	if err := s.checkPassword(ctx, a.User.ID, current); err != nil {
		return nil, err
	}
	hash, err := s.hasher.hash(ctx, next)
	if err != nil {
		return nil, s.internal(ctx, "hash password", err)
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
		return nil, s.internal(ctx, "change password", err)
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
	u, err := s.store.updateUser(ctx, a.User.ID, name, image, clearImage, now())
	if err != nil {
		return User{}, s.internal(ctx, "update user", err)
	}
	return u, nil
}

// DeleteUser deletes the user, their sessions, accounts and tasks. Without a password (an
// empty one counts as none, as in Better Auth), the session must have been created within the
// last day.
func (s *Service) DeleteUser(ctx context.Context, a Authenticated, password *string) error {
	verified := password != nil && *password != ""
	if verified {
		if err := s.checkPassword(ctx, a.User.ID, *password); err != nil {
			return err
		}
	}
	return s.deleteUser(ctx, a, verified)
}

// deleteUser deletes the user whose password was checked, or else whose session is fresh.
func (s *Service) deleteUser(ctx context.Context, a Authenticated, passwordChecked bool) error {
	if !passwordChecked && time.Since(a.Session.CreatedAt.Time) >= sessionFreshAge {
		return errSessionExpired
	}
	if err := s.store.deleteUser(ctx, a.User.ID); err != nil {
		return s.internal(ctx, "delete user", err)
	}
	s.log.InfoContext(ctx, "user deleted", "user_id", a.User.ID)
	return nil
}

// Sessions lists the user's active sessions.
func (s *Service) Sessions(ctx context.Context, a Authenticated) ([]Session, error) {
	sessions, err := s.store.activeSessions(ctx, a.User.ID, now())
	if err != nil {
		return nil, s.internal(ctx, "list sessions", err)
	}
	return sessions, nil
}

// RevokeSession ends the user's session with token; another user's token is left alone.
func (s *Service) RevokeSession(ctx context.Context, a Authenticated, token string) error {
	if _, err := s.store.deleteUserSession(ctx, a.User.ID, token); err != nil {
		return s.internal(ctx, "revoke session", err)
	}
	return nil
}

// RevokeSessions ends the user's sessions except the one with keepToken ("" ends them all).
// Better Auth's revoke-other-sessions deletes only the unexpired ones; deleting the expired
// rows too changes nothing a client can see.
func (s *Service) RevokeSessions(ctx context.Context, a Authenticated, keepToken string) error {
	if err := s.store.deleteUserSessions(ctx, a.User.ID, keepToken); err != nil {
		return s.internal(ctx, "revoke sessions", err)
	}
	return nil
}
