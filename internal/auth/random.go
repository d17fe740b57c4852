package auth

import "crypto/rand"

// idAlphabet is Better Auth's alphabet for ids and tokens: a-z, A-Z, 0-9, in that order.
const idAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomString returns n characters of idAlphabet from the CSPRNG, as Better Auth makes ids
// and session tokens: bytes of 248 and above (4·62) are thrown away, so that byte % 62 is
// uniform.
func randomString(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4)
	for len(out) < n {
		rand.Read(buf)
		for _, b := range buf {
			if b >= 248 {
				continue
			}
			out = append(out, idAlphabet[b%62])
			if len(out) == n {
				break
			}
		}
	}
	return string(out)
}

// newID returns a 32-character id, Better Auth's default for every table.
func newID() string { return randomString(32) }
