package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
)

// getRepoFetches is how many times a run downloads the large repo.
const getRepoFetches = 3

// runGetRepo builds a repo of --records posts (once per target, in
// applyWrites batches of 200), then times getRepo of it (request sent to
// last byte read) and checks the CAR: signed by the DID document's key,
// every record present, and how many blocks the commit does not reach.
func (tr *targetRun) runGetRepo(ctx context.Context, res *Result) {
	if !tr.bigBuilt {
		t0 := time.Now()
		acks, err := tr.fill(ctx, tr.big, tr.cfg.Records, 2, "big")
		if err != nil {
			res.Err = fmt.Sprintf("build the large repo: %v", err)
			return
		}
		build := time.Since(t0)
		tr.bigBuilt, tr.bigCount = true, len(acks)
		res.setMetric(MetricBuildSec, build.Seconds())
		res.setMetric(MetricBuildRate, float64(len(acks))/build.Seconds())
	}
	c := newClient(tr.t.URL, 1)
	defer c.close()
	key, err := signingKey(ctx, c, tr.big.DID)
	if err != nil {
		res.Err = err.Error()
		return
	}
	var done atomic.Int64
	tk := startPhase(tr.cfg.Progress, tr.desc(scenarioTitles[ScenarioGetRepo]), getRepoFetches, &done)
	rec := NewRecorder(getRepoFetches)
	var car []byte
	start := time.Now()
	for range getRepoFetches {
		t0 := time.Now()
		b, err := fetchRepo(ctx, c, tr.big.DID)
		if err != nil {
			rec.Fail(err)
			break
		}
		rec.Add(time.Since(t0))
		car = b
		done.Add(1)
	}
	tk.end()
	res.fromLoad(loadResult{rec: rec, elapsed: time.Since(start)})
	if car == nil {
		res.Err = "getRepo failed: " + res.FirstError
		return
	}
	tr.checkBigRepo(ctx, res, car, key)
}

// checkBigRepo verifies the large repo's CAR and records its figures.
func (tr *targetRun) checkBigRepo(ctx context.Context, res *Result, car []byte, key atcrypto.PublicKey) {
	chk, err := verifyRepo(ctx, car, tr.big.DID, key, postCollection, nil)
	res.setMetric(MetricCARBytes, float64(chk.Bytes))
	res.setMetric(MetricCARBlocks, float64(chk.Blocks))
	res.setMetric(MetricRecords, float64(chk.Records))
	res.setMetric(MetricDeadBlocks, float64(chk.DeadBlocks))
	switch {
	case err != nil:
		res.Failure = "VERIFICATION FAILED: getRepo: " + err.Error()
	case chk.Records < tr.bigCount:
		res.Failure = "VERIFICATION FAILED: getRepo holds " + strconv.Itoa(chk.Records) +
			" records, " + strconv.Itoa(tr.bigCount) + " were acknowledged"
	}
}
