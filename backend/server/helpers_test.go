package server_test

import (
	"context"
	"net/http"
	"testing"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	indigorepo "github.com/bluesky-social/indigo/atproto/repo"
	"github.com/bluesky-social/indigo/atproto/repo/mst"
	"github.com/bluesky-social/indigo/atproto/syntax"
	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/internal/testpds"
)

// countingStore counts Puts (a blockstore for WriteDiffBlocks).
type countingStore struct{ n *int }

func (c *countingStore) Put(context.Context, blocks.Block) error { *c.n++; return nil }
func (c *countingStore) PutMany(_ context.Context, b []blocks.Block) error {
	*c.n += len(b)
	return nil
}
func (c *countingStore) Get(context.Context, cid.Cid) (blocks.Block, error) {
	return nil, nil
}
func (c *countingStore) Has(context.Context, cid.Cid) (bool, error)    { return false, nil }
func (c *countingStore) GetSize(context.Context, cid.Cid) (int, error) { return 0, nil }
func (c *countingStore) DeleteBlock(context.Context, cid.Cid) error    { return nil }
func (c *countingStore) AllKeysChan(context.Context) (<-chan cid.Cid, error) {
	return nil, nil
}
func (c *countingStore) HashOnRead(bool) {}

// markDirty marks every node dirty so WriteDiffBlocks writes the whole tree.
func markDirty(n *mst.Node) {
	if n == nil {
		return
	}
	n.Dirty = true
	for _, e := range n.Entries {
		markDirty(e.Child)
	}
}

// verifyCommitSig checks a commit's signature with the key in the DID
// document published to the test PLC directory.
func verifyCommitSig(t *testing.T, pds *testpds.PDS, did string, commit *indigorepo.Commit) {
	t.Helper()
	dir := &indigoid.BaseDirectory{PLCURL: pds.PLCURL, HTTPClient: *http.DefaultClient}
	ident, err := dir.LookupDID(context.Background(), syntax.DID(did))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ident.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := commit.VerifySignature(pub); err != nil {
		t.Fatalf("commit signature: %v", err)
	}
}
