package auth

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// rateLimiter applies Better Auth's default rate limits to /api/auth: per client IP and path,
// 3 requests per 10 s on sign-in, sign-up and password or email change, 3 per 60 s on the
// paths that send email, 100 per 10 s elsewhere. As in Better Auth, a window is counted from
// the last allowed request, and refused requests do not count. The buckets live in this
// process, or, with db, in the database that every instance shares.
type rateLimiter struct {
	db *rateStore

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
	now       func() time.Time
}

type bucket struct {
	count int
	last  time.Time
}

// longestRateWindow bounds how long a bucket can matter.
const longestRateWindow = time.Minute

// maxBuckets bounds the limiter's memory: past it (a flood from very many addresses), the
// requests of clients without a bucket yet share one bucket per path until buckets expire.
const maxBuckets = 100_000

// fullSweepGap spaces the sweeps made because the buckets are full: each is a pass over all
// of them under the lock, and buckets expire only as time passes, so sweeping again for every
// new client of a flood would make each of its requests cost that pass and find nothing more.
const fullSweepGap = time.Second

func newRateLimiter() *rateLimiter {
	return &rateLimiter{buckets: map[string]*bucket{}, now: time.Now}
}

// newRateLimiterIn is the limiter with its buckets in storage: RateLimitDatabase keeps them in
// st's "rateLimit" table, anything else in memory.
func newRateLimiterIn(st *store, storage string) *rateLimiter {
	l := newRateLimiter()
	if storage == RateLimitDatabase {
		l.db = &rateStore{store: st}
	}
	return l
}

// rateRule is Better Auth's default rule for a path: its window and how many requests it
// allows in one.
func rateRule(path string) (window time.Duration, max int) {
	// delete-user is not in Better Auth's list, but it checks a password as the others do.
	for _, p := range []string{"/sign-in", "/sign-up", "/change-password", "/change-email", "/delete-user"} {
		if strings.HasPrefix(path, p) {
			return 10 * time.Second, 3
		}
	}
	switch path {
	case "/request-password-reset", "/send-verification-email", "/email-otp/send-verification-otp", "/email-otp/request-password-reset":
		return time.Minute, 3
	}
	if strings.HasPrefix(path, "/forget-password") {
		return time.Minute, 3
	}
	return 10 * time.Second, 100
}

// allow counts a request of ip to path. When refused, retryAfter says when to come back.
func (l *rateLimiter) allow(ip, path string) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) > longestRateWindow {
		l.sweep(now)
	}
	window, limit := rateRule(path)
	key := ip + "|" + path
	b := l.buckets[key]
	if b == nil && len(l.buckets) >= maxBuckets {
		if now.Sub(l.lastSweep) >= fullSweepGap {
			l.sweep(now)
		}
		if len(l.buckets) >= maxBuckets {
			key = "overflow|" + path
			b = l.buckets[key]
		}
	}
	switch {
	case b == nil || now.Sub(b.last) >= window:
		l.buckets[key] = &bucket{count: 1, last: now}
		return true, 0
	case b.count >= limit:
		return false, b.last.Add(window).Sub(now)
	}
	b.count++
	b.last = now
	return true, 0
}

// check counts a request of ip to path in the limiter's storage. A database that cannot be
// asked is an error: the request is refused as unavailable rather than let through unlimited.
func (l *rateLimiter) check(ctx context.Context, ip, path string) (ok bool, retryAfter time.Duration, err error) {
	if l.db == nil {
		ok, retryAfter = l.allow(ip, path)
		return ok, retryAfter, nil
	}
	window, limit := rateRule(path)
	return l.db.allow(ctx, ip+"|"+path, window, limit, l.now())
}

// sweep forgets the buckets whose windows have all passed.
func (l *rateLimiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.last) >= longestRateWindow {
			delete(l.buckets, k)
		}
	}
	l.lastSweep = now
}

// Allow counts a request of the client to an auth path ("/sign-in/email", …) against the rate
// limits: nil when it may go on, Better Auth's 429 when it is over the limit, or the error of
// a database that keeps the limits and cannot be asked. It is always nil when rate limiting
// is off.
func (s *Service) Allow(ctx context.Context, c Client, path string) error {
	if s.limiter == nil {
		return nil
	}
	ok, retry, err := s.limiter.check(ctx, c.IP, path)
	switch {
	case err != nil:
		return s.internal("rate limit", err)
	case !ok:
		return tooManyRequests(retry)
	}
	return nil
}

// ClientIP is the address of the client: the peer of the connection, or, when the peer is a
// trusted proxy, the last address in X-Forwarded-For that is not one. IPv6 addresses are cut
// to their /64, so that one host cannot dodge limits by changing its interface id.
//
// Better Auth, which may run where it cannot see the peer, reads only X-Forwarded-For (one
// address, or trusted proxies) and otherwise puts every client in one shared bucket and writes
// "" as a session's ipAddress. We can see the peer, so each client has its own bucket and its
// sessions record its address: a deliberate difference.
func (s *Service) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if s.trustedProxy(addr) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := forwardedAddr(hops[i])
			if err != nil {
				break
			}
			addr = hop.Unmap()
			if !s.trustedProxy(addr) {
				break
			}
		}
	}
	if addr.Is6() {
		addr = netip.PrefixFrom(addr, 64).Masked().Addr()
	}
	return addr.String()
}

// forwardedAddr reads one hop of X-Forwarded-For: an address, which some proxies write with
// its port ("203.0.113.7:5123", "[2001:db8::1]:443"); the port says nothing of the client.
func forwardedAddr(hop string) (netip.Addr, error) {
	hop = strings.TrimSpace(hop)
	if ap, err := netip.ParseAddrPort(hop); err == nil {
		return ap.Addr(), nil
	}
	return netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(hop, "["), "]"))
}

func (s *Service) trustedProxy(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
