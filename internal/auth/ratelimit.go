package auth

import (
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
// the last allowed request, and refused requests do not count.
type rateLimiter struct {
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

func newRateLimiter() *rateLimiter {
	return &rateLimiter{buckets: map[string]*bucket{}, now: time.Now}
}

// rateRule is Better Auth's default rule for a path: its window and how many requests it
// allows in one.
func rateRule(path string) (window time.Duration, max int) {
	for _, p := range []string{"/sign-in", "/sign-up", "/change-password", "/change-email"} {
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
		if l.sweep(now); len(l.buckets) >= maxBuckets {
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
// limits. It is always true when rate limiting is off.
func (s *Service) Allow(c Client, path string) (ok bool, retryAfter time.Duration) {
	if s.limiter == nil {
		return true, 0
	}
	return s.limiter.allow(c.IP, path)
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
