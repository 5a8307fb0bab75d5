package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("bench: write JSON: %w", err)
	}
	return nil
}

// WriteTable writes the report as a text table: one row per figure, one
// column per target (the median of its runs), then the notes (errors and
// failed verifications).
func WriteTable(w io.Writer, rep *Report) error {
	var b strings.Builder
	writeHeader(&b, rep)
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	row(tw, "scenario", "figure", targetLabels(rep)...)
	for s, name := range rep.Params.Scenarios {
		writeScenario(tw, rep, s, name)
	}
	writeServer(tw, rep)
	if err := tw.Flush(); err != nil {
		return err
	}
	writeNotes(&b, rep)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeHeader(b *strings.Builder, rep *Report) {
	p := rep.Params
	fmt.Fprintf(b, "hearth bench, %s; median of %d run(s); n=%d concurrency=%d accounts=%d records=%d subscribers=%d firehose-writes=%d",
		rep.Started.Format("2006-01-02 15:04 UTC"), p.Runs, p.N, p.Concurrency, p.Accounts, p.Records, p.Subscribers, p.FirehoseWrites)
	if p.DurationSec > 0 {
		fmt.Fprintf(b, " duration=%s", time.Duration(p.DurationSec*float64(time.Second)))
	}
	b.WriteString("\n")
	for _, t := range rep.Targets {
		fmt.Fprintf(b, "  %s = %s\n", t.Label, t.URL)
	}
	if bl := rep.Baseline; bl != nil {
		fmt.Fprintf(b, "client alone against a trivial loopback server (same process): 1 connection %s req/s (p99 %s ms), %d connections %s req/s (p99 %s ms)\n",
			rate(bl.Sequential.RPS), ms(bl.Sequential.Latency.P99), rep.Params.Concurrency, rate(bl.Concurrent.RPS), ms(bl.Concurrent.Latency.P99))
	}
	b.WriteString("\n")
}

func targetLabels(rep *Report) []string {
	out := make([]string, len(rep.Targets))
	for i, t := range rep.Targets {
		out[i] = t.Label
	}
	return out
}

func row(w io.Writer, first, second string, cells ...string) {
	fmt.Fprintf(w, "%s\t%s\t%s\t\n", first, second, strings.Join(cells, "\t"))
}

// figure is one table row of a scenario: its label and how to render a
// result's cell ("" when the result lacks it).
type figure struct {
	label string
	cell  func(Result) string
}

func writeScenario(w io.Writer, rep *Report, s int, name string) {
	title := firstNonEmpty(scenarioTitles[name], name)
	for _, f := range scenarioFigures(name) {
		cells := make([]string, len(rep.Targets))
		shown := false
		for i, t := range rep.Targets {
			switch {
			case t.Err != "":
				cells[i] = "-"
			case s < len(t.Median):
				cells[i] = f.cell(t.Median[s])
			}
			shown = shown || (cells[i] != "" && cells[i] != "-")
			cells[i] = firstNonEmpty(cells[i], "-")
		}
		if shown {
			row(w, title, f.label, cells...)
			title = ""
		}
	}
}

func scenarioFigures(name string) []figure {
	figs := []figure{
		{"requests/s", func(r Result) string { return status(r, rate(r.RPS)) }},
		{"latency p50/p90/p99/max ms", func(r Result) string {
			if r.Latency.Count == 0 {
				return ""
			}
			l := r.Latency
			return ms(l.P50) + " / " + ms(l.P90) + " / " + ms(l.P99) + " / " + ms(l.Max)
		}},
		{"errors", func(r Result) string { return strconv.Itoa(r.Errors) }},
	}
	switch name {
	case ScenarioGetRepo:
		figs[0].label = "getRepo/s"
		figs[1].label = "time to last byte p50/p90/p99/max ms"
	case ScenarioFirehose:
		figs[0].label = "writes/s"
		figs[1].label = "commit→frame p50/p90/p99/max ms"
	}
	return append(figs, metricFigures(name)...)
}

func metricFigures(name string) []figure {
	m := func(label, key string, f func(float64) string) figure {
		return figure{label, func(r Result) string {
			v, ok := r.Metrics[key]
			if !ok {
				return ""
			}
			return f(v)
		}}
	}
	count := func(v float64) string { return rate(v) }
	var figs []figure
	switch name {
	case ScenarioList:
		figs = append(figs, m("records/s", MetricRecordsPerSec, count))
	case ScenarioWritersOne, ScenarioWritersMany:
		figs = append(figs, m("acknowledged writes", MetricAcked, count), m("lost writes", MetricLost, count))
	case ScenarioGetRepo:
		figs = append(figs, m("records", MetricRecords, count), m("CAR MiB", MetricCARBytes, mib),
			m("CAR blocks", MetricCARBlocks, count), m("blocks not reachable", MetricDeadBlocks, count),
			m("build s (first run)", MetricBuildSec, secs), m("build records/s", MetricBuildRate, count))
	case ScenarioFirehose:
		figs = append(figs, m("subscribers", MetricSubscribers, count), m("frames/s delivered", MetricFrames, count),
			m("missed frames", MetricMissedFrames, count))
	}
	return append(figs, m("server RSS after, MiB", MetricServerRSS, mib))
}

// status replaces a figure by FAILED or ERROR when the result has one.
func status(r Result, s string) string {
	switch {
	case r.Failure != "":
		return "FAILED (see notes)"
	case r.Err != "" && r.Requests == 0:
		return "ERROR (see notes)"
	}
	return s
}

func writeServer(w io.Writer, rep *Report) {
	mem := make([]string, len(rep.Targets))
	data := make([]string, len(rep.Targets))
	anyMem, anyData := false, false
	for i, t := range rep.Targets {
		mem[i], data[i] = "-", "-"
		if s := t.Server; s != nil {
			if s.IdleRSS > 0 {
				mem[i] = mib(float64(s.IdleRSS)) + " / " + mib(float64(s.EndRSS)) + " / " + mib(float64(s.PeakRSS))
				anyMem = true
			}
			if s.DataBytes > 0 {
				data[i] = mib(float64(s.DataBytes))
				anyData = true
			}
		}
	}
	title := "server"
	if anyMem {
		row(w, title, "RSS idle / end / peak MiB", mem...)
		title = ""
	}
	if anyData {
		row(w, title, "data dir MiB", data...)
	}
}

func writeNotes(b *strings.Builder, rep *Report) {
	var notes []string
	for _, t := range rep.Targets {
		if t.Err != "" {
			notes = append(notes, t.Label+": "+t.Err)
		}
		if t.Server != nil && t.Server.Err != "" {
			notes = append(notes, t.Label+": server: "+t.Server.Err)
		}
		for i, run := range t.Runs {
			for _, r := range run {
				where := fmt.Sprintf("%s run %d %s: ", t.Label, i+1, firstNonEmpty(scenarioTitles[r.Scenario], r.Scenario))
				if r.Failure != "" {
					notes = append(notes, where+r.Failure)
				}
				if r.Err != "" {
					notes = append(notes, where+r.Err)
				}
				if r.Err == "" && r.FirstError != "" {
					notes = append(notes, where+"first error: "+r.FirstError)
				}
			}
		}
	}
	if len(notes) == 0 {
		return
	}
	b.WriteString("\nnotes:\n")
	for _, n := range notes {
		b.WriteString("  " + n + "\n")
	}
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) }

func secs(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func mib(v float64) string { return strconv.FormatFloat(v/(1<<20), 'f', 1, 64) }

// rate renders a count or rate rounded to a whole number with thousands
// separators.
func rate(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
