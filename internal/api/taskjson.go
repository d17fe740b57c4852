package api

import (
	"encoding/hex"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"todo/internal/task"
)

// TaskRead is a task as /api/v1 shows it: the specification's TaskRead. The owner's id never
// leaves the server.
type TaskRead struct {
	ID          uuid.UUID  `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Completed   bool       `json:"completed"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   *time.Time `json:"updated_at"`
}

func taskRead(t task.Task) TaskRead {
	return TaskRead{t.ID, t.Title, t.Description, t.Completed, t.CreatedAt, t.UpdatedAt}
}

// MarshalJSON writes the task; see AppendJSON.
func (t TaskRead) MarshalJSON() ([]byte, error) {
	return t.AppendJSON(make([]byte, 0, 160+len(t.Title)+len(t.Description))), nil
}

// AppendJSON appends the task without reflection: a list page holds up to a thousand tasks,
// and encoding/json's generic path (with the time.Time and uuid.UUID marshalers) costs more
// than reading them from the database. The output is byte for byte what encoding/json writes
// of TaskRead without this method, which the tests check on the type itself.
func (t TaskRead) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":"`...)
	var id [36]byte
	hex.Encode(id[0:8], t.ID[0:4])
	id[8] = '-'
	hex.Encode(id[9:13], t.ID[4:6])
	id[13] = '-'
	hex.Encode(id[14:18], t.ID[6:8])
	id[18] = '-'
	hex.Encode(id[19:23], t.ID[8:10])
	id[23] = '-'
	hex.Encode(id[24:], t.ID[10:])
	b = append(b, id[:]...)
	b = append(b, `","title":`...)
	b = appendJSONString(b, t.Title)
	b = append(b, `,"description":`...)
	b = appendJSONString(b, t.Description)
	b = append(b, `,"completed":`...)
	b = strconv.AppendBool(b, t.Completed)
	b = append(b, `,"created_at":"`...)
	b = t.CreatedAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","updated_at":`...)
	if t.UpdatedAt == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = t.UpdatedAt.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	return append(b, '}')
}

// appendJSONString quotes s as encoding/json does (without HTML escaping): quotes, backslashes
// and control characters escaped, invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
