package bench

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

func durations(vs ...int) []time.Duration {
	out := make([]time.Duration, len(vs))
	for i, v := range vs {
		out[i] = time.Duration(v)
	}
	return out
}

func seq(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i + 1)
	}
	return out
}

func TestPercentileNearestRank(t *testing.T) {
	cases := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 99, 0},
		{"one sample, p50", durations(7), 50, 7},
		{"one sample, p99", durations(7), 99, 7},
		{"1..100 p50", seq(100), 50, 50},
		{"1..100 p90", seq(100), 90, 90},
		{"1..100 p99", seq(100), 99, 99},
		{"1..100 p100", seq(100), 100, 100},
		{"1..10 p99 is the max", seq(10), 99, 10},
		{"1..10 p90", seq(10), 90, 9},
		{"1..4 p50 is the lower middle", seq(4), 50, 2},
		{"1..1000 p99", seq(1000), 99, 990},
		{"1..1000 p99.9", seq(1000), 99.9, 999},
		{"1..101 p50", seq(101), 50, 51},
		{"two samples p1", durations(3, 9), 1, 3},
	}
	for _, c := range cases {
		if got := Percentile(c.sorted, c.p); got != c.want {
			t.Errorf("%s: Percentile(p%v) = %d, want %d", c.name, c.p, got, c.want)
		}
	}
}

func TestSummarizeSortsAndIsExact(t *testing.T) {
	s := seq(1000)
	rand.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	got := Summarize(s)
	want := Summary{Count: 1000, Mean: 500, P50: 500, P90: 900, P99: 990, Max: 1000}
	if got != want {
		t.Fatalf("Summarize = %+v, want %+v", got, want)
	}
	if (Summarize(nil) != Summary{}) {
		t.Fatal("Summarize(nil) is not zero")
	}
}

func TestRecorderMerge(t *testing.T) {
	a, b := NewRecorder(2), NewRecorder(2)
	a.Add(3 * time.Millisecond)
	b.Add(1 * time.Millisecond)
	b.Add(2 * time.Millisecond)
	first := errors.New("first")
	b.Fail(first)
	b.Fail(errors.New("second"))
	a.Merge(b)
	if a.Count() != 3 || a.Errors() != 2 || a.FirstError() != first {
		t.Fatalf("merged: count %d errors %d first %v", a.Count(), a.Errors(), a.FirstError())
	}
	if s := a.Summarize(); s.P50 != 2*time.Millisecond || s.Max != 3*time.Millisecond {
		t.Fatalf("merged summary %+v", s)
	}
}

func TestMedian(t *testing.T) {
	runs := []Result{
		{Scenario: "x", Requests: 10, RPS: 300, Latency: Summary{Count: 10, P99: 9}, Metrics: map[string]float64{MetricLost: 0, MetricCARBytes: 5}},
		{Scenario: "x", Requests: 30, RPS: 100, Errors: 2, FirstError: "boom", Latency: Summary{Count: 30, P99: 3}, Metrics: map[string]float64{MetricLost: 4, MetricCARBytes: 1}},
		{Scenario: "x", Requests: 20, RPS: 200, Failure: "lost", Latency: Summary{Count: 20, P99: 6}, Metrics: map[string]float64{MetricLost: 0, MetricCARBytes: 3}},
	}
	m := Median(runs)
	if m.RPS != 200 || m.Requests != 20 || m.Latency.P99 != 6 {
		t.Errorf("median rps %v requests %d p99 %v, want 200, 20, 6", m.RPS, m.Requests, m.Latency.P99)
	}
	if m.Errors != 2 || m.FirstError != "boom" || m.Failure != "lost" {
		t.Errorf("errors %d first %q failure %q: errors must be summed and kept", m.Errors, m.FirstError, m.Failure)
	}
	if m.Metrics[MetricLost] != 4 {
		t.Errorf("lost writes %v, want the worst run's 4", m.Metrics[MetricLost])
	}
	if m.Metrics[MetricCARBytes] != 3 {
		t.Errorf("CAR bytes %v, want the median 3", m.Metrics[MetricCARBytes])
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("even median = %v, want 2.5", got)
	}
	if got := Median(nil); got.Scenario != "" {
		t.Errorf("Median(nil) = %+v", got)
	}
}

func TestMedianSkipsRunsThatMeasuredNothing(t *testing.T) {
	m := Median([]Result{
		{Scenario: "firehose", Err: "subscribeRepos unavailable"},
		{Scenario: "firehose", Requests: 5, RPS: 50},
	})
	if m.RPS != 50 || m.Err == "" {
		t.Fatalf("median %+v: want the measured run's figures and the other's error", m)
	}
}
