package server_test

import (
	"context"
	"strings"
	"testing"

	"todo/internal/apptest"
	"todo/internal/config"
	"todo/internal/database"
	"todo/internal/server"
)

// TestForeignSigningKeys: a server whose BETTER_AUTH_SECRET cannot open the signing key in a
// shared database says so when it starts, and what to set, instead of answering 500 to its
// first token request; with AUTH_URL its own keys are not needed, and it starts.
func TestForeignSigningKeys(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		url := apptest.DatabaseURL(t, d)
		first := apptest.Start(t, d, map[string]string{"DATABASE_URL": url})
		user := first.SignUp(t, "keys@example.com") // its token creates the signing key
		if user.Token == "" {
			t.Fatal("no token")
		}
		first.Stop(t)

		start := func(env map[string]string) error {
			vars := map[string]string{"DATABASE_URL": url, "BETTER_AUTH_URL": "http://127.0.0.1:9",
				"BETTER_AUTH_SECRET": "another-secret-0123456789abcdef0123456789", "DATA_DIR": t.TempDir()}
			for k, v := range env {
				vars[k] = v
			}
			cfg, err := config.Load(func(k string) string { return vars[k] })
			if err != nil {
				t.Fatal(err)
			}
			app, err := server.New(context.Background(), cfg, apptest.Logger(t), "test")
			if err == nil {
				app.Close()
			}
			return err
		}
		err := start(nil)
		if err == nil || !strings.Contains(err.Error(), "BETTER_AUTH_SECRET") || !strings.Contains(err.Error(), "AUTH_URL") {
			t.Fatalf("start with another secret: got %v, want an error naming BETTER_AUTH_SECRET and AUTH_URL", err)
		}
		if err := start(map[string]string{"AUTH_URL": "http://127.0.0.1:3000"}); err != nil {
			t.Fatalf("start with AUTH_URL: %v", err)
		}
		if err := start(map[string]string{"BETTER_AUTH_SECRET": apptest.Secret}); err != nil {
			t.Fatalf("start with the secret that made the key: %v", err)
		}
	})
}
