package load

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// nearestRank is the textbook percentile of sorted samples, which the histogram must match to
// within its bucket width.
func nearestRank(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

// withinBucket reports whether got is want rounded up by at most the histogram's precision.
func withinBucket(got, want time.Duration) bool {
	return got >= want && float64(got-want) <= float64(want)/subBuckets
}

func TestPercentilesMatchSortedSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	distributions := map[string]func() time.Duration{
		"uniform 0-20ms": func() time.Duration { return time.Duration(rng.Int64N(int64(20 * time.Millisecond))) },
		"log-normal":     func() time.Duration { return time.Duration(math.Exp(rng.NormFloat64()*1.5 + 14)) },
		"tiny values":    func() time.Duration { return time.Duration(rng.IntN(300)) },
	}
	for name, draw := range distributions {
		t.Run(name, func(t *testing.T) {
			h := newHistogram()
			samples := make([]time.Duration, 20_000)
			for i := range samples {
				samples[i] = draw()
				h.record(samples[i])
			}
			slices.Sort(samples)
			for _, p := range []float64{0.1, 1, 50, 90, 99, 99.9, 100} {
				want := nearestRank(samples, p)
				got := h.percentile(p)
				if !withinBucket(got, want) {
					t.Errorf("p%v: got %v, want %v (to within 1/%d above)", p, got, want, subBuckets)
				}
			}
			if got, want := h.maximum(), samples[len(samples)-1]; got != want {
				t.Errorf("max: got %v, want exactly %v", got, want)
			}
		})
	}
}

func TestPercentileOfFewSamples(t *testing.T) {
	h := newHistogram()
	if got := h.percentile(99); got != 0 {
		t.Errorf("empty: got %v, want 0", got)
	}
	h.record(3 * time.Millisecond)
	for _, p := range []float64{0, 50, 99, 100} {
		if got := h.percentile(p); got != 3*time.Millisecond {
			t.Errorf("one sample, p%v: got %v, want 3ms", p, got)
		}
	}
	for range 98 {
		h.record(time.Millisecond)
	}
	h.record(time.Second)
	// 100 samples: ranks 1 to 98 are 1ms, rank 99 is 3ms, rank 100 is 1s.
	if got := h.percentile(99); !withinBucket(got, 3*time.Millisecond) {
		t.Errorf("p99 of 98×1ms, 3ms, 1s: got %v, want 3ms", got)
	}
	if got := h.percentile(99.5); got != time.Second {
		t.Errorf("p99.5 of 98×1ms, 3ms, 1s: got %v, want 1s", got)
	}
}

func TestBucketsCoverEveryValueOnce(t *testing.T) {
	prevHighest := int64(-1)
	for b := range numBuckets {
		highest := int64(bucketHighest(b))
		if highest <= prevHighest {
			t.Fatalf("bucket %d: highest %d not above the previous bucket's %d", b, highest, prevHighest)
		}
		for _, v := range []int64{prevHighest + 1, highest} {
			if got := bucketOf(uint64(v)); got != b {
				t.Fatalf("bucketOf(%d) = %d, want %d", v, got, b)
			}
		}
		prevHighest = highest
	}
	if prevHighest != int64(maxTrackable) {
		t.Errorf("the last bucket ends at %d, want maxTrackable %d", prevHighest, maxTrackable)
	}
}

func TestAddMergesHistograms(t *testing.T) {
	a, b := newHistogram(), newHistogram()
	a.record(2 * time.Millisecond)
	b.record(time.Millisecond)
	b.record(5 * time.Millisecond)
	all := newHistogram()
	all.add(a)
	all.add(b)
	if all.count() != 3 || all.maximum() != 5*time.Millisecond {
		t.Errorf("merged: got count %d, max %v, want 3, 5ms", all.count(), all.maximum())
	}
	for p, want := range map[float64]time.Duration{0: time.Millisecond, 50: 2 * time.Millisecond, 100: 5 * time.Millisecond} {
		if got := all.percentile(p); !withinBucket(got, want) {
			t.Errorf("merged p%v: got %v, want %v", p, got, want)
		}
	}
}

func TestOutOfRangeLatenciesAreClamped(t *testing.T) {
	h := newHistogram()
	h.record(-time.Second)
	h.record(time.Hour)
	if got := h.percentile(0); got != 0 {
		t.Errorf("negative: got %v, want 0", got)
	}
	if got := h.maximum(); got != maxTrackable {
		t.Errorf("an hour: got %v, want %v", got, maxTrackable)
	}
}
