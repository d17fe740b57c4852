package remind

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/chacha20poly1305"

	"todo/internal/apperr"
	"todo/internal/push"
)

// Two secrets come from BETTER_AUTH_SECRET, each under a key of its own: the seal of the VAPID
// private key in the database, and the signature of snooze tokens.
func derivedKey(secret, purpose string) []byte {
	k := sha256.Sum256([]byte("todo " + purpose + "\x00" + secret))
	return k[:]
}

// vapidKeys reads the server's VAPID key pair from the database, making it first when there
// is none: every instance on the database signs with the same key, which browsers have
// subscribed with. The private key is kept sealed (XChaCha20-Poly1305), so that a copy of the
// database alone cannot sign pushes.
func vapidKeys(ctx context.Context, st *store, secret string, now time.Time) (push.Keys, error) {
	aead, err := chacha20poly1305.NewX(derivedKey(secret, "vapid key"))
	if err != nil {
		return push.Keys{}, err
	}
	public, sealed, ok, err := st.vapidKeys(ctx)
	if err != nil {
		return push.Keys{}, err
	}
	if !ok {
		keys, err := push.GenerateKeys()
		if err != nil {
			return push.Keys{}, err
		}
		nonce := make([]byte, aead.NonceSize())
		rand.Read(nonce)
		box := aead.Seal(nonce, nonce, []byte(keys.Private), []byte(keys.Public))
		if err := st.addVAPIDKeys(ctx, keys.Public, base64.RawURLEncoding.EncodeToString(box), now); err != nil {
			return push.Keys{}, err
		}
		// Another instance may have stored its pair first: the stored one is the one.
		if public, sealed, _, err = st.vapidKeys(ctx); err != nil {
			return push.Keys{}, err
		}
	}
	box, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(box) < aead.NonceSize() {
		return push.Keys{}, errUnsealed
	}
	private, err := aead.Open(nil, box[:aead.NonceSize()], box[aead.NonceSize():], []byte(public))
	if err != nil {
		return push.Keys{}, errUnsealed
	}
	keys := push.Keys{Public: public, Private: string(private)}
	return keys, keys.Check()
}

// errUnsealed is a stored VAPID private key that this server cannot open: sealed with another
// BETTER_AUTH_SECRET (or not by this app).
var errUnsealed = errors.New("the stored VAPID private key does not open with BETTER_AUTH_SECRET (was the secret changed?)")

// SnoozeTokenLifetime is how long the snooze token of a push notification works: the
// notification's buttons snooze without a session for that long, then the app asks the user
// to sign in.
const SnoozeTokenLifetime = 12 * time.Hour

// snoozeClaims are what a snooze token says: this user may snooze this reminder until exp.
type snoozeClaims struct {
	Reminder uuid.UUID `json:"r"`
	User     string    `json:"u"`
	Exp      int64     `json:"e"`
}

// ErrBadSnoozeToken refuses a snooze token that is forged, expired, or for another reminder.
var ErrBadSnoozeToken = &apperr.Error{Kind: apperr.Unauthorized, Code: "BAD_SNOOZE_TOKEN",
	Message: "The snooze link has expired or is not valid; open the app to snooze"}

type tokens struct{ key []byte }

// sign makes the token a push notification carries for snoozing reminder r.
func (k tokens) sign(r Reminder, now time.Time) string {
	claims, _ := json.Marshal(snoozeClaims{Reminder: r.ID, User: r.UserID, Exp: now.Add(SnoozeTokenLifetime).Unix()})
	body := base64.RawURLEncoding.EncodeToString(claims)
	return body + "." + base64.RawURLEncoding.EncodeToString(k.mac(body))
}

func (k tokens) mac(body string) []byte {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte("snooze." + body))
	return m.Sum(nil)
}

// verify returns the user a token lets snooze reminder id.
func (k tokens) verify(token string, id uuid.UUID, now time.Time) (string, error) {
	body, sig, ok := strings.Cut(token, ".")
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(mac, k.mac(body)) {
		return "", ErrBadSnoozeToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	var c snoozeClaims
	if err != nil || json.Unmarshal(raw, &c) != nil {
		return "", ErrBadSnoozeToken
	}
	if c.Reminder != id || c.User == "" || now.Unix() >= c.Exp {
		return "", ErrBadSnoozeToken
	}
	return c.User, nil
}
