package load

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// newTransport serves the calls to the auth API (signing up, renewing tokens), which are not
// measured.
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

// apiClient addresses the task API of one server.
type apiClient struct {
	addr    string // host:port to dial
	host    string // the Host header
	tls     bool
	prefix  string // the path of the task API, /api/v1/tasks
	timeout time.Duration
}

func newAPIClient(baseURL string, timeout time.Duration) (*apiClient, error) {
	u, err := url.Parse(strings.TrimSuffix(baseURL, "/"))
	if err != nil {
		return nil, err
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), map[bool]string{true: "443", false: "80"}[u.Scheme == "https"])
	}
	return &apiClient{addr: addr, host: u.Host, tls: u.Scheme == "https", prefix: u.Path + "/api/v1/tasks", timeout: timeout}, nil
}

// conn is one virtual user's keep-alive connection. Requests are written and answers read on
// the user's own goroutine: net/http's client hands every request to two goroutines of its
// own, which on a small machine costs the server a good share of the CPU it is measured on.
type conn struct {
	api *apiClient
	c   net.Conn
	r   *bufio.Reader
	w   *bufio.Writer
}

func (a *apiClient) conn() *conn { return &conn{api: a} }

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

// send performs r and returns the new task's id for a create. A non-nil error is a failed
// request; its text is the kind under which it is counted.
func (c *conn) send(ctx context.Context, r request) (createdID string, err error) {
	status, answer, err := c.roundTrip(ctx, r)
	if err != nil {
		c.close() // the next request starts on a fresh connection
		return "", errors.New(transportErrorKind(err))
	}
	if status != wantStatus[r.op] {
		return "", &statusError{code: status, status: strconv.Itoa(status) + " " + http.StatusText(status)}
	}
	if r.op != opCreate {
		return "", nil
	}
	var created struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(answer, &created) != nil || created.ID == "" {
		return "", errors.New("created task has no id")
	}
	return created.ID, nil
}

func (c *conn) roundTrip(ctx context.Context, r request) (status int, answer []byte, err error) {
	if c.c == nil {
		d := net.Dialer{Timeout: c.api.timeout, KeepAlive: 30 * time.Second}
		if c.c, err = d.DialContext(ctx, "tcp", c.api.addr); err != nil {
			return 0, nil, err
		}
		if c.api.tls {
			c.c = tls.Client(c.c, &tls.Config{ServerName: strings.Split(c.api.host, ":")[0]})
		}
		c.r, c.w = bufio.NewReaderSize(c.c, 32<<10), bufio.NewWriterSize(c.c, 4<<10)
	}
	c.c.SetDeadline(time.Now().Add(c.api.timeout))
	method, path, body := c.api.route(r)
	fmt.Fprintf(c.w, "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nAccept: application/json\r\n",
		method, path, c.api.host, r.authorization)
	if body != nil {
		fmt.Fprintf(c.w, "Content-Type: application/json\r\nContent-Length: %d\r\n", len(body))
	}
	c.w.WriteString("\r\n")
	c.w.Write(body)
	if err := c.w.Flush(); err != nil {
		return 0, nil, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	// Reading to the end keeps the connection usable and counts the transfer in the latency.
	if r.op == opCreate && resp.StatusCode == wantStatus[opCreate] {
		answer, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if err != nil {
		return 0, nil, err
	}
	if resp.Close {
		c.close()
	}
	return resp.StatusCode, answer, nil
}

func (a *apiClient) route(r request) (method, path string, body []byte) {
	switch r.op {
	case opList:
		return http.MethodGet, a.prefix + "?limit=50", nil
	case opCreate:
		return http.MethodPost, a.prefix, createBody
	case opGet:
		return http.MethodGet, a.prefix + "/" + r.taskID, nil
	case opPatch:
		return http.MethodPatch, a.prefix + "/" + r.taskID, patchBody
	case opToggle:
		return http.MethodPost, a.prefix + "/" + r.taskID + "/toggle", nil
	case opDelete:
		return http.MethodDelete, a.prefix + "/" + r.taskID, nil
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
