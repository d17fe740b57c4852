package calendar

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"todo/internal/apperr"
	"todo/internal/observe"
	"todo/internal/task"
)

// kinds are the values of ?kind=.
var kinds = map[string]Kind{"": Events, "event": Events, "todo": Todos}

// Handler serves GET /calendar/{token}: the feed of the token's user, as text/calendar. The
// token may end in .ics, as calendar apps like their URLs. An unknown, rotated or revoked
// token is a plain 404.
//
// The answer's ETag is a hash of the feed's text, which changes only when a task in it does
// (see writer.component), so an app polling with If-None-Match gets a 304 while nothing
// changed. There is no Last-Modified: deleting a task or a task leaving the feed changes it
// without changing any timestamp in it.
func (s *Service) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "private, no-cache")
		h.Set("X-Robots-Tag", "noindex")
		kind, ok := kinds[r.URL.Query().Get("kind")]
		if !ok {
			http.Error(w, "kind must be event or todo", http.StatusBadRequest)
			return
		}
		token := strings.TrimSuffix(r.PathValue("token"), ".ics")
		userID, found, err := s.store.owner(r.Context(), hash(token))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !found {
			http.NotFound(w, r)
			return
		}
		observe.SetUser(r.Context(), userID)
		if refusal := s.Limit.Allow(userID); refusal != nil {
			s.fail(w, r, refusal)
			return
		}
		body, err := s.feed(r.Context(), userID, kind)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sum := sha256.Sum256(body)
		etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
		h.Set("ETag", etag)
		if matches(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", "text/calendar; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
}

// matches tells whether an If-None-Match header names etag (weakly, as RFC 9110 compares for
// it), or is "*".
func matches(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == etag || tag == "*" {
			return true
		}
	}
	return false
}

// fail answers an error in plain text, logged once when it is the server's.
func (s *Service) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.From(err)
	apperr.Log(r.Context(), s.log, e)
	e.SetHeaders(w.Header())
	msg := e.Message
	if e.Status() >= 500 || msg == "" {
		msg = http.StatusText(e.Status())
	}
	http.Error(w, msg, e.Status())
}

// feed is the iCalendar text of the user's tasks with a due, as kind.
func (s *Service) feed(ctx context.Context, userID string, kind Kind) ([]byte, error) {
	now := s.now()
	open := task.Query{Status: task.StatusOpen, Due: []task.DueFilter{task.DueAny}, Sort: task.SortDue}
	tasks, prefs, err := s.collect(ctx, userID, open, nil, func(task.Task) (bool, bool) { return true, true })
	if err != nil {
		return nil, err
	}
	if kind == Todos {
		// Completing a task sets its updated_at, so the latest completed come first in this
		// order, and the first one changed before the window ends the search.
		since := now.Add(-CompletedFor)
		done := task.Query{Status: task.StatusCompleted, Due: []task.DueFilter{task.DueAny}, Sort: task.SortUpdated, Desc: true}
		tasks, _, err = s.collect(ctx, userID, done, tasks, func(t task.Task) (bool, bool) {
			changed := t.CreatedAt
			if t.UpdatedAt != nil {
				changed = *t.UpdatedAt
			}
			if changed.Before(since) {
				return false, false
			}
			return t.CompletedAt != nil && !t.CompletedAt.Before(since), true
		})
		if err != nil {
			return nil, err
		}
	}
	return writer{host: s.host, loc: prefs.TimeZone, now: now}.write(tasks, kind)
}

// pageSize is how many tasks the feed reads at a time.
const pageSize = task.MaxPageSize

// collect appends to tasks those of q's that keep says to keep, page by page, until keep says
// to stop, the pages end, or there are MaxTasks.
func (s *Service) collect(ctx context.Context, userID string, q task.Query, tasks []task.Task,
	keep func(task.Task) (keep, more bool)) ([]task.Task, task.Prefs, error) {
	q.Limit = pageSize
	for {
		page, prefs, err := s.tasks.Query(ctx, userID, q)
		if err != nil {
			return nil, task.Prefs{}, err
		}
		for _, t := range page.Tasks {
			if len(tasks) >= MaxTasks {
				return tasks, prefs, nil
			}
			ok, more := keep(t)
			if !more {
				return tasks, prefs, nil
			}
			if ok {
				tasks = append(tasks, t)
			}
		}
		if page.Next == nil {
			return tasks, prefs, nil
		}
		q.Cursor = page.Next
	}
}
