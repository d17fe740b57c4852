package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"unicode/utf16"

	"golang.org/x/crypto/scrypt"
	"golang.org/x/text/unicode/norm"
)

// Better Auth's scrypt parameters. One hash takes 128·N·r bytes (32 MiB) of memory.
const (
	scryptN      = 16384
	scryptR      = 16
	scryptP      = 1
	scryptKeyLen = 64
)

// Better Auth's default password lengths, counted in UTF-16 code units as JavaScript does.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 128
)

// passwordHasher hashes and verifies passwords in Better Auth's format,
// "<32 hex salt>:<128 hex key>", where the salt given to scrypt is the hex text itself and the
// password is NFKC-normalised. It runs at most a few hashes at once (half the CPUs), which
// bounds the memory (32 MiB each) and CPU that a burst of sign-ins can take, and shares them
// fairly between the clients that ask (hashQueue). A client is Client.IP, or for a password
// checked under a session, the session's user (userClient).
type passwordHasher struct {
	queue *hashQueue
	// dummy is verified when there is no real hash to check, so that an unknown email costs
	// the same time as a wrong password.
	dummy string
}

func newPasswordHasher(concurrency int) *passwordHasher {
	slots := max(1, concurrency)
	// Twice the slots: a client keeps every slot busy with its own requests and has the next
	// round waiting, and anything beyond would only wait.
	h := &passwordHasher{queue: newHashQueue(slots, 2*slots)}
	// Random hex of the right shape: verifying against it costs a full scrypt and never
	// matches, and making it costs nothing (a real hash here would add 70 ms and 32 MiB to
	// every start).
	var salt [16]byte
	var key [scryptKeyLen]byte
	rand.Read(salt[:])
	rand.Read(key[:])
	h.dummy = hex.EncodeToString(salt[:]) + ":" + hex.EncodeToString(key[:])
	return h
}

// userClient is the hasher's client for a password checked under a session: the user, not
// the address, since the service does not know the address there (DeleteUser), and one user's
// guesses should share one queue from wherever a stolen cookie is used.
func userClient(userID string) string { return "user:" + userID }

func (h *passwordHasher) hash(ctx context.Context, client, password string) (string, error) {
	var salt [16]byte
	rand.Read(salt[:])
	saltHex := hex.EncodeToString(salt[:])
	key, err := h.derive(ctx, client, password, saltHex)
	if err != nil {
		return "", err
	}
	return saltHex + ":" + hex.EncodeToString(key), nil
}

// verify reports whether password matches hash. A malformed hash does not match.
func (h *passwordHasher) verify(ctx context.Context, client, hash, password string) (bool, error) {
	salt, want, ok := strings.Cut(hash, ":")
	if !ok {
		salt, want = h.dummy[:32], "not a key"
	}
	key, err := h.derive(ctx, client, password, salt)
	if err != nil {
		return false, err
	}
	got := hex.EncodeToString(key)
	return subtle.ConstantTimeCompare([]byte(got), []byte(strings.ToLower(want))) == 1, nil
}

// burn spends the time of a verification without a real hash.
func (h *passwordHasher) burn(ctx context.Context, client, password string) error {
	_, err := h.verify(ctx, client, h.dummy, password)
	return err
}

func (h *passwordHasher) derive(ctx context.Context, client, password, salt string) (key []byte, err error) {
	if qerr := h.queue.do(ctx, client, func() {
		key, err = scrypt.Key([]byte(norm.NFKC.String(password)), []byte(salt), scryptN, scryptR, scryptP, scryptKeyLen)
	}); qerr != nil {
		return nil, qerr
	}
	return key, err
}

// checkNewPassword applies the length limits to a password being set.
func checkNewPassword(password string) error {
	switch n := jsLength(password); {
	case n < MinPasswordLength:
		return ErrPasswordTooShort
	case n > MaxPasswordLength:
		return ErrPasswordTooLong
	}
	return nil
}

// jsLength is the length JavaScript gives a string (UTF-16 code units), which is how Better
// Auth counts password length.
func jsLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
