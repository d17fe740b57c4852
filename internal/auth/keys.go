package auth

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"todo/internal/jwt"
)

// keyGracePeriod is how long a key stays published after it expires, so that tokens it signed
// keep verifying until they expire themselves (Better Auth's default).
const keyGracePeriod = 30 * 24 * time.Hour

// keyCreationLock is the PostgreSQL advisory lock (transaction-level) under which an instance
// looks again and creates a signing key, so that instances starting together on an empty
// database make one key between them. Its value is arbitrary, the same in every instance.
const keyCreationLock = 0x746f646f6a776b73 // "todojwks"

// keyring is the jwt plugin's key set kept in the jwks table: it creates the first Ed25519 key
// when one is needed, encrypts private keys exactly as Better Auth does (XChaCha20-Poly1305
// under SHA-256 of the secret, stored as a JSON-quoted hex string), chooses the signing key as
// Better Auth does, rotates keys when a rotation interval is set, and publishes the JWKS. It is
// also the built-in KeySource of the task API's verifier.
type keyring struct {
	store    *store
	secret   string
	rotation time.Duration // 0: keys never expire (Better Auth's default)

	mu      sync.Mutex
	rows    []keyRow
	public  map[string]jwt.PublicKey
	signers map[string]crypto.Signer
}

func newKeyring(s *store, secret string, rotation time.Duration) *keyring {
	return &keyring{store: s, secret: secret, rotation: rotation, signers: map[string]crypto.Signer{}}
}

// Key implements jwt.KeySource. A kid this instance has not seen is looked up in the jwks
// table before it is refused: another instance, or a Better Auth sharing the database, may
// have added the key since this one read the table. The look-up is one primary-key read, made
// outside the keyring's lock, so that tokens with made-up kids cost what any request costs and
// hold up no one.
func (k *keyring) Key(ctx context.Context, kid string) (jwt.PublicKey, error) {
	k.mu.Lock()
	if k.public == nil {
		if err := k.load(ctx); err != nil {
			k.mu.Unlock()
			return jwt.PublicKey{}, fmt.Errorf("%w: %v", jwt.ErrKeysUnavailable, err)
		}
	}
	key, ok := k.public[kid]
	k.mu.Unlock()
	if ok {
		return key, nil
	}
	row, err := k.store.keyByID(ctx, kid)
	if errors.Is(err, errNotFound) {
		return jwt.PublicKey{}, jwt.ErrUnknownKey
	}
	if err != nil {
		return jwt.PublicKey{}, fmt.Errorf("%w: %v", jwt.ErrKeysUnavailable, err)
	}
	key, ok = publicKeyOf(row)
	if !ok {
		return jwt.PublicKey{}, jwt.ErrUnknownKey
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	// The table has changed: read all of it, so that signing and the JWKS see it too.
	if err := k.load(ctx); err != nil {
		k.public[kid] = key
	}
	return key, nil
}

// publicKeyOf reads a row's public key; false when it is not one we can verify with.
func publicKeyOf(row keyRow) (jwt.PublicKey, bool) {
	var jwk jwt.JWK
	if json.Unmarshal([]byte(row.PublicKey), &jwk) != nil {
		return jwt.PublicKey{}, false
	}
	key, err := jwk.PublicKey(deref(row.Alg, ""))
	if err != nil {
		return jwt.PublicKey{}, false
	}
	key.ID = row.ID
	return key, true
}

// load reads the jwks table. Callers hold k.mu.
func (k *keyring) load(ctx context.Context) error {
	rows, err := k.store.keys(ctx)
	if err != nil {
		return err
	}
	public := make(map[string]jwt.PublicKey, len(rows))
	for _, row := range rows {
		if key, ok := publicKeyOf(row); ok {
			public[row.ID] = key
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].CreatedAt.After(rows[j].CreatedAt) })
	k.rows, k.public = rows, public
	return nil
}

// signer returns the key to sign with: the newest unexpired EdDSA key (a key without alg
// counts as EdDSA), else the newest unexpired key of any algorithm; with none, a new key is
// created, which is how keys rotate.
func (k *keyring) signer(ctx context.Context) (keyRow, crypto.Signer, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.public == nil {
		if err := k.load(ctx); err != nil {
			return keyRow{}, nil, err
		}
	}
	row, ok := k.choose(time.Now())
	if !ok {
		// Another instance may have rotated already: look again before creating, and create
		// only if the table still has no usable key once this instance holds the lock.
		if err := k.load(ctx); err != nil {
			return keyRow{}, nil, err
		}
		if row, ok = k.choose(time.Now()); !ok {
			if err := k.create(ctx, true); err != nil {
				return keyRow{}, nil, err
			}
			if row, ok = k.choose(time.Now()); !ok {
				return keyRow{}, nil, errors.New("jwks: no usable key after creating one")
			}
		}
	}
	if s, ok := k.signers[row.ID]; ok {
		return row, s, nil
	}
	s, err := k.decrypt(row.PrivateKey)
	if err != nil {
		return keyRow{}, nil, fmt.Errorf("jwks key %s: %w", row.ID, err)
	}
	k.signers[row.ID] = s
	return row, s, nil
}

// check tells whether the key the keyring would sign with can be opened with its secret. A
// table without keys is fine: the first token creates one.
func (k *keyring) check(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.load(ctx); err != nil {
		return err
	}
	row, ok := k.choose(time.Now())
	if !ok {
		return nil
	}
	if _, err := k.decrypt(row.PrivateKey); err != nil {
		return fmt.Errorf("the JWT signing key %s in the database: %w", row.ID, err)
	}
	return nil
}

func (k *keyring) choose(now time.Time) (keyRow, bool) {
	var fallback *keyRow
	for i, row := range k.rows { // newest first
		if row.ExpiresAt != nil && !row.ExpiresAt.After(now) {
			continue
		}
		if deref(row.Alg, jwt.EdDSA) == jwt.EdDSA {
			return row, true
		}
		if fallback == nil {
			fallback = &k.rows[i]
		}
	}
	if fallback != nil {
		return *fallback, true
	}
	return keyRow{}, false
}

// create makes a new Ed25519 key and stores it, unless the table has one by the time this
// instance holds the creation lock (PostgreSQL: a transaction-level advisory lock; SQLite: an
// IMMEDIATE transaction, which holds the write lock), and then reads the table again. With
// unexpired, a key that has expired does not count. Callers hold k.mu.
func (k *keyring) create(ctx context.Context, unexpired bool) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	publicJWK, err := jwt.PublicJWK(pub)
	if err != nil {
		return err
	}
	privateJWK, err := jwt.PrivateJWK(priv)
	if err != nil {
		return err
	}
	sealed, err := k.encrypt(privateJWK)
	if err != nil {
		return err
	}
	alg, crv := jwt.EdDSA, "Ed25519"
	row := keyRow{ID: newID(), PublicKey: string(publicJWK), PrivateKey: sealed, CreatedAt: now(), Alg: &alg, Crv: &crv}
	if k.rotation > 0 {
		expires := row.CreatedAt.Add(k.rotation)
		row.ExpiresAt = &expires
	}
	if err := k.store.addKeyOnce(ctx, row, unexpired); err != nil {
		return err
	}
	return k.load(ctx)
}

// addKeyOnce inserts the key unless, under the creation lock, the table already has a key
// (with unexpired, one that has not expired at the key's creation time).
func (s *store) addKeyOnce(ctx context.Context, k keyRow, unexpired bool) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(keyCreationLock)); err != nil {
			return err
		}
	}
	query, args := `SELECT count(*) FROM "jwks"`, []any{}
	if unexpired {
		query += ` WHERE "expiresAt" IS NULL OR "expiresAt" > ?`
		args = append(args, s.timestamp(k.CreatedAt))
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.rebind(query), args...).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO "jwks" ("id", "publicKey", "privateKey", "createdAt", "expiresAt", "alg", "crv") VALUES (?, ?, ?, ?, ?, ?, ?)`),
		k.ID, k.PublicKey, k.PrivateKey, s.timestamp(k.CreatedAt), s.optionalTime(k.ExpiresAt), k.Alg, k.Crv); err != nil {
		return err
	}
	return tx.Commit()
}

// keyByID reads one row of the jwks table.
func (s *store) keyByID(ctx context.Context, id string) (keyRow, error) {
	var (
		k        keyRow
		created  Time
		expires  sql.Null[Time]
		alg, crv sql.NullString
	)
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT "id", "publicKey", "privateKey", "createdAt", "expiresAt", "alg", "crv" FROM "jwks" WHERE "id" = ?`), id).
		Scan(&k.ID, &k.PublicKey, &k.PrivateKey, &created, &expires, &alg, &crv)
	if errors.Is(err, sql.ErrNoRows) {
		return keyRow{}, errNotFound
	}
	if err != nil {
		return keyRow{}, err
	}
	k.CreatedAt, k.Alg, k.Crv = created.Time, nullable(alg), nullable(crv)
	if expires.Valid {
		k.ExpiresAt = &expires.V.Time
	}
	return k, nil
}

// encrypt seals a private JWK: XChaCha20-Poly1305 under SHA-256(secret), nonce first, hex,
// as a JSON string literal.
func (k *keyring) encrypt(plaintext []byte) (string, error) {
	key := sha256.Sum256([]byte(k.secret))
	aead, err := chacha20poly1305.NewX(key[:])
	if err != nil {
		return "", err
	}
	nonce := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(plaintext)+aead.Overhead())
	rand.Read(nonce)
	quoted, err := json.Marshal(hex.EncodeToString(aead.Seal(nonce, nonce, plaintext, nil)))
	return string(quoted), err
}

// decrypt opens a private key column: the JSON-quoted hex of encrypt, or the plain private
// JWK that Better Auth stores when private key encryption is disabled.
func (k *keyring) decrypt(column string) (crypto.Signer, error) {
	plaintext := []byte(column)
	if !strings.HasPrefix(strings.TrimSpace(column), "{") {
		var sealedHex string
		if err := json.Unmarshal([]byte(column), &sealedHex); err != nil {
			sealedHex = column
		}
		if strings.HasPrefix(sealedHex, "$ba$") {
			return nil, errors.New("encrypted with a versioned secret (BETTER_AUTH_SECRETS), which this server does not read")
		}
		sealed, err := hex.DecodeString(sealedHex)
		if err != nil || len(sealed) < chacha20poly1305.NonceSizeX {
			return nil, errors.New("private key is neither encrypted hex nor a JWK")
		}
		key := sha256.Sum256([]byte(k.secret))
		aead, err := chacha20poly1305.NewX(key[:])
		if err != nil {
			return nil, err
		}
		if plaintext, err = aead.Open(nil, sealed[:chacha20poly1305.NonceSizeX], sealed[chacha20poly1305.NonceSizeX:], nil); err != nil {
			return nil, errors.New("cannot decrypt the private key: is BETTER_AUTH_SECRET the one that created it?")
		}
	}
	var jwk jwt.JWK
	if err := json.Unmarshal(plaintext, &jwk); err != nil {
		return nil, err
	}
	return jwk.PrivateKey()
}

// jwks returns the published key set: every key that has not passed its grace period, each as
// {alg, crv, …public JWK, kid} in Better Auth's member order. The first call on an empty table
// creates a key, as Better Auth's does.
func (k *keyring) jwks(ctx context.Context) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.load(ctx); err != nil {
		return nil, err
	}
	if len(k.rows) == 0 {
		if err := k.create(ctx, false); err != nil {
			return nil, err
		}
	}
	cutoff := time.Now().Add(-keyGracePeriod)
	var b bytes.Buffer
	b.WriteString(`{"keys":[`)
	first := true
	for i := len(k.rows) - 1; i >= 0; i-- { // oldest first, as the table reads
		row := k.rows[i]
		if row.ExpiresAt != nil && !row.ExpiresAt.After(cutoff) {
			continue
		}
		entry, err := publishedKey(row)
		if err != nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.Write(entry)
	}
	b.WriteString(`]}`)
	return b.Bytes(), nil
}

// publishedKey writes {alg, crv, <public JWK members but crv>, kid}, the order that
// JavaScript's {alg, crv, ...publicKey, kid} produces.
func publishedKey(row keyRow) ([]byte, error) {
	dec := json.NewDecoder(strings.NewReader(row.PublicKey))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("public key is not a JSON object")
	}
	var b bytes.Buffer
	alg, _ := json.Marshal(deref(row.Alg, jwt.EdDSA))
	b.WriteString(`{"alg":`)
	b.Write(alg)
	crv := deref(row.Crv, "")
	var members bytes.Buffer
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := t.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		if name == "crv" {
			json.Unmarshal(value, &crv)
			continue
		}
		if name == "kid" || name == "alg" {
			continue
		}
		members.WriteByte(',')
		n, _ := json.Marshal(name)
		members.Write(n)
		members.WriteByte(':')
		members.Write(value)
	}
	if crv != "" {
		c, _ := json.Marshal(crv)
		b.WriteString(`,"crv":`)
		b.Write(c)
	}
	b.Write(members.Bytes())
	kid, _ := json.Marshal(row.ID)
	b.WriteString(`,"kid":`)
	b.Write(kid)
	b.WriteByte('}')
	return b.Bytes(), nil
}

func deref(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}
