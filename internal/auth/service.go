// Package auth is the built-in authentication server, wire-compatible with Better Auth 1.7
// (email and password, and its jwt plugin): the same tables and rows, password hashes, signed
// session cookies, JWTs and JWKS, and the same HTTP API under /api/auth. A Better Auth sharing
// the database and the secret accepts our users, sessions and keys, and we accept its.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"runtime"
	"strings"
	"time"

	"todo/internal/apperr"
	"todo/internal/database"
	"todo/internal/jwt"
	"todo/internal/observe"
)

// Better Auth's session timings.
const (
	sessionExpiresIn      = 7 * 24 * time.Hour
	sessionUpdateAge      = 24 * time.Hour
	sessionFreshAge       = 24 * time.Hour
	unrememberedExpiresIn = 24 * time.Hour
	tokenLifetime         = 15 * time.Minute
	sessionTokenLength    = 32
)

// Config configures the auth server.
type Config struct {
	Secret  string
	BaseURL *url.URL
	// TrustedOrigins may make state-changing requests with cookies and appear in callback URLs;
	// the origin of BaseURL is always trusted.
	TrustedOrigins []string
	RateLimit      bool
	// RateLimitStorage is where the limits count: RateLimitMemory (each instance apart) or
	// RateLimitDatabase (every instance in Better Auth's "rateLimit" table).
	RateLimitStorage string
	TrustedProxies   []netip.Prefix
	// KeyRotation, when positive, gives each new signing key that lifetime.
	KeyRotation time.Duration
	// UserData deletes what the rest of the app keeps for a user when the user is deleted.
	UserData UserData
	// MaxSessions is how many sessions one user may have (QUOTA_SESSIONS); 0 is no limit. A
	// sign-in at the limit ends the user's oldest sessions rather than being refused (see
	// store.createSession).
	MaxSessions int
	// DeletedUsers, when set, learns of each user this instance deletes, at once.
	DeletedUsers DeletedUsers
	// Mailer carries the mails of password reset, email verification and change of email;
	// without one that is enabled, those features are off.
	Mailer Mailer
	// AppName names the app in its mails.
	AppName string
	// Email sets the flows that send mail.
	Email EmailOptions
	// Now is the clock of reset and verification links (their expiry); nil is time.Now.
	Now func() time.Time
}

// UserData is what another domain keeps for users (the task domain: their tasks). Auth knows
// nothing of its schema; it only asks it to go when its user does.
type UserData interface {
	DeleteUserData(ctx context.Context, userID string) error
}

// Service signs users up and in, keeps their sessions and issues their JWTs. The HTTP API and
// the web UI both go through it.
type Service struct {
	store    *store
	hasher   *passwordHasher
	cookies  cookieJar
	keys     *keyring
	limiter  *rateLimiter
	origins  []string
	issuer   string
	proxies  []netip.Prefix
	userData UserData
	// maxSessions bounds the sessions of a user (0: no bound).
	maxSessions int
	deleted     DeletedUsers
	log         *slog.Logger

	// The flows that send mail: the mailer, the app name the mails give, the settings, the
	// secret that signs verification links, the URL of this API that the links lead to, and
	// the clock of their expiry.
	mailer  Mailer
	appName string
	email   EmailOptions
	secret  []byte
	authURL string
	clock   func() time.Time
	sweeper verificationSweeper
}

// New returns the auth service over db.
func New(db *database.DB, cfg Config, log *slog.Logger) *Service {
	st := newStore(db)
	issuer := cfg.BaseURL.Scheme + "://" + cfg.BaseURL.Host
	s := &Service{
		store:    st,
		hasher:   newPasswordHasher(runtime.NumCPU() / 2),
		cookies:  cookieJar{secret: []byte(cfg.Secret), secure: cfg.BaseURL.Scheme == "https"},
		keys:     newKeyring(st, cfg.Secret, cfg.KeyRotation),
		origins:  append([]string{issuer}, cfg.TrustedOrigins...),
		issuer:   issuer,
		proxies:  cfg.TrustedProxies,
		userData: cfg.UserData,
		log:      log.With("component", "auth"),
	}
	s.maxSessions, s.deleted = cfg.MaxSessions, cfg.DeletedUsers
	s.mailer, s.appName, s.email = cfg.Mailer, cfg.AppName, cfg.Email
	s.secret, s.authURL, s.clock = []byte(cfg.Secret), issuer+BasePath, cfg.Now
	if s.appName == "" {
		s.appName = "Todo"
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if cfg.RateLimit {
		s.limiter = newRateLimiterIn(st, cfg.RateLimitStorage)
	}
	return s
}

// CheckKeys reports, at start-up, a signing key that this server cannot use: one that a
// Better Auth sharing the database encrypted with another BETTER_AUTH_SECRET. Without the
// check, the first token request would be the first to know, with a 500.
func (s *Service) CheckKeys(ctx context.Context) error {
	if err := s.keys.check(ctx); err != nil {
		return fmt.Errorf("%w; set BETTER_AUTH_SECRET to the secret of the Better Auth server that shares this database, "+
			"or set AUTH_URL to that server to trust its tokens instead of issuing ours", err)
	}
	return nil
}

// Keys is the built-in key set, for the task API's verifier.
func (s *Service) Keys() jwt.KeySource { return s.keys }

// Issuer is the iss and aud of the JWTs the service signs: the origin of its base URL.
func (s *Service) Issuer() string { return s.issuer }

// Better Auth's error codes and messages. The exported ones are those the web UI words for
// people.
var (
	ErrInvalidCredentials = &apperr.Error{Kind: apperr.Unauthorized, Code: "INVALID_EMAIL_OR_PASSWORD", Message: "Invalid email or password"}
	ErrInvalidEmail       = &apperr.Error{Kind: apperr.BadRequest, Code: "INVALID_EMAIL", Message: "Invalid email"}
	ErrPasswordTooShort   = &apperr.Error{Kind: apperr.BadRequest, Code: "PASSWORD_TOO_SHORT", Message: "Password too short"}
	ErrPasswordTooLong    = &apperr.Error{Kind: apperr.BadRequest, Code: "PASSWORD_TOO_LONG", Message: "Password too long"}
	ErrUserExists         = &apperr.Error{Kind: apperr.Invalid, Code: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", Message: "User already exists. Use another email."}
	errUnauthorized       = &apperr.Error{Kind: apperr.Unauthorized, Code: "UNAUTHORIZED", Message: "Unauthorized"}
	ErrInvalidPassword    = &apperr.Error{Kind: apperr.BadRequest, Code: "INVALID_PASSWORD", Message: "Invalid password"}
	errNoCredential       = &apperr.Error{Kind: apperr.BadRequest, Code: "CREDENTIAL_ACCOUNT_NOT_FOUND", Message: "Credential account not found"}
	errSessionExpired     = &apperr.Error{Kind: apperr.BadRequest, Code: "SESSION_EXPIRED", Message: "Session expired. Re-authenticate to perform this action."}
)

// now is the service's clock at Better Auth's precision.
func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }

// tooManyRequests is Better Auth's 429, to be tried again after retry.
func tooManyRequests(retry time.Duration) *apperr.Error {
	return &apperr.Error{Kind: apperr.RateLimited, Message: "Too many requests. Please try again later.", RetryAfter: retry}
}

// Client is what the service records about who is asking.
type Client struct {
	IP        string
	UserAgent string
}

// SignUpInput is what sign-up takes.
type SignUpInput struct {
	Name     string
	Email    string
	Password string
	Image    *string
	Remember bool
	// CallbackURL is where the verification link sent on sign-up leads ("" is "/").
	CallbackURL string
}

// SignInInput is what sign-in takes.
type SignInInput struct {
	Email    string
	Password string
	Remember bool
	// CallbackURL is where a verification link sent on this sign-in leads ("" is "/").
	CallbackURL string
}

// Authenticated is a user with a session.
type Authenticated struct {
	Session  Session `json:"session"`
	User     User    `json:"user"`
	Remember bool    `json:"-"`
}

// HasSession tells whether a sign-up opened a session: with RequireEmailVerification it does
// not, and the user signs in once their address is verified.
func (a Authenticated) HasSession() bool { return a.Session.Token != "" }

// Rate-limit keys of the endpoints whose limits the service applies itself, so that every
// door counts in the same buckets.
const (
	signUpPath = "/sign-up/email"
	signInPath = "/sign-in/email"
)

// normalEmail is an email address as it is kept: without surrounding white space, in lower
// case (Better Auth lowercases it too).
func normalEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// SignUp creates a user with an email-and-password account and signs them in. The name and
// email are trimmed; as in Better Auth, the name may be empty. With RequireEmailVerification,
// as in Better Auth, it opens no session, and an address that has an account already gets
// the answer of a new one (a made-up user), after the same time, instead of an error.
func (s *Service) SignUp(ctx context.Context, in SignUpInput, c Client) (Authenticated, error) {
	if err := s.Allow(ctx, c, signUpPath); err != nil {
		return Authenticated{}, err
	}
	in.Name = strings.TrimSpace(in.Name)
	if err := checkProfile(&in.Name, in.Image); err != nil {
		return Authenticated{}, err
	}
	if !validEmail(in.Email) {
		return Authenticated{}, validationError("email", "Invalid email address")
	}
	if err := checkNewPassword(in.Password); err != nil {
		return Authenticated{}, err
	}
	email, quietly := normalEmail(in.Email), s.email.RequireEmailVerification
	if quietly {
		defer quiet(ctx, time.Now())
	}
	at := now()
	u := User{ID: newID(), Name: in.Name, Email: email, Image: in.Image, CreatedAt: Time{at}, UpdatedAt: Time{at}}
	if _, err := s.store.userByEmail(ctx, email); err == nil {
		if !quietly {
			return Authenticated{}, ErrUserExists
		}
		if _, err := s.hasher.hash(ctx, c.IP, in.Password); err != nil {
			return Authenticated{}, s.internal("hash password", err)
		}
		return Authenticated{User: u}, nil
	} else if !errors.Is(err, errNotFound) {
		return Authenticated{}, s.internal("look up user", err)
	}
	hash, err := s.hasher.hash(ctx, c.IP, in.Password)
	if err != nil {
		return Authenticated{}, s.internal("hash password", err)
	}
	a := Authenticated{User: u, Remember: in.Remember}
	var se *Session
	if !quietly {
		a.Session = s.newSession(u.ID, in.Remember, c, at)
		se = &a.Session
	}
	if err := s.store.createUser(ctx, u, hash, se); errors.Is(err, errEmailTaken) {
		if quietly {
			return Authenticated{User: u}, nil
		}
		return Authenticated{}, ErrUserExists
	} else if err != nil {
		return Authenticated{}, s.internal("create user", err)
	}
	s.log.InfoContext(ctx, "sign-up", "user_id", u.ID, "ip", c.IP)
	if s.email.SendOnSignUp && s.mailOn() {
		// As in Better Auth, the account stands even if the mail cannot go: the user can ask
		// for another link.
		if err := s.sendVerification(ctx, u, in.CallbackURL); err != nil {
			s.log.WarnContext(ctx, "sign-up: no verification mail", "user_id", u.ID, "err", err)
		}
	}
	return a, nil
}

// SignIn checks an email and password and opens a new session. An unknown email and a wrong
// password give the same answer in the same time. With RequireEmailVerification, a user whose
// address is not verified is refused with EMAIL_NOT_VERIFIED (after the password is checked,
// as in Better Auth), and with SendOnSignIn gets a new verification link.
func (s *Service) SignIn(ctx context.Context, in SignInInput, c Client) (Authenticated, error) {
	if err := s.Allow(ctx, c, signInPath); err != nil {
		return Authenticated{}, err
	}
	email, password, remember := in.Email, in.Password, in.Remember
	if !validEmail(email) {
		return Authenticated{}, ErrInvalidEmail
	}
	if jsLength(password) > MaxPasswordLength {
		return Authenticated{}, ErrPasswordTooLong
	}
	fail := func(reason string) (Authenticated, error) {
		s.log.WarnContext(ctx, "sign-in failed", "reason", reason, "ip", c.IP)
		observe.AuthFailed(ctx, "sign_in")
		return Authenticated{}, ErrInvalidCredentials
	}
	u, err := s.store.userByEmail(ctx, normalEmail(email))
	if errors.Is(err, errNotFound) {
		if err := s.hasher.burn(ctx, c.IP, password); err != nil {
			return Authenticated{}, s.internal("hash password", err)
		}
		return fail("unknown email")
	} else if err != nil {
		return Authenticated{}, s.internal("look up user", err)
	}
	hash, err := s.store.credentialPassword(ctx, u.ID)
	if errors.Is(err, errNotFound) {
		if err := s.hasher.burn(ctx, c.IP, password); err != nil {
			return Authenticated{}, s.internal("hash password", err)
		}
		return fail("no password account")
	} else if err != nil {
		return Authenticated{}, s.internal("read password", err)
	}
	ok, err := s.hasher.verify(ctx, c.IP, hash, password)
	if err != nil {
		return Authenticated{}, s.internal("verify password", err)
	}
	if !ok {
		return fail("wrong password")
	}
	if s.email.RequireEmailVerification && !u.EmailVerified {
		s.log.InfoContext(ctx, "sign-in refused: email not verified", "user_id", u.ID, "ip", c.IP)
		if s.email.SendOnSignIn && s.mailOn() {
			if err := s.sendVerification(ctx, u, in.CallbackURL); err != nil {
				s.log.WarnContext(ctx, "sign-in: no verification mail", "user_id", u.ID, "err", err)
			}
		}
		return Authenticated{}, ErrEmailNotVerified
	}
	se := s.newSession(u.ID, remember, c, now())
	if err := s.store.createSession(ctx, se, s.maxSessions); err != nil {
		return Authenticated{}, s.internal("create session", err)
	}
	s.log.InfoContext(ctx, "sign-in", "user_id", u.ID, "ip", c.IP)
	return Authenticated{Session: se, User: u, Remember: remember}, nil
}

func (s *Service) newSession(userID string, remember bool, c Client, at time.Time) Session {
	expiresIn := sessionExpiresIn
	if !remember {
		expiresIn = unrememberedExpiresIn
	}
	ip, ua := c.IP, c.UserAgent
	return Session{
		ID: newID(), Token: randomString(sessionTokenLength), UserID: userID,
		ExpiresAt: Time{at.Add(expiresIn)}, CreatedAt: Time{at}, UpdatedAt: Time{at},
		IPAddress: &ip, UserAgent: &ua,
	}
}

// SetSessionCookie sends the cookie of a new session (and, for a remembered one, expires any
// dont_remember flag left by an earlier session).
func (s *Service) SetSessionCookie(w http.ResponseWriter, a Authenticated) {
	s.cookies.setSession(w, nil, a.Session.Token, a.Remember)
}

// ClearSessionCookies expires the session cookies.
func (s *Service) ClearSessionCookies(w http.ResponseWriter) { s.cookies.clear(w, nil) }

// Session returns the session of the request's cookie, or nil when there is none or it is not
// valid. As Better Auth does, an expired session is deleted and its cookies cleared, and a
// session last refreshed more than a day ago is extended by the full lifetime, its cookie sent
// again (unless the user asked not to be remembered).
func (s *Service) Session(ctx context.Context, w http.ResponseWriter, r *http.Request) (*Authenticated, error) {
	return s.readSession(ctx, w, r, true)
}

// readSession is Session; refresh false is Better Auth's disableRefresh.
func (s *Service) readSession(ctx context.Context, w http.ResponseWriter, r *http.Request, refresh bool) (*Authenticated, error) {
	s.cookies.expireSessionData(w, r)
	token, ok := s.cookies.signed(r, sessionCookie)
	if !ok {
		return nil, nil
	}
	se, u, err := s.store.sessionByToken(ctx, token)
	if errors.Is(err, errNotFound) {
		s.cookies.clear(w, r)
		return nil, nil
	}
	if err != nil {
		return nil, s.internal("read session", err)
	}
	at := now()
	if se.ExpiresAt.Before(at) {
		if err := s.store.deleteSession(ctx, token); err != nil {
			return nil, s.internal("delete expired session", err)
		}
		s.cookies.clear(w, r)
		return nil, nil
	}
	_, dontRemember := s.cookies.signed(r, dontRememberCookie)
	if refresh && !dontRemember && !se.ExpiresAt.Add(-sessionExpiresIn+sessionUpdateAge).After(at) {
		se.ExpiresAt, se.UpdatedAt = Time{at.Add(sessionExpiresIn)}, Time{at}
		if err := s.store.refreshSession(ctx, se.ID, se.ExpiresAt.Time, at); err != nil {
			return nil, s.internal("refresh session", err)
		}
		s.cookies.setSession(w, r, token, true)
	}
	return &Authenticated{Session: se, User: u, Remember: !dontRemember}, nil
}

// SignOut deletes the session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if err := s.store.deleteSession(ctx, token); err != nil {
		return s.internal("delete session", err)
	}
	return nil
}

// Token signs a JWT for the user, as Better Auth's jwt plugin does.
func (s *Service) Token(ctx context.Context, u User) (string, error) {
	row, signer, err := s.keys.signer(ctx)
	if err != nil {
		return "", s.internal("signing key", err)
	}
	payload, err := tokenClaims(u, time.Now().Unix(), s.issuer)
	if err != nil {
		return "", err
	}
	return jwt.Sign(deref(row.Alg, jwt.EdDSA), row.ID, signer, payload)
}

// tokenClaims is the payload of the user's JWT issued at iat, byte for byte as Better Auth's
// jwt plugin writes it: iat, the whole user, then sub, exp (15 minutes later) and
// iss = aud = the origin of the base URL.
func tokenClaims(u User, iat int64, issuer string) ([]byte, error) {
	return marshalJSON(struct {
		Iat int64 `json:"iat"`
		User
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
		Iss string `json:"iss"`
		Aud string `json:"aud"`
	}{iat, u, u.ID, iat + int64(tokenLifetime.Seconds()), issuer, issuer})
}

// JWKS is the published key set.
func (s *Service) JWKS(ctx context.Context) ([]byte, error) {
	b, err := s.keys.jwks(ctx)
	if err != nil {
		return nil, s.internal("read keys", err)
	}
	return b, nil
}

// internal is an unexpected failure while doing what, as the client may see it; the door
// that answers logs it.
func (s *Service) internal(what string, err error) error {
	return apperr.From(fmt.Errorf("auth: %s: %w", what, err))
}
