package task_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"todo/internal/apperr"
	"todo/internal/task"
)

// pythonWhitespace is every code point for which Python 3.11's str.isspace() is true, listed
// by `[hex(c) for c in range(0x110000) if chr(c).isspace()]`.
var pythonWhitespace = []rune{
	0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
	0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
	0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
}

func TestStripMatchesPythonOnEveryCodePoint(t *testing.T) {
	want := map[rune]bool{}
	for _, r := range pythonWhitespace {
		want[r] = true
	}
	for r := rune(0); r <= 0x10ffff; r++ {
		if got := task.IsPythonSpace(r); got != want[r] {
			t.Errorf("isPythonSpace(%U) = %v, want %v", r, got, want[r])
		}
	}
}

func TestStrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Buy milk  ", "Buy milk"},
		{"\x1c\x1d title \x1e\x1f", "title"},
		{"\u3000\u00a0x\u2028", "x"},
		{"inner  space", "inner  space"},
		{"\u200bzero-width stays\u200b", "\u200bzero-width stays\u200b"},
		{" \t\n", ""},
	}
	for _, tt := range tests {
		if got := task.Strip(tt.in); got != tt.want {
			t.Errorf("strip(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTitleRules(t *testing.T) {
	tests := []struct {
		name, in, want, errContains string
	}{
		{"trimmed", "  Buy milk ", "Buy milk", ""},
		{"200 code points", strings.Repeat("é", 200), strings.Repeat("é", 200), ""},
		{"201 code points", strings.Repeat("é", 201), "", "at most 200"},
		{"200 letters and a trailing space counts as sent", strings.Repeat("a", 200) + " ", "", "at most 200"},
		{"4-byte characters count once", strings.Repeat("😀", 200), strings.Repeat("😀", 200), ""},
		{"empty", "", "", "must not be empty"},
		{"whitespace only", " \t\u3000\x1f", "", "must not be blank"},
		{"NUL", "a\x00b", "", "NUL"},
		{"invalid UTF-8", "a\xffb", "", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := task.CleanTitle(tt.in)
			checkRule(t, "title", got, err, tt.want, tt.errContains)
		})
	}
}

func TestDescriptionRules(t *testing.T) {
	tests := []struct {
		name, in, want, errContains string
	}{
		{"empty is fine", "", "", ""},
		{"trimmed", "\n details \n", "details", ""},
		{"1000 code points", strings.Repeat("ß", 1000), strings.Repeat("ß", 1000), ""},
		{"1001 code points", strings.Repeat("ß", 1001), "", "at most 1000"},
		{"whitespace only becomes empty", "   ", "", ""},
		{"NUL", "\x00", "", "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := task.CleanDescription(tt.in)
			checkRule(t, "description", got, err, tt.want, tt.errContains)
		})
	}
}

func checkRule(t *testing.T, field, got string, err error, want, errContains string) {
	t.Helper()
	if errContains == "" {
		if err != nil {
			t.Fatalf("got error %v, want %q", err, want)
		}
		if got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
		return
	}
	var verr *apperr.Error
	if !errors.As(err, &verr) || verr.Kind != apperr.Invalid || len(verr.Fields) != 1 {
		t.Fatalf("got %q, %v; want a validation error containing %q", got, err, errContains)
	}
	if f := verr.Fields[0]; f.Name != field || !strings.Contains(f.Message, errContains) {
		t.Fatalf("got %s: %s, want %s: …%s…", f.Name, f.Message, field, errContains)
	}
}

// TestTitleKey: keys sort titles alphabetically (letters, then accents, then case), and a
// long title's key is cut, so that titles alike in their first forty or so letters tie.
func TestTitleKey(t *testing.T) {
	in := []string{"banana", "Apple", "apple", "Émile", "emile", "Zoë", "zoe"}
	sorted := slices.Clone(in)
	slices.SortStableFunc(sorted, func(a, b string) int { return bytes.Compare(task.TitleKey(a), task.TitleKey(b)) })
	if want := []string{"apple", "Apple", "banana", "emile", "Émile", "zoe", "Zoë"}; !slices.Equal(sorted, want) {
		t.Errorf("sorted %q, want %q", sorted, want)
	}
	long := strings.Repeat("Water the plants in the garden and ", 6)
	a, b := task.TitleKey(long+"then rest"), task.TitleKey(long+"then eat")
	if len(a) > 96 || !bytes.Equal(a, b) {
		t.Errorf("long titles alike for 200 characters: keys of %d and %d bytes, equal %v; want cut to at most 96, equal", len(a), len(b), bytes.Equal(a, b))
	}
	if bytes.Compare(task.TitleKey("Water the ferns "+long), task.TitleKey("Water the roses "+long)) >= 0 {
		t.Error("long titles that differ early are not in their order")
	}
}
