package mcp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"todo/internal/apptest"
	"todo/internal/database"
	"todo/internal/nodetest"
)

var (
	nodeOnce sync.Once
	nodeDir  string // interop/, ready to run
	nodeBin  string
	nodeErr  error
)

// interop returns node and the interop/ directory with the TypeScript MCP SDK installed (by
// `npm ci` if missing, once per test binary), as the Better Auth harness tests find theirs.
// Without them the test skips, or fails under CI=true.
func interop(t *testing.T) (node, dir string) {
	t.Helper()
	nodeOnce.Do(func() {
		nodeBin, nodeDir, nodeErr = nodetest.Interop("the MCP SDK needs", "node_modules/@modelcontextprotocol/sdk/package.json")
	})
	if nodeErr != nil {
		nodetest.Required(t, "Node.js and the interop harness (the MCP client) are not available: %v", nodeErr)
	}
	return nodeBin, nodeDir
}

// TestTypeScriptClient drives /mcp with the official TypeScript SDK's client
// (interop/mcp-client.mjs), as a user signed up through the built-in auth.
func TestTypeScriptClient(t *testing.T) {
	node, dir := interop(t)
	s := apptest.Start(t, database.SQLite, nil)
	user := s.SignUp(t, "ts-client@example.com")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "mcp-client.mjs", s.URL)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MCP_TOKEN="+user.Token)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node mcp-client.mjs: %v\nstderr:\n%s\nstdout:\n%s", err, nodetest.Tail(stderr.String(), 3000), stdout.String())
	}

	type toolInfo struct {
		Arguments       []string `json:"arguments"`
		Required        []string `json:"required"`
		Described       bool     `json:"described"`
		HasOutputSchema bool     `json:"hasOutputSchema"`
	}
	type failure struct {
		IsError bool   `json:"isError"`
		Text    string `json:"text"`
	}
	var got struct {
		Server        struct{ Name string } `json:"server"`
		Tools         map[string]toolInfo   `json:"tools"`
		Added         change                `json:"added"`
		Pending       list                  `json:"pending"`
		Completed     change                `json:"completed"`
		CompletedList list                  `json:"completedList"`
		Blank         failure               `json:"blank"`
		Deleted       change                `json:"deleted"`
		After         list                  `json:"after"`
		DeletedAgain  failure               `json:"deletedAgain"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("the client printed %s: %v", stdout.Bytes(), err)
	}
	t.Logf("summary: %s", stdout.Bytes())

	if got.Server.Name != "todo" {
		t.Errorf("server name %q, want todo", got.Server.Name)
	}
	var names []string
	for name, info := range got.Tools {
		names = append(names, name)
		if !info.Described || !info.HasOutputSchema || len(info.Arguments) == 0 {
			t.Errorf("%s: %+v, want described arguments and an output schema", name, info)
		}
	}
	slices.Sort(names)
	if want := []string{"add_task", "complete_task", "delete_task", "list_tasks", "search_tasks", "update_task"}; !slices.Equal(names, want) {
		t.Errorf("tools %v, want %v", names, want)
	}
	if got.Added.Status != "created" || got.Added.Title != "Buy milk" || got.Added.TaskID == "" {
		t.Errorf("add_task: got %+v", got.Added)
	}
	id := got.Added.TaskID
	if got.Pending.Total != 1 || len(got.Pending.Tasks) != 1 || got.Pending.Tasks[0].ID != id || got.Pending.Tasks[0].Description != "from Node" {
		t.Errorf("list_tasks pending: got %+v", got.Pending)
	}
	if got.Completed != (change{id, "completed", "Buy milk"}) {
		t.Errorf("complete_task: got %+v", got.Completed)
	}
	if got.CompletedList.Total != 1 || !got.CompletedList.Tasks[0].Completed {
		t.Errorf("list_tasks completed: got %+v", got.CompletedList)
	}
	if !got.Blank.IsError || !strings.Contains(got.Blank.Text, "title") {
		t.Errorf("add_task with a blank title: got %+v, want a tool error about the title", got.Blank)
	}
	if got.Deleted != (change{id, "deleted", "Buy milk"}) {
		t.Errorf("delete_task: got %+v", got.Deleted)
	}
	if got.After.Total != 0 || len(got.After.Tasks) != 0 {
		t.Errorf("list_tasks after delete: got %+v, want none", got.After)
	}
	if !got.DeletedAgain.IsError || !strings.Contains(got.DeletedAgain.Text, "not found") {
		t.Errorf("delete_task again: got %+v, want a not-found tool error", got.DeletedAgain)
	}

	// The same tasks through the task API: one service behind both doors.
	r := s.Do(t, "GET", "/api/v1/tasks", user.Token, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"total":0`) {
		t.Errorf("task API after the client: got %d %s, want no tasks", r.Status, r.Body)
	}
}
