package bench

import (
	"context"
	"fmt"
	"strconv"
)

// runWriters runs tr.cfg.Concurrency writers, each on its own connection,
// writer w on repo accts[w % len(accts)], then verifies that every repo
// holds every write the server acknowledged.
func (tr *targetRun) runWriters(ctx context.Context, res *Result, name string, accts []account) {
	workers := tr.cfg.Concurrency
	clients := make([]*client, workers)
	bodies := make([]postBody, workers)
	bufs := make([][]byte, workers)
	acks := make([][]ack, workers)
	for w := range workers {
		clients[w] = newClient(tr.t.URL, 1)
		defer clients[w].close()
		tag := fmt.Sprintf("%s r%d w%d", name, tr.run, w)
		bodies[w] = newPostBody(accts[w%len(accts)].DID, tag)
	}
	lr := tr.load(name, workers, func(ctx context.Context, w, seq int) error {
		bufs[w] = bodies[w].appendBody(bufs[w][:0], seq)
		a, err := createRecord(ctx, clients[w], accts[w%len(accts)].auth, bufs[w])
		if err == nil {
			acks[w] = append(acks[w], a)
		}
		return err
	}).run(ctx)
	res.fromLoad(lr)
	tr.verifyAcks(ctx, res, accts, acks)
}

// verifyAcks checks each repo of accts against the writes acknowledged on
// it (writer w wrote to accts[w % len(accts)]) and records the outcome.
func (tr *targetRun) verifyAcks(ctx context.Context, res *Result, accts []account, acks [][]ack) {
	byRepo := make([][]ack, len(accts))
	total := 0
	for w, as := range acks {
		byRepo[w%len(accts)] = append(byRepo[w%len(accts)], as...)
		total += len(as)
	}
	res.setMetric(MetricAcked, float64(total))
	lost := 0
	var problems []string
	for i, as := range byRepo {
		if len(as) == 0 {
			continue
		}
		chk, err := verifyWrites(ctx, tr.admin, accts[i].DID, as)
		lost += len(chk.Missing)
		if err != nil {
			problems = append(problems, accts[i].DID+": "+err.Error())
		}
		if len(chk.Missing) > 0 {
			problems = append(problems, "missing rkeys: "+shortList(chk.Missing))
		}
	}
	res.setMetric(MetricLost, float64(lost))
	if len(problems) > 0 {
		res.Failure = "VERIFICATION FAILED: " + shortList(problems)
		if lost > 0 {
			res.Failure = fmt.Sprintf("VERIFICATION FAILED: %d of %d acknowledged writes are missing from the signed repo; %s",
				lost, total, shortList(problems))
		}
	}
}

// runWritersOne is N writers on the main repo.
func (tr *targetRun) runWritersOne(ctx context.Context, res *Result) {
	tr.runWriters(ctx, res, ScenarioWritersOne, tr.accounts[:1])
}

// runWritersMany is N writers on the --accounts repos.
func (tr *targetRun) runWritersMany(ctx context.Context, res *Result) {
	tr.runWriters(ctx, res, ScenarioWritersMany, tr.accounts)
}

// load returns the closed-loop load of a scenario with the run's count,
// duration and progress.
func (tr *targetRun) load(name string, workers int, op opFunc) load {
	return load{
		workers: workers, total: tr.cfg.N, duration: tr.cfg.Duration,
		op: op, progress: tr.cfg.Progress, desc: tr.desc(scenarioTitles[name]),
	}
}

// desc is a progress description: target, run and what is happening.
func (tr *targetRun) desc(what string) string {
	return tr.t.Label + " run " + strconv.Itoa(tr.run) + "/" + strconv.Itoa(tr.cfg.Runs) + ": " + what
}
