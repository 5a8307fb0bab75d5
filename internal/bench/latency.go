package bench

import (
	"slices"
	"time"
)

// Recorder collects the latencies of one worker's successful requests and
// counts its failures. It is not safe for concurrent use: give each worker
// its own and [Recorder.Merge] them when the workers are done.
type Recorder struct {
	samples  []time.Duration
	errors   int
	firstErr error
}

// NewRecorder returns a recorder with room for hint samples.
func NewRecorder(hint int) *Recorder {
	return &Recorder{samples: make([]time.Duration, 0, max(hint, 0))}
}

// Add records the latency of one successful request.
func (r *Recorder) Add(d time.Duration) { r.samples = append(r.samples, d) }

// Fail records one failed request; the first error is kept for the report.
func (r *Recorder) Fail(err error) {
	r.errors++
	if r.firstErr == nil {
		r.firstErr = err
	}
}

// Merge adds other's samples and failures to r.
func (r *Recorder) Merge(other *Recorder) {
	r.samples = append(r.samples, other.samples...)
	r.errors += other.errors
	if r.firstErr == nil {
		r.firstErr = other.firstErr
	}
}

// Count is the number of successful requests recorded.
func (r *Recorder) Count() int { return len(r.samples) }

// Errors is the number of failed requests recorded.
func (r *Recorder) Errors() int { return r.errors }

// FirstError is the first failure recorded, or nil.
func (r *Recorder) FirstError() error { return r.firstErr }

// Summary is the latency distribution of a set of requests.
type Summary struct {
	Count int           `json:"count"`
	Mean  time.Duration `json:"mean_ns"`
	P50   time.Duration `json:"p50_ns"`
	P90   time.Duration `json:"p90_ns"`
	P99   time.Duration `json:"p99_ns"`
	Max   time.Duration `json:"max_ns"`
}

// Summarize sorts the samples (in place) and returns their exact
// percentiles.
func (r *Recorder) Summarize() Summary {
	return Summarize(r.samples)
}

// Summarize sorts samples in place and returns their exact percentiles
// (nearest rank: the smallest sample with at least p% of the samples at or
// below it), mean and maximum. An empty slice gives a zero Summary.
func Summarize(samples []time.Duration) Summary {
	if len(samples) == 0 {
		return Summary{}
	}
	slices.Sort(samples)
	var sum time.Duration
	for _, d := range samples {
		sum += d
	}
	return Summary{
		Count: len(samples),
		Mean:  sum / time.Duration(len(samples)),
		P50:   Percentile(samples, 50),
		P90:   Percentile(samples, 90),
		P99:   Percentile(samples, 99),
		Max:   samples[len(samples)-1],
	}
}

// Percentile returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest-rank method: the value at rank ceil(p/100 × n). It is exact, not
// interpolated or estimated from buckets. sorted must be in ascending
// order; an empty slice gives 0.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// rank = ceil(p*n/100) computed in integers to avoid float rounding
	// (p is a whole or tenth percent in practice).
	milli := int64(p*10 + 0.5) // p in tenths of a percent
	rank := int((milli*int64(n) + 999) / 1000)
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}
