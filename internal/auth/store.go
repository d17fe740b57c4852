package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"todo/internal/database"
)

// User is a row of Better Auth's "user" table; its JSON is Better Auth's, key for key.
type User struct {
	Name          string  `json:"name"`
	Email         string  `json:"email"`
	EmailVerified bool    `json:"emailVerified"`
	Image         *string `json:"image"`
	CreatedAt     Time    `json:"createdAt"`
	UpdatedAt     Time    `json:"updatedAt"`
	ID            string  `json:"id"`
}

// Session is a row of Better Auth's "session" table; its JSON is Better Auth's.
type Session struct {
	ExpiresAt Time    `json:"expiresAt"`
	Token     string  `json:"token"`
	CreatedAt Time    `json:"createdAt"`
	UpdatedAt Time    `json:"updatedAt"`
	IPAddress *string `json:"ipAddress"`
	UserAgent *string `json:"userAgent"`
	UserID    string  `json:"userId"`
	ID        string  `json:"id"`
}

// keyRow is a row of the jwt plugin's "jwks" table.
type keyRow struct {
	ID         string
	PublicKey  string
	PrivateKey string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	Alg        *string
	Crv        *string
}

// Time is a timestamp as Better Auth keeps it: UTC, to the millisecond, written in JSON as
// JavaScript's Date.toISOString() writes it.
type Time struct{ time.Time }

const isoMillis = "2006-01-02T15:04:05.000Z"

func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(isoMillis) + `"`), nil
}

// Scan reads a timestamp from either dialect: PostgreSQL's timestamptz or SQLite's ISO text.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		t.Time = v.UTC()
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("timestamp of type %T", src)
}

func (t *Time) parse(s string) error {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	t.Time = v.UTC()
	return nil
}

// now is the current time at Better Auth's precision.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

var (
	errNotFound   = errors.New("not found")
	errEmailTaken = errors.New("email taken")
)

// store keeps Better Auth's tables. Auth is far from the hot path, so one implementation
// over database/sql serves both dialects; the differences are placeholders, how timestamps
// are written (timestamptz, or ISO text in SQLite) and how errors are told apart.
type store struct {
	write    *sql.DB
	read     *sql.DB
	postgres bool
}

func newStore(db *database.DB) *store {
	if db.Dialect == database.Postgres {
		pooled := stdlib.OpenDBFromPool(db.Postgres)
		return &store{write: pooled, read: pooled, postgres: true}
	}
	return &store{write: db.SQLite.Write, read: db.SQLite.Read}
}

// rebind rewrites ? placeholders as $1, $2… for PostgreSQL.
func (s *store) rebind(query string) string {
	if !s.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// timestamp is a time as the dialect stores it.
func (s *store) timestamp(v time.Time) any {
	v = v.UTC().Truncate(time.Millisecond)
	if s.postgres {
		return v
	}
	return v.Format(isoMillis)
}

// optionalTime is timestamp, or NULL for nil.
func (s *store) optionalTime(v *time.Time) any {
	if v == nil {
		return nil
	}
	return s.timestamp(*v)
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		return liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

const (
	userColumns    = `"name", "email", "emailVerified", "image", "createdAt", "updatedAt", "id"`
	sessionColumns = `"expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId", "id"`
)

func scanUser(row interface{ Scan(...any) error }, u *User) error {
	var image sql.NullString
	if err := row.Scan(&u.Name, &u.Email, &u.EmailVerified, &image, &u.CreatedAt, &u.UpdatedAt, &u.ID); err != nil {
		return err
	}
	if image.Valid {
		u.Image = &image.String
	}
	return nil
}

func sessionDest(se *Session, ip, ua *sql.NullString) []any {
	return []any{&se.ExpiresAt, &se.Token, &se.CreatedAt, &se.UpdatedAt, ip, ua, &se.UserID, &se.ID}
}

func nullable(ns sql.NullString) *string {
	if !ns.Valid {
		return nil
	}
	return &ns.String
}

// createUser writes the user, their credential account and their first session (when se is
// not nil) in one transaction, as sign-up does.
func (s *store) createUser(ctx context.Context, u User, passwordHash string, se *Session) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO "user" (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		u.Name, u.Email, u.EmailVerified, u.Image, s.timestamp(u.CreatedAt.Time), s.timestamp(u.UpdatedAt.Time), u.ID); err != nil {
		if isUniqueViolation(err) {
			return errEmailTaken
		}
		return err
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt")
		VALUES (?, ?, 'credential', ?, ?, ?, ?)`),
		newID(), u.ID, u.ID, passwordHash, s.timestamp(u.CreatedAt.Time), s.timestamp(u.UpdatedAt.Time)); err != nil {
		return err
	}
	if se != nil {
		if err := s.insertSession(ctx, tx, *se); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *store) userByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := scanUser(s.read.QueryRowContext(ctx, s.rebind(`SELECT `+userColumns+` FROM "user" WHERE "email" = ?`), email), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errNotFound
	}
	return u, err
}

// credentialPassword returns the password hash of the user's email-and-password account.
func (s *store) credentialPassword(ctx context.Context, userID string) (string, error) {
	var hash sql.NullString
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT "password" FROM "account" WHERE "userId" = ? AND "providerId" = 'credential'`),
		userID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !hash.Valid) {
		return "", errNotFound
	}
	return hash.String, err
}

// changePassword sets the user's credential password; with se, it also replaces all of the
// user's sessions by se. One transaction does both.
func (s *store) changePassword(ctx context.Context, userID, hash string, at time.Time, se *Session) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if se != nil {
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM "session" WHERE "userId" = ?`), userID); err != nil {
			return err
		}
	}
	res, err := tx.ExecContext(ctx, s.rebind(`UPDATE "account" SET "password" = ?, "updatedAt" = ? WHERE "userId" = ? AND "providerId" = 'credential'`),
		hash, s.timestamp(at), userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNotFound
	}
	if se != nil {
		if err := s.insertSession(ctx, tx, *se); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *store) updateUser(ctx context.Context, userID string, name, image *string, clearImage bool, at time.Time) (User, error) {
	var u User
	err := scanUser(s.write.QueryRowContext(ctx, s.rebind(`UPDATE "user" SET "name" = coalesce(?, "name"),
		"image" = CASE WHEN ? THEN NULL ELSE coalesce(?, "image") END, "updatedAt" = ?
		WHERE "id" = ? RETURNING `+userColumns), name, clearImage, image, s.timestamp(at), userID), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errNotFound
	}
	return u, err
}

// deleteUser removes the user with their sessions and accounts in one transaction. What other
// parts of the app keep for the user is theirs to delete (Service.DeleteUser's hook).
func (s *store) deleteUser(ctx context.Context, userID string) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range []string{
		`DELETE FROM "session" WHERE "userId" = ?`,
		`DELETE FROM "account" WHERE "userId" = ?`,
		`DELETE FROM "user" WHERE "id" = ?`,
	} {
		if _, err := tx.ExecContext(ctx, s.rebind(stmt), userID); err != nil {
			return err
		}
	}
	return tx.Commit()
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *store) insertSession(ctx context.Context, db execer, se Session) error {
	_, err := db.ExecContext(ctx, s.rebind(`INSERT INTO "session" (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		s.timestamp(se.ExpiresAt.Time), se.Token, s.timestamp(se.CreatedAt.Time), s.timestamp(se.UpdatedAt.Time), se.IPAddress, se.UserAgent, se.UserID, se.ID)
	return err
}

// createSession adds se and, with keep > 0, ends the user's oldest sessions beyond the keep
// newest, in one transaction. At the quota, a sign-in ends the oldest session instead of
// being refused: a refusal would lock the password's owner out of a new device until
// forgotten sessions expire (up to 7 days), since ending sessions needs one; and whoever
// holds the password could end every session through revoke-sessions anyway. The bound on
// rows per user, which the quota is for, holds either way.
func (s *store) createSession(ctx context.Context, se Session, keep int) error {
	if keep <= 0 {
		return s.insertSession(ctx, s.write, se)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.insertSession(ctx, tx, se); err != nil {
		return err
	}
	// The new session stays whatever the clock says: the keep-1 newest others stay beside it.
	if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM "session" WHERE "userId" = ? AND "id" <> ? AND "id" NOT IN
		(SELECT "id" FROM "session" WHERE "userId" = ? AND "id" <> ? ORDER BY "createdAt" DESC, "id" DESC LIMIT ?)`),
		se.UserID, se.ID, se.UserID, se.ID, keep-1); err != nil {
		return err
	}
	return tx.Commit()
}

// sessionByToken returns the session with token and its user.
func (s *store) sessionByToken(ctx context.Context, token string) (Session, User, error) {
	var (
		se      Session
		u       User
		ip, ua  sql.NullString
		image   sql.NullString
		columns = `s."expiresAt", s."token", s."createdAt", s."updatedAt", s."ipAddress", s."userAgent", s."userId", s."id",
			u."name", u."email", u."emailVerified", u."image", u."createdAt", u."updatedAt", u."id"`
	)
	dest := append(sessionDest(&se, &ip, &ua), &u.Name, &u.Email, &u.EmailVerified, &image, &u.CreatedAt, &u.UpdatedAt, &u.ID)
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT `+columns+` FROM "session" s JOIN "user" u ON u."id" = s."userId" WHERE s."token" = ?`),
		token).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, User{}, errNotFound
	}
	if err != nil {
		return Session{}, User{}, err
	}
	se.IPAddress, se.UserAgent, u.Image = nullable(ip), nullable(ua), nullable(image)
	return se, u, nil
}

func (s *store) refreshSession(ctx context.Context, id string, expiresAt, at time.Time) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`UPDATE "session" SET "expiresAt" = ?, "updatedAt" = ? WHERE "id" = ?`),
		s.timestamp(expiresAt), s.timestamp(at), id)
	return err
}

func (s *store) deleteSession(ctx context.Context, token string) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`DELETE FROM "session" WHERE "token" = ?`), token)
	return err
}

// deleteUserSession deletes the user's session with token; it reports false when the user has
// no such session (another user's token is not touched).
func (s *store) deleteUserSession(ctx context.Context, userID, token string) (bool, error) {
	res, err := s.write.ExecContext(ctx, s.rebind(`DELETE FROM "session" WHERE "token" = ? AND "userId" = ?`), token, userID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// deleteUserSessions deletes all of the user's sessions but the one with keepToken.
func (s *store) deleteUserSessions(ctx context.Context, userID, keepToken string) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`DELETE FROM "session" WHERE "userId" = ? AND "token" <> ?`), userID, keepToken)
	return err
}

// activeSessions lists the user's sessions that have not expired.
func (s *store) activeSessions(ctx context.Context, userID string, at time.Time) ([]Session, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT `+sessionColumns+` FROM "session" WHERE "userId" = ? AND "expiresAt" > ? ORDER BY "createdAt"`),
		userID, s.timestamp(at))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sessions := []Session{}
	for rows.Next() {
		var (
			se     Session
			ip, ua sql.NullString
		)
		if err := rows.Scan(sessionDest(&se, &ip, &ua)...); err != nil {
			return nil, err
		}
		se.IPAddress, se.UserAgent = nullable(ip), nullable(ua)
		sessions = append(sessions, se)
	}
	return sessions, rows.Err()
}

func (s *store) keys(ctx context.Context) ([]keyRow, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT "id", "publicKey", "privateKey", "createdAt", "expiresAt", "alg", "crv" FROM "jwks"`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []keyRow
	for rows.Next() {
		var (
			k        keyRow
			created  Time
			expires  sql.Null[Time]
			alg, crv sql.NullString
		)
		if err := rows.Scan(&k.ID, &k.PublicKey, &k.PrivateKey, &created, &expires, &alg, &crv); err != nil {
			return nil, err
		}
		k.CreatedAt, k.Alg, k.Crv = created.Time, nullable(alg), nullable(crv)
		if expires.Valid {
			k.ExpiresAt = &expires.V.Time
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}
