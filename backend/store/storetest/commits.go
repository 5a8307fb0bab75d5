package storetest

import (
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

func testBatchMismatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	gb := NewCommit(bob, nil)
	Apply(t, s, gb)
	seq := latestSeq(t, s)

	ga := NewCommit(alice, nil)
	stale := store.RepoRoot{DID: bob, Commit: RandomCID(), Data: RandomCID()}
	bad := NewCommit(bob, &stale)
	badRec := PutRecord(&bad, "app.bsky.feed.post", "x", []byte("never lands"))
	gc := NewCommit(carol, nil)
	results, err := s.ApplyCommits(ctx, []store.Commit{ga, bad, gc})
	must(t, err)
	must(t, results[0].Err)
	mustBe(t, results[1].Err, store.ErrRootMismatch)
	must(t, results[2].Err)
	equal(t, "seq of the first", results[0].Seq, seq+1)
	equal(t, "seq of the third (no gap)", results[2].Seq, seq+2)
	equal(t, "seq of the refused", results[1].Seq, 0)

	root, _ := s.GetRepoRoot(ctx, bob)
	equal(t, "bob's root unchanged", root, gb.Root)
	_, err = s.GetBlock(ctx, bob, badRec)
	notFound(t, err)
	_, err = s.GetRecord(ctx, bob, "app.bsky.feed.post", "x")
	notFound(t, err)
	n, _ := s.CountBlocks(ctx, bob)
	equal(t, "bob's blocks", n, int64(len(gb.Blocks)))
	equalSlice(t, "events", eventSeqs(t, s), seqRange(1, seq+2))
	for _, did := range []string{alice, carol} {
		_, err := s.GetRepoRoot(ctx, did)
		must(t, err)
	}
}

func testChainedBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := NewCommit(alice, nil)
	c1 := NewCommit(alice, &g.Root)
	r1 := PutRecord(&c1, "app.bsky.feed.post", "1", []byte("one"))
	c2 := NewCommit(alice, &c1.Root)
	PutRecord(&c2, "app.bsky.feed.post", "2", []byte("two"))
	results := Apply(t, s, g, c1, c2)
	equalSlice(t, "seqs", []int64{results[0].Seq, results[1].Seq, results[2].Seq}, []int64{1, 2, 3})
	root, _ := s.GetRepoRoot(ctx, alice)
	equal(t, "root", root, c2.Root)
	rec, err := s.GetRecord(ctx, alice, "app.bsky.feed.post", "1")
	must(t, err)
	equal(t, "record from c1", rec.CID, r1)
	equal(t, "its rev", rec.Rev, c1.Root.Rev)
	_, err = s.GetBlock(ctx, alice, c1.Root.Commit)
	notFound(t, err) // released by c2 in the same batch

	stale := store.RepoRoot{DID: alice, Commit: RandomCID(), Data: RandomCID()}
	c3 := NewCommit(alice, &stale)
	c4 := NewCommit(alice, &c3.Root)
	c5 := NewCommit(bob, nil)
	results, err = s.ApplyCommits(ctx, []store.Commit{c3, c4, c5})
	must(t, err)
	mustBe(t, results[0].Err, store.ErrRootMismatch)
	mustBe(t, results[1].Err, store.ErrRootMismatch) // built on a commit that did not land
	must(t, results[2].Err)
	equal(t, "seq", results[2].Seq, 4)
	root, _ = s.GetRepoRoot(ctx, alice)
	equal(t, "root", root, c2.Root)
}

func testReleasedBlocks(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := NewCommit(alice, nil)
	Apply(t, s, g)
	c1 := NewCommit(alice, &g.Root)
	node := RandomBlock() // an MST node the next commit replaces
	c1.Blocks = append(c1.Blocks, node)
	Apply(t, s, c1)
	c2 := NewCommit(alice, &c1.Root)
	c2.Released = append(c2.Released, node.CID, RandomCID()) // releasing an absent block is fine
	Apply(t, s, c2)

	for _, gone := range []cid.Cid{g.Root.Commit, g.Root.Data, c1.Root.Commit, c1.Root.Data, node.CID} {
		_, err := s.GetBlock(ctx, alice, gone)
		notFound(t, err)
	}
	n, err := s.CountBlocks(ctx, alice)
	must(t, err)
	equal(t, "live blocks", n, 2)
	checkForEachBlock(t, s, alice, c2.Blocks)
}

func testSharedBlocks(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := NewCommit(alice, nil)
	same := []byte(`{"$type":"app.bsky.feed.like"}`)
	a := PutRecord(&g, "app.bsky.feed.like", "a", same)
	b := PutRecord(&g, "app.bsky.feed.like", "b", same)
	equal(t, "identical records share a CID", a, b)
	Apply(t, s, g)
	gb := NewCommit(bob, nil)
	PutRecord(&gb, "app.bsky.feed.like", "a", same) // bob's copy is bob's
	Apply(t, s, gb)
	n, _ := s.CountBlocks(ctx, alice)
	equal(t, "one block for both records", n, int64(len(g.Blocks)-1))

	c1 := NewCommit(alice, &g.Root)
	DeleteRecord(&c1, "app.bsky.feed.like", "a", a)
	Apply(t, s, c1)
	data, err := s.GetBlock(ctx, alice, a)
	must(t, err) // record b still points at it
	equalBytes(t, "shared block", data, same)
	rec, err := s.GetRecord(ctx, alice, "app.bsky.feed.like", "b")
	must(t, err)
	equalBytes(t, "record b", rec.Value, same)

	c2 := NewCommit(alice, &c1.Root)
	DeleteRecord(&c2, "app.bsky.feed.like", "b", b)
	Apply(t, s, c2)
	_, err = s.GetBlock(ctx, alice, a)
	notFound(t, err)
	_, err = s.GetBlock(ctx, bob, a)
	must(t, err)
}

func testFailingEncode(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := NewCommit(bob, nil)
	Apply(t, s, g)
	seq := latestSeq(t, s)

	ga := NewCommit(alice, nil)
	PutRecord(&ga, "app.bsky.feed.post", "1", []byte("lost"))
	c := NewCommit(bob, &g.Root)
	PutRecord(&c, "app.bsky.feed.post", "1", []byte("lost too"))
	ev := FailingEvent(bob, "#commit")
	c.Event = &ev
	results, err := s.ApplyCommits(ctx, []store.Commit{ga, c})
	mustBe(t, err, ErrEncode)
	equal(t, "results", len(results), 0)

	_, err = s.GetRepoRoot(ctx, alice)
	notFound(t, err)
	n, _ := s.CountBlocks(ctx, alice)
	equal(t, "alice's blocks", n, 0)
	root, _ := s.GetRepoRoot(ctx, bob)
	equal(t, "bob's root", root, g.Root)
	_, err = s.GetRecord(ctx, bob, "app.bsky.feed.post", "1")
	notFound(t, err)
	n, _ = s.CountBlocks(ctx, bob)
	equal(t, "bob's blocks", n, int64(len(g.Blocks)))
	equal(t, "LatestSeq", latestSeq(t, s), seq)
	equalSlice(t, "events", eventSeqs(t, s), seqRange(1, seq))

	_, err = s.AppendEvents(ctx, []store.Event{NewEvent(bob, "#identity"), FailingEvent(bob, "#account")})
	mustBe(t, err, ErrEncode)
	equal(t, "LatestSeq after a failed append", latestSeq(t, s), seq)
	equal(t, "next seq", Apply(t, s, ga)[0].Seq, seq+1)
}
