package auth_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

// checkPrivateKey opens a jwks.privateKey column as Better Auth would: JSON string of the hex
// of nonce ‖ XChaCha20-Poly1305(SHA-256(secret)), holding the private JWK of the public x.
func checkPrivateKey(t *testing.T, column, secret, x string) {
	t.Helper()
	var sealedHex string
	if err := json.Unmarshal([]byte(column), &sealedHex); err != nil || !regexp.MustCompile(`^[0-9a-f]+$`).MatchString(sealedHex) {
		t.Fatalf("privateKey %.40s…: want a JSON string of lower-case hex", column)
	}
	sealed, _ := hex.DecodeString(sealedHex)
	key := sha256.Sum256([]byte(secret))
	aead, _ := chacha20poly1305.NewX(key[:])
	plain, err := aead.Open(nil, sealed[:24], sealed[24:], nil)
	if err != nil {
		t.Fatalf("privateKey does not open under SHA-256 of the secret: %v", err)
	}
	wantKeys(t, "private JWK", plain, "crv", "d", "x", "kty")
	var jwk struct{ Crv, D, X, Kty string }
	json.Unmarshal(plain, &jwk)
	d, err := base64.RawURLEncoding.DecodeString(jwk.D)
	if err != nil || len(d) != ed25519.SeedSize {
		t.Fatalf("d %q is not an Ed25519 seed", jwk.D)
	}
	pub := ed25519.NewKeyFromSeed(d).Public().(ed25519.PublicKey)
	if jwk.Crv != "Ed25519" || jwk.Kty != "OKP" || jwk.X != x || base64.RawURLEncoding.EncodeToString(pub) != x {
		t.Errorf("private JWK %s: want the Ed25519 key of x %s", plain, x)
	}
}

// testRows checks the rows as Better Auth stores them: on SQLite, ISO text dates with
// milliseconds and Z and 0/1 booleans (as captures/sqlite/rows.txt shows with typeof()); on
// PostgreSQL, timestamptz to the millisecond and boolean.
func testRows(t *testing.T, e *env) {
	t.Parallel()
	c := e.client()
	a := c.signUp(t, uniqueEmail(t, "rows"))
	c.get(t, "/api/auth/token").want(t, http.StatusOK, "")
	_, set := e.jwks(t)
	kid := set[0].Kid

	type column struct{ table, name, where, arg, kind string }
	// kind: "id", "text", "date", "bool", "null"
	columns := []column{
		{"user", "id", "id", a.User.ID, "text"},
		{"user", "name", "id", a.User.ID, "text"},
		{"user", "email", "id", a.User.ID, "text"},
		{"user", "emailVerified", "id", a.User.ID, "bool"},
		{"user", "image", "id", a.User.ID, "null"},
		{"user", "createdAt", "id", a.User.ID, "date"},
		{"user", "updatedAt", "id", a.User.ID, "date"},
		{"session", "expiresAt", "token", a.Token, "date"},
		{"session", "createdAt", "token", a.Token, "date"},
		{"session", "updatedAt", "token", a.Token, "date"},
		{"session", "ipAddress", "token", a.Token, "text"},
		{"session", "userAgent", "token", a.Token, "text"},
		{"account", "accountId", "userId", a.User.ID, "text"},
		{"account", "accessToken", "userId", a.User.ID, "null"},
		{"account", "refreshToken", "userId", a.User.ID, "null"},
		{"account", "idToken", "userId", a.User.ID, "null"},
		{"account", "accessTokenExpiresAt", "userId", a.User.ID, "null"},
		{"account", "refreshTokenExpiresAt", "userId", a.User.ID, "null"},
		{"account", "scope", "userId", a.User.ID, "null"},
		{"account", "password", "userId", a.User.ID, "text"},
		{"account", "createdAt", "userId", a.User.ID, "date"},
		{"account", "updatedAt", "userId", a.User.ID, "date"},
		{"jwks", "createdAt", "id", kid, "date"},
		{"jwks", "expiresAt", "id", kid, "null"},
		{"jwks", "alg", "id", kid, "text"},
	}
	for _, col := range columns {
		var typ string
		var value any
		if e.pg {
			query := fmt.Sprintf(`SELECT pg_typeof(%q)::text, %q FROM %q WHERE %q = $1`, col.name, col.name, col.table, col.where)
			if err := e.db.QueryRow(query, col.arg).Scan(&typ, &value); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			want := map[string]string{"text": "text", "null": typ, "date": "timestamp with time zone", "bool": "boolean"}[col.kind]
			if typ != want {
				t.Errorf("%s.%s: got %s, want %s", col.table, col.name, typ, want)
			}
			if col.kind == "date" {
				var micros int64
				e.db.QueryRow(fmt.Sprintf(`SELECT extract(microseconds FROM %q)::bigint %% 1000 FROM %q WHERE %q = $1`, col.name, col.table, col.where), col.arg).Scan(&micros)
				if micros != 0 {
					t.Errorf("%s.%s: sub-millisecond precision (%d µs); Better Auth writes milliseconds", col.table, col.name, micros)
				}
			}
		} else {
			// The concatenation hides the declared type, from which the driver would make a
			// time.Time of the text.
			query := fmt.Sprintf(`SELECT typeof(%q), %q || '' FROM %q WHERE %q = ?`, col.name, col.name, col.table, col.where)
			if col.kind == "bool" {
				query = fmt.Sprintf(`SELECT typeof(%q), %q FROM %q WHERE %q = ?`, col.name, col.name, col.table, col.where)
			}
			if err := e.db.QueryRow(query, col.arg).Scan(&typ, &value); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			want := map[string]string{"text": "text", "null": "null", "date": "text", "bool": "integer"}[col.kind]
			if typ != want {
				t.Errorf("%s.%s: got typeof %s, want %s", col.table, col.name, typ, want)
			}
			if s, ok := value.(string); col.kind == "date" && (!ok || !isoMillis.MatchString(s)) {
				t.Errorf("%s.%s: got %v, want ISO 8601 with milliseconds and Z", col.table, col.name, value)
			}
			if col.kind == "bool" && value != int64(0) {
				t.Errorf("%s.%s: got %v, want 0", col.table, col.name, value)
			}
		}
		if col.kind == "null" && value != nil {
			t.Errorf("%s.%s: got %v, want NULL", col.table, col.name, value)
		}
		if col.kind == "bool" && e.pg && value != false {
			t.Errorf("%s.%s: got %v, want false", col.table, col.name, value)
		}
	}

	// The JSON dates are the stored ones.
	var created any
	e.db.QueryRow(e.q(`SELECT "createdAt" FROM "user" WHERE "id" = ?`), a.User.ID).Scan(&created)
	if got := timeOf(t, created).Format("2006-01-02T15:04:05.000Z"); got != a.User.CreatedAt {
		t.Errorf("user.createdAt: stored %s, answered %s", got, a.User.CreatedAt)
	}
	// A verified email, as Better Auth stores it (1 or true), reads back as true.
	verified := any(true)
	if !e.pg {
		verified = 1
	}
	e.exec(t, `UPDATE "user" SET "emailVerified" = ? WHERE "id" = ?`, verified, a.User.ID)
	if s := c.session(t); s == nil || !s.User.EmailVerified {
		t.Errorf("emailVerified stored as %v: got %+v, want true", verified, s)
	}
}
