package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/hearthpds/hearth/internal/bench"
)

// benchFlags are the flags of `hearth bench`.
type benchFlags struct {
	targets, inviteCodes, adminPasswords, dataDirs []string
	pids                                           []int
	cfg                                            bench.Config
	json, noProgress, noBaseline                   bool
}

func newBenchCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench --target URL [--target URL ...]",
		Short: "Load-test PDSs by URL and print a comparison table",
		Long: "Drive one or more atproto PDSs over HTTP with the benchmark scenarios (" +
			strings.Join(bench.AllScenarios, ", ") + "), alternating between targets run by run, " +
			"and print the median of --runs per target. It signs up its own accounts through the public API. " +
			"Per-target flags (--invite-code, --admin-password, --pid, --data-dir) take one value for all targets " +
			"or one per target, in --target order. Exits non-zero if a server lost an acknowledged write.",
		Args: cobra.NoArgs,
	}
	f := &benchFlags{}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.targets, "target", nil, "server to measure, `URL` or label=URL (repeatable)")
	fl.IntVar(&f.cfg.Runs, "runs", 1, "runs per target; the table shows the median")
	fl.IntVar(&f.cfg.N, "n", 5000, "operations per scenario")
	fl.IntVar(&f.cfg.Concurrency, "concurrency", 8, "writers in the concurrent-writers scenarios")
	fl.IntVar(&f.cfg.Accounts, "accounts", 8, "repos in the writers-on-N-repos scenario")
	fl.DurationVar(&f.cfg.Duration, "duration", 0, "run each throughput scenario this long instead of --n operations")
	fl.IntVar(&f.cfg.Records, "records", 100000, "records in the getRepo scenario's repo")
	fl.IntVar(&f.cfg.Subscribers, "subscribers", 50, "firehose subscribers")
	fl.IntVar(&f.cfg.FirehoseWrites, "firehose-writes", 0, "writes the firehose scenario correlates (default min(n, 1000))")
	fl.StringSliceVar(&f.cfg.Scenarios, "scenarios", nil, "scenarios to run, comma-separated (default all: "+strings.Join(bench.AllScenarios, ",")+")")
	fl.StringArrayVar(&f.inviteCodes, "invite-code", nil, "invite code for signing up (per target)")
	fl.StringArrayVar(&f.adminPasswords, "admin-password", nil, "admin password, to make invite codes (per target; default $HEARTH_ADMIN_PASSWORD)")
	fl.IntSliceVar(&f.pids, "pid", nil, "process id of a local server, to report its RSS (per target; 0 for none)")
	fl.StringArrayVar(&f.dataDirs, "data-dir", nil, "data directory of a local server, to report its size (per target)")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON instead of a table")
	fl.BoolVar(&f.noProgress, "no-progress", false, "do not draw the progress bar")
	fl.BoolVar(&f.noBaseline, "no-baseline", false, "skip measuring the client alone against a trivial loopback server")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, err := f.config(e)
		if err != nil {
			return err
		}
		rep, err := bench.Run(cmd.Context(), cfg)
		if err != nil {
			return err
		}
		return writeBenchReport(e, rep, f.json)
	}
	return cmd
}

// config turns the flags into a bench.Config.
func (f *benchFlags) config(e *env) (bench.Config, error) {
	cfg := f.cfg
	if len(f.targets) == 0 {
		return cfg, errors.New("bench: give at least one --target URL")
	}
	if len(f.adminPasswords) == 0 {
		if pw := lookupEnv(e.environ, "HEARTH_ADMIN_PASSWORD"); pw != "" {
			f.adminPasswords = []string{pw}
		}
	}
	n := len(f.targets)
	for name, l := range map[string]int{"--invite-code": len(f.inviteCodes), "--admin-password": len(f.adminPasswords),
		"--pid": len(f.pids), "--data-dir": len(f.dataDirs)} {
		if l > 1 && l != n {
			return cfg, fmt.Errorf("bench: %s has %d values for %d targets: give one, or one per target", name, l, n)
		}
	}
	for i, raw := range f.targets {
		t := bench.Target{URL: raw}
		if label, u, ok := strings.Cut(raw, "="); ok && !strings.Contains(label, "/") {
			t.Label, t.URL = label, u
		}
		t.InviteCode = perTarget(f.inviteCodes, i)
		t.AdminPassword = perTarget(f.adminPasswords, i)
		t.PID = perTarget(f.pids, i)
		t.DataDir = perTarget(f.dataDirs, i)
		cfg.Targets = append(cfg.Targets, t)
	}
	cfg.Baseline = !f.noBaseline
	if !f.noProgress {
		cfg.Progress = &barProgress{w: e.stderr}
	}
	return cfg, nil
}

// perTarget picks target i's value of a per-target flag.
func perTarget[T any](vals []T, i int) T {
	var zero T
	switch len(vals) {
	case 0:
		return zero
	case 1:
		return vals[0]
	}
	return vals[i]
}

func lookupEnv(environ []string, key string) string {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// writeBenchReport prints the report and fails loudly on a failed
// verification.
func writeBenchReport(e *env, rep *bench.Report, asJSON bool) error {
	var err error
	if asJSON {
		err = bench.WriteJSON(e.stdout, rep)
	} else {
		err = bench.WriteTable(e.stdout, rep)
	}
	if err != nil {
		return err
	}
	if fails := rep.Failures(); len(fails) > 0 {
		fmt.Fprintln(e.stderr, "\n*** BENCH VERIFICATION FAILED ***")
		for _, f := range fails {
			fmt.Fprintln(e.stderr, "  "+f)
		}
		return fmt.Errorf("bench: %d verification(s) failed: a server lost acknowledged writes or served an invalid repo", len(fails))
	}
	for _, t := range rep.Targets {
		if t.Err != "" {
			return fmt.Errorf("bench: target %s could not be measured: %s", t.Label, t.Err)
		}
	}
	return nil
}

// barProgress draws bench phases as progress bars on a writer (stderr).
type barProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (p *barProgress) Phase(desc string, total int64) {
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("op"),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetPredictTime(total > 0),
		progressbar.OptionSetSpinnerChangeInterval(0), // no drawing goroutine: Set redraws
	)
	_ = p.bar.RenderBlank()
}

func (p *barProgress) Set(done int64) {
	if p.bar != nil {
		_ = p.bar.Set64(done)
	}
}

func (p *barProgress) Done() {
	if p.bar == nil {
		return
	}
	_ = p.bar.Clear()
	_ = p.bar.Exit()
	p.bar = nil
}
