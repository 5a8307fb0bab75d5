package firehose

import (
	"context"
	"fmt"
	"time"
)

// Prune deletes the events older than the retention window and returns how
// many it deleted. The retention loop calls it; it is exported for tests
// and operator commands.
func (s *Sequencer) Prune(ctx context.Context) (int64, error) {
	cutoff := s.opts.Now().Add(-s.opts.Retention)
	n, err := s.opts.Log.DeleteEventsBefore(ctx, cutoff)
	if err != nil {
		return 0, fmt.Errorf("firehose: prune events before %s: %w", cutoff.Format(time.RFC3339), err)
	}
	return n, nil
}

// prune prunes and logs the outcome.
func (s *Sequencer) prune(ctx context.Context) {
	n, err := s.Prune(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Error("event retention failed", "err", err)
	case n > 0:
		s.log.Info("deleted events past retention", "count", n, "retention", s.opts.Retention.String())
	}
}

// pruneLoop prunes every PruneInterval (Start pruned once already), until
// Close.
func (s *Sequencer) pruneLoop() {
	defer s.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.done
		cancel()
	}()
	tick := time.NewTicker(s.opts.PruneInterval)
	defer tick.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-tick.C:
			s.prune(ctx)
		}
	}
}
