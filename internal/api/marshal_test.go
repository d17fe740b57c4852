package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func page(n int) any {
	tasks := make([]TaskRead, n)
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i := range tasks {
		updated := now.Add(time.Second)
		tasks[i] = TaskRead{ID: uuid.New(), Title: fmt.Sprintf("Task <%d> & \"quotes\"", i),
			Description: "A description of moderate length, with ünïcödé.", CreatedAt: now, UpdatedAt: &updated}
	}
	return listPage{tasks, int64(n)}
}

type listPage struct {
	Tasks []TaskRead `json:"tasks"`
	Total int64      `json:"total"`
}

// TestMarshalJSON: bodies are exactly their JSON, by either path.
func TestMarshalJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := marshalJSON(&buf, map[string]string{"detail": "<b>&"}); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != `{"detail":"<b>&"}` {
		t.Fatalf("got %q", got)
	}
	p := page(3)
	buf.Reset()
	marshalJSON(&buf, p)
	if want := unescaped(t, p); buf.String() != want {
		t.Fatalf("got  %s\nwant %s", buf.String(), want)
	}
	tk := p.(listPage).Tasks[0]
	buf.Reset()
	marshalJSON(&buf, tk)
	if want := unescaped(t, tk); buf.String() != want {
		t.Fatalf("a task: got %s, want %s", buf.String(), want)
	}
}

// unescaped is encoding/json's output without HTML escaping.
func unescaped(t *testing.T, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
