package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"
)

// Better Auth's requestType claims of a change of email: the legacy flow (none) changes the
// address at once; "change-email-confirmation" is the current address approving the change,
// which then sends a "change-email-verification" link to the new address.
const (
	changeEmailConfirmation = "change-email-confirmation"
	changeEmailVerification = "change-email-verification"
)

// emailClaims is the payload of Better Auth's email-verification token, members in the order
// Better Auth writes them. UpdateTo is set for a change of email.
type emailClaims struct {
	Email       string `json:"email"`
	UpdateTo    string `json:"updateTo,omitempty"`
	RequestType string `json:"requestType,omitempty"`
	UserID      string `json:"userId,omitempty"`
	Iat         int64  `json:"iat"`
	Exp         int64  `json:"exp"`
}

// emailTokenHeader is jose's protected header of an HS256 token without a type.
var emailTokenHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256"}`))

var (
	errEmailTokenExpired = errors.New("email token expired")
	errEmailTokenInvalid = errors.New("email token invalid")
)

// signEmailToken makes Better Auth's email-verification token: a JWT signed with HS256 and
// the secret itself as the key, living lifetime from now. Both servers sharing the secret
// accept each other's.
func signEmailToken(secret []byte, c emailClaims, now time.Time, lifetime time.Duration) (string, error) {
	c.Email, c.UpdateTo = strings.ToLower(c.Email), strings.ToLower(c.UpdateTo)
	c.Iat = now.Unix()
	c.Exp = c.Iat + int64(lifetime/time.Second)
	payload, err := marshalJSON(c)
	if err != nil {
		return "", err
	}
	input := emailTokenHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	return input + "." + base64.RawURLEncoding.EncodeToString(hs256(secret, input)), nil
}

func hs256(secret []byte, input string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return mac.Sum(nil)
}

// verifyEmailToken checks a token as Better Auth does with jose (HS256 only, the signature,
// then exp at now, and iat and nbf when present) and reads its claims: errEmailTokenExpired for a
// token past its exp, errEmailTokenInvalid for anything else wrong. It also requires exp,
// which every token of either server has, and the claims' types, which Better Auth checks
// after jose.
func verifyEmailToken(secret []byte, token string, now time.Time) (emailClaims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return emailClaims{}, errEmailTokenInvalid
	}
	var header struct {
		Alg  string   `json:"alg"`
		Crit []string `json:"crit"`
	}
	if err := decodeSegment(parts[0], &header); err != nil || header.Alg != "HS256" || header.Crit != nil {
		return emailClaims{}, errEmailTokenInvalid
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, hs256(secret, parts[0]+"."+parts[1])) {
		return emailClaims{}, errEmailTokenInvalid
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil || claims == nil {
		return emailClaims{}, errEmailTokenInvalid
	}
	exp, ok := numericDate(claims["exp"])
	if !ok {
		return emailClaims{}, errEmailTokenInvalid
	}
	at := float64(now.Unix())
	for _, name := range []string{"iat", "nbf"} {
		v, present := claims[name]
		if !present {
			continue
		}
		if n, ok := numericDate(v); !ok || name == "nbf" && n > at {
			return emailClaims{}, errEmailTokenInvalid
		}
	}
	if exp <= at {
		return emailClaims{}, errEmailTokenExpired
	}
	c := emailClaims{Exp: int64(exp)}
	for name, dst := range map[string]*string{"email": &c.Email, "updateTo": &c.UpdateTo, "requestType": &c.RequestType, "userId": &c.UserID} {
		v, present := claims[name]
		if !present {
			continue
		}
		if s, ok := v.(string); ok {
			*dst = s
			continue
		}
		return emailClaims{}, errEmailTokenInvalid
	}
	if !validEmail(c.Email) {
		return emailClaims{}, errEmailTokenInvalid
	}
	return c, nil
}

// decodeSegment decodes one base64url part of a JWT as JSON into v.
func decodeSegment(part string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

// numericDate reads a JWT date (seconds, possibly fractional).
func numericDate(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}
