package jwt_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"todo/internal/jwt"
	"todo/internal/jwt/jwttest"
)

// checkKey reports whether keys has the key kid, failing the test (but not ending it, so that
// other goroutines may call it) if not.
func checkKey(t *testing.T, keys *jwt.RemoteKeys, kid string) bool {
	t.Helper()
	key, err := keys.Key(ctx, kid)
	if err != nil || key.ID != kid {
		t.Errorf("Key(%q): got %q, %v", kid, key.ID, err)
		return false
	}
	return true
}

func mustKey(t *testing.T, keys *jwt.RemoteKeys, kid string) {
	t.Helper()
	if !checkKey(t, keys, kid) {
		t.FailNow()
	}
}

// checkTogether has 20 callers check kid at once while the issuer holds the fetch they cause,
// and releases it once it has arrived.
func checkTogether(t *testing.T, iss *jwttest.Issuer, keys *jwt.RemoteKeys, kid string) {
	t.Helper()
	arrived, release := iss.Hold(t)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { checkKey(t, keys, kid) })
	}
	<-arrived
	release()
	wg.Wait()
}

func wantFetches(t *testing.T, iss *jwttest.Issuer, want int64) {
	t.Helper()
	if got := iss.Fetches.Load(); got != want {
		t.Fatalf("the JWKS was fetched %d times, want %d", got, want)
	}
}

// waitForFetch waits until the fetch under way, if any, has ended. A fetch of a JWKS that is
// not held may be over already; Fetches tells whether there was one.
func waitForFetch(keys *jwt.RemoteKeys) {
	if done := jwt.FetchInFlight(keys); done != nil {
		<-done
	}
}

// inFlight returns the fetch under way, failing the test if there is none.
func inFlight(t *testing.T, keys *jwt.RemoteKeys) <-chan struct{} {
	t.Helper()
	done := jwt.FetchInFlight(keys)
	if done == nil {
		t.Fatal("no fetch of the JWKS under way")
	}
	return done
}

func TestStaleKeyIsServedWhileTheJWKSHangs(t *testing.T) {
	iss := jwttest.New(t)
	keys, clock := newRemoteKeys(iss)
	// Without a client timeout, a Key that waited for the hung JWKS could only hang, not pass
	// by returning the stale key once the client gave up.
	keys.Client = &http.Client{}
	mustKey(t, keys, "ed-1")
	iss.Add(t, "ed-2", jwt.EdDSA, true)
	clock.Advance(keys.TTL)
	arrived, release := iss.Hold(t)

	request, endRequest := context.WithCancel(ctx)
	key, err := keys.Key(request, "ed-1")
	if err != nil || key.ID != "ed-1" {
		t.Fatalf("stale key: got %q, %v", key.ID, err)
	}
	// Key has returned and nothing has released the JWKS: the refresh is still at the server.
	<-arrived
	done := inFlight(t, keys)
	// The request that set off the refresh is over before the refresh is; that must not
	// cancel it.
	endRequest()
	release()
	<-done
	wantFetches(t, iss, 2)
	mustKey(t, keys, "ed-2") // in the refreshed set, so no fetch
	mustKey(t, keys, "ed-1")
	wantFetches(t, iss, 2)
}

func TestOneBackgroundRefreshForConcurrentStaleLookups(t *testing.T) {
	iss := jwttest.New(t)
	keys, clock := newRemoteKeys(iss)
	keys.Client = &http.Client{}
	mustKey(t, keys, "ed-1")
	clock.Advance(keys.TTL)
	arrived, release := iss.Hold(t)

	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { checkKey(t, keys, "ed-1") })
	}
	wg.Wait()
	<-arrived
	done := inFlight(t, keys)
	// Past MinRefetch too, a refresh under way is still the only one.
	clock.Advance(keys.MinRefetch)
	for range 10 {
		mustKey(t, keys, "ed-1")
	}
	wantFetches(t, iss, 2)
	release()
	<-done
	for range 10 {
		mustKey(t, keys, "ed-1")
	}
	wantFetches(t, iss, 2)
}

func TestFirstUseWaitsForOneSharedFetch(t *testing.T) {
	iss := jwttest.New(t)
	keys, _ := newRemoteKeys(iss)
	checkTogether(t, iss, keys, "ed-1")
	wantFetches(t, iss, 1)
}

func TestUnknownKidAfterRotationIsFetched(t *testing.T) {
	iss := jwttest.New(t)
	keys, clock := newRemoteKeys(iss)
	mustKey(t, keys, "ed-1")
	iss.Add(t, "ed-2", jwt.EdDSA, false)
	iss.Publish("ed-2")
	clock.Advance(keys.MinRefetch)
	mustKey(t, keys, "ed-2")
	wantFetches(t, iss, 2)

	// Callers of a new kid share one fetch: those that come after it, within MinRefetch,
	// find the key it brought.
	iss.Add(t, "ed-3", jwt.EdDSA, false)
	iss.Publish("ed-3")
	clock.Advance(keys.MinRefetch)
	checkTogether(t, iss, keys, "ed-3")
	wantFetches(t, iss, 3)
}

func TestUnknownKidWaitsForTheBackgroundRefresh(t *testing.T) {
	iss := jwttest.New(t)
	keys, clock := newRemoteKeys(iss)
	mustKey(t, keys, "ed-1")
	iss.Add(t, "ed-2", jwt.EdDSA, true)
	clock.Advance(keys.TTL)
	arrived, release := iss.Hold(t)
	mustKey(t, keys, "ed-1")
	<-arrived
	done := inFlight(t, keys)
	found := make(chan struct{})
	go func() {
		defer close(found)
		checkKey(t, keys, "ed-2")
	}()
	release()
	<-done
	<-found
	wantFetches(t, iss, 2)
}

func TestUnknownKidWaitEndsWithItsRequest(t *testing.T) {
	iss := jwttest.New(t)
	keys, clock := newRemoteKeys(iss)
	mustKey(t, keys, "ed-1")
	iss.Add(t, "ed-2", jwt.EdDSA, true)
	clock.Advance(keys.MinRefetch)
	arrived, release := iss.Hold(t)

	request, endRequest := context.WithCancel(ctx)
	result := make(chan error)
	go func() {
		_, err := keys.Key(request, "ed-2")
		result <- err
	}()
	<-arrived
	done := inFlight(t, keys)
	endRequest()
	if err := <-result; !errors.Is(err, jwt.ErrKeysUnavailable) {
		t.Fatalf("request ended while waiting for the JWKS: got %v, want ErrKeysUnavailable", err)
	}
	// The fetch outlives the request that started it, for whoever needs the key next.
	release()
	<-done
	mustKey(t, keys, "ed-2")
	wantFetches(t, iss, 2)
}

func TestMinRefetchThrottlesFetches(t *testing.T) {
	iss := jwttest.New(t)
	keys, clock := newRemoteKeys(iss)
	mustKey(t, keys, "ed-1")
	wantKeyErr := func(kid string, want error) {
		t.Helper()
		if _, err := keys.Key(ctx, kid); !errors.Is(err, want) {
			t.Fatalf("Key(%q): got %v, want %v", kid, err, want)
		}
	}

	wantKeyErr("ghost", jwt.ErrUnknownKey)
	clock.Advance(keys.MinRefetch - 1)
	wantKeyErr("ghost", jwt.ErrUnknownKey)
	wantFetches(t, iss, 1)
	clock.Advance(1)
	wantKeyErr("ghost", jwt.ErrUnknownKey)
	wantFetches(t, iss, 2)

	// Within MinRefetch the last attempt's outcome stands, even once the JWKS is back.
	iss.SetDown(true)
	clock.Advance(keys.MinRefetch)
	wantKeyErr("ghost", jwt.ErrKeysUnavailable)
	wantFetches(t, iss, 3)
	iss.SetDown(false)
	wantKeyErr("ghost", jwt.ErrKeysUnavailable)
	wantFetches(t, iss, 3)
	clock.Advance(keys.MinRefetch)
	wantKeyErr("ghost", jwt.ErrUnknownKey)
	wantFetches(t, iss, 4)

	// A stale key sets off a refresh only as often as an unknown kid does.
	iss.SetDown(true)
	clock.Advance(keys.TTL)
	mustKey(t, keys, "ed-1")
	waitForFetch(keys)
	wantFetches(t, iss, 5)
	mustKey(t, keys, "ed-1")
	if jwt.FetchInFlight(keys) != nil {
		t.Fatal("a stale key set off a refresh within MinRefetch of the last")
	}
	wantFetches(t, iss, 5)
	clock.Advance(keys.MinRefetch)
	mustKey(t, keys, "ed-1")
	waitForFetch(keys)
	wantFetches(t, iss, 6)
}
