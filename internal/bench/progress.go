package bench

import (
	"sync/atomic"
	"time"
)

// Progress shows how far the bench is. Phase starts a phase of total
// operations (-1: unknown, for duration-bound phases), Set reports the
// operations done so far and Done ends the phase. The bench calls these
// from one goroutine, about ten times a second at most, never from its
// measuring loops.
type Progress interface {
	Phase(desc string, total int64)
	Set(done int64)
	Done()
}

type nopProgress struct{}

func (nopProgress) Phase(string, int64) {}
func (nopProgress) Set(int64)           {}
func (nopProgress) Done()               {}

// ticker copies an atomic counter into a Progress until stopped, so the
// measuring loops only pay for an atomic add.
type ticker struct {
	p    Progress
	n    *atomic.Int64
	stop chan struct{}
	done chan struct{}
}

// startPhase begins a phase and returns its ticker; the caller adds to
// n and calls end.
func startPhase(p Progress, desc string, total int64, n *atomic.Int64) *ticker {
	p.Phase(desc, total)
	t := &ticker{p: p, n: n, stop: make(chan struct{}), done: make(chan struct{})}
	go t.run()
	return t
}

func (t *ticker) run() {
	defer close(t.done)
	tk := time.NewTicker(100 * time.Millisecond)
	defer tk.Stop()
	for {
		select {
		case <-t.stop:
			t.p.Set(t.n.Load())
			t.p.Done()
			return
		case <-tk.C:
			t.p.Set(t.n.Load())
		}
	}
}

// end stops the ticker after a last update.
func (t *ticker) end() {
	close(t.stop)
	<-t.done
}
