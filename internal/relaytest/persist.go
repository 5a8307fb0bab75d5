package relaytest

import (
	"context"
	"sync"

	"github.com/bluesky-social/indigo/cmd/relay/stream"
	"github.com/bluesky-social/indigo/cmd/relay/stream/persist"
)

// memPersister is the relay's event log, in memory: it numbers the events
// the relay emits and hands them to the relay's broadcaster.
type memPersister struct {
	mu        sync.Mutex
	seq       int64
	events    []*stream.XRPCStreamEvent
	broadcast func(*stream.XRPCStreamEvent)
}

var _ persist.EventPersistence = (*memPersister)(nil)

func (p *memPersister) Persist(_ context.Context, e *stream.XRPCStreamEvent) error {
	p.mu.Lock()
	p.seq++
	switch {
	case e.RepoCommit != nil:
		e.RepoCommit.Seq = p.seq
	case e.RepoSync != nil:
		e.RepoSync.Seq = p.seq
	case e.RepoIdentity != nil:
		e.RepoIdentity.Seq = p.seq
	case e.RepoAccount != nil:
		e.RepoAccount.Seq = p.seq
	}
	p.events = append(p.events, e)
	broadcast := p.broadcast
	p.mu.Unlock()
	broadcast(e)
	return nil
}

func (p *memPersister) Playback(ctx context.Context, since int64, cb func(*stream.XRPCStreamEvent) error) error {
	p.mu.Lock()
	events := append([]*stream.XRPCStreamEvent(nil), p.events...)
	p.mu.Unlock()
	for _, e := range events {
		if e.Sequence() <= since {
			continue
		}
		if err := cb(e); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func (p *memPersister) TakeDownRepo(context.Context, uint64) error { return nil }
func (p *memPersister) Flush(context.Context) error                { return nil }
func (p *memPersister) Shutdown(context.Context) error             { return nil }

func (p *memPersister) SetEventBroadcaster(f func(*stream.XRPCStreamEvent)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.broadcast = f
}
