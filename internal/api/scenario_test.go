package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/jwt/jwttest"
)

// A scenario is one request to the API and what its answer must be, in the style of
// PocketBase's tests.ApiScenario. runScenarios runs every scenario as its own parallel
// subtest, with a user of its own, on a server that the scenarios of one database share.
type scenario struct {
	name string

	// setup prepares what the request needs, as the scenario's user: create a task and point
	// {id} at it, say.
	setup func(t *testing.T, e *env)

	method string
	path   string      // "{id}" in it is replaced with e.ID
	token  tokenChoice // whose credentials go with the request
	auth   string      // with token authHeader: the whole Authorization header ("" sends none); "{token}" is the user's JWT
	body   any         // sent as apptest.Server.Do sends it: nil for none, a string or []byte as is, else as JSON

	status   int    // the status code; always checked
	wantBody string // if set, the exact body
	noBody   bool   // the body is empty
	invalid  string // if set, a 422 that names this location (as expectInvalid checks)
	// invalidType, with invalid, is the Pydantic type of the problem there.
	invalidType string
	detail      bool              // the body is a JSON error with a non-empty detail
	fields      map[string]any    // the body is a JSON object with these top-level fields, decoded values equal
	headers     map[string]string // response headers that are present and start with the value

	// after checks more: of the answer, or of the state with further requests.
	after func(t *testing.T, e *env, r apptest.Response)
}

type tokenChoice int

const (
	ownToken   tokenChoice = iota // the scenario's user's JWT
	otherToken                    // the JWT of another user, e.Other
	noToken                       // no Authorization header
	authHeader                    // the Authorization header scenario.auth
)

// env is the state of one scenario.
type env struct {
	S     *apptest.Server
	User  apptest.User // the scenario's own user
	Other apptest.User // a second user, only for token otherToken
	Task  taskJSON     // the task setup made last, if any
	ID    string       // what {id} in paths stands for
	ETag  string       // an ETag that setup kept, for the checks of If-Match
}

func (e *env) expand(path string) string { return strings.ReplaceAll(path, "{id}", e.ID) }

// Do sends a request as the scenario's user.
func (e *env) Do(t *testing.T, method, path string, body any) apptest.Response {
	t.Helper()
	return e.S.Do(t, method, e.expand(path), e.User.Token, body)
}

// Must sends a request as the scenario's user and fails the test unless it answers want.
func (e *env) Must(t *testing.T, want int, method, path string, body any) apptest.Response {
	t.Helper()
	r := e.Do(t, method, path, body)
	if r.Status != want {
		t.Fatalf("%s %s: got %d %s, want %d", method, e.expand(path), r.Status, r.Body, want)
	}
	return r
}

// Create creates a task as the scenario's user and points {id} at it.
func (e *env) Create(t *testing.T, body any) taskJSON {
	t.Helper()
	e.Task = create(t, e.S, e.User.Token, body)
	e.ID = e.Task.ID
	return e.Task
}

// withTask is a setup that creates a task from body and points {id} at it, or at id(its ID)
// when id is not nil.
func withTask(body any, id func(string) string) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		e.Create(t, body)
		if id != nil {
			e.ID = id(e.ID)
		}
	}
}

func taskOf(t *testing.T, r apptest.Response) taskJSON {
	t.Helper()
	var tk taskJSON
	r.JSON(t, &tk)
	return tk
}

func listOf(t *testing.T, r apptest.Response) listJSON {
	t.Helper()
	var l listJSON
	r.JSON(t, &l)
	return l
}

// runScenarios runs each scenario on each database: one server per database, one subtest and
// one new user per scenario.
func runScenarios(t *testing.T, scenarios []scenario) {
	t.Helper()
	seen := map[string]bool{}
	for _, sc := range scenarios {
		switch {
		case seen[sc.name]:
			t.Fatalf("two scenarios are named %q", sc.name)
		case sc.name == "" || sc.method == "" || sc.path == "" || sc.status == 0:
			t.Fatalf("scenario %q needs a name, method, path and status", sc.name)
		case sc.invalid != "" && sc.status != http.StatusUnprocessableEntity:
			t.Fatalf("scenario %q: an invalid location with status %d", sc.name, sc.status)
		}
		seen[sc.name] = true
	}
	// The users are subjects of tokens from an auth server at AUTH_URL, the verifier the
	// built-in auth also goes through: a token per scenario costs a signature, where a
	// sign-up costs a password hash.
	iss := jwttest.New(t)
	user := func(id string) apptest.User { return apptest.User{ID: id, Token: iss.Token(t, "ed-1", iss.Claims(id))} }
	apptest.ForEachDialect(t, func(t *testing.T, d database.Dialect) {
		s := apptest.Start(t, d, map[string]string{"AUTH_URL": iss.URL})
		for i, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				t.Parallel()
				e := &env{S: s, User: user(fmt.Sprintf("scenario-%d", i)), Other: user(fmt.Sprintf("other-%d", i))}
				sc.run(t, e)
			})
		}
	})
}

func (sc scenario) run(t *testing.T, e *env) {
	s := e.S
	if sc.setup != nil {
		sc.setup(t, e)
	}
	path := e.expand(sc.path)
	var r apptest.Response
	switch sc.token {
	case ownToken:
		r = s.Do(t, sc.method, path, e.User.Token, sc.body)
	case otherToken:
		r = s.Do(t, sc.method, path, e.Other.Token, sc.body)
	case noToken:
		r = s.Do(t, sc.method, path, "", sc.body)
	case authHeader:
		r = s.Do(t, sc.method, path, "", sc.body, "Authorization", strings.ReplaceAll(sc.auth, "{token}", e.User.Token))
	default:
		t.Fatalf("token choice %d", sc.token)
	}

	if r.Status != sc.status {
		t.Fatalf("%s %s: got %d %s, want %d", sc.method, path, r.Status, r.Body, sc.status)
	}
	if sc.wantBody != "" && string(r.Body) != sc.wantBody {
		t.Fatalf("body %s, want %s", r.Body, sc.wantBody)
	}
	if sc.noBody && len(r.Body) != 0 {
		t.Fatalf("%d with a body: %q", r.Status, r.Body)
	}
	if sc.invalid != "" {
		expectInvalid(t, r, sc.invalid, sc.invalidType)
	}
	if sc.detail {
		var e errorJSON
		r.JSON(t, &e)
		if e.Detail == nil || e.Detail == "" {
			t.Fatalf("%d without a detail: %s", r.Status, r.Body)
		}
	}
	if sc.fields != nil {
		var got map[string]any
		r.JSON(t, &got)
		for k, want := range sc.fields {
			if v, ok := got[k]; !ok || !reflect.DeepEqual(v, want) {
				t.Fatalf("%s is %s, want %s: %s", k, jsonText(v, ok), jsonText(want, true), r.Body)
			}
		}
	}
	for name, prefix := range sc.headers {
		if v := r.Header.Get(name); v == "" || !strings.HasPrefix(v, prefix) {
			t.Fatalf("header %s %q, want one starting with %q", name, v, prefix)
		}
	}
	if sc.after != nil {
		sc.after(t, e, r)
	}
}

func jsonText(v any, ok bool) string {
	if !ok {
		return "missing"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
