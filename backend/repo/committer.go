package repo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/hearthpds/hearth/backend/store"
)

// maxGroup bounds how many commits share one database transaction.
const maxGroup = 256

// ErrClosed: the engine was closed before the commit could land.
var ErrClosed = errors.New("repo engine closed")

// pending is a commit waiting in the committer's queue.
type pending struct {
	commit store.Commit
	state  *repoState
	gen    uint64 // state generation the commit was built on
	done   chan store.CommitResult
}

// committer lands queued commits in groups: whatever is queued when the
// previous transaction finishes goes into the next one. Writers of one repo
// queue in order, so a repo's commits land in order.
type committer struct {
	st     store.Repos
	log    *slog.Logger
	queue  chan *pending
	stop   chan struct{}
	dead   chan struct{} // closed once run has returned
	wg     sync.WaitGroup
	closed sync.Once
}

func newCommitter(st store.Repos, log *slog.Logger) *committer {
	c := &committer{st: st, log: log, queue: make(chan *pending, 4*maxGroup), stop: make(chan struct{}), dead: make(chan struct{})}
	c.wg.Add(1)
	go c.run()
	return c
}

// submit queues a commit. The caller must hold the repo's lock, so that the
// repo's commits are queued in the order they were built.
func (c *committer) submit(p *pending) error {
	select {
	case <-c.stop:
		return ErrClosed
	default:
	}
	select {
	case c.queue <- p:
		return nil
	case <-c.stop:
		return ErrClosed
	}
}

func (c *committer) run() {
	defer c.wg.Done()
	defer close(c.dead)
	group := make([]*pending, 0, maxGroup)
	for {
		select {
		case p := <-c.queue:
			group = append(group[:0], p)
		case <-c.stop:
			c.drain()
			return
		}
		group = c.fill(group)
		c.land(group)
	}
}

// fill adds to the group whatever else is already queued.
func (c *committer) fill(group []*pending) []*pending {
	for len(group) < maxGroup {
		select {
		case p := <-c.queue:
			group = append(group, p)
		default:
			return group
		}
	}
	return group
}

// land applies a group in one transaction and tells each writer its result.
// It uses a background context: once queued, a commit is landed or failed,
// never abandoned halfway by a cancelled request.
func (c *committer) land(group []*pending) {
	commits := make([]store.Commit, len(group))
	for i, p := range group {
		commits[i] = p.commit
	}
	results, err := c.st.ApplyCommits(context.Background(), commits)
	for i, p := range group {
		r := store.CommitResult{Err: err}
		if err == nil {
			r = results[i]
		} else {
			r.Err = fmt.Errorf("land commit: %w", err)
		}
		if r.Err != nil {
			p.state.invalidateIf(p.gen)
		}
		p.done <- r
	}
	if err != nil {
		c.log.Error("group commit failed", "commits", len(group), "err", err)
	}
}

// drain fails whatever is still queued at shutdown.
func (c *committer) drain() {
	for {
		select {
		case p := <-c.queue:
			p.state.invalidateIf(p.gen)
			p.done <- store.CommitResult{Err: ErrClosed}
		default:
			return
		}
	}
}

// wait returns the commit's result. A commit queued just as the committer
// stopped gets ErrClosed instead of waiting forever.
func (c *committer) wait(p *pending) store.CommitResult {
	select {
	case r := <-p.done:
		return r
	case <-c.dead:
		select {
		case r := <-p.done:
			return r
		default:
			return store.CommitResult{Err: ErrClosed}
		}
	}
}

// close stops the committer after the group in flight has landed.
func (c *committer) close() {
	c.closed.Do(func() { close(c.stop) })
	c.wg.Wait()
}
