package jwt_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"todo/internal/jwt/jwttest"
)

// TestClaimsAreReadExactly: member names are matched as written and never twice, so a second
// name that differs only in case is no second chance, and a token cannot live for years.
func TestClaimsAreReadExactly(t *testing.T) {
	iss := jwttest.New(t)
	v, _, _ := newVerifier(iss)
	now := time.Now().Unix()
	enc := base64.RawURLEncoding.EncodeToString
	signed := func(header, payload string) string {
		input := enc([]byte(header)) + "." + enc([]byte(payload))
		return input + "." + iss.SignInput(t, "ed-1", input)
	}
	claims := func(extra string, exp int64) string {
		return fmt.Sprintf(`{"sub":"alice","iss":%q,"aud":%q,"exp":%d%s}`, iss.URL, iss.URL, exp, extra)
	}
	const ed = `{"alg":"EdDSA","kid":"ed-1"}`

	if sub, err := v.Verify(context.Background(), signed(ed, claims(`,"SUB":"mallory","Sub":"eve"`, now+900))); err != nil || sub != "alice" {
		t.Errorf("sub with case variants: got %q, %v; want alice", sub, err)
	}
	if sub, err := v.Verify(context.Background(), signed(`{"alg":"EdDSA","kid":"ed-1","ALG":"none","KID":"x"}`, claims("", now+900))); err != nil || sub != "alice" {
		t.Errorf("header with case variants: got %q, %v; want alice", sub, err)
	}
	for name, token := range map[string]string{
		"sub twice":              signed(ed, claims(`,"sub":"mallory"`, now+900)),
		"kid twice":              signed(`{"alg":"EdDSA","kid":"ed-1","kid":"ed-1"}`, claims("", now+900)),
		"exp ten years away":     signed(ed, claims("", now+10*365*24*3600)),
		"exp a day and an hour":  signed(ed, claims("", now+25*3600)),
		"iss only in other case": signed(ed, fmt.Sprintf(`{"sub":"alice","ISS":%q,"aud":%q,"exp":%d}`, iss.URL, iss.URL, now+900)),
	} {
		if sub, err := v.Verify(context.Background(), token); err == nil {
			t.Errorf("%s: accepted as %q", name, sub)
		}
	}
	if _, err := v.Verify(context.Background(), signed(ed, claims("", now+23*3600))); err != nil {
		t.Errorf("exp 23 hours away: %v", err)
	}
}
