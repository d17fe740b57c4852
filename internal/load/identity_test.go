package load

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTokensAreRenewedAMinuteBeforeTheyExpire(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	var renewals int
	var fail bool
	id := &identity{renew: func(_ context.Context, now time.Time) (string, time.Time, error) {
		if fail {
			return "", time.Time{}, errors.New("auth server down")
		}
		renewals++
		return "t" + string(rune('0'+renewals)), now.Add(tokenLifetime), nil
	}}
	ctx := context.Background()
	steps := []struct {
		at      time.Duration
		fail    bool
		want    string
		wantErr bool
	}{
		{0, false, "Bearer t1", false},
		{tokenLifetime - renewBefore - time.Second, false, "Bearer t1", false},
		{tokenLifetime - renewBefore, true, "Bearer t1", true},                   // renewal fails: keep the valid token
		{tokenLifetime - renewBefore + time.Second, false, "Bearer t1", false},   // and do not retry at once
		{tokenLifetime - renewBefore + 5*time.Second, false, "Bearer t2", false}, // but a little later
		{tokenLifetime - renewBefore + 10*time.Second, false, "Bearer t2", false},
	}
	for _, s := range steps {
		fail = s.fail
		got, err := id.authorization(ctx, start.Add(s.at))
		if got != s.want || (err != nil) != s.wantErr {
			t.Errorf("at %s: got %q, %v; want %q, error %v", s.at, got, err, s.want, s.wantErr)
		}
	}
}

func TestExpiryRejectsTokensWithoutExp(t *testing.T) {
	for _, token := range []string{"not-a-jwt", "a.!!!.c", "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln"} {
		if _, err := expiry(token); err == nil {
			t.Errorf("%q: no error", token)
		}
	}
}
