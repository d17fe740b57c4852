package auth

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"
)

// verification is a row of Better Auth's "verification" table: a value (here a user id) kept
// under an identifier until it expires. A password reset is the row
// "reset-password:<token>" → the user's id.
type verification struct {
	ID         string
	Identifier string
	Value      string
	ExpiresAt  time.Time
	CreatedAt  time.Time
}

// resetIdentifier is the verification identifier of a password-reset token.
func resetIdentifier(token string) string { return "reset-password:" + token }

// resetTokenLength is the length of a password-reset token, as Better Auth makes them.
const resetTokenLength = 24

// verificationCleanup is how often, at most, this process deletes expired verification rows,
// as Better Auth does on its lookups; verificationCleanupBatch bounds one round of it.
const (
	verificationCleanup      = time.Minute
	verificationCleanupBatch = 500
)

// verificationSweeper remembers when expired rows were last deleted.
type verificationSweeper struct {
	mu   sync.Mutex
	next time.Time
}

// due reports whether a sweep is due at now, and if so, books the next one.
func (v *verificationSweeper) due(now time.Time) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if now.Before(v.next) {
		return false
	}
	v.next = now.Add(verificationCleanup)
	return true
}

func (s *store) createVerification(ctx context.Context, v verification) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`INSERT INTO "verification" ("id", "identifier", "value", "expiresAt", "createdAt", "updatedAt")
		VALUES (?, ?, ?, ?, ?, ?)`),
		v.ID, v.Identifier, v.Value, s.timestamp(v.ExpiresAt), s.timestamp(v.CreatedAt), s.timestamp(v.CreatedAt))
	return err
}

// verificationByIdentifier returns the newest row of identifier, expired or not.
func (s *store) verificationByIdentifier(ctx context.Context, identifier string) (verification, error) {
	return scanVerification(s.read.QueryRowContext(ctx, s.rebind(`SELECT "id", "identifier", "value", "expiresAt", "createdAt"
		FROM "verification" WHERE "identifier" = ? ORDER BY "createdAt" DESC LIMIT 1`), identifier))
}

func scanVerification(row interface{ Scan(...any) error }) (verification, error) {
	var (
		v                  verification
		expires, createdAt Time
	)
	err := row.Scan(&v.ID, &v.Identifier, &v.Value, &expires, &createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return verification{}, errNotFound
	}
	v.ExpiresAt, v.CreatedAt = expires.Time, createdAt.Time
	return v, err
}

// deleteExpiredVerifications deletes up to verificationCleanupBatch rows that expired before
// at.
func (s *store) deleteExpiredVerifications(ctx context.Context, at time.Time) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`DELETE FROM "verification" WHERE "id" IN
		(SELECT "id" FROM "verification" WHERE "expiresAt" < ? LIMIT ?)`), s.timestamp(at), verificationCleanupBatch)
	return err
}

// consumeVerification deletes the newest row of identifier in tx, with any older rows of it,
// and returns it, as Better Auth's consumeVerificationValue does: of two requests that race
// to use one token, only one finds the row to delete. An expired row is deleted too, and
// reported as missing.
func (s *store) consumeVerification(ctx context.Context, tx *sql.Tx, identifier string, at time.Time) (verification, error) {
	v, err := scanVerification(tx.QueryRowContext(ctx, s.rebind(`SELECT "id", "identifier", "value", "expiresAt", "createdAt"
		FROM "verification" WHERE "identifier" = ? ORDER BY "createdAt" DESC LIMIT 1`), identifier))
	if err != nil {
		return verification{}, err
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM "verification" WHERE "identifier" = ? AND "id" <> ? AND "createdAt" <= ?`),
		identifier, v.ID, s.timestamp(v.CreatedAt)); err != nil {
		return verification{}, err
	}
	res, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM "verification" WHERE "id" = ?`), v.ID)
	if err != nil {
		return verification{}, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return verification{}, err
	} else if n == 0 || v.ExpiresAt.Before(at) {
		return verification{}, errNotFound
	}
	return v, nil
}

// resetPassword spends the reset token's row and sets the user's password in one
// transaction, as Better Auth's resetCredentialPassword does: first the token (errNotFound
// when another request spent it first, or it expired), then, with revokeSessions, every
// session of the user, then the password of the credential account, which is created if the
// user had none.
func (s *store) resetPassword(ctx context.Context, identifier, userID, hash string, at time.Time, revokeSessions bool) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := s.consumeVerification(ctx, tx, identifier, at); err != nil {
		return err
	}
	if revokeSessions {
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM "session" WHERE "userId" = ?`), userID); err != nil {
			return err
		}
	}
	res, err := tx.ExecContext(ctx, s.rebind(`UPDATE "account" SET "password" = ?, "updatedAt" = ?
		WHERE "userId" = ? AND "providerId" = 'credential' AND "accountId" = ?`), hash, s.timestamp(at), userID, userID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt")
			VALUES (?, ?, 'credential', ?, ?, ?, ?)`), newID(), userID, userID, hash, s.timestamp(at), s.timestamp(at)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *store) userByID(ctx context.Context, id string) (User, error) {
	var u User
	err := scanUser(s.read.QueryRowContext(ctx, s.rebind(`SELECT `+userColumns+` FROM "user" WHERE "id" = ?`), id), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errNotFound
	}
	return u, err
}

// setEmail sets the user's email and whether it is verified; errEmailTaken when another user
// has that email.
func (s *store) setEmail(ctx context.Context, userID, email string, verified bool, at time.Time) (User, error) {
	var u User
	err := scanUser(s.write.QueryRowContext(ctx, s.rebind(`UPDATE "user" SET "email" = ?, "emailVerified" = ?, "updatedAt" = ?
		WHERE "id" = ? RETURNING `+userColumns), email, verified, s.timestamp(at), userID), &u)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return User{}, errNotFound
	case isUniqueViolation(err):
		return User{}, errEmailTaken
	}
	return u, err
}
