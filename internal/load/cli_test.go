package load

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestMainPrintsTheReport(t *testing.T) {
	url := startFake(t, fakeTaskAPI(""))
	var stdout, stderr strings.Builder
	err := Main(context.Background(), []string{"-url", url, "-auth", "jwks", "-jwks-addr", "127.0.0.1:0",
		"-c", "2", "-d", "200ms", "-seed", "1"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "successful requests/s") || !strings.Contains(stderr.String(), "AUTH_URL=http://127.0.0.1:") {
		t.Errorf("stdout:\n%s\nstderr:\n%s\nwant the report, and the AUTH_URL the server needs", stdout.String(), stderr.String())
	}
}

func TestMainTellsWhichAuthURLAServerRefusingTokensNeeds(t *testing.T) {
	url := startFake(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	err := Main(context.Background(), []string{"-url", url, "-auth", "jwks", "-jwks-addr", "127.0.0.1:0", "-d", "1s"},
		new(strings.Builder), new(strings.Builder))
	if err == nil || !strings.Contains(err.Error(), "start it with AUTH_URL=http://127.0.0.1:") {
		t.Errorf("got %v, want a hint naming the AUTH_URL", err)
	}
}
