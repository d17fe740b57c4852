package auth_test

import (
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
)

// TestSessionQuota: at QUOTA_SESSIONS, a sign-in still succeeds and ends the user's oldest
// sessions, so that the user never has more; other users' sessions are untouched.
func TestSessionQuota(t *testing.T) {
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		e := start(t, dialect, map[string]string{"QUOTA_SESSIONS": "3"})
		email := uniqueEmail(t, "quota")
		first := e.client().signUp(t, email)
		bystander := e.client().signUp(t, uniqueEmail(t, "bystander"))
		var tokens []string
		for range 4 {
			tokens = append(tokens, e.client().signIn(t, email, password).Token)
		}
		if n := e.count(t, `SELECT count(*) FROM "session" WHERE "userId" = ?`, first.User.ID); n != 3 {
			t.Fatalf("sessions after 5 sign-ins with a quota of 3: got %d, want 3", n)
		}
		for i, tok := range tokens {
			_, ok := e.session(t, tok)
			if want := i >= 1; ok != want {
				t.Errorf("session of sign-in %d: exists %v, want %v (the newest 3 stay)", i+1, ok, want)
			}
		}
		if _, ok := e.session(t, first.Token); ok {
			t.Errorf("the sign-up's session, the oldest, is still there")
		}
		if _, ok := e.session(t, bystander.Token); !ok {
			t.Errorf("another user's session was ended")
		}
		// The newest session works.
		c := e.client()
		c.signIn(t, email, password)
		if s := c.session(t); s == nil || s.User.ID != first.User.ID {
			t.Fatalf("get-session after the sign-in at the quota: %+v, want the user", s)
		}
	})
}
