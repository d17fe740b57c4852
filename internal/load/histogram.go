package load

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// histogram counts latencies in log-linear buckets, as HdrHistogram does: exact below
// subBuckets nanoseconds, then subBuckets buckets per power of two, so that any value is known
// to within 1/subBuckets (under 0.8 %) whatever the run's length, in fixed memory. The minimum
// and maximum are kept exactly. Every virtual user records into the same histograms, so
// recording is atomic; reading is for when the recording is over.
type histogram struct {
	counts [numBuckets]atomic.Uint64
	total  atomic.Uint64
	min    atomic.Int64
	max    atomic.Int64
}

const (
	subBucketBits = 7
	subBuckets    = 1 << subBucketBits
	maxValueBits  = 40
	// maxTrackable is the largest latency told apart from larger ones (about 18 minutes, more
	// than a run may last); anything longer is counted as this.
	maxTrackable = time.Duration(1<<maxValueBits - 1)
	numBuckets   = (maxValueBits - subBucketBits + 1) * subBuckets
)

func newHistogram() *histogram {
	h := &histogram{}
	h.min.Store(math.MaxInt64)
	return h
}

// bucketOf returns the bucket of a value from 0 to maxTrackable.
func bucketOf(v uint64) int {
	if v < subBuckets {
		return int(v)
	}
	// Keep the subBucketBits+1 leading bits: the top one picks the power of two, the others
	// the linear step inside it.
	shift := bits.Len64(v) - subBucketBits - 1
	return (shift+1)*subBuckets + int(v>>shift) - subBuckets
}

// bucketHighest is the largest value that falls into bucket b.
func bucketHighest(b int) uint64 {
	if b < subBuckets {
		return uint64(b)
	}
	shift := b/subBuckets - 1
	mantissa := uint64(b%subBuckets + subBuckets)
	return (mantissa+1)<<shift - 1
}

func (h *histogram) record(d time.Duration) {
	d = min(max(d, 0), maxTrackable)
	h.counts[bucketOf(uint64(d))].Add(1)
	h.total.Add(1)
	for cur := h.min.Load(); int64(d) < cur && !h.min.CompareAndSwap(cur, int64(d)); cur = h.min.Load() {
	}
	for cur := h.max.Load(); int64(d) > cur && !h.max.CompareAndSwap(cur, int64(d)); cur = h.max.Load() {
	}
}

// add counts o's samples in h as well.
func (h *histogram) add(o *histogram) {
	for i := range o.counts {
		h.counts[i].Add(o.counts[i].Load())
	}
	h.total.Add(o.total.Load())
	h.min.Store(min(h.min.Load(), o.min.Load()))
	h.max.Store(max(h.max.Load(), o.max.Load()))
}

func (h *histogram) count() uint64 { return h.total.Load() }

// percentile returns the nearest-rank p-th percentile: the smallest recorded latency that at
// least p percent of the samples do not exceed, rounded up to its bucket's highest value but
// never beyond the exact maximum. It is 0 for an empty histogram.
func (h *histogram) percentile(p float64) time.Duration {
	total := h.total.Load()
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p / 100 * float64(total)))
	rank = min(max(rank, 1), total)
	lo, hi := time.Duration(h.min.Load()), time.Duration(h.max.Load())
	var seen uint64
	for b := range h.counts {
		seen += h.counts[b].Load()
		if seen >= rank {
			return min(max(time.Duration(bucketHighest(b)), lo), hi)
		}
	}
	return hi
}

// maximum is the largest recorded latency, 0 for an empty histogram.
func (h *histogram) maximum() time.Duration { return time.Duration(h.max.Load()) }
