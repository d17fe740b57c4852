package web_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"

	"todo/internal/apptest"
	"todo/internal/browsertest"
	"todo/internal/database"
	"todo/internal/pushtest"
)

// withPushService gives the tab's pages a push service: Chromium without Google's keys has
// none (it refuses every subscription), so PushManager hands out sub, a subscription of the
// push service on loopback, as a browser hands out its own. The rest is the browser's: the
// permission, the service worker, and the push events, which the test delivers through the
// DevTools protocol as the browser's push service would.
func (p *page) withPushService(sub pushtest.Subscription) {
	p.t.Helper()
	script := `(function () {
		const sub = {endpoint: ` + strconv.Quote(sub.Endpoint) + `, options: null, expirationTime: null,
			toJSON() { return {endpoint: this.endpoint, expirationTime: null, keys: {p256dh: ` + strconv.Quote(sub.Keys.P256dh) + `, auth: ` + strconv.Quote(sub.Keys.Auth) + `}}; },
			unsubscribe() { sessionStorage.removeItem("subscribed"); return Promise.resolve(true); }};
		PushManager.prototype.subscribe = function (options) {
			const key = new Uint8Array(options.applicationServerKey);
			sessionStorage.setItem("subscribed", btoa(String.fromCharCode.apply(null, key)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
			return Promise.resolve(sub);
		};
		PushManager.prototype.getSubscription = function () { return Promise.resolve(sessionStorage.getItem("subscribed") ? sub : null); };
	})()`
	p.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: script})
		return err
	}))
}

// workerRegistration is the id of the service worker registration of the site's root.
func (p *page) workerRegistration() serviceworker.RegistrationID {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	events := chromedp.Events(ctx, serviceworker.WorkerRegistrationUpdated)
	if err := chromedp.Do(ctx, browsertest.Call(serviceworker.Enable, cdp.Empty{})); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
	for ev, err := range events {
		if err != nil {
			p.t.Fatalf("waiting for the service worker's registration: %v", err)
		}
		for _, r := range ev.Registrations {
			if r.ScopeURL == p.base+"/" && !r.IsDeleted {
				return r.RegistrationID
			}
		}
	}
	return ""
}

// deliverPush hands the payload to the site's service worker as a push message.
func (p *page) deliverPush(reg serviceworker.RegistrationID, payload []byte) {
	p.t.Helper()
	p.do(browsertest.Call(serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{
		Origin: p.base, RegistrationID: reg, Data: string(payload)}))
}

// inWorker runs JavaScript in the site's service worker and returns its value (a promise's,
// awaited). The worker is started, and its target found through the ServiceWorker domain.
func inWorker[T any](p *page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	versions := chromedp.Events(ctx, serviceworker.WorkerVersionUpdated)
	p.do(browsertest.Call(serviceworker.Enable, cdp.Empty{}),
		browsertest.Call(serviceworker.StopAllWorkers, cdp.Empty{}),
		browsertest.Call(serviceworker.StartWorker, serviceworker.StartWorkerParams{ScopeURL: p.base + "/"}))
	for ev, err := range versions {
		if err != nil {
			p.t.Fatalf("waiting for the service worker: %v", err)
		}
		for _, v := range ev.Versions {
			if v.ScriptURL != p.base+"/sw.js" || v.RunningStatus != serviceworker.VersionRunningStatusRunning || v.TargetID == "" {
				continue
			}
			worker, stop := chromedp.NewContext(p.ctx, chromedp.WithTargetID(v.TargetID))
			defer stop()
			got, err := chromedp.Run(worker, chromedp.Evaluate[T](expr, func(e *runtime.EvaluateParams) { e.AwaitPromise = new(true) }))
			if err != nil {
				p.t.Fatalf("in the service worker: %v", err)
			}
			return got
		}
	}
	p.t.Fatal("the service worker did not start")
	var zero T
	return zero
}

// waitForNotifications waits until the site's service worker shows n notifications.
func (p *page) waitForNotifications(n int) {
	p.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		shown := evaluateAsync[int](p, `navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.length)`)
		if shown == n {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out waiting for %d notifications; %d shown", n, shown)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// reminderIn adds a reminder at an instant a moment from now to the task, through the API.
func reminderIn(t *testing.T, srv *apptest.Server, u apptest.User, taskID string, in time.Duration) string {
	t.Helper()
	res := srv.Do(t, http.MethodPost, "/api/v2/tasks/"+taskID+"/reminders", u.Token,
		map[string]string{"kind": "at", "at": time.Now().Add(in).UTC().Format(time.RFC3339)})
	if res.Status != http.StatusCreated {
		t.Fatalf("add a reminder: %d %s", res.Status, res.Body)
	}
	var r struct{ ID string }
	res.JSON(t, &r)
	return r.ID
}

// snoozedUntil is when the reminder fires again after a snooze; zero when it is not snoozed.
func snoozedUntil(t *testing.T, srv *apptest.Server, u apptest.User, taskID, reminderID string) time.Time {
	t.Helper()
	var list struct {
		Reminders []struct {
			ID           string
			SnoozedUntil *time.Time `json:"snoozed_until"`
		}
	}
	srv.Do(t, http.MethodGet, "/api/v2/tasks/"+taskID+"/reminders", u.Token, nil).JSON(t, &list)
	for _, r := range list.Reminders {
		if r.ID == reminderID && r.SnoozedUntil != nil {
			return *r.SnoozedUntil
		}
	}
	return time.Time{}
}

// TestWebPushNotifications: turning notifications on in Settings subscribes the browser with
// the server's key and registers the service worker at the site's root; a reminder that fires
// is pushed, encrypted and signed, to the subscription; the service worker shows it, snoozes
// it from its button with the payload's token, and opens the task from a click.
func TestWebPushNotifications(t *testing.T) {
	receiver := pushtest.Start(t)
	sub := receiver.Subscribe(t)
	srv := apptest.Start(t, database.SQLite, nil)
	u := srv.SignUp(t, "push@example.com")
	id := createTask(t, srv, u, map[string]any{"title": "Take the bins out"})
	// Notifications and push are the whole browser's: the headless shell has neither.
	p := signedInAs(t, srv, u, nil, inWholeBrowser)
	p.grant("notifications", "push")
	p.withPushService(sub)

	p.open("/settings")
	p.waitFor("the notifications' state", `document.getElementById("push-status").textContent === "Notifications are off in this browser."`)
	p.clickRole("button", "Turn on notifications in this browser")
	p.waitFor("notifications on", `document.getElementById("push-status").textContent === "Notifications are on in this browser."`)
	p.focusLands("once they are on", "the button that turns them off", idIs("push-off"))
	var key struct{ Key string }
	srv.Do(t, http.MethodGet, "/api/v2/push/vapid-public-key", u.Token, nil).JSON(t, &key)
	if got := evaluate[string](p, `sessionStorage.getItem("subscribed")`); got != key.Key {
		t.Errorf("subscribed with the key %q, want the server's %q", got, key.Key)
	}
	worker := evaluateAsync[[]string](p, `navigator.serviceWorker.ready.then(r => [r.active.scriptURL, r.scope])`)
	if want := []string{srv.URL + "/sw.js", srv.URL + "/"}; worker[0] != want[0] || worker[1] != want[1] {
		t.Errorf("service worker %q, want %q", worker, want)
	}

	// A reminder fires: the server pushes it to the subscription.
	reminder := reminderIn(t, srv, u, id, time.Second)
	msg := receiver.Wait(t, sub, 0)
	if msg.VAPIDKey != key.Key {
		t.Errorf("the push was signed with %q, want the server's key", msg.VAPIDKey)
	}
	var payload struct {
		Title, URL string
		Snooze     struct{ Options []string }
	}
	msg.JSON(t, &payload)
	if payload.Title != "Take the bins out" || payload.URL != srv.URL+"/tasks/"+id {
		t.Errorf("payload %+v", payload)
	}

	// The service worker shows it, with snooze buttons.
	reg := p.workerRegistration()
	p.deliverPush(reg, msg.Payload)
	p.waitForNotifications(1)
	shown := evaluateAsync[[]string](p, `navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => [ns[0].title, ns[0].body, ns[0].tag].concat(ns[0].actions.map(a => a.action + ": " + a.title)))`)
	if want := []string{"Take the bins out", "No due date", "reminder-" + reminder, "10m: Snooze 10 minutes", "1h: Snooze 1 hour"}; len(shown) != len(want) || shown[0] != want[0] || shown[2] != want[2] || shown[3] != want[3] || shown[4] != want[4] {
		t.Errorf("notification %q, want %q", shown, want)
	}

	// Its button snoozes the reminder, with the payload's token and no session.
	before := time.Now()
	inWorker[bool](p, `self.registration.getNotifications().then(ns => onNotificationClick(ns[0], "10m")).then(() => true)`)
	if until := snoozedUntil(t, srv, u, id, reminder); until.Before(before.Add(9*time.Minute)) || until.After(time.Now().Add(11*time.Minute)) {
		t.Errorf("after the snooze button, the reminder is snoozed until %v, want 10 minutes on", until)
	}
	p.waitForNotifications(0)

	// A click on the notification itself takes the open page to the task.
	p.deliverPush(reg, msg.Payload)
	p.waitForNotifications(1)
	inWorker[bool](p, `self.registration.getNotifications().then(ns => onNotificationClick(ns[0], "")).then(() => true, () => true)`)
	p.waitFor("the task", `location.pathname === "/" && location.hash === "#task-`+id+`"`)

	// Turning them off forgets the subscription.
	p.open("/settings")
	p.clickRole("button", "Turn off notifications in this browser")
	p.waitFor("notifications off", `document.getElementById("push-status").textContent === "Notifications are off in this browser."`)
	res := srv.Do(t, http.MethodDelete, "/api/v2/push/subscriptions", u.Token, map[string]string{"endpoint": sub.Endpoint})
	if res.Status != http.StatusNotFound {
		t.Errorf("after turning notifications off, the server still has the subscription (%d %s)", res.Status, res.Body)
	}
	if failures := receiver.Failures(); len(failures) != 0 {
		t.Errorf("the push service refused: %q", failures)
	}
}
