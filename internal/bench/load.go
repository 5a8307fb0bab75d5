package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// opFunc performs operation seq for worker w and returns its error. The
// load loop times it.
type opFunc func(ctx context.Context, w, seq int) error

// load is a closed-loop load: workers each run op back to back until total
// operations were started or the duration passed.
type load struct {
	workers  int
	total    int           // operations in all (ignored when duration > 0)
	duration time.Duration // when > 0, run this long
	op       opFunc
	progress Progress
	desc     string
}

// loadResult is what a load measured.
type loadResult struct {
	rec     *Recorder
	elapsed time.Duration
	aborted error // set when the load stopped on too many errors
}

// maxErrors is how many failures stop a load early: enough to see a
// pattern, few enough not to hammer a broken server for minutes.
func maxErrors(total int) int64 { return int64(max(100, total/10)) }

// run executes the load and merges the workers' recorders.
func (l load) run(ctx context.Context) loadResult {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next, done, failed atomic.Int64
	total := int64(-1)
	if l.duration <= 0 {
		total = int64(l.total)
	}
	tk := startPhase(l.progress, l.desc, total, &done)
	recs := make([]*Recorder, l.workers)
	var deadline time.Time
	start := time.Now()
	if l.duration > 0 {
		deadline = start.Add(l.duration)
	}
	var wg sync.WaitGroup
	for w := range l.workers {
		recs[w] = NewRecorder(l.total/l.workers + 1)
		wg.Go(func() {
			rec := recs[w]
			for ctx.Err() == nil {
				seq := next.Add(1) - 1
				if total >= 0 && seq >= total {
					return
				}
				if !deadline.IsZero() && time.Now().After(deadline) {
					return
				}
				t0 := time.Now()
				err := l.op(ctx, w, int(seq))
				d := time.Since(t0)
				done.Add(1)
				if err == nil {
					rec.Add(d)
					continue
				}
				if ctx.Err() != nil {
					return
				}
				rec.Fail(err)
				if failed.Add(1) >= maxErrors(l.total) {
					cancel()
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	tk.end()
	res := loadResult{rec: recs[0], elapsed: elapsed}
	for _, r := range recs[1:] {
		res.rec.Merge(r)
	}
	if failed.Load() >= maxErrors(l.total) {
		res.aborted = fmt.Errorf("stopped after %d errors; first: %w", failed.Load(), res.rec.FirstError())
	}
	return res
}
