package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
)

// Sign returns a compact JWS of payload (the claims JSON, written by the caller in the order
// it wants) signed by key with alg, whose header is {"alg":…,"kid":…} as Better Auth's is.
func Sign(alg, kid string, key crypto.Signer, payload []byte) (string, error) {
	header, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}{alg, kid})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(enc(header))
	b.WriteByte('.')
	b.WriteString(enc(payload))
	sig, err := signature(alg, key, []byte(b.String()))
	if err != nil {
		return "", err
	}
	b.WriteByte('.')
	b.WriteString(enc(sig))
	return b.String(), nil
}

func signature(alg string, key crypto.Signer, input []byte) ([]byte, error) {
	switch alg {
	case EdDSA:
		k, ok := key.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("EdDSA needs an Ed25519 key, got %T", key)
		}
		return ed25519.Sign(k, input), nil
	case ES256, ES512:
		k, ok := key.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s needs an EC key, got %T", alg, key)
		}
		r, s, err := ecdsa.Sign(rand.Reader, k, digest(alg, input))
		if err != nil {
			return nil, err
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		sig := make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
		return sig, nil
	case RS256:
		k, ok := key.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("RS256 needs an RSA key, got %T", key)
		}
		return rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest(alg, input))
	case PS256:
		k, ok := key.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("PS256 needs an RSA key, got %T", key)
		}
		return rsa.SignPSS(rand.Reader, k, crypto.SHA256, digest(alg, input), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	}
	return nil, fmt.Errorf("unsupported algorithm %q", alg)
}

// verifySignature checks sig over input with key, for key's own algorithm only.
func verifySignature(key PublicKey, input, sig []byte) bool {
	switch k := key.Key.(type) {
	case ed25519.PublicKey:
		return key.Alg == EdDSA && ed25519.Verify(k, input, sig)
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		if (key.Alg != ES256 && key.Alg != ES512) || len(sig) != 2*size {
			return false
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(k, digest(key.Alg, input), r, s)
	case *rsa.PublicKey:
		switch key.Alg {
		case RS256:
			return rsa.VerifyPKCS1v15(k, crypto.SHA256, digest(key.Alg, input), sig) == nil
		case PS256:
			return rsa.VerifyPSS(k, crypto.SHA256, digest(key.Alg, input), sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}
	}
	return false
}

func digest(alg string, input []byte) []byte {
	if alg == ES512 {
		h := sha512.Sum512(input)
		return h[:]
	}
	h := sha256.Sum256(input)
	return h[:]
}

// decodeExact decodes JSON whose member names must be exact: encoding/json matches them
// without regard to case and lets a later duplicate win, so {"sub":"a","SUB":"b"} would be
// b's token. Here a name is matched as written, and a duplicate name refuses the token.
func decodeExact(b []byte, v any) error { return jsonv2.Unmarshal(b, v) }

// header is the part of a JOSE header a verifier must look at.
type header struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
}

// parsed is a token split into its parts, its signature not yet checked.
type parsed struct {
	header  header
	payload []byte
	input   []byte // what the signature covers
	sig     []byte
}

var errMalformed = errors.New("malformed token")

func parse(token string) (parsed, error) {
	first := strings.IndexByte(token, '.')
	last := strings.LastIndexByte(token, '.')
	if first < 0 || first == last {
		return parsed{}, errMalformed
	}
	h, err := base64.RawURLEncoding.DecodeString(token[:first])
	if err != nil {
		return parsed{}, errMalformed
	}
	payload, err := base64.RawURLEncoding.DecodeString(token[first+1 : last])
	if err != nil {
		return parsed{}, errMalformed
	}
	sig, err := base64.RawURLEncoding.DecodeString(token[last+1:])
	if err != nil || len(sig) == 0 {
		return parsed{}, errMalformed
	}
	var p parsed
	if err := decodeExact(h, &p.header); err != nil {
		return parsed{}, errMalformed
	}
	p.payload, p.input, p.sig = payload, []byte(token[:last]), sig
	return p, nil
}
