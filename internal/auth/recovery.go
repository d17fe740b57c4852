package auth

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"todo/internal/apperr"
)

// EmailOptions are the settings of the flows that send mail, each Better Auth's option of the
// same name.
type EmailOptions struct {
	// ResetPasswordTokenExpiresIn is how long a reset link works
	// (emailAndPassword.resetPasswordTokenExpiresIn); 0 is an hour.
	ResetPasswordTokenExpiresIn time.Duration
	// RevokeSessionsOnPasswordReset ends every session of the user when a reset sets a new
	// password (emailAndPassword.revokeSessionsOnPasswordReset).
	RevokeSessionsOnPasswordReset bool
	// RequireEmailVerification refuses to sign in a user whose address is not verified
	// (emailAndPassword.requireEmailVerification). Sign-up then opens no session and answers
	// the same for an address that has an account and one that has not.
	RequireEmailVerification bool
	// VerificationExpiresIn is how long a verification link works (emailVerification.expiresIn);
	// 0 is an hour.
	VerificationExpiresIn time.Duration
	// SendOnSignUp and SendOnSignIn send a verification link on sign-up, and on a sign-in that
	// RequireEmailVerification refuses (emailVerification.sendOnSignUp, sendOnSignIn).
	SendOnSignUp bool
	SendOnSignIn bool
	// ChangeEmail lets users change their address, through a link sent to the new one
	// (user.changeEmail.enabled).
	ChangeEmail bool
}

// EmailFeatures is what the flows that send mail offer, for the web UI to show.
type EmailFeatures struct {
	// Mail: mail can be sent, so password reset and email verification are on.
	Mail bool
	// ChangeEmail: users may change their address (which needs Mail too).
	ChangeEmail              bool
	ResetLinkLifetime        time.Duration
	VerificationLinkLifetime time.Duration
}

// EmailFeatures says what the flows that send mail offer now.
func (s *Service) EmailFeatures() EmailFeatures {
	return EmailFeatures{
		Mail: s.mailOn(), ChangeEmail: s.email.ChangeEmail && s.mailOn(),
		ResetLinkLifetime: s.email.resetLifetime(), VerificationLinkLifetime: s.email.verificationLifetime(),
	}
}

// Better Auth's default lifetime of reset and verification links.
const defaultLinkLifetime = time.Hour

func (o EmailOptions) resetLifetime() time.Duration {
	if o.ResetPasswordTokenExpiresIn > 0 {
		return o.ResetPasswordTokenExpiresIn
	}
	return defaultLinkLifetime
}

func (o EmailOptions) verificationLifetime() time.Duration {
	if o.VerificationExpiresIn > 0 {
		return o.VerificationExpiresIn
	}
	return defaultLinkLifetime
}

// Better Auth's errors of the flows that send mail. The exported ones are those the web UI
// words for people.
var (
	ErrResetPasswordDisabled = &apperr.Error{Kind: apperr.BadRequest, Code: "RESET_PASSWORD_DISABLED", Message: "Reset password isn't enabled"}
	ErrVerificationDisabled  = &apperr.Error{Kind: apperr.BadRequest, Code: "VERIFICATION_EMAIL_NOT_ENABLED", Message: "Verification email isn't enabled"}
	ErrInvalidResetToken     = &apperr.Error{Kind: apperr.BadRequest, Code: "INVALID_TOKEN", Message: "Invalid token"}
	ErrEmailNotVerified      = &apperr.Error{Kind: apperr.Forbidden, Code: "EMAIL_NOT_VERIFIED", Message: "Email not verified"}
	ErrEmailAlreadyVerified  = &apperr.Error{Kind: apperr.BadRequest, Code: "EMAIL_ALREADY_VERIFIED", Message: "Email is already verified"}
	ErrChangeEmailDisabled   = &apperr.Error{Kind: apperr.BadRequest, Code: "CHANGE_EMAIL_DISABLED", Message: "Change email is disabled"}
	// Better Auth gives these two no code.
	ErrSameEmail         = &apperr.Error{Kind: apperr.BadRequest, Message: "Email is the same"}
	ErrChangeEmailNoMail = &apperr.Error{Kind: apperr.BadRequest, Message: "Verification email isn't enabled"}

	errResetUserNotFound = &apperr.Error{Kind: apperr.BadRequest, Code: "USER_NOT_FOUND", Message: "User not found"}
	errEmailMismatch     = &apperr.Error{Kind: apperr.BadRequest, Code: "EMAIL_MISMATCH", Message: "Email mismatch"}
	// verify-email's refusals, 401 when there is no callback URL to send them to.
	errLinkInvalid      = &apperr.Error{Kind: apperr.Unauthorized, Code: "INVALID_TOKEN", Message: "Invalid token"}
	errLinkExpired      = &apperr.Error{Kind: apperr.Unauthorized, Code: "TOKEN_EXPIRED", Message: "Token expired"}
	errLinkUserNotFound = &apperr.Error{Kind: apperr.Unauthorized, Code: "USER_NOT_FOUND", Message: "User not found"}
	errLinkInvalidUser  = &apperr.Error{Kind: apperr.Unauthorized, Code: "INVALID_USER", Message: "Invalid user"}
)

// The rate-limit paths of the flows that the service limits itself, whatever door they come
// through: 3 per minute on the two that send mail to any address, 3 per 10 s on a change of
// email or password, Better Auth's default on the reset itself.
const (
	requestResetPath     = "/request-password-reset"
	resetPasswordPath    = "/reset-password"
	sendVerificationPath = "/send-verification-email"
	changeEmailPath      = "/change-email"
	changePasswordPath   = "/change-password"
)

// quietFloor is the least time an answer takes that must not tell whether an address has an
// account: the work of the "yes" path (a lookup, a row and a queued mail) fits well within
// it, so both paths answer after the same time. Better Auth's send-verification-email does
// the same with the same floor.
const quietFloor = 500 * time.Millisecond

// quiet waits until quietFloor has passed since start, or ctx is done.
func quiet(ctx context.Context, start time.Time) {
	t := time.NewTimer(quietFloor - time.Since(start))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// storable tells whether s can be looked up in either database: PostgreSQL's text takes
// neither NUL nor invalid UTF-8, which would fail the query instead of finding nothing.
func storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// RequestPasswordReset mails a reset link to the address when it has an account, and answers
// the same, after the same time, when it has none. The link is Better Auth's:
// <BETTER_AUTH_URL>/api/auth/reset-password/<token>?callbackURL=<redirectTo>, where the token
// is kept in a verification row for its lifetime.
func (s *Service) RequestPasswordReset(ctx context.Context, email, redirectTo string, c Client) error {
	if err := s.Allow(ctx, c, requestResetPath); err != nil {
		return err
	}
	if !s.mailOn() {
		return ErrResetPasswordDisabled
	}
	if !validEmail(email) {
		return validationError("email", "Invalid email address")
	}
	defer quiet(ctx, time.Now())
	u, err := s.store.userByEmail(ctx, normalEmail(email))
	if errors.Is(err, errNotFound) {
		s.log.InfoContext(ctx, "password reset asked for an address without an account", "ip", c.IP)
		return nil
	} else if err != nil {
		return s.internal("look up user", err)
	}
	token, at, valid := randomString(resetTokenLength), s.now(), s.email.resetLifetime()
	if err := s.store.createVerification(ctx, verification{
		ID: newID(), Identifier: resetIdentifier(token), Value: u.ID, ExpiresAt: at.Add(valid), CreatedAt: at,
	}); err != nil {
		return s.internal("create reset token", err)
	}
	link := s.authURL + "/reset-password/" + token + "?callbackURL=" + encodeURIComponent(redirectTo)
	if err := s.sendMail(ctx, resetPasswordMail, u.Email, u, "", link, valid); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "password reset link sent", "user_id", u.ID, "ip", c.IP)
	return nil
}

// CheckResetToken tells whether a reset token may still be used: ErrInvalidResetToken when it
// is unknown, spent or expired.
func (s *Service) CheckResetToken(ctx context.Context, token string) error {
	_, err := s.resetToken(ctx, token)
	return err
}

func (s *Service) resetToken(ctx context.Context, token string) (verification, error) {
	if token == "" || !storable(token) {
		return verification{}, ErrInvalidResetToken
	}
	v, err := s.findVerification(ctx, resetIdentifier(token))
	switch {
	case errors.Is(err, errNotFound):
		return verification{}, ErrInvalidResetToken
	case err != nil:
		return verification{}, s.internal("read reset token", err)
	case v.ExpiresAt.Before(s.now()):
		return verification{}, ErrInvalidResetToken
	}
	return v, nil
}

// findVerification is the newest verification row of identifier. Now and then it first
// deletes expired rows, as Better Auth does on the same lookup, so that the table keeps only
// tokens that may still be used.
func (s *Service) findVerification(ctx context.Context, identifier string) (verification, error) {
	if at := s.now(); s.sweeper.due(at) {
		if err := s.store.deleteExpiredVerifications(ctx, at); err != nil {
			s.log.WarnContext(ctx, "delete expired verification rows", "err", err)
		}
	}
	return s.store.verificationByIdentifier(ctx, identifier)
}

// ResetPassword sets a new password with a reset token, once: the token's row is deleted in
// the transaction that sets the password (and, with RevokeSessionsOnPasswordReset, ends the
// user's sessions), so that of two requests with one token only one succeeds.
func (s *Service) ResetPassword(ctx context.Context, token, newPassword string, c Client) error {
	if err := s.Allow(ctx, c, resetPasswordPath); err != nil {
		return err
	}
	if token == "" {
		return ErrInvalidResetToken
	}
	if err := checkNewPassword(newPassword); err != nil {
		return err
	}
	v, err := s.resetToken(ctx, token)
	if err != nil {
		return err
	}
	u, err := s.store.userByID(ctx, v.Value)
	if errors.Is(err, errNotFound) {
		return errResetUserNotFound
	} else if err != nil {
		return s.internal("look up user", err)
	}
	hash, err := s.hasher.hash(ctx, c.IP, newPassword)
	if err != nil {
		return s.internal("hash password", err)
	}
	revoke := s.email.RevokeSessionsOnPasswordReset
	if err := s.store.resetPassword(ctx, v.Identifier, u.ID, hash, s.now(), revoke); errors.Is(err, errNotFound) {
		return ErrInvalidResetToken
	} else if err != nil {
		return s.internal("reset password", err)
	}
	s.log.InfoContext(ctx, "password reset", "user_id", u.ID, "sessions_revoked", revoke, "ip", c.IP)
	return nil
}

// SendVerificationEmail mails a verification link to the address. Signed in (a not nil), the
// address must be the user's, and not verified yet. Signed out, the answer is the same, after
// the same time, whether the address has an unverified account, a verified one or none; only
// the first gets a mail. callbackURL is where the link leads once used ("" is "/").
func (s *Service) SendVerificationEmail(ctx context.Context, email, callbackURL string, a *Authenticated, c Client) error {
	if err := s.Allow(ctx, c, sendVerificationPath); err != nil {
		return err
	}
	if !s.mailOn() {
		return ErrVerificationDisabled
	}
	if !validEmail(email) {
		return validationError("email", "Invalid email address")
	}
	if a != nil {
		switch {
		case !strings.EqualFold(a.User.Email, strings.TrimSpace(email)):
			return errEmailMismatch
		case a.User.EmailVerified:
			return ErrEmailAlreadyVerified
		}
		return s.sendVerification(ctx, a.User, callbackURL)
	}
	defer quiet(ctx, time.Now())
	u, err := s.store.userByEmail(ctx, normalEmail(email))
	switch {
	case errors.Is(err, errNotFound):
		return nil
	case err != nil:
		return s.internal("look up user", err)
	case u.EmailVerified:
		return nil
	}
	return s.sendVerification(ctx, u, callbackURL)
}

// sendVerification mails u a link that verifies their address: Better Auth's
// <BETTER_AUTH_URL>/api/auth/verify-email?token=<signed token>&callbackURL=<callbackURL>.
func (s *Service) sendVerification(ctx context.Context, u User, callbackURL string) error {
	return s.sendEmailLink(ctx, verifyEmailMail, u, u.Email, emailClaims{Email: u.Email, UserID: u.ID},
		callbackURL, s.email.verificationLifetime())
}

// sendEmailLink signs claims into a verify-email link and mails it to the address to.
func (s *Service) sendEmailLink(ctx context.Context, k mailKind, u User, to string, claims emailClaims, callbackURL string, valid time.Duration) error {
	token, err := signEmailToken(s.secret, claims, s.now(), valid)
	if err != nil {
		return s.internal("sign email token", err)
	}
	if callbackURL == "" {
		callbackURL = "/"
	}
	link := s.authURL + "/verify-email?token=" + token + "&callbackURL=" + encodeURIComponent(callbackURL)
	return s.sendMail(ctx, k, to, u, claims.UpdateTo, link, valid)
}

// ChangeEmail starts a change of the user's address: a link to the new address, which
// changes it once opened. When the new address has an account already, nothing is sent and
// the answer is the same, after the same time.
func (s *Service) ChangeEmail(ctx context.Context, a Authenticated, newEmail, callbackURL string, c Client) error {
	if err := s.Allow(ctx, c, changeEmailPath); err != nil {
		return err
	}
	if !s.email.ChangeEmail {
		return ErrChangeEmailDisabled
	}
	if !validEmail(newEmail) {
		return validationError("newEmail", "Invalid email address")
	}
	newEmail = normalEmail(newEmail)
	if newEmail == a.User.Email {
		return ErrSameEmail
	}
	if !s.mailOn() {
		return ErrChangeEmailNoMail
	}
	defer quiet(ctx, time.Now())
	if _, err := s.store.userByEmail(ctx, newEmail); err == nil {
		s.log.InfoContext(ctx, "change of email to an address that has an account", "user_id", a.User.ID)
		return nil
	} else if !errors.Is(err, errNotFound) {
		return s.internal("look up user", err)
	}
	claims := emailClaims{Email: a.User.Email, UpdateTo: newEmail, RequestType: changeEmailVerification, UserID: a.User.ID}
	if err := s.sendEmailLink(ctx, changeEmailMail, a.User, newEmail, claims, callbackURL, s.email.verificationLifetime()); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "change of email: link sent to the new address", "user_id", a.User.ID)
	return nil
}

// emailVerified is what a verify-email link did.
type emailVerified struct {
	// user is the user after a change of address, which Better Auth answers; nil otherwise.
	user *User
	// confirmed: the link was the current address's approval of a change, and a link is now
	// on its way to the new address. Better Auth answers only the status then.
	confirmed bool
}

// verifyEmail follows a verify-email link, as Better Auth's verify-email does: it verifies
// the token's address, or for a change of address, changes it (or, for the current address's
// approval, sends the link to the new one). session reads the caller's session, which a
// change of address must not belong to another user; it is nil when there is none.
func (s *Service) verifyEmail(ctx context.Context, token, callbackURL string, session func() (*Authenticated, error)) (emailVerified, error) {
	claims, err := verifyEmailToken(s.secret, token, s.now())
	switch {
	case errors.Is(err, errEmailTokenExpired):
		return emailVerified{}, errLinkExpired
	case err != nil, !storable(claims.UserID), !storable(claims.UpdateTo):
		return emailVerified{}, errLinkInvalid
	}
	if claims.UpdateTo != "" {
		return s.changeEmailByLink(ctx, claims, callbackURL, session)
	}
	u, err := s.store.userByEmail(ctx, strings.ToLower(claims.Email))
	switch {
	case errors.Is(err, errNotFound):
		return emailVerified{}, errLinkUserNotFound
	case err != nil:
		return emailVerified{}, s.internal("look up user", err)
	case claims.UserID != "" && claims.UserID != u.ID:
		return emailVerified{}, errLinkInvalid
	case u.EmailVerified:
		return emailVerified{}, nil
	}
	if _, err := s.store.setEmail(ctx, u.ID, u.Email, true, s.now()); err != nil {
		return emailVerified{}, s.internal("verify email", err)
	}
	s.log.InfoContext(ctx, "email verified", "user_id", u.ID)
	return emailVerified{}, nil
}

// changeEmailByLink is verifyEmail for a token that changes the user's address.
func (s *Service) changeEmailByLink(ctx context.Context, claims emailClaims, callbackURL string, session func() (*Authenticated, error)) (emailVerified, error) {
	if claims.UserID == "" {
		return emailVerified{}, errLinkInvalid
	}
	u, err := s.store.userByID(ctx, claims.UserID)
	switch {
	case errors.Is(err, errNotFound):
		return emailVerified{}, errLinkUserNotFound
	case err != nil:
		return emailVerified{}, s.internal("look up user", err)
	case strings.ToLower(u.Email) != claims.Email:
		return emailVerified{}, errLinkInvalid // the address changed since the link was made
	}
	a, err := session()
	if err != nil {
		return emailVerified{}, err
	}
	if a != nil && a.User.ID != u.ID {
		return emailVerified{}, errLinkInvalidUser
	}
	newEmail := strings.ToLower(claims.UpdateTo)
	verified := false
	switch claims.RequestType {
	case changeEmailConfirmation:
		// The current address approved: now the new one must prove it is the user's.
		if s.mailOn() {
			next := emailClaims{Email: claims.Email, UpdateTo: newEmail, RequestType: changeEmailVerification, UserID: u.ID}
			if err := s.sendEmailLink(ctx, changeEmailMail, u, newEmail, next, callbackURL, s.email.verificationLifetime()); err != nil {
				return emailVerified{}, err
			}
		}
		return emailVerified{confirmed: true}, nil
	case changeEmailVerification:
		// The new address proved it is the user's; as in Better Auth, it is as verified as
		// the old one was.
		verified = u.EmailVerified
	}
	changed, err := s.store.setEmail(ctx, u.ID, newEmail, verified, s.now())
	switch {
	case errors.Is(err, errEmailTaken):
		return emailVerified{}, ErrUserExists // someone signed up with it since the link was sent
	case err != nil:
		return emailVerified{}, s.internal("change email", err)
	}
	s.log.InfoContext(ctx, "email changed", "user_id", u.ID)
	if claims.RequestType != changeEmailVerification && s.mailOn() {
		// Better Auth's older flow changes the address first, then asks the new one to verify.
		if err := s.sendEmailLink(ctx, verifyEmailMail, changed, newEmail, emailClaims{Email: newEmail, UserID: u.ID}, callbackURL, defaultLinkLifetime); err != nil {
			return emailVerified{}, err
		}
	}
	return emailVerified{user: &changed}, nil
}
