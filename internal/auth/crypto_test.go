package auth

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/scrypt"
	"golang.org/x/text/unicode/norm"

	"todo/internal/jwt"
)

// captureSecret is the BETTER_AUTH_SECRET of every Better Auth capture in testdata.
const captureSecret = "compat-test-secret-7f3a9c2e5b1d4860af17c3e9d2b5a806"

var (
	hasherOnce sync.Once
	hasher     *passwordHasher
)

// testHasher is one hasher for the package's tests: making one costs a hash (its dummy).
func testHasher() *passwordHasher {
	hasherOnce.Do(func() { hasher = newPasswordHasher(2) })
	return hasher
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// captureRow returns a column of a table in testdata/rows.txt, Better Auth's own rows.
func captureRow(t *testing.T, table, column string) string {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(readTestdata(t, "rows.txt")))
	sc.Buffer(nil, 1<<20)
	inTable := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			inTable = line == `## "`+table+`"`
			continue
		}
		name, rest, ok := strings.Cut(strings.TrimSpace(line), " = ")
		if !inTable || !ok || name != column {
			continue
		}
		// python repr: 'value'  [storage class]
		m := regexp.MustCompile(`^'(.*)'  \[\w+\]$`).FindStringSubmatch(rest)
		if m == nil {
			t.Fatalf("rows.txt %s.%s: cannot read %q", table, column, rest)
		}
		return m[1]
	}
	t.Fatalf("rows.txt has no %s.%s", table, column)
	return ""
}

type scryptVector struct {
	Password string `json:"password"`
	Hash     string `json:"hash"`
}

func scryptVectors(t *testing.T) []scryptVector {
	var out []scryptVector
	for _, line := range strings.Split(strings.TrimSpace(string(readTestdata(t, "scrypt-vectors.jsonl"))), "\n") {
		var v scryptVector
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if len(out) != 2 {
		t.Fatalf("got %d scrypt vectors, want 2", len(out))
	}
	return out
}

// TestScryptVectors verifies hashes that Better Auth wrote, including a password typed in
// decomposed form (NFD) against a hash of its composed form: NFKC makes them one.
func TestScryptVectors(t *testing.T) {
	t.Parallel()
	vectors := scryptVectors(t)
	nfd := norm.NFD.String(vectors[1].Password)
	if nfd == vectors[1].Password {
		t.Fatal("the NFD spelling of the vector is the same string; the test would prove nothing")
	}
	tests := []struct {
		name, hash, password string
		want                 bool
	}{
		{"account row of the SQLite capture", captureRow(t, "account", "password"), "correct horse battery staple", true},
		{"COMPAT.md vector 1", vectors[0].Hash, vectors[0].Password, true},
		{"COMPAT.md vector 2 (NFC)", vectors[1].Hash, vectors[1].Password, true},
		{"COMPAT.md vector 2 typed in NFD", vectors[1].Hash, nfd, true},
		{"wrong password", vectors[0].Hash, "correct horse battery stapler", false},
		{"upper-case hex in the stored hash", strings.ToUpper(vectors[0].Hash), vectors[0].Password, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := testHasher().verify(context.Background(), "test", tt.hash, tt.password)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("verify(%.20s…, %q): got %v, want %v", tt.hash, tt.password, got, tt.want)
			}
		})
	}
}

// TestPasswordHashFormat checks what we write: "<32 hex>:<128 hex>", where scrypt was given the
// 32 hex characters themselves as the salt and the NFKC form of the password.
func TestPasswordHashFormat(t *testing.T) {
	t.Parallel()
	const password = "ｐａｓｓｗｏｒｄ－ﬁ" // full-width letters and a ligature: NFKC folds them
	h := testHasher()
	hash, err := h.hash(context.Background(), "test", password)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}:[0-9a-f]{128}$`).MatchString(hash) {
		t.Fatalf("got hash %q, want <32 hex>:<128 hex>", hash)
	}
	salt, key, _ := strings.Cut(hash, ":")
	want, err := scrypt.Key([]byte("password-fi"), []byte(salt), 16384, 16, 1, 64)
	if err != nil {
		t.Fatal(err)
	}
	if key != hex.EncodeToString(want) {
		t.Errorf("got key %s…, want scrypt(NFKC(password), salt as text) = %s…", key[:16], hex.EncodeToString(want)[:16])
	}
	again, err := h.hash(context.Background(), "test", password)
	if err != nil {
		t.Fatal(err)
	}
	if again[:32] == salt {
		t.Errorf("two hashes share the salt %s", salt)
	}
}

func TestVerifyMalformedHash(t *testing.T) {
	t.Parallel()
	for _, hash := range []string{"", "no-colon", "zz:zz", ":"} {
		got, err := testHasher().verify(context.Background(), "test", hash, "password")
		if err != nil || got {
			t.Errorf("verify(%q): got %v, %v; want false, nil", hash, got, err)
		}
	}
}

func TestJSLength(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"password", 8},
		{"é", 1},       // U+00E9: one UTF-16 unit, two UTF-8 bytes
		{"e\u0301", 2}, // decomposed: two units
		{"😀", 2},       // outside the BMP: a surrogate pair
		{"😀😀😀😀", 8},
		{"日本語", 3},
	}
	for _, tt := range tests {
		if got := jsLength(tt.s); got != tt.want {
			t.Errorf("jsLength(%q): got %d, want %d", tt.s, got, tt.want)
		}
	}
}

// TestCookieVectors writes the cookies Better Auth wrote in the captures, byte for byte.
func TestCookieVectors(t *testing.T) {
	t.Parallel()
	signIn := captureLine(t, "sign-in.http", "set-cookie: ")
	https := string(readTestdata(t, "https-cookies.txt"))
	httpsSignUp := regexp.MustCompile(`(?m)^set-cookie: (__Secure-better-auth\.session_token=uaO6[^\n]*)\nset-cookie: ([^\n]*)$`).FindStringSubmatch(https)
	httpsSignIn := regexp.MustCompile(`(?m)^set-cookie: (__Secure-better-auth\.session_token=r9rP[^\n]*)$`).FindStringSubmatch(https)
	if httpsSignUp == nil || httpsSignIn == nil {
		t.Fatal("https-cookies.txt: captured Set-Cookie lines not found")
	}
	tests := []struct {
		name     string
		jar      cookieJar
		token    string
		remember bool
		want     []string
	}{
		{"sign-in (captures/sqlite/06)", cookieJar{secret: []byte(captureSecret)}, "lGLF6Bf2ebo16996d5V6NesKHmzpXFdO", true,
			[]string{signIn}},
		{"sign-up (captures/sqlite/01)", cookieJar{secret: []byte(captureSecret)}, "3hcMyvOo2EkqevjLd6VeXg07Gz4d9Boc", true,
			[]string{"better-auth.session_token=3hcMyvOo2EkqevjLd6VeXg07Gz4d9Boc.CIaZFf51n%2BgY9Yq9h6aIx6hETmOk0QnM%2BPcWFL%2F3r2o%3D; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"}},
		{"https sign-up, rememberMe false", cookieJar{secret: []byte(captureSecret), secure: true}, "uaO6mpRweNVH5Y9XQPr8IF10lj5JsI66", false,
			[]string{httpsSignUp[1], httpsSignUp[2]}},
		{"https sign-in", cookieJar{secret: []byte(captureSecret), secure: true}, "r9rPSvnaTMe2dB5Z3iIn63pvixhQ3wjj", true,
			[]string{httpsSignIn[1]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tt.jar.setSession(w, httptest.NewRequest("POST", "/", nil), tt.token, tt.remember)
			got := w.Header().Values("Set-Cookie")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Set-Cookie:\ngot  %q\nwant %q", got, tt.want)
			}
		})
	}
	if !strings.Contains(httpsSignUp[2], "dont_remember=true.IFP84LtKOifY5xMFrUGAyA4jVoMNkde82qrvMeydaM0%3D") {
		t.Errorf("the captured dont_remember cookie is not COMPAT.md's second vector: %s", httpsSignUp[2])
	}
}

// TestClearCookies expires the three cookies as Better Auth's sign-out does
// (captures/sqlite/14-sign-out.http), replacing any Set-Cookie of them already written.
func TestClearCookies(t *testing.T) {
	t.Parallel()
	jar := cookieJar{secret: []byte(captureSecret)}
	w := httptest.NewRecorder()
	jar.setSession(w, nil, "lGLF6Bf2ebo16996d5V6NesKHmzpXFdO", true)
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("Cookie", "better-auth.session_data.0=a; better-auth.session_data.1=b; better-auth.session_data.x=c; other=d")
	jar.clear(w, r)
	want := []string{
		"better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
		"better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
		"better-auth.session_data.0=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
		"better-auth.session_data.1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
		"better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
	}
	if got := w.Header().Values("Set-Cookie"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Set-Cookie:\ngot  %q\nwant %q", got, want)
	}
}

// TestRememberedSessionExpiresDontRemember: a remembered sign-in after a session that was not
// remembered must drop the dont_remember flag (Better Auth does), or the new session would
// never be refreshed.
func TestRememberedSessionExpiresDontRemember(t *testing.T) {
	t.Parallel()
	jar := cookieJar{secret: []byte(captureSecret)}
	flag := "better-auth.dont_remember=true.IFP84LtKOifY5xMFrUGAyA4jVoMNkde82qrvMeydaM0%3D"
	tests := []struct {
		name, cookie string
		wantExpired  bool
	}{
		{"valid flag", flag, true},
		{"no flag", "", false},
		{"forged flag", "better-auth.dont_remember=true.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/", nil)
		if tt.cookie != "" {
			r.Header.Set("Cookie", tt.cookie)
		}
		w := httptest.NewRecorder()
		jar.setSession(w, r, "lGLF6Bf2ebo16996d5V6NesKHmzpXFdO", true)
		got := strings.Contains(strings.Join(w.Header().Values("Set-Cookie"), "\n"), "better-auth.dont_remember=; Max-Age=0")
		if got != tt.wantExpired {
			t.Errorf("%s: dont_remember expired: got %v, want %v (%q)", tt.name, got, tt.wantExpired, w.Header().Values("Set-Cookie"))
		}
	}
}

func TestSignedCookie(t *testing.T) {
	t.Parallel()
	const token = "lGLF6Bf2ebo16996d5V6NesKHmzpXFdO"
	const sig = "rN455PYSDEYkgiXjp4c9lu6GRM9Pgr7Tm/UnuzT7uzE="
	encoded := token + "." + strings.NewReplacer("/", "%2F", "+", "%2B", "=", "%3D").Replace(sig)
	otherSecret := cookieJar{secret: []byte("another-secret-of-at-least-32-characters")}.sign(token)
	tests := []struct {
		name, value string
		wantOK      bool
	}{
		{"percent-encoded, as set", encoded, true},
		{"raw, as some clients send it", token + "." + sig, true},
		{"quoted", `"` + encoded + `"`, true},
		{"signature of another secret", encodeURIComponent(otherSecret), false},
		{"token changed", "mGLF6Bf2ebo16996d5V6NesKHmzpXFdO." + sig, false},
		{"signature changed", token + ".sN455PYSDEYkgiXjp4c9lu6GRM9Pgr7Tm/UnuzT7uzE=", false},
		{"signature without padding", token + "." + strings.TrimSuffix(sig, "="), false},
		{"no signature", token, false},
		{"empty value before the dot", "." + sig, false},
		{"bad escape", token + ".%zz" + sig[3:], false},
	}
	jar := cookieJar{secret: []byte(captureSecret)}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", "better-auth.session_token="+tt.value)
		got, ok := jar.signed(r, sessionCookie)
		if ok != tt.wantOK || (ok && got != token) {
			t.Errorf("%s: got %q, %v; want ok=%v", tt.name, got, ok, tt.wantOK)
		}
	}
	// The secure jar reads only the __Secure- name.
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", "better-auth.session_token="+encoded)
	if _, ok := (cookieJar{secret: []byte(captureSecret), secure: true}).signed(r, sessionCookie); ok {
		t.Error("a secure jar accepted a cookie without the __Secure- prefix")
	}
}

func captureLine(t *testing.T, file, prefix string) string {
	t.Helper()
	for _, line := range strings.Split(string(readTestdata(t, file)), "\n") {
		if strings.HasPrefix(line, prefix) {
			return strings.TrimSpace(strings.TrimPrefix(line, prefix))
		}
	}
	t.Fatalf("%s has no line starting %q", file, prefix)
	return ""
}

type capturedJWKS struct {
	Keys []json.RawMessage `json:"keys"`
}

// TestDecryptCapturedPrivateKey opens the jwks.privateKey that Better Auth stored and checks
// that its private key is the one of the published x, under the published kid.
func TestDecryptCapturedPrivateKey(t *testing.T) {
	t.Parallel()
	column := captureRow(t, "jwks", "privateKey")
	kid := captureRow(t, "jwks", "id")
	var published capturedJWKS
	if err := json.Unmarshal(readTestdata(t, "jwks.json"), &published); err != nil {
		t.Fatal(err)
	}
	var entry struct{ Kid, X string }
	if err := json.Unmarshal(published.Keys[0], &entry); err != nil {
		t.Fatal(err)
	}
	if entry.Kid != kid || kid != "398S6VIlDt6oNKuZJwkrBhLV4tt3tWHC" {
		t.Fatalf("captured kid %q, jwks row id %q: want both 398S6VIlDt6oNKuZJwkrBhLV4tt3tWHC", entry.Kid, kid)
	}

	k := &keyring{secret: captureSecret}
	signer, err := k.decrypt(column)
	if err != nil {
		t.Fatal(err)
	}
	priv, ok := signer.(ed25519.PrivateKey)
	if !ok {
		t.Fatalf("got a %T, want an Ed25519 key", signer)
	}
	if got := base64.RawURLEncoding.EncodeToString(priv.Public().(ed25519.PublicKey)); got != entry.X {
		t.Errorf("x derived from the decrypted d: got %s, want the published %s", got, entry.X)
	}
	if got := base64.RawURLEncoding.EncodeToString(priv.Seed()); got != "K2qAnHKrf5gxI-6cDSoFAM-ndiII2bmtcdgNYLcd4V8" {
		t.Errorf("d: got %s, want COMPAT.md's K2qAnHKrf5gxI-6cDSoFAM-ndiII2bmtcdgNYLcd4V8", got)
	}

	wrong := &keyring{secret: "not-the-secret-that-encrypted-this-key"}
	if _, err := wrong.decrypt(column); err == nil || !strings.Contains(err.Error(), "BETTER_AUTH_SECRET") {
		t.Errorf("decrypt with another secret: got %v, want an error naming BETTER_AUTH_SECRET", err)
	}
	if _, err := k.decrypt(`"$ba$2$` + strings.Trim(column, `"`)[0:10] + `"`); err == nil {
		t.Error("decrypt of a versioned-secret envelope: got no error")
	}
}

// TestEncryptPrivateKey seals as Better Auth does: the JSON-quoted lower-case hex of
// nonce(24) ‖ XChaCha20-Poly1305(SHA-256(secret)) ciphertext ‖ tag, opened here by an
// independent implementation.
func TestEncryptPrivateKey(t *testing.T) {
	t.Parallel()
	k := &keyring{secret: captureSecret}
	plaintext := []byte(`{"crv":"Ed25519","d":"K2qAnHKrf5gxI-6cDSoFAM-ndiII2bmtcdgNYLcd4V8","x":"mozv23PPVi5iHasNyZGmSfiiSxNfjjzsaNxyucjOmCI","kty":"OKP"}`)
	sealed, err := k.encrypt(plaintext)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^"[0-9a-f]+"$`).MatchString(sealed) || len(sealed) != 2+2*(24+len(plaintext)+16) {
		t.Fatalf("got %d bytes %.40s…, want the quoted hex of %d bytes", len(sealed), sealed, 24+len(plaintext)+16)
	}
	blob, _ := hex.DecodeString(strings.Trim(sealed, `"`))
	key := sha256.Sum256([]byte(captureSecret))
	if hex.EncodeToString(key[:]) != "963b19ddb3add75cdf3982424a5744e637cb59822af645cd6e0f1f830896594f" {
		t.Fatalf("SHA-256 of the capture secret is not COMPAT.md's")
	}
	aead, _ := chacha20poly1305.NewX(key[:])
	opened, err := aead.Open(nil, blob[:24], blob[24:], nil)
	if err != nil || !bytes.Equal(opened, plaintext) {
		t.Errorf("independent open: got %q, %v; want the plaintext", opened, err)
	}
	if again, _ := k.encrypt(plaintext); again == sealed {
		t.Error("two encryptions are identical: the nonce is not random")
	}
	if _, err := k.decrypt(sealed); err != nil {
		t.Errorf("decrypt(encrypt(x)): %v", err)
	}
}

// TestPublishedKeyMatchesCapture publishes the captured jwks row exactly as Better Auth did,
// member order included, also when alg and crv are NULL (older rows).
func TestPublishedKeyMatchesCapture(t *testing.T) {
	t.Parallel()
	var published capturedJWKS
	if err := json.Unmarshal(readTestdata(t, "jwks.json"), &published); err != nil {
		t.Fatal(err)
	}
	alg, crv := "EdDSA", "Ed25519"
	row := keyRow{ID: captureRow(t, "jwks", "id"), PublicKey: captureRow(t, "jwks", "publicKey"), Alg: &alg, Crv: &crv}
	for _, r := range []keyRow{row, {ID: row.ID, PublicKey: row.PublicKey}} {
		got, err := publishedKey(r)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(published.Keys[0]) {
			t.Errorf("alg %v crv %v:\ngot  %s\nwant %s", r.Alg, r.Crv, got, published.Keys[0])
		}
	}
}

// TestCapturedJWT re-creates the captured JWT byte for byte: our claims for the captured user
// at the captured iat, signed (Ed25519 is deterministic) with the key decrypted from the
// captured jwks row. The production verifier must refuse it now that it has expired.
func TestCapturedJWT(t *testing.T) {
	t.Parallel()
	var captured struct{ Token string }
	if err := json.Unmarshal(readTestdata(t, "token.json"), &captured); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Payload struct {
			Iat int64 `json:"iat"`
			User
			Iss string `json:"iss"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(readTestdata(t, "jwt-decoded.json"), &decoded); err != nil {
		t.Fatal(err)
	}
	claims, err := tokenClaims(decoded.Payload.User, decoded.Payload.Iat, decoded.Payload.Iss)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(captured.Token, ".")
	if got := base64.RawURLEncoding.EncodeToString(claims); got != parts[1] {
		wantPayload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		t.Errorf("claims:\ngot  %s\nwant %s", claims, wantPayload)
	}
	signer, err := (&keyring{secret: captureSecret}).decrypt(captureRow(t, "jwks", "privateKey"))
	if err != nil {
		t.Fatal(err)
	}
	token, err := jwt.Sign(jwt.EdDSA, captureRow(t, "jwks", "id"), signer, claims)
	if err != nil {
		t.Fatal(err)
	}
	if token != captured.Token {
		t.Errorf("token:\ngot  %s\nwant %s", token, captured.Token)
	}

	// The captured JWKS, read by our jwt package, verifies the captured signature.
	var published capturedJWKS
	if err := json.Unmarshal(readTestdata(t, "jwks.json"), &published); err != nil {
		t.Fatal(err)
	}
	keys := jwt.ParseSet(published.Keys)
	key, ok := keys["398S6VIlDt6oNKuZJwkrBhLV4tt3tWHC"]
	if !ok || key.Alg != jwt.EdDSA {
		t.Fatalf("ParseSet: got %v, want the EdDSA key 398S6VIlDt6oNKuZJwkrBhLV4tt3tWHC", keys)
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	if !ed25519.Verify(key.Key.(ed25519.PublicKey), []byte(parts[0]+"."+parts[1]), sig) {
		t.Error("the captured JWT's signature does not verify with the captured JWKS")
	}
	v := jwt.NewVerifier(staticKeys(keys), decoded.Payload.Iss, decoded.Payload.Iss)
	if _, err := v.Verify(context.Background(), captured.Token); !errors.Is(err, jwt.ErrInvalid) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("production verifier on the expired capture: got %v, want an expired-token error", err)
	}
}

type staticKeys map[string]jwt.PublicKey

func (s staticKeys) Key(_ context.Context, kid string) (jwt.PublicKey, error) {
	if k, ok := s[kid]; ok {
		return k, nil
	}
	return jwt.PublicKey{}, jwt.ErrUnknownKey
}

func TestRandomString(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 24, 32, 100} {
		s := randomString(n)
		if len(s) != n || strings.Trim(s, idAlphabet) != "" {
			t.Errorf("randomString(%d) = %q: want %d characters of a-zA-Z0-9", n, s, n)
		}
	}
	if a, b := newID(), newID(); len(a) != 32 || a == b {
		t.Errorf("newID: got %q and %q, want two different 32-character ids", a, b)
	}
	if idAlphabet != "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" {
		t.Errorf("alphabet %q is not Better Auth's a-z A-Z 0-9", idAlphabet)
	}

	// Uniformity: 124,000 characters, 2,000 expected per symbol. A byte%62 without rejection
	// gives the first 8 symbols 5/4 of the others' weight (chi-square in the hundreds); a
	// uniform source stays far below 150 (61 degrees of freedom, p < 1e-9).
	const perSymbol = 2000
	counts := map[rune]int{}
	for _, r := range randomString(62 * perSymbol) {
		counts[r]++
	}
	if len(counts) != 62 {
		t.Fatalf("got %d distinct symbols, want 62", len(counts))
	}
	chi2 := 0.0
	for _, c := range counts {
		d := float64(c - perSymbol)
		chi2 += d * d / perSymbol
	}
	if chi2 > 150 {
		t.Errorf("chi-square %.1f over 61 degrees of freedom: the symbols are not uniform (%v)", chi2, counts)
	}
}

func TestEncodeURIComponent(t *testing.T) {
	t.Parallel()
	// Expected values are what JavaScript's encodeURIComponent returns.
	tests := []struct{ in, want string }{
		{"", ""},
		{"lGLF6Bf2ebo16996d5V6NesKHmzpXFdO", "lGLF6Bf2ebo16996d5V6NesKHmzpXFdO"},
		{"a+b/c=", "a%2Bb%2Fc%3D"},
		{"-_.!~*'()", "-_.!~*'()"},
		{" ", "%20"},
		{";,/?:@&=+$#", "%3B%2C%2F%3F%3A%40%26%3D%2B%24%23"},
		{"é", "%C3%A9"},
		{"😀", "%F0%9F%98%80"},
		{"%", "%25"},
	}
	for _, tt := range tests {
		if got := encodeURIComponent(tt.in); got != tt.want {
			t.Errorf("encodeURIComponent(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSessionTimeJSON writes times as JavaScript's toISOString does.
func TestSessionTimeJSON(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 26, 1, 50, 12, 804_999_999, time.FixedZone("X", 3600))
	b, err := json.Marshal(Time{at.Truncate(time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `"2026-11-26T00:50:12.804Z"` {
		t.Errorf("got %s, want \"2026-11-26T00:50:12.804Z\"", b)
	}
	var back Time
	if err := back.Scan("2026-11-26T01:50:12.804Z"); err != nil || !back.Equal(time.Date(2026, 11, 26, 1, 50, 12, 804e6, time.UTC)) {
		t.Errorf("Scan: got %v, %v", back, err)
	}
}
