package bench

import (
	"slices"
	"strconv"
	"time"
)

// Metric names used in Result.Metrics, with their table labels in
// metricLabels.
const (
	MetricRecordsPerSec = "records_per_s"    // listRecords: records read per second
	MetricAcked         = "acked_writes"     // writers: acknowledged writes checked
	MetricLost          = "lost_writes"      // writers: acknowledged writes missing from the signed repo
	MetricCARBytes      = "car_bytes"        // getRepo: size of the CAR
	MetricCARBlocks     = "car_blocks"       // getRepo: blocks in the CAR
	MetricDeadBlocks    = "dead_blocks"      // getRepo: blocks the commit does not reach
	MetricRecords       = "repo_records"     // getRepo: records in the repo
	MetricBuildSec      = "build_s"          // getRepo: time to build the repo (first run only)
	MetricBuildRate     = "build_records_s"  // getRepo: records written per second while building
	MetricSubscribers   = "subscribers"      // firehose: connected subscribers
	MetricFrames        = "frames_per_s"     // firehose: matching frames delivered per second, all subscribers
	MetricMissedFrames  = "missed_frames"    // firehose: (subscriber, write) pairs with no frame
	MetricServerRSS     = "server_rss_bytes" // after the scenario, from /proc/<pid>/status VmRSS
	MetricServerHWM     = "server_hwm_bytes" // peak RSS so far, VmHWM
)

// Result is what one scenario measured on one target in one run, or the
// median of several runs.
type Result struct {
	Scenario string        `json:"scenario"`
	Requests int           `json:"requests"` // successful requests
	Errors   int           `json:"errors"`   // failed requests (summed over runs in a median)
	Elapsed  time.Duration `json:"elapsed_ns"`
	RPS      float64       `json:"requests_per_s"`
	Latency  Summary       `json:"latency"`
	// Metrics are scenario-specific figures (see the Metric constants).
	Metrics map[string]float64 `json:"metrics,omitempty"`
	// Err is why the scenario could not run or stopped early.
	Err string `json:"error,omitempty"`
	// Failure is a failed verification (lost writes, a bad signature): the
	// bench exits non-zero when any result has one.
	Failure string `json:"failure,omitempty"`
	// FirstError is the first failed request's error, for diagnosis.
	FirstError string `json:"first_error,omitempty"`
}

// fromLoad fills the request figures of r from a load.
func (r *Result) fromLoad(lr loadResult) {
	r.Requests = lr.rec.Count()
	r.Errors = lr.rec.Errors()
	r.Elapsed = lr.elapsed
	if lr.elapsed > 0 {
		r.RPS = float64(r.Requests) / lr.elapsed.Seconds()
	}
	r.Latency = lr.rec.Summarize()
	if err := lr.rec.FirstError(); err != nil {
		r.FirstError = err.Error()
	}
	if lr.aborted != nil {
		r.Err = lr.aborted.Error()
	}
}

func (r *Result) setMetric(name string, v float64) {
	if r.Metrics == nil {
		r.Metrics = map[string]float64{}
	}
	r.Metrics[name] = v
}

// Median combines the runs of one scenario: the median of every figure
// (each taken on its own, over the runs that have it), errors summed,
// and the first error and failure kept, so no failure is hidden.
func Median(runs []Result) Result {
	if len(runs) == 0 {
		return Result{}
	}
	out := Result{Scenario: runs[0].Scenario}
	var reqs, rps, elapsed []float64
	var p50, p90, p99, mx, mean, count []float64
	metrics := map[string][]float64{}
	for _, r := range runs {
		out.Errors += r.Errors
		out.Err = firstNonEmpty(out.Err, r.Err)
		out.Failure = firstNonEmpty(out.Failure, r.Failure)
		out.FirstError = firstNonEmpty(out.FirstError, r.FirstError)
		if r.Err != "" && r.Requests == 0 {
			continue // a run that did not measure anything has no figures
		}
		reqs = append(reqs, float64(r.Requests))
		rps = append(rps, r.RPS)
		elapsed = append(elapsed, float64(r.Elapsed))
		p50 = append(p50, float64(r.Latency.P50))
		p90 = append(p90, float64(r.Latency.P90))
		p99 = append(p99, float64(r.Latency.P99))
		mx = append(mx, float64(r.Latency.Max))
		mean = append(mean, float64(r.Latency.Mean))
		count = append(count, float64(r.Latency.Count))
		for k, v := range r.Metrics {
			metrics[k] = append(metrics[k], v)
		}
	}
	out.Requests = int(median(reqs))
	out.RPS = median(rps)
	out.Elapsed = time.Duration(median(elapsed))
	out.Latency = Summary{
		Count: int(median(count)), Mean: time.Duration(median(mean)),
		P50: time.Duration(median(p50)), P90: time.Duration(median(p90)),
		P99: time.Duration(median(p99)), Max: time.Duration(median(mx)),
	}
	for k, vs := range metrics {
		out.setMetric(k, median(vs))
	}
	// Lost writes and missed frames are never smoothed away.
	for _, k := range []string{MetricLost, MetricMissedFrames, MetricDeadBlocks} {
		if vs, ok := metrics[k]; ok {
			out.setMetric(k, slices.Max(vs))
		}
	}
	return out
}

// median returns the median of vs (the mean of the middle two for an even
// count), 0 for none. It sorts vs.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TargetReport is everything measured on one target.
type TargetReport struct {
	Target Target     `json:"-"`
	Label  string     `json:"label"`
	URL    string     `json:"url"`
	Runs   [][]Result `json:"runs"`   // per run, per scenario
	Median []Result   `json:"median"` // per scenario, in run order
	Server *Server    `json:"server,omitempty"`
	// Err is why the target could not be measured at all (e.g. sign-up failed).
	Err string `json:"error,omitempty"`
}

// Server is what the bench saw of a local server's process and disk.
type Server struct {
	IdleRSS   int64  `json:"idle_rss_bytes,omitempty"` // before the first scenario
	EndRSS    int64  `json:"end_rss_bytes,omitempty"`  // after the last
	PeakRSS   int64  `json:"peak_rss_bytes,omitempty"` // VmHWM at the end
	DataBytes int64  `json:"data_bytes,omitempty"`     // files under --data-dir at the end
	Err       string `json:"error,omitempty"`
}

// Report is the outcome of a bench.
type Report struct {
	Started  time.Time      `json:"started"`
	Params   Params         `json:"params"`
	Baseline *Baseline      `json:"client_baseline,omitempty"`
	Targets  []TargetReport `json:"targets"`
}

// Params echoes the configuration in the report.
type Params struct {
	Runs           int      `json:"runs"`
	N              int      `json:"n"`
	Concurrency    int      `json:"concurrency"`
	Accounts       int      `json:"accounts"`
	DurationSec    float64  `json:"duration_s,omitempty"`
	Records        int      `json:"records"`
	Subscribers    int      `json:"subscribers"`
	FirehoseWrites int      `json:"firehose_writes"`
	Scenarios      []string `json:"scenarios"`
}

// Failures lists every failed verification, as "label: scenario: why".
func (r *Report) Failures() []string {
	var out []string
	for _, t := range r.Targets {
		for i, run := range t.Runs {
			for _, res := range run {
				if res.Failure != "" {
					out = append(out, t.Label+": run "+strconv.Itoa(i+1)+": "+res.Scenario+": "+res.Failure)
				}
			}
		}
	}
	return out
}
