// Package push sends Web Push messages (RFC 8030) to the browsers that subscribed: each
// message encrypted for its subscription (RFC 8291, aes128gcm) and signed with the server's
// VAPID key (RFC 8292), through github.com/SherClockHolmes/webpush-go.
package push

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/SherClockHolmes/webpush-go"
)

// Keys is a VAPID key pair on P-256: the public key as an uncompressed point and the private
// key as its scalar, both base64url without padding, as browsers take the public one
// (applicationServerKey).
type Keys struct {
	Public  string
	Private string
}

// GenerateKeys makes a new VAPID key pair.
func GenerateKeys() (Keys, error) {
	private, public, err := webpush.GenerateVAPIDKeys()
	return Keys{Public: public, Private: private}, err
}

// Check tells whether k is a usable key pair: the private scalar's public point is Public.
func (k Keys) Check() error {
	d, err := base64.RawURLEncoding.DecodeString(k.Private)
	if err != nil {
		return errors.New("VAPID private key: not base64url")
	}
	priv, err := ecdh.P256().NewPrivateKey(d)
	if err != nil {
		return fmt.Errorf("VAPID private key: %w", err)
	}
	if base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()) != k.Public {
		return errors.New("VAPID keys: the public key is not the private key's")
	}
	return nil
}

// Subscription is a browser's PushSubscription: where to post, and its keys.
type Subscription struct {
	Endpoint string
	// P256dh is the browser's P-256 public key (uncompressed point), Auth its 16-byte
	// authentication secret, both base64url as PushSubscription.toJSON gives them.
	P256dh string
	Auth   string
}

// MaxEndpointLength bounds an endpoint URL.
const MaxEndpointLength = 2048

// CheckSubscription says which field of s is wrong, if one is: an endpoint that is not an
// https URL (http is taken only on loopback, for a push service in development and tests), a
// p256dh that is not a point of P-256, an auth that is not 16 bytes.
func CheckSubscription(s Subscription) (field string, err error) {
	u, err := url.Parse(s.Endpoint)
	switch {
	case err != nil || u.Host == "" || len(s.Endpoint) > MaxEndpointLength || u.User != nil:
		return "endpoint", fmt.Errorf("must be an https URL of at most %d characters", MaxEndpointLength)
	case u.Scheme == "http" && loopback(u.Hostname()):
	case u.Scheme != "https":
		return "endpoint", errors.New("must be an https URL")
	}
	key, err := decodeKey(s.P256dh)
	if err == nil {
		_, err = ecdh.P256().NewPublicKey(key)
	}
	if err != nil {
		return "p256dh", errors.New("must be a P-256 public key (an uncompressed point, base64url)")
	}
	if auth, err := decodeKey(s.Auth); err != nil || len(auth) != 16 {
		return "auth", errors.New("must be a 16-byte secret, base64url")
	}
	return "", nil
}

// decodeKey reads base64url with or without padding, as browsers and libraries write it.
func decodeKey(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ErrGone is Send's error for a subscription the push service no longer has (404 or 410):
// the browser unsubscribed or the subscription expired, and it should be forgotten.
var ErrGone = errors.New("push: the subscription is gone")

// RefusedError is a push service's refusal of a message that sending again would not change
// (a 4xx other than 404, 410 and 429: a bad VAPID signature, a message too large).
type RefusedError struct {
	Status int
	Body   string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("push: the push service refused the message: %d %s", e.Status, e.Body)
}

// Client sends messages with one VAPID identity.
type Client struct {
	keys Keys
	// subscriber is the VAPID subject as webpush-go takes it: an https URL, or the address
	// of a mailto: URL without its scheme (it adds mailto: itself).
	subscriber string
	http       *http.Client
}

// NewClient sends with keys as subject (a mailto: or https: URL, RFC 8292's contact). With
// publicOnly, it posts only to public addresses: an endpoint is given by a browser, so in
// production it must not make the server post into its own network.
func NewClient(keys Keys, subject string, publicOnly bool) *Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if publicOnly {
		dialer.Control = refusePrivate
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = dialer.DialContext
	transport.Proxy = nil
	return &Client{
		keys:       keys,
		subscriber: strings.TrimPrefix(subject, "mailto:"),
		http:       &http.Client{Transport: transport, Timeout: 30 * time.Second},
	}
}

// CheckSubject tells whether s can be a VAPID subject: a mailto: or https: URL.
func CheckSubject(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return err
	case u.Scheme == "mailto" && strings.Contains(u.Opaque, "@"):
		return nil
	case u.Scheme == "https" && u.Host != "":
		return nil
	}
	return fmt.Errorf("must be a mailto: or https: URL (mailto:admin@example.com), got %q", s)
}

// refusePrivate refuses connections to loopback, private, link-local and unspecified
// addresses, whatever name led there.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() {
		return fmt.Errorf("push: %s is not a public address", host)
	}
	return nil
}

// Message is what Send posts: the payload (JSON for the service worker), how long the push
// service may keep it for a browser that is offline, and a topic under which a newer message
// replaces one not yet delivered (at most 32 characters of base64url).
type Message struct {
	Payload []byte
	TTL     time.Duration
	Topic   string
}

// Send posts m to the subscription's push service. It returns ErrGone for a subscription that
// no longer exists, a *RefusedError for a refusal that retrying would not change, and any
// other error for a failure worth retrying (the service unreachable, 429, 5xx).
func (c *Client) Send(ctx context.Context, s Subscription, m Message) error {
	resp, err := webpush.SendNotificationWithContext(ctx, m.Payload, &webpush.Subscription{
		Endpoint: s.Endpoint, Keys: webpush.Keys{P256dh: s.P256dh, Auth: s.Auth},
	}, &webpush.Options{
		HTTPClient:      c.http,
		Subscriber:      c.subscriber,
		VAPIDPublicKey:  c.keys.Public,
		VAPIDPrivateKey: c.keys.Private,
		TTL:             int(m.TTL / time.Second),
		Topic:           m.Topic,
		Urgency:         webpush.UrgencyHigh,
	})
	if err != nil {
		return fmt.Errorf("push: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return ErrGone
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("push: the push service answered %d %s", resp.StatusCode, body)
	}
	return &RefusedError{Status: resp.StatusCode, Body: string(body)}
}
