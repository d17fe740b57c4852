// Package observe makes the server visible in operation: one structured log line per request,
// request ids, and Prometheus metrics.
package observe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"todo/internal/database"
)

// Metrics are the server's Prometheus metrics, on a registry of their own.
type Metrics struct {
	registry     *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	authFailures *prometheus.CounterVec
}

// NewMetrics registers the server's metrics, the Go runtime's and those of db's pools.
func NewMetrics(db *database.DB) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "todo_http_requests_total", Help: "HTTP requests answered, by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "todo_http_request_duration_seconds",
			Help:    "Time from a request's arrival to its answer, by route and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "todo_auth_failures_total", Help: "Refused authentications, by kind (API tokens and sign-ins).",
		}, []string{"reason"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.authFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		poolCollector{db: db})
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

var (
	poolMaxDesc   = prometheus.NewDesc("todo_db_pool_max_connections", "Size of the database connection pool.", []string{"pool"}, nil)
	poolOpenDesc  = prometheus.NewDesc("todo_db_pool_open_connections", "Connections open in the pool.", []string{"pool"}, nil)
	poolInUseDesc = prometheus.NewDesc("todo_db_pool_in_use_connections", "Connections in use.", []string{"pool"}, nil)
	poolIdleDesc  = prometheus.NewDesc("todo_db_pool_idle_connections", "Idle connections.", []string{"pool"}, nil)
	poolWaitsDesc = prometheus.NewDesc("todo_db_pool_waits_total", "Acquisitions that waited for a free connection.", []string{"pool"}, nil)
	poolWaitDesc  = prometheus.NewDesc("todo_db_pool_wait_seconds_total", "Time spent waiting for a free connection.", []string{"pool"}, nil)
	replaysDesc   = prometheus.NewDesc("todo_db_replays_total", "Statements replayed once because they met a pooled connection the database had already ended.", nil, nil)
)

// poolCollector reads the pools' statistics when metrics are scraped.
type poolCollector struct{ db *database.DB }

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolMaxDesc, poolOpenDesc, poolInUseDesc, poolIdleDesc, poolWaitsDesc, poolWaitDesc, replaysDesc} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.db.Stats() {
		ch <- prometheus.MustNewConstMetric(poolMaxDesc, prometheus.GaugeValue, float64(s.Max), s.Name)
		ch <- prometheus.MustNewConstMetric(poolOpenDesc, prometheus.GaugeValue, float64(s.Open), s.Name)
		ch <- prometheus.MustNewConstMetric(poolInUseDesc, prometheus.GaugeValue, float64(s.InUse), s.Name)
		ch <- prometheus.MustNewConstMetric(poolIdleDesc, prometheus.GaugeValue, float64(s.Idle), s.Name)
		ch <- prometheus.MustNewConstMetric(poolWaitsDesc, prometheus.CounterValue, float64(s.Waits), s.Name)
		ch <- prometheus.MustNewConstMetric(poolWaitDesc, prometheus.CounterValue, s.WaitDuration, s.Name)
	}
	ch <- prometheus.MustNewConstMetric(replaysDesc, prometheus.CounterValue, float64(database.Replays()))
}

// request is what the server learns about a request while serving it.
type request struct {
	id      string
	route   string
	userID  string
	metrics *Metrics
}

type requestKey struct{}

func from(ctx context.Context) *request {
	r, _ := ctx.Value(requestKey{}).(*request)
	if r == nil {
		return &request{} // outside a request (tests, background work): nothing to record
	}
	return r
}

// SetUser records who made the request, for its log line.
func SetUser(ctx context.Context, userID string) { from(ctx).userID = userID }

// AuthFailed counts a refused authentication.
func AuthFailed(ctx context.Context, reason string) {
	if m := from(ctx).metrics; m != nil {
		m.authFailures.WithLabelValues(reason).Inc()
	}
}

// RecordRoute wraps the router so that the pattern it matched becomes the request's route
// label (bounded cardinality, unlike raw paths): each auth endpoint has a pattern of its own.
func RecordRoute(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { // even when a handler panics
			from(r.Context()).route = r.Pattern
		}()
		mux.ServeHTTP(w, r)
	})
}

// Middleware gives each request an id (the client's X-Request-ID when it is sane), returns it
// in X-Request-ID, and after the answer writes one log line and updates the metrics. The line
// never holds headers, cookies, bodies or query strings: those may carry secrets; nor the
// path of a route with a {token} wildcard, which is one.
func (m *Metrics) Middleware(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		req := &request{id: requestID(r.Header.Get("X-Request-ID")), metrics: m}
		w.Header().Set("X-Request-ID", req.id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestKey{}, req)))

		elapsed := time.Since(start)
		route := req.route
		if route == "" {
			route = "unmatched"
		}
		method := methodLabel(r.Method)
		m.requests.WithLabelValues(route, method, strconv.Itoa(rec.status)).Inc()
		m.duration.WithLabelValues(route, method).Observe(elapsed.Seconds())
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelError
		}
		path := truncated(r.URL.Path)
		if strings.Contains(route, "{token}") {
			path = route // the path carries a secret: a password-reset link's token
		}
		log.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", req.id),
			slog.String("method", method),
			slog.String("route", route),
			slog.String("path", path),
			slog.Int("status", rec.status),
			slog.Duration("duration", elapsed),
			slog.String("user_id", req.userID),
			slog.Int64("bytes", rec.bytes),
		)
	})
}

// truncated bounds what a client's path puts in a log line.
func truncated(path string) string {
	const most = 256
	if len(path) <= most {
		return path
	}
	return strings.ToValidUTF8(path[:most], "") + "…"
}

// methodLabel is the request's method as metrics and logs name it: one of HTTP's, or OTHER.
// Any token is a valid method, so a client choosing them would otherwise make a new series
// for each one, and the registry would keep every one for ever.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// requestID keeps a client's id if it is short printable ASCII (so it cannot forge log
// lines), and otherwise makes one.
func requestID(given string) string {
	if given != "" && len(given) <= 128 {
		ok := true
		for i := 0; i < len(given); i++ {
			if c := given[i]; c < 0x21 || c > 0x7e {
				ok = false
				break
			}
		}
		if ok {
			return given
		}
	}
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type statusRecorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wroteHeader = true
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (deadlines, flushing).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
