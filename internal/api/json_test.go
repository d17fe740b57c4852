package api_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"todo/internal/api"
	"todo/internal/task"
)

// generic is TaskRead itself without its MarshalJSON: what encoding/json's generic path writes
// of it is the reference the hand-written encoder must match byte for byte, so a field added
// to TaskRead and forgotten in AppendJSON fails these tests.
type generic api.TaskRead

// unescaped is what encoding/json writes without HTML escaping, as the API's encoder does.
func unescaped(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n"), err
}

func TestTaskJSONMatchesEncodingJSON(t *testing.T) {
	updated := time.Date(2026, 11, 26, 1, 2, 3, 400000000, time.UTC)
	for _, tk := range []api.TaskRead{
		{ID: uuid.New(), Title: "plain", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)},
		{ID: uuid.New(), Title: `<img src=x onerror="alert(1)"> & \ back`, Description: "tab\there\nnew\rline\x00\x1f\x7f",
			Completed: true, CreatedAt: time.Unix(0, 0).UTC(), UpdatedAt: &updated},
		{ID: uuid.Nil, Title: "ünïcödé ✓ 😀 \u2028\u2029 \ufeff", Description: "bad \xff\xfe utf-8 \xe2\x82"},
	} {
		got := string(tk.AppendJSON(nil))
		want, err := unescaped(generic(tk))
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
		if marshalled, _ := json.Marshal(tk); !json.Valid(marshalled) {
			t.Errorf("MarshalJSON: invalid %s", marshalled)
		}
	}
}

func FuzzTaskJSON(f *testing.F) {
	f.Add("title", "description", true, int64(1795657813123456))
	f.Add("\"\\\x00\u2028", "\xff", false, int64(0))
	f.Fuzz(func(t *testing.T, title, description string, completed bool, micros int64) {
		created := time.UnixMicro(micros).UTC()
		tk := api.TaskRead{ID: uuid.New(), Title: title, Description: description, Completed: completed, CreatedAt: created}
		got := string(tk.AppendJSON(nil))
		want, err := unescaped(generic(tk))
		if err != nil {
			t.Skip() // a time encoding/json refuses (year outside 0…9999)
		}
		if got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

func TestListPageJSON(t *testing.T) {
	tasks := []task.Task{{ID: uuid.New(), Title: "a"}, {ID: uuid.New(), Title: "b", Completed: true}}
	got := api.ListBody(tasks, 7)
	reads := make([]generic, len(tasks))
	for i, t := range tasks {
		reads[i] = generic{t.ID, t.Title, t.Description, t.Completed, t.CreatedAt, t.UpdatedAt}
	}
	want, _ := unescaped(struct {
		Tasks []generic `json:"tasks"`
		Total int64     `json:"total"`
	}{reads, 7})
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if got := api.ListBody([]task.Task{}, 0); string(got) != `{"tasks":[],"total":0}` {
		t.Fatalf("empty page: %s", got)
	}
}

// BenchmarkListPageJSON is the encoding of a full page of 50 tasks, as the list answers it.
func BenchmarkListPageJSON(b *testing.B) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	tasks := make([]task.Task, 50)
	for i := range tasks {
		tasks[i] = task.Task{ID: uuid.New(), Title: "Task <" + string(rune('a'+i%26)) + "> & \"quotes\"",
			Description: "A description of moderate length, with ünïcödé.", CreatedAt: now, UpdatedAt: &now}
	}
	buf := make([]byte, 0, 16<<10)
	b.ReportAllocs()
	for b.Loop() {
		buf = api.AppendListBody(buf[:0], tasks, 50)
	}
}
