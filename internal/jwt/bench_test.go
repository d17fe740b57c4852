package jwt_test

import (
	"fmt"
	"testing"

	"todo/internal/jwt"
	"todo/internal/jwt/jwttest"
)

// BenchmarkVerify: the first sight of a token (signature check and claims) and every later
// request with the same token (the verified-token cache).
func BenchmarkVerify(b *testing.B) {
	iss := jwttest.New(b)
	tokens := make([]string, 2000)
	for i := range tokens {
		tokens[i] = iss.Token(b, "ed-1", iss.Claims(fmt.Sprint("user-", i)))
	}
	b.Run("first sight", func(b *testing.B) {
		b.ReportAllocs()
		var v *jwt.Verifier
		for i := 0; b.Loop(); i++ {
			if i%len(tokens) == 0 {
				b.StopTimer()
				v, _, _ = newVerifier(iss) // an empty cache; keys fetched below, before timing
				v.Verify(ctx, tokens[len(tokens)-1])
				b.StartTimer()
			}
			if _, err := v.Verify(ctx, tokens[i%(len(tokens)-1)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		v, _, _ := newVerifier(iss)
		v.Verify(ctx, tokens[0])
		for b.Loop() {
			if _, err := v.Verify(ctx, tokens[0]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
