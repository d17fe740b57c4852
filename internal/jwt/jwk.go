// Package jwt signs and verifies the JSON Web Tokens that Better Auth's jwt plugin issues, and
// reads and writes the JSON Web Keys that carry their keys. Only asymmetric algorithms exist
// here: a token verifies only with the algorithm its key was made for.
package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// The algorithms Better Auth's jwt plugin can be configured with.
const (
	EdDSA = "EdDSA"
	ES256 = "ES256"
	ES512 = "ES512"
	RS256 = "RS256"
	PS256 = "PS256"
)

// HS256 is the HMAC the hackathon brief's front ends sign with a shared secret; accepted only
// by a verifier told to (Verifier.AcceptSharedSecret).
const HS256 = "HS256"

// minRSABits refuses RSA keys too short to be safe.
const minRSABits = 2048

// JWK is a JSON Web Key as Better Auth writes it, public or private.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	D   string `json:"d,omitempty"`
	P   string `json:"p,omitempty"`
	Q   string `json:"q,omitempty"`
	DP  string `json:"dp,omitempty"`
	DQ  string `json:"dq,omitempty"`
	QI  string `json:"qi,omitempty"`
	Alg string `json:"alg,omitempty"`
	Kid string `json:"kid,omitempty"`
}

// PublicKey is a verification key and the one algorithm it may be used with.
type PublicKey struct {
	ID  string
	Alg string
	Key crypto.PublicKey
}

// PublicKey decodes the public part of k. alg is the algorithm the key is for; when empty it
// is inferred from the key type (an RSA key then means RS256).
func (k JWK) PublicKey(alg string) (PublicKey, error) {
	if alg == "" {
		alg = k.Alg
	}
	switch k.Kty {
	case "OKP":
		if k.Crv != "Ed25519" {
			return PublicKey{}, fmt.Errorf("unsupported OKP curve %q", k.Crv)
		}
		if alg != "" && alg != EdDSA {
			return PublicKey{}, fmt.Errorf("algorithm %q does not fit an Ed25519 key", alg)
		}
		x, err := b64(k.X, ed25519.PublicKeySize)
		if err != nil {
			return PublicKey{}, fmt.Errorf("x: %w", err)
		}
		return PublicKey{ID: k.Kid, Alg: EdDSA, Key: ed25519.PublicKey(x)}, nil
	case "EC":
		curve, curveAlg, err := ecCurve(k.Crv)
		if err != nil {
			return PublicKey{}, err
		}
		if alg != "" && alg != curveAlg {
			return PublicKey{}, fmt.Errorf("algorithm %q does not fit curve %s", alg, k.Crv)
		}
		size := (curve.Params().BitSize + 7) / 8
		x, err := b64(k.X, size)
		if err != nil {
			return PublicKey{}, fmt.Errorf("x: %w", err)
		}
		y, err := b64(k.Y, size)
		if err != nil {
			return PublicKey{}, fmt.Errorf("y: %w", err)
		}
		// Parsing the point checks that it is on the curve.
		uncompressed := append(append([]byte{4}, x...), y...)
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, uncompressed)
		if err != nil {
			return PublicKey{}, fmt.Errorf("EC point: %w", err)
		}
		return PublicKey{ID: k.Kid, Alg: curveAlg, Key: pub}, nil
	case "RSA":
		if alg == "" {
			alg = RS256
		}
		if alg != RS256 && alg != PS256 {
			return PublicKey{}, fmt.Errorf("algorithm %q does not fit an RSA key", alg)
		}
		pub, err := rsaPublic(k)
		if err != nil {
			return PublicKey{}, err
		}
		return PublicKey{ID: k.Kid, Alg: alg, Key: pub}, nil
	}
	return PublicKey{}, fmt.Errorf("unsupported key type %q", k.Kty)
}

// PrivateKey decodes the private key in k.
func (k JWK) PrivateKey() (crypto.Signer, error) {
	switch k.Kty {
	case "OKP":
		if k.Crv != "Ed25519" {
			return nil, fmt.Errorf("unsupported OKP curve %q", k.Crv)
		}
		d, err := b64(k.D, ed25519.SeedSize)
		if err != nil {
			return nil, fmt.Errorf("d: %w", err)
		}
		return ed25519.NewKeyFromSeed(d), nil
	case "EC":
		curve, _, err := ecCurve(k.Crv)
		if err != nil {
			return nil, err
		}
		d, err := b64(k.D, (curve.Params().BitSize+7)/8)
		if err != nil {
			return nil, fmt.Errorf("d: %w", err)
		}
		return ecdsa.ParseRawPrivateKey(curve, d)
	case "RSA":
		pub, err := rsaPublic(k)
		if err != nil {
			return nil, err
		}
		var ints [6]*big.Int
		for i, s := range []string{k.D, k.P, k.Q, k.DP, k.DQ, k.QI} {
			b, err := b64(s, 0)
			if err != nil {
				return nil, fmt.Errorf("RSA private key: %w", err)
			}
			ints[i] = new(big.Int).SetBytes(b)
		}
		key := &rsa.PrivateKey{PublicKey: *pub, D: ints[0], Primes: []*big.Int{ints[1], ints[2]},
			Precomputed: rsa.PrecomputedValues{Dp: ints[3], Dq: ints[4], Qinv: ints[5]}}
		if err := key.Validate(); err != nil {
			return nil, err
		}
		key.Precompute()
		return key, nil
	}
	return nil, fmt.Errorf("unsupported key type %q", k.Kty)
}

// PublicJWK returns the public JWK of a key, with members in the order jose (and so Better
// Auth) writes them.
func PublicJWK(pub crypto.PublicKey) (json.RawMessage, error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return json.Marshal(struct {
			Crv string `json:"crv"`
			X   string `json:"x"`
			Kty string `json:"kty"`
		}{"Ed25519", enc(k), "OKP"})
	case *ecdsa.PublicKey:
		raw, err := k.Bytes()
		if err != nil {
			return nil, err
		}
		size := (len(raw) - 1) / 2
		return json.Marshal(struct {
			Kty string `json:"kty"`
			X   string `json:"x"`
			Y   string `json:"y"`
			Crv string `json:"crv"`
		}{"EC", enc(raw[1 : 1+size]), enc(raw[1+size:]), k.Curve.Params().Name})
	case *rsa.PublicKey:
		return json.Marshal(struct {
			Kty string `json:"kty"`
			N   string `json:"n"`
			E   string `json:"e"`
		}{"RSA", enc(k.N.Bytes()), enc(big.NewInt(int64(k.E)).Bytes())})
	}
	return nil, fmt.Errorf("unsupported public key %T", pub)
}

// PrivateJWK returns the private JWK of an Ed25519 key as jose writes it.
func PrivateJWK(key ed25519.PrivateKey) ([]byte, error) {
	return json.Marshal(struct {
		Crv string `json:"crv"`
		D   string `json:"d"`
		X   string `json:"x"`
		Kty string `json:"kty"`
	}{"Ed25519", enc(key.Seed()), enc(key.Public().(ed25519.PublicKey)), "OKP"})
}

func ecCurve(crv string) (elliptic.Curve, string, error) {
	switch crv {
	case "P-256":
		return elliptic.P256(), ES256, nil
	case "P-521":
		return elliptic.P521(), ES512, nil
	}
	return nil, "", fmt.Errorf("unsupported EC curve %q", crv)
}

func rsaPublic(k JWK) (*rsa.PublicKey, error) {
	n, err := b64(k.N, 0)
	if err != nil {
		return nil, fmt.Errorf("n: %w", err)
	}
	e, err := b64(k.E, 0)
	if err != nil || len(e) == 0 || len(e) > 4 {
		return nil, errors.New("e: not a valid RSA exponent")
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if pub.N.BitLen() < minRSABits {
		return nil, fmt.Errorf("RSA key of %d bits is too short", pub.N.BitLen())
	}
	if pub.E < 3 || pub.E%2 == 0 {
		return nil, errors.New("e: not a valid RSA exponent")
	}
	return pub, nil
}

// b64 decodes base64url without padding; size > 0 requires exactly that many bytes.
func b64(s string, size int) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("not base64url")
	}
	if size > 0 && len(b) != size {
		return nil, fmt.Errorf("%d bytes, want %d", len(b), size)
	}
	return b, nil
}

func enc(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
