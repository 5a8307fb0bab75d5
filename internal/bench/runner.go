package bench

import (
	"context"
	"fmt"
	"time"
)

// targetRun is the bench's state for one target across its runs: the
// accounts it made and the records it knows of.
type targetRun struct {
	cfg      Config
	t        Target
	run      int     // current run, from 1
	admin    *client // setup and verification calls
	accounts []account
	main     account  // accounts[0]: sequential, writers-1 and firehose scenarios
	known    []string // rkeys of posts in main's repo
	big      account  // the getRepo scenario's repo
	bigBuilt bool
	bigCount int
}

// Run measures every target: accounts are made first, target by target;
// then the runs alternate between targets (A, B, A, B, …) and each run
// goes through the scenarios in order. The report holds every run and the
// median per target. Check Report.Failures for failed verifications; the
// error is for a bench that could not run at all.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	rep := &Report{Started: time.Now().UTC(), Params: cfg.params()}
	if cfg.Baseline {
		b, err := RunBaseline(ctx, cfg.N, cfg.Concurrency, cfg.Duration, cfg.Progress)
		if err != nil {
			return nil, err
		}
		rep.Baseline = b
	}
	trs := make([]*targetRun, len(cfg.Targets))
	rep.Targets = make([]TargetReport, len(cfg.Targets))
	for i, t := range cfg.Targets {
		rep.Targets[i] = TargetReport{Target: t, Label: t.Label, URL: t.URL}
		trs[i] = &targetRun{cfg: cfg, t: t, admin: newClient(t.URL, 1)}
		defer trs[i].admin.close()
		if err := trs[i].setup(ctx, &rep.Targets[i]); err != nil {
			rep.Targets[i].Err = err.Error()
			trs[i] = nil
		}
	}
	for run := 1; run <= cfg.Runs; run++ {
		for i, tr := range trs {
			if tr == nil {
				continue
			}
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			tr.run = run
			rep.Targets[i].Runs = append(rep.Targets[i].Runs, tr.runAll(ctx))
		}
	}
	for i, tr := range trs {
		if tr != nil {
			tr.finish(&rep.Targets[i])
		}
	}
	return rep, ctx.Err()
}

func (c Config) params() Params {
	return Params{
		Runs: c.Runs, N: c.N, Concurrency: c.Concurrency, Accounts: c.Accounts,
		DurationSec: c.Duration.Seconds(), Records: c.Records, Subscribers: c.Subscribers,
		FirehoseWrites: c.FirehoseWrites, Scenarios: c.Scenarios,
	}
}

// setup reads the idle server's memory and signs up the accounts: the
// main repo (the first of --accounts when writers-n runs) and the getRepo
// scenario's.
func (tr *targetRun) setup(ctx context.Context, rep *TargetReport) error {
	if tr.t.PID > 0 {
		rep.Server = &Server{}
		if m, err := ReadProcMem(tr.t.PID); err != nil {
			rep.Server.Err = err.Error()
		} else {
			rep.Server.IdleRSS = m.RSS
		}
	}
	n := 1 // the main repo
	if tr.cfg.has(ScenarioWritersMany) {
		n = max(tr.cfg.Accounts, 1)
	}
	if tr.cfg.has(ScenarioGetRepo) {
		n++
	}
	tr.cfg.Progress.Phase(tr.t.Label+": sign up "+fmt.Sprint(n)+" accounts", -1)
	accts, err := createAccounts(ctx, tr.admin, tr.t, n)
	tr.cfg.Progress.Done()
	if err != nil {
		return fmt.Errorf("sign up: %w", err)
	}
	if tr.cfg.has(ScenarioGetRepo) {
		tr.big, accts = accts[n-1], accts[:n-1]
	}
	tr.accounts, tr.main = accts, accts[0]
	return nil
}

// runAll runs the selected scenarios once.
func (tr *targetRun) runAll(ctx context.Context) []Result {
	scenarios := map[string]func(context.Context, *Result){
		ScenarioCreate: tr.runCreate, ScenarioGet: tr.runGet, ScenarioList: tr.runList,
		ScenarioWritersOne: tr.runWritersOne, ScenarioWritersMany: tr.runWritersMany,
		ScenarioGetRepo: tr.runGetRepo, ScenarioFirehose: tr.runFirehose,
	}
	out := make([]Result, 0, len(tr.cfg.Scenarios))
	for _, name := range tr.cfg.Scenarios {
		res := Result{Scenario: name}
		if ctx.Err() == nil {
			scenarios[name](ctx, &res)
		}
		tr.sampleServer(&res)
		out = append(out, res)
	}
	return out
}

// sampleServer records the server's memory after a scenario.
func (tr *targetRun) sampleServer(res *Result) {
	if tr.t.PID <= 0 {
		return
	}
	if m, err := ReadProcMem(tr.t.PID); err == nil {
		res.setMetric(MetricServerRSS, float64(m.RSS))
		res.setMetric(MetricServerHWM, float64(m.HWM))
	}
}

// finish computes the medians and the server's final figures.
func (tr *targetRun) finish(rep *TargetReport) {
	for s := range tr.cfg.Scenarios {
		runs := make([]Result, 0, len(rep.Runs))
		for _, r := range rep.Runs {
			runs = append(runs, r[s])
		}
		rep.Median = append(rep.Median, Median(runs))
	}
	if tr.t.PID > 0 {
		if m, err := ReadProcMem(tr.t.PID); err == nil {
			rep.Server.EndRSS, rep.Server.PeakRSS = m.RSS, m.HWM
		} else {
			rep.Server.Err = err.Error()
		}
	}
	if tr.t.DataDir != "" {
		if rep.Server == nil {
			rep.Server = &Server{}
		}
		if n, err := DirSize(tr.t.DataDir); err == nil {
			rep.Server.DataBytes = n
		} else {
			rep.Server.Err = firstNonEmpty(rep.Server.Err, err.Error())
		}
	}
}
