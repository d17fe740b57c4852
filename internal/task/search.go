package task

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Search is done by each database's full-text index (SQLite FTS5, PostgreSQL GIN over a
// tsvector), over terms that this file makes, the same for both: the text is split into
// words, each folded (case and accents removed: "Café" and "CAFE" are both "cafe"), and the
// scripts written without spaces (Chinese, Japanese, Thai…) are cut into overlapping pairs of
// characters, so that a word inside a longer run is found by the pairs it is made of. A query
// goes through the same steps; its words must all be found, the pairs of one word next to
// each other, and its last word may be the start of a longer one (search as you type).

// Terms is one word of the text, or one pair of characters of a script without spaces, in
// order; the position of each term is its index.
type Terms []string

// SearchTerms are the terms of a task: its title, description and tags.
func SearchTerms(title, description string, tags []string) Terms {
	var t Terms
	t = appendTerms(t, title)
	t = appendTerms(t, description)
	for _, tag := range tags {
		t = appendTerms(t, tag)
	}
	return t
}

// Of is the terms as the full-text indexes hold them for a task of userID: each begins with
// the user's key. A search of the user's tasks (Of too) then reads only the user's matches,
// of a word's first letters too, where the index would otherwise gather every user's (as many
// as there are tasks, for a common word) before the user's own are picked out. The key is the
// user's id hashed into letters and digits, as terms are, of one length for every user, so
// that two users' terms differ when their keys do; the odd pair of users whose keys are the
// same share their lists of matches, and a search still keeps to its user's tasks.
func (t Terms) Of(userID string) Terms {
	h := sha256.Sum256([]byte(userID))
	key := "u" + hex.EncodeToString(h[:6])
	keyed := make(Terms, len(t))
	for i, term := range t {
		keyed[i] = key + term
	}
	return keyed
}

// Of is the query as it searches the terms of userID's tasks (Terms.Of).
func (q SearchQuery) Of(userID string) SearchQuery {
	keyed := SearchQuery{Groups: make([]Terms, len(q.Groups)), PrefixIsLast: q.PrefixIsLast}
	for i, g := range q.Groups {
		keyed.Groups[i] = g.Of(userID)
	}
	return keyed
}

// SearchQuery is a parsed search: groups of terms that must each be found, in order within a
// group; the last term of the last group may be a prefix.
type SearchQuery struct {
	Groups       []Terms
	PrefixIsLast bool
}

// ParseSearch reads what a user typed in a search box. A query with no word in it (only
// punctuation) is the empty query, which finds nothing.
func ParseSearch(q string) SearchQuery {
	var out SearchQuery
	for _, word := range words(q) {
		if g := appendTerms(nil, word); len(g) > 0 {
			out.Groups = append(out.Groups, g)
		}
	}
	// The last word may be unfinished unless the query ends with a space.
	out.PrefixIsLast = len(out.Groups) > 0 && !strings.HasSuffix(q, " ")
	return out
}

// Phrased tells whether the query asks for a phrase: a word made of several terms, which
// only a word with characters of a script without spaces is (Terms.Phrased).
func (q SearchQuery) Phrased() bool {
	for _, g := range q.Groups {
		if len(g) > 1 {
			return true
		}
	}
	return false
}

// Empty tells whether the query has nothing to look for.
func (q SearchQuery) Empty() bool { return len(q.Groups) == 0 }

// words splits s at everything that is not a letter, a mark or a digit.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Mc, r)
	})
}

// appendTerms appends the terms of s.
func appendTerms(t Terms, s string) Terms {
	for _, w := range words(fold(s)) {
		t = appendWord(t, w)
	}
	return t
}

// appendWord appends one folded word: as it is, or, where it is written in a script without
// spaces, cut into runs of those characters, each as its pairs (and its last character alone,
// so that a one-character query finds it at the end of a run too).
func appendWord(t Terms, w string) Terms {
	if ascii(w) {
		return append(t, w)
	}
	start := 0
	rs := []rune(w)
	for start < len(rs) {
		end := start
		unspaced := isUnspaced(rs[start])
		for end < len(rs) && isUnspaced(rs[end]) == unspaced {
			end++
		}
		run := rs[start:end]
		switch {
		case !unspaced:
			t = append(t, string(run))
		case len(run) == 1:
			t = append(t, string(run))
		default:
			for i := 0; i+1 < len(run); i++ {
				t = append(t, string(run[i:i+2]))
			}
		}
		start = end
	}
	return t
}

// Phrased tells whether a search can ask for these terms as a phrase, by their positions:
// only a word of a script without spaces makes several terms, and every such phrase holds a
// term of that script.
func (t Terms) Phrased() bool {
	for _, term := range t {
		if !ascii(term) && strings.IndexFunc(term, isUnspaced) >= 0 {
			return true
		}
	}
	return false
}

// unspacedScripts are the scripts written without spaces between words.
var unspacedScripts = []*unicode.RangeTable{
	unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer,
	unicode.Myanmar, unicode.Tibetan,
}

func isUnspaced(r rune) bool { return r >= 0x0e00 && unicode.In(r, unspacedScripts...) } // Thai is the first

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

var folder = sync.Pool{New: func() any { c := cases.Fold(); return &c }}

// fold removes case and accents: the text is decomposed (é is e and a combining accent),
// its combining marks dropped, case folded and put back together.
func fold(s string) string {
	if ascii(s) { // most text: no accents to remove, and case is ASCII's
		return strings.ToLower(s)
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	c := folder.Get().(*cases.Caser)
	defer folder.Put(c)
	c.Reset()
	return norm.NFC.String(c.String(b.String()))
}

// A collator and its key buffer (4 KiB) are not safe for concurrent use, hence one pair per
// caller from the pool.
type collator struct {
	c   *collate.Collator
	buf collate.Buffer
}

var collators = sync.Pool{New: func() any { return &collator{c: collate.New(language.Und)} }}

// TitleKey is the sort key of a title: byte order of the keys is the alphabetical order of
// the titles (Unicode's default collation: letters first, then accents, then case), so that
// "apple" comes before "Banana" and "Émile" with the E's.
//
// A key takes about five bytes a character; it is cut at maxTitleKey, which keeps the letters
// of the first forty or so: titles alike that far come in the order of their ids. A whole key
// of a long title would take more room than the task itself, in its row and in the index.
func TitleKey(title string) []byte {
	c := collators.Get().(*collator)
	defer collators.Put(c)
	c.buf.Reset()
	key := c.c.KeyFromString(&c.buf, title)
	return append([]byte(nil), key[:min(len(key), maxTitleKey)]...)
}

// maxTitleKey is the length TitleKey cuts keys at.
const maxTitleKey = 96
