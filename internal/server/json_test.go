package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/google/uuid"

	"todo/internal/task"
)

func page(n int) any {
	tasks := make([]task.Task, n)
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i := range tasks {
		updated := now.Add(time.Second)
		tasks[i] = task.Task{ID: uuid.New(), Title: fmt.Sprintf("Task <%d> & \"quotes\"", i),
			Description: "A description of moderate length, with ünïcödé.", CreatedAt: now, UpdatedAt: &updated}
	}
	return struct {
		Tasks []task.Task `json:"tasks"`
		Total int64       `json:"total"`
	}{tasks, int64(n)}
}

func TestMarshalJSONIsExactlyTheJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := marshalJSON(&buf, map[string]string{"detail": "<b>&"}); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != `{"detail":"<b>&"}` {
		t.Fatalf("got %q", got)
	}
	buf.Reset()
	marshalJSON(&buf, page(3))
	var back map[string]any
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkListPageJSON is the encoding of a full page of 50 tasks, as the list answers it.
func BenchmarkListPageJSON(b *testing.B) {
	p := page(50)
	b.ReportAllocs()
	for b.Loop() {
		if err := marshalJSON(io.Discard, p); err != nil {
			b.Fatal(err)
		}
	}
}
