package mcp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/jwt/jwttest"
	"todo/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The two transports of Streamable HTTP that the SDK speaks: the sessionless protocol of
// 2026-07-28 (its default) and the initialize handshake of the versions before, which most
// clients speak today.
var protocols = []string{"2026-07-28", "2025-11-25"}

// The results of the tools, as a client decodes them.
type (
	change struct {
		TaskID string `json:"task_id"`
		Status string `json:"status"`
		Title  string `json:"title"`
	}
	item struct {
		ID          string     `json:"id"`
		Title       string     `json:"title"`
		Description string     `json:"description"`
		Completed   bool       `json:"completed"`
		CreatedAt   time.Time  `json:"created_at"`
		UpdatedAt   *time.Time `json:"updated_at"`
	}
	list struct {
		Tasks []item `json:"tasks"`
		Total int64  `json:"total"`
	}
)

// bearer adds the Authorization header to every request: what an MCP client configured with
// a token does.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// connect opens an MCP session with the server at base as the holder of token.
func connect(t *testing.T, base, token, protocol string) *sdk.ClientSession {
	t.Helper()
	return connectVia(t, base, &http.Client{Transport: bearer{token, http.DefaultTransport}, Timeout: 30 * time.Second}, protocol)
}

func connectVia(t *testing.T, base string, hc *http.Client, protocol string) *sdk.ClientSession {
	t.Helper()
	client := sdk.NewClient(&sdk.Implementation{Name: "todo-test", Version: "0"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := client.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: base + "/mcp", HTTPClient: hc, MaxRetries: -1},
		&sdk.ClientSessionOptions{ProtocolVersion: protocol})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// call calls a tool; a protocol error fails the test, since no input may cause one.
func call(t *testing.T, cs *sdk.ClientSession, name string, args map[string]any) *sdk.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s %v: protocol error %v", name, args, err)
	}
	return res
}

func text(res *sdk.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// ok calls a tool that must succeed and decodes its structured content into a T, after
// checking that the text content carries the same JSON for clients that read only text.
func ok[T any](t *testing.T, cs *sdk.ClientSession, name string, args map[string]any) T {
	t.Helper()
	res := call(t, cs, name, args)
	if res.IsError {
		t.Fatalf("%s %v: tool error %q", name, args, text(res))
	}
	structured, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var fromText, fromStructured any
	if err := json.Unmarshal([]byte(text(res)), &fromText); err != nil {
		t.Fatalf("%s: text content %q is not JSON: %v", name, text(res), err)
	}
	json.Unmarshal(structured, &fromStructured)
	if !reflect.DeepEqual(fromText, fromStructured) {
		t.Errorf("%s: text content %s, structured content %s: want the same", name, text(res), structured)
	}
	var v T
	if err := json.Unmarshal(structured, &v); err != nil {
		t.Fatalf("%s: decode %s: %v", name, structured, err)
	}
	return v
}

// refused calls a tool that must fail with a tool error whose message holds every one of want.
func refused(t *testing.T, cs *sdk.ClientSession, name string, args map[string]any, want ...string) string {
	t.Helper()
	res := call(t, cs, name, args)
	msg := text(res)
	if !res.IsError {
		t.Fatalf("%s %v: got success %s, want a tool error", name, args, msg)
	}
	t.Logf("%s: %s", name, msg)
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%s %v: got error %q, want it to mention %q", name, args, msg, w)
		}
	}
	return msg
}

// startServer runs the app on the dialect, trusting tokens of iss (cheap to mint, unlike
// users signed up with a password hash each).
func startServer(t *testing.T, dialect database.Dialect, iss *jwttest.Issuer, env ...string) *apptest.Server {
	t.Helper()
	vars := map[string]string{"AUTH_URL": iss.URL}
	for i := 0; i+1 < len(env); i += 2 {
		vars[env[i]] = env[i+1]
	}
	return apptest.Start(t, dialect, vars)
}

func TestToolList(t *testing.T) {
	iss := jwttest.New(t)
	s := startServer(t, database.SQLite, iss)
	for _, protocol := range protocols {
		t.Run(protocol, func(t *testing.T) {
			cs := connect(t, s.URL, iss.Token(t, "ed-1", iss.Claims("alice")), protocol)
			res, err := cs.ListTools(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			type schema struct {
				Type       string   `json:"type"`
				Required   []string `json:"required"`
				Properties map[string]struct {
					Type        any    `json:"type"`
					Description string `json:"description"`
					Enum        []any  `json:"enum"`
				} `json:"properties"`
			}
			want := map[string]struct {
				args     []string
				required []string
			}{
				"add_task":      {[]string{"user_id", "title", "description"}, []string{"title"}},
				"list_tasks":    {[]string{"user_id", "status", "limit", "offset"}, nil},
				"search_tasks":  {[]string{"user_id", "query", "status", "limit"}, []string{"query"}},
				"complete_task": {[]string{"user_id", "task_id"}, []string{"task_id"}},
				"delete_task":   {[]string{"user_id", "task_id"}, []string{"task_id"}},
				"update_task":   {[]string{"user_id", "task_id", "title", "description"}, []string{"task_id"}},
			}
			var names []string
			for _, tool := range res.Tools {
				names = append(names, tool.Name)
				w, known := want[tool.Name]
				if !known {
					t.Errorf("unexpected tool %q", tool.Name)
					continue
				}
				if tool.Description == "" {
					t.Errorf("%s: no description", tool.Name)
				}
				var in, out schema
				b, _ := json.Marshal(tool.InputSchema)
				json.Unmarshal(b, &in)
				if in.Type != "object" {
					t.Errorf("%s: input schema %s, want an object", tool.Name, b)
				}
				var args []string
				for name, p := range in.Properties {
					args = append(args, name)
					if p.Description == "" {
						t.Errorf("%s: argument %s has no description", tool.Name, name)
					}
				}
				slices.Sort(args)
				slices.Sort(w.args)
				if !slices.Equal(args, w.args) {
					t.Errorf("%s: arguments %v, want %v", tool.Name, args, w.args)
				}
				slices.Sort(in.Required)
				slices.Sort(w.required)
				if !slices.Equal(in.Required, w.required) {
					t.Errorf("%s: required %v, want %v", tool.Name, in.Required, w.required)
				}
				if p, ok := in.Properties["status"]; ok && !reflect.DeepEqual(p.Enum, []any{"all", "pending", "completed"}) {
					t.Errorf("%s: status enum %v, want all, pending, completed", tool.Name, p.Enum)
				}
				b, _ = json.Marshal(tool.OutputSchema)
				json.Unmarshal(b, &out)
				if out.Type != "object" || len(out.Properties) == 0 {
					t.Errorf("%s: output schema %s, want an object with properties", tool.Name, b)
				}
			}
			if len(names) != len(want) {
				t.Errorf("tools %v, want the %d of %v", names, len(want), want)
			}
		})
	}
}

func TestTools(t *testing.T) {
	iss := jwttest.New(t)
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		s := startServer(t, dialect, iss)
		for _, protocol := range protocols {
			t.Run(protocol, func(t *testing.T) {
				user := "user-" + protocol
				cs := connect(t, s.URL, iss.Token(t, "ed-1", iss.Claims(user)), protocol)

				added := ok[change](t, cs, "add_task", map[string]any{"title": "  Buy milk  ", "description": "Two litres"})
				if added.Status != "created" || added.Title != "Buy milk" || uuid.Validate(added.TaskID) != nil {
					t.Fatalf("add_task: got %+v, want status created, the trimmed title and a UUID", added)
				}
				other := ok[change](t, cs, "add_task", map[string]any{"title": "Call the plumber", "user_id": user})
				if other.Status != "created" {
					t.Fatalf("add_task with the caller's own user_id: got %+v", other)
				}

				all := ok[list](t, cs, "list_tasks", nil)
				if all.Total != 2 || len(all.Tasks) != 2 || all.Tasks[0].ID != other.TaskID || all.Tasks[1].ID != added.TaskID {
					t.Fatalf("list_tasks: got %+v, want both tasks, newest first", all)
				}
				if got := all.Tasks[1]; got.Title != "Buy milk" || got.Description != "Two litres" || got.Completed || got.UpdatedAt != nil {
					t.Errorf("list_tasks: the first task is %+v", got)
				}

				done := ok[change](t, cs, "complete_task", map[string]any{"task_id": added.TaskID})
				if done != (change{added.TaskID, "completed", "Buy milk"}) {
					t.Errorf("complete_task: got %+v", done)
				}
				// Completing again leaves it completed: the tool sets, it does not toggle.
				ok[change](t, cs, "complete_task", map[string]any{"task_id": added.TaskID})
				for status, want := range map[string][]string{
					"all":       {other.TaskID, added.TaskID},
					"pending":   {other.TaskID},
					"completed": {added.TaskID},
				} {
					got := ok[list](t, cs, "list_tasks", map[string]any{"status": status})
					var ids []string
					for _, task := range got.Tasks {
						ids = append(ids, task.ID)
					}
					if !slices.Equal(ids, want) || got.Total != int64(len(want)) {
						t.Errorf("list_tasks %s: got %v (total %d), want %v", status, ids, got.Total, want)
					}
				}
				page := ok[list](t, cs, "list_tasks", map[string]any{"limit": 1, "offset": 1})
				if len(page.Tasks) != 1 || page.Tasks[0].ID != added.TaskID || page.Total != 2 {
					t.Errorf("list_tasks limit 1 offset 1: got %+v, want the older task of 2", page)
				}

				updated := ok[change](t, cs, "update_task", map[string]any{"task_id": other.TaskID, "title": " Call Mario ", "description": "About the sink"})
				if updated != (change{other.TaskID, "updated", "Call Mario"}) {
					t.Errorf("update_task: got %+v", updated)
				}
				ok[change](t, cs, "update_task", map[string]any{"task_id": other.TaskID, "description": ""})
				after := ok[list](t, cs, "list_tasks", map[string]any{"status": "pending"})
				if len(after.Tasks) != 1 || after.Tasks[0].Title != "Call Mario" || after.Tasks[0].Description != "" || after.Tasks[0].UpdatedAt == nil {
					t.Errorf("after update_task: got %+v, want the new title, no description, updated_at set", after)
				}

				for _, c := range []struct {
					query, status string
					want          []string
				}{
					{"MILK", "", []string{added.TaskID}},
					{"litres", "all", []string{added.TaskID}},       // the description
					{"mil", "", []string{added.TaskID}},             // the start of a word
					{"m", "", []string{other.TaskID, added.TaskID}}, // "Mario", "milk": newest first
					{"ilk", "", nil},                                // words, not any substring
					{"milk", "pending", nil},
					{"mario", "pending", []string{other.TaskID}},
					{"nothing like it", "", nil},
				} {
					args := map[string]any{"query": c.query}
					if c.status != "" {
						args["status"] = c.status
					}
					got := ok[list](t, cs, "search_tasks", args)
					var ids []string
					for _, task := range got.Tasks {
						ids = append(ids, task.ID)
					}
					if !slices.Equal(ids, c.want) || got.Total != int64(len(c.want)) {
						t.Errorf("search_tasks %q %s: got %v (total %d), want %v", c.query, c.status, ids, got.Total, c.want)
					}
				}
				if got := ok[list](t, cs, "search_tasks", map[string]any{"query": "m", "limit": 1}); len(got.Tasks) != 1 || got.Total != 2 {
					t.Errorf("search_tasks limit 1: got %+v, want 1 task of 2", got)
				}

				deleted := ok[change](t, cs, "delete_task", map[string]any{"task_id": added.TaskID})
				if deleted != (change{added.TaskID, "deleted", "Buy milk"}) {
					t.Errorf("delete_task: got %+v", deleted)
				}
				refused(t, cs, "delete_task", map[string]any{"task_id": added.TaskID}, "Task not found")
				if left := ok[list](t, cs, "list_tasks", nil); left.Total != 1 || left.Tasks[0].ID != other.TaskID {
					t.Errorf("after delete_task: got %+v, want only the other task", left)
				}
			})
		}
	})
}

func TestToolErrors(t *testing.T) {
	iss := jwttest.New(t)
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		s := startServer(t, dialect, iss)
		cs := connect(t, s.URL, iss.Token(t, "ed-1", iss.Claims("carol")), "")
		id := ok[change](t, cs, "add_task", map[string]any{"title": "Water the plants"}).TaskID
		unknown := uuid.NewString()
		long := strings.Repeat("é", 201) // code points, not bytes, count

		for _, c := range []struct {
			name string
			tool string
			args map[string]any
			want []string
		}{
			{"blank title", "add_task", map[string]any{"title": "   "}, []string{"title", "blank"}},
			{"empty title", "add_task", map[string]any{"title": ""}, []string{"title", "empty"}},
			{"no title", "add_task", map[string]any{}, []string{"title"}},
			{"title of 201 characters", "add_task", map[string]any{"title": long}, []string{"title", "200", "201"}},
			{"description of 1001 characters", "add_task", map[string]any{"title": "x", "description": strings.Repeat("d", 1001)}, []string{"description", "1000"}},
			{"title not a string", "add_task", map[string]any{"title": 42}, []string{"title"}},
			{"NUL in title", "add_task", map[string]any{"title": "a\x00b"}, []string{"title", "NUL"}},
			{"unknown argument", "add_task", map[string]any{"title": "x", "priority": "high"}, []string{"priority"}},
			{"unknown status", "list_tasks", map[string]any{"status": "done"}, []string{"status"}},
			{"limit too large", "list_tasks", map[string]any{"limit": 5000}, []string{"limit", "1000"}},
			{"negative offset", "list_tasks", map[string]any{"offset": -1}, []string{"offset"}},
			{"blank query", "search_tasks", map[string]any{"query": "  "}, []string{"query", "blank"}},
			{"search limit too large", "search_tasks", map[string]any{"query": "a", "limit": 5000}, []string{"limit"}},
			{"complete an unknown task", "complete_task", map[string]any{"task_id": unknown}, []string{"Task not found"}},
			{"delete an unknown task", "delete_task", map[string]any{"task_id": unknown}, []string{"Task not found"}},
			{"update an unknown task", "update_task", map[string]any{"task_id": unknown, "title": "x"}, []string{"Task not found"}},
			{"task id not a UUID", "complete_task", map[string]any{"task_id": "42"}, []string{"task_id", "UUID"}},
			{"no task id", "delete_task", map[string]any{}, []string{"task_id"}},
			{"update nothing", "update_task", map[string]any{"task_id": id}, []string{"title", "description"}},
			{"update to a blank title", "update_task", map[string]any{"task_id": id, "title": " \t"}, []string{"title", "blank"}},
			{"update to a title of 201 characters", "update_task", map[string]any{"task_id": id, "title": long}, []string{"title", "200"}},
		} {
			t.Run(c.name, func(t *testing.T) { refused(t, cs, c.tool, c.args, c.want...) })
		}

		// A client may send no arguments at all, or null: a tool error, never a crash.
		token := iss.Token(t, "ed-1", iss.Claims("carol"))
		for _, tool := range []string{"add_task", "list_tasks", "search_tasks", "complete_task", "delete_task", "update_task"} {
			for _, params := range []string{`{"name":%q}`, `{"name":%q,"arguments":null}`, `{"name":%q,"arguments":{}}`} {
				body := `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":` + fmt.Sprintf(params, tool) + `}`
				r := post(t, s, body, "Authorization", "Bearer "+token)
				var resp struct {
					Result *sdk.CallToolResult `json:"result"`
				}
				json.Unmarshal(r.Body, &resp)
				if r.Status != http.StatusOK || resp.Result == nil || (tool != "list_tasks" && !resp.Result.IsError) {
					t.Errorf("%s: got %d %s, want a result (a tool error unless the tool needs no arguments)", body, r.Status, r.Body)
				}
			}
		}

		// None of the refusals changed the task.
		if got := ok[list](t, cs, "list_tasks", nil); got.Total != 1 || got.Tasks[0].Title != "Water the plants" || got.Tasks[0].Completed {
			t.Errorf("after the refusals: got %+v, want the task as it was", got)
		}
		// An unknown tool is the one protocol error: the client asked for what is not listed.
		if _, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "drop_tables"}); err == nil {
			t.Error("unknown tool: got no error")
		}
	})
}

func TestIsolation(t *testing.T) {
	iss := jwttest.New(t)
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		s := startServer(t, dialect, iss)
		alice := connect(t, s.URL, iss.Token(t, "ed-1", iss.Claims("alice")), "")
		bob := connect(t, s.URL, iss.Token(t, "ed-1", iss.Claims("bob")), "")
		id := ok[change](t, alice, "add_task", map[string]any{"title": "Alice's secret", "description": "surprise party"}).TaskID

		if got := ok[list](t, bob, "list_tasks", nil); got.Total != 0 || len(got.Tasks) != 0 {
			t.Errorf("bob's list_tasks: got %+v, want nothing", got)
		}
		if got := ok[list](t, bob, "search_tasks", map[string]any{"query": "secret"}); got.Total != 0 {
			t.Errorf("bob's search_tasks: got %+v, want nothing", got)
		}
		// Another user's task is "not found", exactly as a task that does not exist.
		refused(t, bob, "complete_task", map[string]any{"task_id": id}, "Task not found")
		refused(t, bob, "update_task", map[string]any{"task_id": id, "title": "Bob was here"}, "Task not found")
		refused(t, bob, "delete_task", map[string]any{"task_id": id}, "Task not found")

		// A user_id that is not the token's subject is refused, and the refusal is the same
		// whether that user exists or not.
		var msgs []string
		for _, c := range []struct {
			tool string
			args map[string]any
		}{
			{"list_tasks", map[string]any{"user_id": "alice"}},
			{"search_tasks", map[string]any{"user_id": "alice", "query": "secret"}},
			{"add_task", map[string]any{"user_id": "alice", "title": "Planted"}},
			{"complete_task", map[string]any{"user_id": "alice", "task_id": id}},
			{"update_task", map[string]any{"user_id": "alice", "task_id": id, "title": "Bob was here"}},
			{"delete_task", map[string]any{"user_id": "alice", "task_id": id}},
			{"list_tasks", map[string]any{"user_id": "nobody-at-all"}},
		} {
			msg := refused(t, bob, c.tool, c.args, "user_id")
			if strings.Contains(msg, "alice") || strings.Contains(msg, "secret") || strings.Contains(msg, id) {
				t.Errorf("%s: the refusal %q tells about alice", c.tool, msg)
			}
			msgs = append(msgs, msg)
		}
		for _, m := range msgs[1:] {
			if m != msgs[0] {
				t.Errorf("refusals differ: %q and %q", msgs[0], m)
			}
		}

		got := ok[list](t, alice, "list_tasks", nil)
		if got.Total != 1 || got.Tasks[0].Title != "Alice's secret" || got.Tasks[0].Completed || got.Tasks[0].UpdatedAt != nil {
			t.Errorf("alice's tasks after bob's attempts: got %+v, want her task untouched", got)
		}
		if got := ok[list](t, bob, "list_tasks", nil); got.Total != 0 {
			t.Errorf("bob's tasks after his attempts: got %+v, want none", got)
		}
	})
}

// post sends one JSON-RPC message to /mcp as a client of the 2025-11-25 protocol would, with
// the headers given as name/value pairs.
func post(t *testing.T, s *apptest.Server, body string, headers ...string) apptest.Response {
	t.Helper()
	req, err := http.NewRequest("POST", s.URL+"/mcp", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	apptest.SetHeaders(req, headers...)
	return apptest.Send(t, nil, req)
}

const listToolsRequest = `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`

func TestAuthentication(t *testing.T) {
	iss := jwttest.New(t)
	s := startServer(t, database.SQLite, iss)
	now := time.Now().Unix()
	expiredClaims := iss.Claims("alice")
	expiredClaims["iat"], expiredClaims["exp"] = now-3600, now-600
	expired := iss.Token(t, "ed-1", expiredClaims)
	good := iss.Token(t, "ed-1", iss.Claims("alice"))

	for _, c := range []struct {
		name, auth, challenge string
	}{
		{"no token", "", "Bearer"},
		{"empty bearer", "Bearer ", "Bearer"},
		{"basic", "Basic YWxpY2U6c2VjcmV0", "Bearer"},
		{"expired", "Bearer " + expired, `Bearer error="invalid_token"`},
		{"malformed", "Bearer abc.def.ghi", `Bearer error="invalid_token"`},
		{"signed by someone else", "Bearer " + good[:len(good)-4] + "AAAA", `Bearer error="invalid_token"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Every method, including those the MCP handler itself refuses, is refused first.
			for _, method := range []string{"POST", "GET", "DELETE"} {
				req, _ := http.NewRequest(method, s.URL+"/mcp", strings.NewReader(listToolsRequest))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json, text/event-stream")
				apptest.SetHeaders(req, "Authorization", c.auth)
				r := apptest.Send(t, nil, req)
				if r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") != c.challenge {
					t.Fatalf("%s: got %d (WWW-Authenticate %q) %s, want 401 with %q", method, r.Status, r.Header.Get("WWW-Authenticate"), r.Body, c.challenge)
				}
				if strings.Contains(string(r.Body), "tools") {
					t.Errorf("%s: the refusal %s carries MCP content", method, r.Body)
				}
			}
		})
	}

	t.Run("the SDK client", func(t *testing.T) {
		for name, token := range map[string]string{"expired": expired, "malformed": "abc.def.ghi"} {
			client := sdk.NewClient(&sdk.Implementation{Name: "todo-test", Version: "0"}, nil)
			hc := &http.Client{Transport: bearer{token, http.DefaultTransport}, Timeout: 30 * time.Second}
			cs, err := client.Connect(context.Background(), &sdk.StreamableClientTransport{Endpoint: s.URL + "/mcp", HTTPClient: hc, MaxRetries: -1}, nil)
			if err == nil {
				cs.Close()
				t.Errorf("%s token: connected, want a refusal", name)
			} else if !strings.Contains(err.Error(), "401") && !strings.Contains(strings.ToLower(err.Error()), "unauthorized") {
				t.Errorf("%s token: got %v, want a 401", name, err)
			}
		}
	})

	t.Run("valid token", func(t *testing.T) {
		r := post(t, s, listToolsRequest, "Authorization", "Bearer "+good)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(r.Body), `"add_task"`) {
			t.Fatalf("got %d %s %s, want 200 JSON listing add_task", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
	})

	// Through a reverse proxy on the same machine, the connection comes from loopback with the
	// public Host: the SDK's rebinding protection, off here, would refuse every such request.
	t.Run("public host over loopback", func(t *testing.T) {
		req, _ := http.NewRequest("POST", s.URL+"/mcp", strings.NewReader(listToolsRequest))
		req.Host = "todo.example.com"
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("MCP-Protocol-Version", "2025-11-25")
		req.Header.Set("Authorization", "Bearer "+good)
		if r := apptest.Send(t, nil, req); r.Status != http.StatusOK {
			t.Fatalf("got %d %s, want 200", r.Status, r.Body)
		}
	})
}

func TestKeysUnavailable(t *testing.T) {
	iss := jwttest.New(t)
	iss.SetDown(true)
	s := startServer(t, database.SQLite, iss)
	r := post(t, s, listToolsRequest, "Authorization", "Bearer "+iss.Token(t, "ed-1", iss.Claims("alice")))
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || r.Header.Get("WWW-Authenticate") != "" {
		t.Fatalf("got %d (Retry-After %q, WWW-Authenticate %q) %s, want 503 with Retry-After and no challenge",
			r.Status, r.Header.Get("Retry-After"), r.Header.Get("WWW-Authenticate"), r.Body)
	}
}

// roundRobin sends each request to the next of the servers, as a load balancer would.
type roundRobin struct {
	hosts []string
	n     atomic.Int64
	next  http.RoundTripper
}

func (rr *roundRobin) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	host := rr.hosts[int(rr.n.Add(1)-1)%len(rr.hosts)]
	r.URL.Host, r.Host = host, host
	return rr.next.RoundTrip(r)
}

// TestStateless runs one client session across two instances on one database, each request
// to the other instance: nothing the session needs may live in one process.
func TestStateless(t *testing.T) {
	iss := jwttest.New(t)
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		dbURL := apptest.DatabaseURL(t, dialect)
		a := startServer(t, dialect, iss, "DATABASE_URL", dbURL)
		b := startServer(t, dialect, iss, "DATABASE_URL", dbURL)
		var hosts []string
		for _, s := range []*apptest.Server{a, b} {
			u, _ := url.Parse(s.URL)
			hosts = append(hosts, u.Host)
		}
		for _, protocol := range protocols {
			t.Run(protocol, func(t *testing.T) {
				rr := &roundRobin{hosts: hosts, next: bearer{iss.Token(t, "ed-1", iss.Claims("dave-"+protocol)), http.DefaultTransport}}
				cs := connectVia(t, a.URL, &http.Client{Transport: rr, Timeout: 30 * time.Second}, protocol)
				var ids []string
				for _, title := range []string{"one", "two", "three"} {
					ids = append(ids, ok[change](t, cs, "add_task", map[string]any{"title": title}).TaskID)
				}
				ok[change](t, cs, "complete_task", map[string]any{"task_id": ids[0]})
				ok[change](t, cs, "delete_task", map[string]any{"task_id": ids[1]})
				got := ok[list](t, cs, "list_tasks", nil)
				if got.Total != 2 || got.Tasks[0].ID != ids[2] || got.Tasks[1].ID != ids[0] || !got.Tasks[1].Completed {
					t.Errorf("list_tasks: got %+v", got)
				}
				if n := rr.n.Load(); n < 6 {
					t.Errorf("%d requests, want them spread over both instances", n)
				}
			})
		}
	})
}
