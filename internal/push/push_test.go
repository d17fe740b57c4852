package push_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"todo/internal/push"
	"todo/internal/pushtest"
)

func subscription(s pushtest.Subscription) push.Subscription {
	return push.Subscription{Endpoint: s.Endpoint, P256dh: s.Keys.P256dh, Auth: s.Keys.Auth}
}

// TestSendToAPushService: a message reaches a push service that checks the VAPID signature
// and decrypts the payload with the subscription's keys; a subscription the browser dropped
// is ErrGone; a signature by another key is refused for good.
func TestSendToAPushService(t *testing.T) {
	ctx := context.Background()
	keys, err := push.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Check(); err != nil {
		t.Fatal(err)
	}
	receiver := pushtest.Start(t)
	sub := receiver.Subscribe(t)
	client := push.NewClient(keys, "mailto:ops@example.com", false)

	payload := `{"title":"Water the plants","body":"Due at 18:00"}`
	if err := client.Send(ctx, subscription(sub), push.Message{Payload: []byte(payload), TTL: time.Hour, Topic: "plants"}); err != nil {
		t.Fatal(err)
	}
	m := receiver.Wait(t, sub, 0)
	if string(m.Payload) != payload {
		t.Fatalf("decrypted payload %q, want %q", m.Payload, payload)
	}
	if m.VAPIDKey != keys.Public || m.Subject != "mailto:ops@example.com" || m.TTL != 3600 || m.Topic != "plants" || m.Urgency != "high" {
		t.Fatalf("got key %q subject %q TTL %d topic %q urgency %q; want the server's key, its mailto: subject, 3600, plants, high",
			m.VAPIDKey, m.Subject, m.TTL, m.Topic, m.Urgency)
	}

	other := receiver.Subscribe(t)
	receiver.Unsubscribe(other)
	if err := client.Send(ctx, subscription(other), push.Message{Payload: []byte(`{}`)}); !errors.Is(err, push.ErrGone) {
		t.Fatalf("a dropped subscription: got %v, want ErrGone", err)
	}

	stranger, _ := push.GenerateKeys()
	forged := push.NewClient(push.Keys{Public: keys.Public, Private: stranger.Private}, "https://example.com/contact", false)
	var refused *push.RefusedError
	if err := forged.Send(ctx, subscription(sub), push.Message{Payload: []byte(`{}`)}); !errors.As(err, &refused) || refused.Status != 401 {
		t.Fatalf("a JWT signed by a key other than k: got %v, want the receiver's 401 as a RefusedError", err)
	}
	if f := receiver.Failures(); len(f) != 1 || !strings.Contains(f[0], "signature does not verify") {
		t.Fatalf("receiver failures %q, want the one bad signature", f)
	}
}

// TestPublicOnly: in production the client does not post into the server's own network,
// whatever endpoint a browser gave.
func TestPublicOnly(t *testing.T) {
	keys, _ := push.GenerateKeys()
	receiver := pushtest.Start(t)
	sub := receiver.Subscribe(t)
	err := push.NewClient(keys, "mailto:ops@example.com", true).Send(context.Background(), subscription(sub), push.Message{Payload: []byte(`{}`)})
	if err == nil || !strings.Contains(err.Error(), "not a public address") {
		t.Fatalf("posting to loopback with publicOnly: got %v, want a refusal", err)
	}
	if n := len(receiver.Messages()); n != 0 {
		t.Fatalf("%d messages reached loopback", n)
	}
}

func TestCheckSubscription(t *testing.T) {
	receiver := pushtest.Start(t)
	good := subscription(receiver.Subscribe(t))
	if field, err := push.CheckSubscription(good); err != nil {
		t.Fatalf("a browser's subscription: %s %v", field, err)
	}
	for _, c := range []struct {
		name  string
		edit  func(*push.Subscription)
		field string
	}{
		{"plain http off loopback", func(s *push.Subscription) { s.Endpoint = "http://push.example.com/x" }, "endpoint"},
		{"not a URL", func(s *push.Subscription) { s.Endpoint = "push" }, "endpoint"},
		{"another scheme", func(s *push.Subscription) { s.Endpoint = "ftp://push.example.com/x" }, "endpoint"},
		{"credentials in the URL", func(s *push.Subscription) { s.Endpoint = "https://u:p@push.example.com/x" }, "endpoint"},
		{"too long", func(s *push.Subscription) { s.Endpoint = "https://push.example.com/" + strings.Repeat("x", 2100) }, "endpoint"},
		{"not a point", func(s *push.Subscription) { s.P256dh = s.P256dh[:40] }, "p256dh"},
		{"not base64url", func(s *push.Subscription) { s.P256dh = "!!" }, "p256dh"},
		{"short auth", func(s *push.Subscription) { s.Auth = "AAAA" }, "auth"},
	} {
		s := good
		c.edit(&s)
		if field, err := push.CheckSubscription(s); field != c.field || err == nil {
			t.Errorf("%s: got %q %v, want the field %q refused", c.name, field, err, c.field)
		}
	}
	https := good
	https.Endpoint = "https://fcm.googleapis.com/fcm/send/abc"
	if field, err := push.CheckSubscription(https); err != nil {
		t.Fatalf("an https endpoint: %s %v", field, err)
	}
}

func TestCheckSubject(t *testing.T) {
	for _, ok := range []string{"mailto:ops@example.com", "https://example.com/contact"} {
		if err := push.CheckSubject(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ops@example.com", "mailto:", "http://example.com", "https://"} {
		if err := push.CheckSubject(bad); err == nil {
			t.Errorf("%q taken as a VAPID subject", bad)
		}
	}
}
