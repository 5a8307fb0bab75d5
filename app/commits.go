package app

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/hearthpds/hearth/backend/firehose"
)

// feedSize is how many recent commits the feed keeps.
const feedSize = 100

// commitFeed follows the server's own firehose over loopback, as any
// subscriber would, and keeps the latest commits for the Home page and
// the repository browser.
type commitFeed struct {
	mu      sync.Mutex
	commits []CommitInfo // oldest first
	dids    []string     // the repo of each commit
}

// startCommitFeed subscribes to base's firehose after seq from and keeps
// following it, reconnecting, until ctx ends.
func startCommitFeed(ctx context.Context, base string, from int64, log *slog.Logger) *commitFeed {
	f := &commitFeed{}
	go f.follow(ctx, base, max(from, 0), log)
	return f
}

func (f *commitFeed) follow(ctx context.Context, base string, cursor int64, log *slog.Logger) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		cur := cursor
		sub, err := firehose.Subscribe(ctx, base, &cur, nil)
		if err == nil {
			backoff = 100 * time.Millisecond
			cursor = f.read(ctx, sub, cursor)
			sub.Close()
		} else if ctx.Err() == nil {
			log.Debug("commit feed: reconnecting", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// read consumes frames until the stream ends and returns the last seq.
func (f *commitFeed) read(ctx context.Context, sub *firehose.Subscription, cursor int64) int64 {
	for {
		m, err := sub.Next(ctx)
		if err != nil {
			return cursor
		}
		if m.Seq > 0 {
			cursor = m.Seq
		}
		if m.Commit != nil {
			f.add(m.Commit)
		}
	}
}

func (f *commitFeed) add(c *firehose.Commit) {
	info := CommitInfo{Seq: c.Seq, Rev: c.Rev, CID: c.Commit.String(), Ops: make([]CommitOp, 0, len(c.Ops))}
	info.Time, _ = time.Parse(time.RFC3339Nano, c.Time)
	for _, op := range c.Ops {
		o := CommitOp{Action: op.Action, Path: op.Path}
		if op.Cid != nil {
			o.CID = op.Cid.String()
		}
		info.Ops = append(info.Ops, o)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.commits); n > 0 && f.commits[n-1].Seq >= info.Seq {
		return // replayed after a reconnect
	}
	f.commits = append(f.commits, info)
	f.dids = append(f.dids, c.Repo)
	if len(f.commits) > feedSize {
		f.commits = slices.Delete(f.commits, 0, len(f.commits)-feedSize)
		f.dids = slices.Delete(f.dids, 0, len(f.dids)-feedSize)
	}
}

// recent returns up to n commits of did ("" for any), newest first.
func (f *commitFeed) recent(n int, did ...string) []CommitInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []CommitInfo{}
	for i := len(f.commits) - 1; i >= 0 && (n <= 0 || len(out) < n); i-- {
		if len(did) == 0 || did[0] == "" || f.dids[i] == did[0] {
			out = append(out, f.commits[i])
		}
	}
	return out
}

// RecentCommits returns the owner's latest commits, newest first, as the
// firehose carried them.
func (a *App) RecentCommits(limit int) ([]CommitInfo, error) {
	run, did, err := a.ownerRun()
	if err != nil {
		return nil, err
	}
	return run.feed.recent(clampLimit(limit), did), nil
}
