package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// secretFile is where development keeps its generated secret, inside DataDir.
const secretFile = "better-auth-secret"

// DevelopmentSecret returns the secret kept in the data directory for development, creating
// it on first use, so that sessions and signing keys survive restarts without any set-up.
// created tells whether it was made just now.
func DevelopmentSecret(dataDir string) (secret string, created bool, err error) {
	path := filepath.Join(dataDir, secretFile)
	b, err := os.ReadFile(path)
	if err == nil {
		secret = strings.TrimSpace(string(b))
		if len(secret) < 32 {
			return "", false, fmt.Errorf("%s: the development secret must be at least 32 characters", path)
		}
		return secret, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", false, err
	}
	var raw [32]byte
	rand.Read(raw[:])
	secret = base64.RawURLEncoding.EncodeToString(raw[:])
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return "", false, err
	}
	// Written whole under a temporary name, then linked into place: an instance starting at
	// the same moment sees no file or the complete one, never a half-written secret.
	tmp, err := os.CreateTemp(dataDir, ".better-auth-secret-*")
	if err != nil {
		return "", false, err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(secret + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return "", false, err
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return DevelopmentSecret(dataDir) // another instance made it first
	} else if err != nil {
		return "", false, err
	}
	return secret, true, nil
}
