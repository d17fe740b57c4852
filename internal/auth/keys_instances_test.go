package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"todo/internal/database"
	"todo/internal/jwt"
)

// TestKeyCreatedOnce: instances asking for their first signing key at once, on an empty
// database, make one key between them, and all sign with it; so do instances that find the
// only key expired (a rotation).
func TestKeyCreatedOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d database.Dialect) {
		db := openDB(t, d)
		const instances = 6
		rings := make([]*keyring, instances)
		for i := range rings {
			rings[i] = newKeyring(newStore(db), "key-race-secret-0123456789abcdef0123456789", 0)
		}
		st := newStore(db)
		count := func() int {
			var n int
			if err := st.read.QueryRow(`SELECT count(*) FROM "jwks"`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		race := func(f func(k *keyring) (string, error)) map[string]bool {
			kids := map[string]bool{}
			var mu sync.Mutex
			var wg sync.WaitGroup
			start := make(chan struct{})
			for _, k := range rings {
				wg.Go(func() {
					<-start
					kid, err := f(k)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					kids[kid] = true
					mu.Unlock()
				})
			}
			close(start)
			wg.Wait()
			return kids
		}
		sign := func(k *keyring) (string, error) {
			row, _, err := k.signer(context.Background())
			return row.ID, err
		}
		// Two of them publish the JWKS first, which creates a key on an empty table too.
		kids := race(func(k *keyring) (string, error) {
			if k == rings[0] || k == rings[2] {
				if _, err := k.jwks(context.Background()); err != nil {
					return "", err
				}
			}
			return sign(k)
		})
		if n := count(); n != 1 || len(kids) != 1 {
			t.Fatalf("after %d instances' first tokens: %d jwks rows, signing kids %v; want one key", instances, n, kids)
		}

		// The key expires: one new key again, whoever notices first.
		if _, err := st.write.Exec(st.rebind(`UPDATE "jwks" SET "expiresAt" = ?`), st.timestamp(time.Now().Add(-time.Minute))); err != nil {
			t.Fatal(err)
		}
		for _, k := range rings {
			k.mu.Lock()
			k.load(context.Background())
			k.mu.Unlock()
		}
		kids = race(sign)
		if n := count(); n != 2 || len(kids) != 1 {
			t.Fatalf("after the key expired: %d jwks rows, signing kids %v; want one more key, the same for all", n, kids)
		}
	})
}

// TestKeyFromAnotherInstance: a kid this instance has not seen (another instance just created
// the key) is read from the table at once, not refused; a kid the table lacks is refused.
func TestKeyFromAnotherInstance(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d database.Dialect) {
		db := openDB(t, d)
		const secret = "key-race-secret-0123456789abcdef0123456789"
		a, b := newKeyring(newStore(db), secret, 0), newKeyring(newStore(db), secret, time.Hour)
		ctx := context.Background()
		first, _, err := a.signer(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Key(ctx, first.ID); err != nil {
			t.Fatalf("b: the first key: %v", err)
		}
		// The key expires and b rotates: a new key that a, which loaded the table just now,
		// has never seen.
		if _, err := b.store.write.Exec(b.store.rebind(`UPDATE "jwks" SET "expiresAt" = ?`), b.store.timestamp(time.Now().Add(-time.Second))); err != nil {
			t.Fatal(err)
		}
		b.mu.Lock()
		b.load(ctx)
		b.mu.Unlock()
		second, _, err := b.signer(ctx)
		if err != nil || second.ID == first.ID {
			t.Fatalf("b's rotation: key %s, %v; want a new key", second.ID, err)
		}
		if _, err := a.Key(ctx, second.ID); err != nil {
			t.Fatalf("a: the key b just created: %v, want it read from the table", err)
		}
		raw, err := a.jwks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rawB, _ := b.jwks(ctx)
		if string(raw) != string(rawB) {
			t.Errorf("the instances publish different key sets:\n%s\n%s", raw, rawB)
		}
		if _, err := a.Key(ctx, "no-such-kid"); !errors.Is(err, jwt.ErrUnknownKey) {
			t.Errorf("unknown kid: got %v, want ErrUnknownKey", err)
		}
	})
}
