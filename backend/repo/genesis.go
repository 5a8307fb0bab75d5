package repo

import (
	"context"
	"fmt"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/repo/mst"

	"github.com/hearthpds/hearth/backend/store"
)

// Genesis builds the first commit of a new, empty repo, signed with key,
// with its #commit event. The caller lands it with the account
// (store.Accounts.CreateAccount).
func (e *Engine) Genesis(ctx context.Context, did string, key atcrypto.PrivateKey) (*store.Commit, error) {
	tree := mst.NewEmptyTree()
	rec := &recorder{}
	data, err := tree.WriteDiffBlocks(ctx, rec)
	if err != nil {
		return nil, fmt.Errorf("genesis of %s: write empty tree: %w", did, err)
	}
	rev := e.nextRev("")
	commitCID, commitBlock, err := signCommit(did, *data, rev, key)
	if err != nil {
		return nil, fmt.Errorf("genesis of %s: %w", did, err)
	}
	root := store.RepoRoot{DID: did, Commit: commitCID, Rev: rev, Data: *data}
	c := &store.Commit{DID: did, Root: root}
	c.Blocks = append(c.Blocks, store.Block{CID: commitCID, Data: commitBlock})
	for _, b := range rec.blocks {
		c.Blocks = append(c.Blocks, store.Block{CID: b.Cid(), Data: b.RawData()})
	}
	c.Event, err = commitEvent(e.now(), store.RepoRoot{}, root, c.Blocks, nil)
	if err != nil {
		return nil, fmt.Errorf("genesis of %s: %w", did, err)
	}
	return c, nil
}
