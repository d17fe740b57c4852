package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"
)

// newTransport keeps one connection alive per virtual user (plus room for the auth calls), so
// that the run measures requests, not TCP handshakes, and the tool stays cheap beside the
// server it loads. HTTP/1.1 only, like a browser's fetch to a plain-HTTP API: each virtual
// user is one connection to the server, as each pgbench client is one to PostgreSQL.
func newTransport(concurrency int) *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * concurrency,
		MaxIdleConnsPerHost: 2 * concurrency,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 5 * time.Second,
		DisableCompression:  true,
	}
}

// The request bodies: fixed, like the floor's statements, so that every run does the same work.
var (
	createBody = []byte(`{"title":"Load test task","description":"Created by todo-load"}`)
	patchBody  = []byte(`{"title":"Patched by todo-load"}`)
)

// wantStatus is the answer each operation must get to count as a success.
var wantStatus = [numOps]int{
	opList:   http.StatusOK,
	opCreate: http.StatusCreated,
	opGet:    http.StatusOK,
	opPatch:  http.StatusOK,
	opToggle: http.StatusOK,
	opDelete: http.StatusNoContent,
}

// request is one operation on the task API, addressed and authorised.
type request struct {
	op            op
	taskID        string // for the operations on one task
	authorization string
}

// statusError is an answer with another status than the operation's success.
type statusError struct {
	code   int
	status string // "404 Not Found"
}

func (e *statusError) Error() string { return "status " + e.status }

// apiClient sends the task API's requests to one server.
type apiClient struct {
	http  *http.Client
	tasks string // base URL + /api/v1/tasks
}

// send performs r and returns the new task's id for a create. A non-nil error is a failed
// request; its text is the kind under which it is counted.
func (c *apiClient) send(ctx context.Context, r request) (createdID string, err error) {
	method, url, body := c.route(r)
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", r.authorization)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", errors.New(transportErrorKind(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != wantStatus[r.op] {
		io.Copy(io.Discard, resp.Body)
		return "", &statusError{code: resp.StatusCode, status: resp.Status}
	}
	if r.op != opCreate {
		// Reading to the end lets the connection be reused, and counts the body's transfer in
		// the latency.
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return "", errors.New(transportErrorKind(err))
		}
		return "", nil
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", errors.New(transportErrorKind(err))
	}
	var created struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(answer, &created) != nil || created.ID == "" {
		return "", errors.New("created task has no id")
	}
	return created.ID, nil
}

func (c *apiClient) route(r request) (method, url string, body []byte) {
	switch r.op {
	case opList:
		return http.MethodGet, c.tasks + "?limit=50", nil
	case opCreate:
		return http.MethodPost, c.tasks, createBody
	case opGet:
		return http.MethodGet, c.tasks + "/" + r.taskID, nil
	case opPatch:
		return http.MethodPatch, c.tasks + "/" + r.taskID, patchBody
	case opToggle:
		return http.MethodPost, c.tasks + "/" + r.taskID + "/toggle", nil
	case opDelete:
		return http.MethodDelete, c.tasks + "/" + r.taskID, nil
	}
	panic("route: unknown operation")
}

// transportErrorKind names a failure to get an answer in a few words, so that errors of one
// cause are counted together.
func transportErrorKind(err error) string {
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by the server"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	return "transport error"
}
