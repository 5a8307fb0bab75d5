package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func sampleReport() *Report {
	ok := Result{Scenario: ScenarioCreate, Requests: 5000, RPS: 3456.4, Elapsed: time.Second,
		Latency: Summary{Count: 5000, P50: 250 * time.Microsecond, P90: 400 * time.Microsecond, P99: 1200 * time.Microsecond, Max: 12 * time.Millisecond},
		Metrics: map[string]float64{MetricServerRSS: 48 << 20}}
	lost := Result{Scenario: ScenarioWritersOne, Requests: 100, RPS: 900, Latency: Summary{Count: 100, P99: time.Millisecond},
		Metrics: map[string]float64{MetricAcked: 100, MetricLost: 1},
		Failure: "VERIFICATION FAILED: 1 of 100 acknowledged writes are missing from the signed repo"}
	noFirehose := Result{Scenario: ScenarioFirehose, Err: "com.atproto.sync.subscribeRepos unavailable"}
	fh := Result{Scenario: ScenarioFirehose, Requests: 1000, RPS: 700, Latency: Summary{Count: 50000, P99: 4 * time.Millisecond},
		Metrics: map[string]float64{MetricSubscribers: 50, MetricMissedFrames: 0, MetricFrames: 35000}}
	return &Report{
		Started: time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC),
		Params:  Params{Runs: 1, N: 5000, Concurrency: 8, Accounts: 8, Records: 100000, Subscribers: 50, FirehoseWrites: 1000, Scenarios: []string{ScenarioCreate, ScenarioWritersOne, ScenarioFirehose}},
		Baseline: &Baseline{
			Sequential: Result{RPS: 25000, Latency: Summary{P99: 100 * time.Microsecond}},
			Concurrent: Result{RPS: 60000, Latency: Summary{P99: 300 * time.Microsecond}},
		},
		Targets: []TargetReport{
			{Label: "hearth", URL: "http://127.0.0.1:2583", Runs: [][]Result{{ok, lost, fh}}, Median: []Result{ok, lost, fh},
				Server: &Server{IdleRSS: 20 << 20, EndRSS: 50 << 20, PeakRSS: 64 << 20, DataBytes: 3 << 20}},
			{Label: "peer", URL: "http://127.0.0.1:2584", Runs: [][]Result{{ok, ok, noFirehose}}, Median: []Result{ok, ok, noFirehose}},
			{Label: "down", URL: "http://127.0.0.1:9", Err: "sign up: connection refused"},
		},
	}
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"median of 1 run(s)", "hearth = http://127.0.0.1:2583",
		"1 connection 25,000 req/s (p99 0.10 ms), 8 connections 60,000 req/s",
		"scenario", "hearth", "peer", "down",
		"createRecord, sequential", "3,456", "0.25 / 0.40 / 1.20 / 12.00",
		"FAILED (see notes)", "lost writes", "ERROR (see notes)",
		"commit→frame p50/p90/p99/max ms", "missed frames",
		"RSS idle / end / peak MiB", "20.0 / 50.0 / 64.0", "data dir MiB", "3.0",
		"notes:", "hearth run 1 writers on one repo: VERIFICATION FAILED: 1 of 100",
		"peer run 1 firehose fan-out: com.atproto.sync.subscribeRepos unavailable",
		"down: sign up: connection refused",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// One column per target: the createRecord row has three cells.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "createRecord, sequential") {
			if f := strings.Fields(line); len(f) != 6 || f[len(f)-1] != "-" {
				t.Errorf("createRecord row %q: want the rate of two targets and '-' for the down one", line)
			}
		}
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("JSON does not decode: %v", err)
	}
	if len(back.Targets) != 3 || back.Targets[0].Median[0].RPS != 3456.4 || back.Targets[0].Median[0].Latency.P99 != 1200*time.Microsecond {
		t.Fatalf("decoded %+v", back.Targets)
	}
	if back.Targets[0].Server.PeakRSS != 64<<20 || back.Baseline.Concurrent.RPS != 60000 {
		t.Fatalf("server or baseline lost: %+v %+v", back.Targets[0].Server, back.Baseline)
	}
	var raw map[string]any
	_ = json.Unmarshal(b.Bytes(), &raw)
	for _, k := range []string{"started", "params", "client_baseline", "targets"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if got := sampleReport().Failures(); len(got) != 1 || !strings.Contains(got[0], "hearth: run 1: writers-1: VERIFICATION FAILED") {
		t.Errorf("Failures() = %q", got)
	}
}

func TestRate(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999.4: "999", 999.6: "1,000", 1234567: "1,234,567", 100000: "100,000"} {
		if got := rate(in); got != want {
			t.Errorf("rate(%v) = %q, want %q", in, got, want)
		}
	}
}
