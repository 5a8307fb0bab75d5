package repo

import (
	"bytes"
	"context"
	"fmt"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	indigorepo "github.com/bluesky-social/indigo/atproto/repo"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// stage applies prepared writes to the repo's cached tree, builds and signs
// the commit and queues it. It returns a nil pending when the writes change
// nothing. It holds the repo's lock only while it runs.
func (e *Engine) stage(ctx context.Context, did string, preps []*prepared, opts ApplyOptions) (*Result, *pending, error) {
	s := e.state(did)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded {
		if err := s.load(ctx, e.st); err != nil {
			return nil, nil, err
		}
	}
	if opts.SwapCommit != nil && *opts.SwapCommit != s.root.Commit {
		return nil, nil, fmt.Errorf("%w: repo is at commit %s", ErrInvalidSwap, s.root.Commit)
	}
	results, err := resolve(s, preps)
	if err != nil {
		return nil, nil, err
	}
	key, err := e.keys.SigningKey(ctx, did)
	if err != nil {
		return nil, nil, fmt.Errorf("signing key of %s: %w", did, err)
	}
	ops, err := applyOps(s, preps)
	if err != nil {
		s.invalidate()
		return nil, nil, err
	}
	res := &Result{Writes: results}
	if len(ops) == 0 {
		return res, nil, nil
	}
	p, info, err := e.build(s, key, preps, ops)
	if err != nil {
		s.invalidate()
		return nil, nil, err
	}
	if err := e.commits.submit(p); err != nil {
		s.invalidate()
		return nil, nil, err
	}
	res.Commit = info
	return res, p, nil
}

// resolve checks each write against the current tree (existence, swaps),
// turns Puts into Creates or Updates, and returns the write results.
func resolve(s *repoState, preps []*prepared) ([]WriteResult, error) {
	results := make([]WriteResult, len(preps))
	for i, p := range preps {
		cur, err := s.tree.Get([]byte(p.path))
		if err != nil {
			return nil, fmt.Errorf("look up %s: %w", p.path, err)
		}
		if err := checkSwap(p, cur); err != nil {
			return nil, err
		}
		p.action = p.Action
		switch {
		case p.Action == Put && cur == nil:
			p.action = Create
		case p.Action == Put:
			p.action = Update
		case p.Action == Create && cur != nil:
			return nil, fmt.Errorf("%w: %s", ErrRecordExists, p.path)
		case (p.Action == Update || p.Action == Delete) && cur == nil:
			return nil, fmt.Errorf("%w: %s", ErrRecordNotFound, p.path)
		}
		results[i] = WriteResult{Action: p.action, Collection: p.Collection, RKey: p.RKey, ValidationStatus: p.status}
		if p.cid != nil {
			results[i].CID = *p.cid
		}
	}
	return results, nil
}

func checkSwap(p *prepared, cur *cid.Cid) error {
	if p.Swap == nil {
		return nil
	}
	want := p.Swap.CID
	switch {
	case want == nil && cur != nil:
		return fmt.Errorf("%w: record %s exists", ErrInvalidSwap, p.path)
	case want != nil && (cur == nil || *cur != *want):
		return fmt.Errorf("%w: record %s is not at %s", ErrInvalidSwap, p.path, want)
	}
	return nil
}

// applyOps mutates the tree. Updates that leave a record unchanged produce
// no operation (the firehose could not invert them).
func applyOps(s *repoState, preps []*prepared) ([]*indigorepo.Operation, error) {
	ops := make([]*indigorepo.Operation, 0, len(preps))
	for _, p := range preps {
		op, err := indigorepo.ApplyOp(s.tree, p.path, p.cid)
		if err != nil {
			return nil, fmt.Errorf("apply %s %s: %w", p.action, p.path, err)
		}
		if op.Value != nil && op.Prev != nil && *op.Value == *op.Prev {
			continue
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// build writes the tree's dirty nodes, signs the commit, computes the
// released blocks, advances the cached head and returns the pending commit.
func (e *Engine) build(s *repoState, key atcrypto.PrivateKey, preps []*prepared, ops []*indigorepo.Operation) (*pending, *CommitInfo, error) {
	rec := &recorder{}
	data, err := s.tree.WriteDiffBlocks(context.Background(), rec)
	if err != nil {
		return nil, nil, fmt.Errorf("write MST nodes: %w", err)
	}
	written, err := decodeWritten(rec)
	if err != nil {
		return nil, nil, err
	}
	rev := e.nextRev(s.root.Rev)
	commitCID, commitBlock, err := signCommit(s.did, *data, rev, key)
	if err != nil {
		return nil, nil, err
	}
	removed, err := s.advanceGraph(s.root.Data, written)
	if err != nil {
		return nil, nil, err
	}
	prev := s.root
	next := store.RepoRoot{DID: s.did, Commit: commitCID, Rev: rev, Data: *data}
	c := store.Commit{DID: s.did, Prev: &prev.Commit, Root: next}
	c.Blocks = append(c.Blocks, store.Block{CID: commitCID, Data: commitBlock})
	for _, w := range written {
		c.Blocks = append(c.Blocks, store.Block{CID: w.cid, Data: w.data})
	}
	c.Released = append(append(c.Released, prev.Commit), removed...)
	for _, p := range preps {
		c.Records = append(c.Records, recordChange(p))
		if p.cid != nil {
			c.Blocks = append(c.Blocks, store.Block{CID: *p.cid, Data: p.block})
		}
	}
	for _, op := range ops {
		if op.Prev != nil {
			c.Released = append(c.Released, *op.Prev)
		}
	}
	ev, err := commitEvent(e.now(), prev, next, c.Blocks, ops)
	if err != nil {
		return nil, nil, err
	}
	c.Event = ev
	s.root = next
	p := &pending{commit: c, state: s, gen: s.gen, done: make(chan store.CommitResult, 1)}
	return p, &CommitInfo{CID: commitCID, Rev: rev}, nil
}

func recordChange(p *prepared) store.RecordChange {
	return store.RecordChange{Collection: p.Collection, RKey: p.RKey, CID: p.cid, Blobs: p.blobs}
}

// decodeWritten reads the child pointers of each MST node block written.
func decodeWritten(rec *recorder) ([]writtenNode, error) {
	out := make([]writtenNode, 0, len(rec.blocks))
	for _, b := range rec.blocks {
		children, err := childrenOf(b.RawData())
		if err != nil {
			return nil, err
		}
		out = append(out, writtenNode{cid: b.Cid(), data: b.RawData(), children: children})
	}
	return out, nil
}

// signCommit builds and signs a version 3 commit and returns its block.
func signCommit(did string, data cid.Cid, rev string, key atcrypto.PrivateKey) (cid.Cid, []byte, error) {
	commit := indigorepo.Commit{DID: did, Version: indigorepo.ATPROTO_REPO_VERSION, Data: data, Rev: rev}
	if err := commit.Sign(key); err != nil {
		return cid.Undef, nil, fmt.Errorf("sign commit: %w", err)
	}
	var buf bytes.Buffer
	if err := commit.MarshalCBOR(&buf); err != nil {
		return cid.Undef, nil, fmt.Errorf("encode commit: %w", err)
	}
	c, err := cidBuilder.Sum(buf.Bytes())
	if err != nil {
		return cid.Undef, nil, fmt.Errorf("hash commit: %w", err)
	}
	return c, buf.Bytes(), nil
}
