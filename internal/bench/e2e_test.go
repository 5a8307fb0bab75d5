package bench_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearthpds/hearth/internal/bench"
	"github.com/hearthpds/hearth/internal/bench/benchtest"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// smallConfig runs every scenario with small numbers.
func smallConfig(targets ...bench.Target) bench.Config {
	return bench.Config{
		Targets: targets, Runs: 2, N: 40, Concurrency: 4, Accounts: 2,
		Records: 450, Subscribers: 3, FirehoseWrites: 20, Baseline: true,
	}
}

// startTargets starts two servers on the backend's databases, so the
// report compares two columns.
func startTargets(t *testing.T, dbURL func(testing.TB) string) []bench.Target {
	var targets []bench.Target
	for _, label := range []string{"a", "b"} {
		pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t), InviteRequired: true})
		targets = append(targets, bench.Target{Label: label, URL: pds.URL, AdminPassword: testpds.AdminPassword})
	}
	return targets
}

func TestEveryScenarioAgainstHearth(t *testing.T) {
	testdb.RunURL(t, everyScenario)
}

func everyScenario(t *testing.T, dbURL func(testing.TB) string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := smallConfig(startTargets(t, dbURL)...)
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if f := rep.Failures(); len(f) > 0 {
		t.Fatalf("verification failed: %q", f)
	}
	if rep.Baseline == nil || rep.Baseline.Sequential.Requests != cfg.N || rep.Baseline.Concurrent.Requests != cfg.N {
		t.Errorf("baseline %+v", rep.Baseline)
	}
	for _, tr := range rep.Targets {
		if tr.Err != "" {
			t.Fatalf("%s: %s", tr.Label, tr.Err)
		}
		if len(tr.Runs) != cfg.Runs || len(tr.Median) != len(bench.AllScenarios) {
			t.Fatalf("%s: %d runs, %d medians", tr.Label, len(tr.Runs), len(tr.Median))
		}
		for _, res := range tr.Median {
			checkResult(t, tr.Label, cfg, res)
		}
	}
	var table bytes.Buffer
	if err := bench.WriteTable(&table, rep); err != nil {
		t.Fatal(err)
	}
	for _, tr := range rep.Targets {
		if !strings.Contains(table.String(), tr.Label) {
			t.Errorf("table lacks the %s column:\n%s", tr.Label, table.String())
		}
	}
	t.Logf("\n%s", table.String())
}

func checkResult(t *testing.T, label string, cfg bench.Config, res bench.Result) {
	t.Helper()
	where := label + " " + res.Scenario
	if res.Err != "" || res.Failure != "" || res.Errors != 0 {
		t.Errorf("%s: err %q failure %q errors %d (first %q)", where, res.Err, res.Failure, res.Errors, res.FirstError)
	}
	if res.Requests == 0 || res.RPS <= 0 || res.Latency.Count == 0 || res.Latency.P50 > res.Latency.P99 || res.Latency.P99 > res.Latency.Max {
		t.Errorf("%s: implausible figures %+v", where, res)
	}
	m := res.Metrics
	switch res.Scenario {
	case bench.ScenarioWritersOne, bench.ScenarioWritersMany:
		if m[bench.MetricAcked] != float64(cfg.N) || m[bench.MetricLost] != 0 {
			t.Errorf("%s: acked %v lost %v, want %d and 0", where, m[bench.MetricAcked], m[bench.MetricLost], cfg.N)
		}
	case bench.ScenarioGetRepo:
		if m[bench.MetricRecords] != float64(cfg.Records) || m[bench.MetricDeadBlocks] != 0 || m[bench.MetricCARBytes] == 0 {
			t.Errorf("%s: records %v dead blocks %v CAR bytes %v", where, m[bench.MetricRecords], m[bench.MetricDeadBlocks], m[bench.MetricCARBytes])
		}
	case bench.ScenarioFirehose:
		if m[bench.MetricMissedFrames] != 0 || m[bench.MetricSubscribers] != float64(cfg.Subscribers) ||
			res.Latency.Count != cfg.Subscribers*cfg.FirehoseWrites {
			t.Errorf("%s: missed %v subscribers %v samples %d", where, m[bench.MetricMissedFrames], m[bench.MetricSubscribers], res.Latency.Count)
		}
	}
}

func TestVerificationFailsLoudlyOnALostWrite(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{})
	liar := benchtest.Proxy(t, pds.URL, benchtest.Options{LieOnCreate: 7})
	cfg := smallConfig(bench.Target{Label: "liar", URL: liar})
	cfg.Runs, cfg.Baseline, cfg.Scenarios = 1, false, []string{bench.ScenarioWritersOne}
	rep, err := bench.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	fails := rep.Failures()
	if len(fails) != 1 || !strings.Contains(fails[0], "VERIFICATION FAILED: 1 of 40 acknowledged writes are missing") {
		t.Fatalf("failures %q: want the one lost write reported", fails)
	}
	if lost := rep.Targets[0].Median[0].Metrics[bench.MetricLost]; lost != 1 {
		t.Fatalf("lost writes %v, want 1", lost)
	}
}

func TestFirehoseMissingIsAnErrorNotAHang(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{})
	cfg := smallConfig(bench.Target{URL: benchtest.Proxy(t, pds.URL, benchtest.Options{NoFirehose: true})})
	cfg.Runs, cfg.Baseline, cfg.Scenarios = 1, false, []string{bench.ScenarioFirehose}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := rep.Targets[0].Median[0]
	if !strings.Contains(res.Err, "com.atproto.sync.subscribeRepos unavailable") || !strings.Contains(res.Err, "404") {
		t.Fatalf("firehose result error %q: want subscribeRepos unavailable (HTTP 404)", res.Err)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("the scenario hung")
	}
}

func TestSignUpNeedsAnInvite(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{InviteRequired: true})
	cfg := smallConfig(bench.Target{URL: pds.URL})
	cfg.Runs, cfg.Baseline, cfg.Scenarios = 1, false, []string{bench.ScenarioCreate}
	rep, err := bench.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if e := rep.Targets[0].Err; !strings.Contains(e, "--invite-code or --admin-password") {
		t.Fatalf("target error %q: want a hint at the invite flags", e)
	}
}
