package repo

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	indigorepo "github.com/bluesky-social/indigo/atproto/repo"
	lexutil "github.com/bluesky-social/indigo/lex/util"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/store"
)

// commitEvent builds a #commit event: a CAR of the commit's new blocks
// rooted at the commit, the operations with their previous CIDs, and
// prevData, so that consumers can verify it by inverting the operations
// (Sync 1.1). prev is the zero root for a genesis commit.
func commitEvent(now time.Time, prev, next store.RepoRoot, blocks []store.Block, ops []*indigorepo.Operation) (*store.Event, error) {
	car, err := diffCAR(next, blocks)
	if err != nil {
		return nil, err
	}
	body := &firehose.Commit{
		Repo:   next.DID,
		Rev:    next.Rev,
		Commit: lexutil.LexLink(next.Commit),
		Blocks: car,
		Ops:    make([]*firehose.RepoOp, 0, len(ops)),
		Blobs:  []lexutil.LexLink{},
		Time:   firehose.FormatTime(now),
	}
	if prev.Rev != "" {
		since := prev.Rev
		prevData := lexutil.LexLink(prev.Data)
		body.Since, body.PrevData = &since, &prevData
	}
	for _, op := range ops {
		body.Ops = append(body.Ops, repoOp(op))
	}
	return &store.Event{
		DID:  next.DID,
		Type: firehose.TypeCommit,
		Time: now,
		Encode: func(seq int64) ([]byte, error) {
			body.Seq = seq
			// The CAR, plus the ops, the header and the other fields.
			return firehose.EncodeFrameSized(firehose.TypeCommit, body, len(car)+256+128*len(body.Ops))
		},
	}, nil
}

func repoOp(op *indigorepo.Operation) *firehose.RepoOp {
	out := &firehose.RepoOp{Path: op.Path}
	switch {
	case op.IsCreate():
		out.Action = "create"
	case op.IsUpdate():
		out.Action = "update"
	default:
		out.Action = "delete"
	}
	if op.Value != nil {
		v := lexutil.LexLink(*op.Value)
		out.Cid = &v
	}
	if op.Prev != nil {
		p := lexutil.LexLink(*op.Prev)
		out.Prev = &p
	}
	return out
}

// diffCAR encodes a commit's new blocks as a CAR rooted at the commit.
func diffCAR(root store.RepoRoot, blocks []store.Block) ([]byte, error) {
	size := 64 + len(root.Commit.Bytes()) // header
	for _, b := range blocks {
		size += binary.MaxVarintLen64 + b.CID.ByteLen() + len(b.Data)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	cw, err := newCARWriter(buf, root.Commit)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(blocks))
	for _, b := range blocks {
		k := b.CID.KeyString()
		if seen[k] {
			continue
		}
		seen[k] = true
		if err := cw.block(b.CID, b.Data); err != nil {
			return nil, fmt.Errorf("commit CAR: %w", err)
		}
	}
	return buf.Bytes(), nil
}
