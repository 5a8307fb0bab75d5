package repo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// MaxWrites bounds the writes of one commit, as the reference PDS does for
// applyWrites.
const MaxWrites = 200

// maxAttempts bounds how often a write is rebuilt after its commit lost a
// compare-and-swap (another instance, or a failed commit it was built on).
const maxAttempts = 4

// KeySource returns an account's repo signing key.
type KeySource interface {
	SigningKey(ctx context.Context, did string) (atcrypto.PrivateKey, error)
}

// Config configures an Engine.
type Config struct {
	Store     store.Repos
	Keys      KeySource
	Validator Validator // nil: records are not validated
	Logger    *slog.Logger
	// MaxCachedRepos bounds how many repos keep their tree in memory
	// (default 64).
	MaxCachedRepos int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Hooks see every Apply's writes before and after (nil: none).
	Hooks Hooks
}

// Engine writes and reads repositories. It is safe for concurrent use.
type Engine struct {
	st        store.Repos
	keys      KeySource
	validator Validator
	hooks     Hooks
	log       *slog.Logger
	now       func() time.Time
	commits   *committer

	mu        sync.Mutex // guards repos, tick, tids
	repos     map[string]*repoState
	maxCached int
	tick      uint64
	tids      *syntax.TIDClock
}

// NewEngine starts an engine and its committer. Close stops it.
func NewEngine(cfg Config) *Engine {
	e := &Engine{
		st: cfg.Store, keys: cfg.Keys, validator: cfg.Validator, hooks: cfg.Hooks, log: cfg.Logger, now: cfg.Now,
		repos: map[string]*repoState{}, maxCached: cfg.MaxCachedRepos, tids: syntax.NewTIDClock(0),
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.maxCached <= 0 {
		e.maxCached = 64
	}
	e.commits = newCommitter(cfg.Store, e.log)
	return e
}

// Close stops the committer after the commits in flight have landed; later
// writes fail with ErrClosed.
func (e *Engine) Close() { e.commits.close() }

// ApplyOptions are the commit-level options of a write request.
type ApplyOptions struct {
	// SwapCommit, when set, must be the repo's current commit CID.
	SwapCommit *cid.Cid
	Validate   Validation
	// Actor is the delegate acting for the repo's account, if any (told
	// to the hooks).
	Actor string
}

// CommitInfo describes a landed commit.
type CommitInfo struct {
	CID cid.Cid
	Rev string
	Seq int64 // firehose seq of its #commit event
}

// Result is the outcome of Apply.
type Result struct {
	Commit *CommitInfo // nil when the writes changed nothing
	Writes []WriteResult
}

// Apply applies writes to a repo as one signed commit and returns once the
// commit is durable. Either every write lands or none does.
func (e *Engine) Apply(ctx context.Context, did string, writes []Write, opts ApplyOptions) (*Result, error) {
	writes, err := e.runBeforeHooks(ctx, did, writes, opts)
	if err != nil {
		return nil, err
	}
	preps, err := e.prepareAll(writes, opts.Validate)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		res, p, err := e.stage(ctx, did, preps, opts)
		if err != nil || p == nil {
			return res, err
		}
		r := e.commits.wait(p)
		if r.Err == nil {
			res.Commit.Seq = r.Seq
			e.runAfterHooks(ctx, did, preps, opts, res)
			return res, nil
		}
		if !errors.Is(r.Err, store.ErrRootMismatch) || attempt == maxAttempts {
			return nil, fmt.Errorf("commit to %s: %w", did, r.Err)
		}
		e.log.Debug("commit lost its compare-and-swap; rebuilding", "did", did, "attempt", attempt)
	}
}

// prepareAll checks, encodes and validates writes outside the repo lock.
func (e *Engine) prepareAll(writes []Write, mode Validation) ([]*prepared, error) {
	if len(writes) == 0 {
		return nil, invalidWrite(0, "no writes")
	}
	if len(writes) > MaxWrites {
		return nil, invalidWrite(MaxWrites, "too many writes: %d (max %d)", len(writes), MaxWrites)
	}
	preps := make([]*prepared, len(writes))
	seen := make(map[string]bool, len(writes))
	for i, w := range writes {
		p, err := prepare(i, w, mode, e.validator, e.nextTID)
		if err != nil {
			return nil, err
		}
		if seen[p.path] {
			return nil, invalidWrite(i, "record %s is written twice in one commit", p.path)
		}
		seen[p.path] = true
		preps[i] = p
	}
	return preps, nil
}

func (e *Engine) nextTID() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tids.Next().String()
}

// nextRev returns a rev for a new commit: a fresh TID, but always greater
// than the previous rev, even if another instance's clock ran ahead.
func (e *Engine) nextRev(prev string) string {
	rev := e.nextTID()
	if rev > prev {
		return rev
	}
	last, err := syntax.ParseTID(prev)
	if err != nil {
		return rev
	}
	return syntax.NewTIDFromInteger(last.Integer() + 1).String()
}

// state returns the cached state of a repo, creating (and evicting) as
// needed.
func (e *Engine) state(did string) *repoState {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tick++
	s, ok := e.repos[did]
	if !ok {
		if len(e.repos) >= e.maxCached {
			e.evictLocked()
		}
		s = &repoState{did: did}
		e.repos[did] = s
	}
	s.used = e.tick
	return s
}

// evictLocked drops the least recently used repo state that no writer
// holds. A commit still queued for it stays correct: a reloaded state that
// misses it fails its compare-and-swap and is rebuilt.
func (e *Engine) evictLocked() {
	var victim *repoState
	for _, s := range e.repos {
		if victim == nil || s.used < victim.used {
			if s.mu.TryLock() {
				if victim != nil {
					victim.mu.Unlock()
				}
				victim = s
			}
		}
	}
	if victim != nil {
		delete(e.repos, victim.did)
		victim.invalidate()
		victim.mu.Unlock()
	}
}

// Forget drops a repo's cached state (after the account was deleted or its
// repo replaced).
func (e *Engine) Forget(did string) {
	e.mu.Lock()
	s, ok := e.repos[did]
	delete(e.repos, did)
	e.mu.Unlock()
	if ok {
		s.mu.Lock()
		s.invalidate()
		s.mu.Unlock()
	}
}
