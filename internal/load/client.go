package load

import (
	"bufio"
	"bytes"
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

// wantStatus is the answer each operation must get to count as a success.
var wantStatus = [numOps]int{
	opList:   http.StatusOK,
	opSearch: http.StatusOK,
	opNext:   http.StatusOK,
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
	query         string // of a page: "limit=50"
	body          []byte // of a create or a patch
	ifMatch       string // for a change: the task's ETag as last read, if known
	authorization string
}

// answer is what the user keeps of a successful answer.
type answer struct {
	createdID string // of a create
	etag      string // of an answer with one task, when the API gives one
	next      string // of a page: the cursor of the page after it, "" on the last
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

func newAPIClient(baseURL, path string, timeout time.Duration) (*apiClient, error) {
	u, err := url.Parse(strings.TrimSuffix(baseURL, "/"))
	if err != nil {
		return nil, err
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), map[bool]string{true: "443", false: "80"}[u.Scheme == "https"])
	}
	return &apiClient{addr: addr, host: u.Host, tls: u.Scheme == "https", prefix: u.Path + path, timeout: timeout}, nil
}

// conn is one virtual user's keep-alive connection. Requests are written and answers read on
// the user's own goroutine: net/http's client hands every request to two goroutines of its
// own, which on a small machine costs the server a good share of the CPU it is measured on.
type conn struct {
	api *apiClient
	c   net.Conn
	r   *bufio.Reader
	w   *bufio.Writer
	buf bytes.Buffer // the body of the last answer that is read
}

func (a *apiClient) conn() *conn { return &conn{api: a} }

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

// send performs r. A non-nil error is a failed request; its text is the kind under which it
// is counted.
func (c *conn) send(ctx context.Context, r request) (answer, error) {
	status, etag, body, err := c.roundTrip(ctx, r)
	if err != nil {
		c.close() // the next request starts on a fresh connection
		return answer{}, errors.New(transportErrorKind(err))
	}
	if status != wantStatus[r.op] {
		return answer{}, &statusError{code: status, status: strconv.Itoa(status) + " " + http.StatusText(status)}
	}
	a := answer{etag: etag}
	switch {
	case r.op == opCreate:
		var created struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(body, &created) != nil || created.ID == "" {
			return answer{}, errors.New("created task has no id")
		}
		a.createdID = created.ID
	case r.op.isPage():
		a.next = nextCursor(body)
	}
	return a, nil
}

// maxBody bounds the part of an answer that is kept: a page of 1000 tasks of the longest
// texts fits.
const maxBody = 8 << 20

// roundTrip sends r and reads the answer, keeping the body of a create or a page (in c.buf,
// until the next request).
func (c *conn) roundTrip(ctx context.Context, r request) (status int, etag string, body []byte, err error) {
	if c.c == nil {
		d := net.Dialer{Timeout: c.api.timeout, KeepAlive: 30 * time.Second}
		if c.c, err = d.DialContext(ctx, "tcp", c.api.addr); err != nil {
			return 0, "", nil, err
		}
		if c.api.tls {
			c.c = tls.Client(c.c, &tls.Config{ServerName: strings.Split(c.api.host, ":")[0]})
		}
		c.r, c.w = bufio.NewReaderSize(c.c, 32<<10), bufio.NewWriterSize(c.c, 4<<10)
	}
	c.c.SetDeadline(time.Now().Add(c.api.timeout))
	method, path := c.api.route(r)
	fmt.Fprintf(c.w, "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nAccept: application/json\r\n",
		method, path, c.api.host, r.authorization)
	if r.ifMatch != "" {
		fmt.Fprintf(c.w, "If-Match: %s\r\n", r.ifMatch)
	}
	if r.body != nil {
		fmt.Fprintf(c.w, "Content-Type: application/json\r\nContent-Length: %d\r\n", len(r.body))
	}
	c.w.WriteString("\r\n")
	c.w.Write(r.body)
	if err := c.w.Flush(); err != nil {
		return 0, "", nil, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	// Reading to the end keeps the connection usable and counts the transfer in the latency.
	c.buf.Reset()
	if resp.StatusCode == wantStatus[r.op] && (r.op == opCreate || r.op.isPage()) {
		_, err = c.buf.ReadFrom(io.LimitReader(resp.Body, maxBody))
	}
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if err != nil {
		return 0, "", nil, err
	}
	if resp.Close {
		c.close()
	}
	return resp.StatusCode, resp.Header.Get("ETag"), c.buf.Bytes(), nil
}

func (a *apiClient) route(r request) (method, path string) {
	switch r.op {
	case opList, opSearch, opNext:
		return http.MethodGet, a.prefix + "?" + r.query
	case opCreate:
		return http.MethodPost, a.prefix
	case opGet:
		return http.MethodGet, a.prefix + "/" + r.taskID
	case opPatch:
		return http.MethodPatch, a.prefix + "/" + r.taskID
	case opToggle:
		return http.MethodPost, a.prefix + "/" + r.taskID + "/toggle"
	case opDelete:
		return http.MethodDelete, a.prefix + "/" + r.taskID
	}
	panic("route: unknown operation")
}

// nextCursor is the next_cursor of a page of v2, found without decoding the page's tasks: the
// member is the page's last, and its name cannot occur unescaped inside a string of a task.
func nextCursor(page []byte) string {
	const member = `"next_cursor":`
	i := bytes.LastIndex(page, []byte(member))
	if i < 0 {
		return ""
	}
	var next *string
	if json.Unmarshal(bytes.TrimSuffix(bytes.TrimSpace(page[i+len(member):]), []byte("}")), &next) != nil || next == nil {
		return ""
	}
	return *next
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
