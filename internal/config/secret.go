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
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return DevelopmentSecret(dataDir) // another instance made it first
	}
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	if _, err := f.WriteString(secret + "\n"); err != nil {
		return "", false, err
	}
	return secret, true, f.Sync()
}
