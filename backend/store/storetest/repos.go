package storetest

import (
	"errors"
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

func testGenesisCAS(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.GetRepoRoot(ctx, alice)
	notFound(t, err)
	g := NewCommit(alice, nil)
	res := Apply(t, s, g)
	equal(t, "seq", res[0].Seq, 1)
	root, err := s.GetRepoRoot(ctx, alice)
	must(t, err)
	equal(t, "root", root, g.Root)

	res, err = s.ApplyCommits(ctx, []store.Commit{NewCommit(alice, nil)})
	must(t, err)
	mustBe(t, res[0].Err, store.ErrRootMismatch)
	equal(t, "no seq for a refused commit", res[0].Seq, 0)
	stale := store.RepoRoot{DID: alice, Commit: RandomCID(), Rev: g.Root.Rev, Data: RandomCID()}
	res, err = s.ApplyCommits(ctx, []store.Commit{NewCommit(alice, &stale)})
	must(t, err)
	mustBe(t, res[0].Err, store.ErrRootMismatch)
	res, err = s.ApplyCommits(ctx, []store.Commit{NewCommit(bob, &g.Root)})
	must(t, err)
	mustBe(t, res[0].Err, store.ErrRootMismatch) // bob has no repo yet

	c1 := NewCommit(alice, &g.Root)
	equal(t, "seq", Apply(t, s, c1)[0].Seq, 2)
	root, _ = s.GetRepoRoot(ctx, alice)
	equal(t, "root after c1", root, c1.Root)

	Apply(t, s, NewCommit(carol, nil), NewCommit(bob, nil))
	roots, err := s.ListRepoRoots(ctx, "", 2)
	must(t, err)
	equal(t, "page 1", len(roots), 2)
	equal(t, "first", roots[0].DID+" "+roots[1].DID, alice+" "+bob)
	equal(t, "alice's root", roots[0], c1.Root)
	roots, _ = s.ListRepoRoots(ctx, bob, 2)
	equal(t, "page 2", len(roots), 1)
	equal(t, "last", roots[0].DID, carol)
}

func testApplyCommits(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := NewCommit(alice, nil)
	post := PutRecord(&g, "app.bsky.feed.post", "3k2a", []byte("hello"))
	like := PutRecord(&g, "app.bsky.feed.like", "3k2b", []byte("like"))
	Apply(t, s, g)
	Apply(t, s, NewCommit(bob, nil))

	for _, b := range g.Blocks {
		data, err := s.GetBlock(ctx, alice, b.CID)
		must(t, err)
		equalBytes(t, "block", data, b.Data)
	}
	_, err := s.GetBlock(ctx, bob, post)
	notFound(t, err) // blocks belong to one repo
	_, err = s.GetBlock(ctx, alice, RandomCID())
	notFound(t, err)
	missing := RandomCID()
	blocks, err := s.GetBlocks(ctx, alice, []cid.Cid{post, missing, like})
	must(t, err)
	equal(t, "GetBlocks", len(blocks), 2)
	equalBytes(t, "GetBlocks post", blocks[post], []byte("hello"))
	if _, ok := blocks[missing]; ok {
		t.Fatal("GetBlocks returned a block the repo does not hold")
	}
	n, err := s.CountBlocks(ctx, alice)
	must(t, err)
	equal(t, "CountBlocks", n, int64(len(g.Blocks)))
	checkForEachBlock(t, s, alice, g.Blocks)

	rec, err := s.GetRecord(ctx, alice, "app.bsky.feed.post", "3k2a")
	must(t, err)
	equal(t, "record CID", rec.CID, post)
	equal(t, "record rev", rec.Rev, g.Root.Rev)
	equal(t, "record key", rec.Collection+"/"+rec.RKey, "app.bsky.feed.post/3k2a")
	equalBytes(t, "record value", rec.Value, []byte("hello"))
	_, err = s.GetRecord(ctx, bob, "app.bsky.feed.post", "3k2a")
	notFound(t, err)

	c1 := NewCommit(alice, &g.Root)
	edited := PutRecord(&c1, "app.bsky.feed.post", "3k2a", []byte("hello, edited"))
	c1.Released = append(c1.Released, post)
	DeleteRecord(&c1, "app.bsky.feed.like", "3k2b", like)
	Apply(t, s, c1)
	rec, err = s.GetRecord(ctx, alice, "app.bsky.feed.post", "3k2a")
	must(t, err)
	equal(t, "updated CID", rec.CID, edited)
	equal(t, "updated rev", rec.Rev, c1.Root.Rev)
	_, err = s.GetRecord(ctx, alice, "app.bsky.feed.like", "3k2b")
	notFound(t, err)
	for _, gone := range []cid.Cid{post, like} {
		_, err = s.GetBlock(ctx, alice, gone)
		notFound(t, err)
	}
	n, _ = s.CountBlocks(ctx, alice)
	equal(t, "CountBlocks after update", n, 3) // c1's commit, MST root, edited post

	results, err := s.ApplyCommits(ctx, nil)
	must(t, err)
	equal(t, "results of an empty batch", len(results), 0)
}

func checkForEachBlock(t *testing.T, s store.Store, did string, want []store.Block) {
	ctx := t.Context()
	seen := map[cid.Cid]string{}
	must(t, s.ForEachBlock(ctx, did, func(c cid.Cid, data []byte) error {
		seen[c] = string(data)
		return nil
	}))
	equal(t, "ForEachBlock count", len(seen), len(want))
	for _, b := range want {
		equal(t, "ForEachBlock data", seen[b.CID], string(b.Data))
	}
	stop := errors.New("stop")
	calls := 0
	err := s.ForEachBlock(ctx, did, func(cid.Cid, []byte) error {
		calls++
		return stop
	})
	mustBe(t, err, stop)
	equal(t, "calls after an error", calls, 1)
}

func testRecordPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := NewCommit(alice, nil)
	for _, rk := range []string{"c", "a", "e", "b", "d"} {
		PutRecord(&g, "app.bsky.feed.post", rk, []byte("post "+rk))
	}
	PutRecord(&g, "app.bsky.graph.follow", "x", []byte("follow x"))
	PutRecord(&g, "app.bsky.graph.follow", "y", []byte("follow y"))
	Apply(t, s, g)
	gb := NewCommit(bob, nil)
	PutRecord(&gb, "app.bsky.feed.post", "b0", []byte("bob's"))
	Apply(t, s, gb)

	page := func(opts store.ListRecordsOptions) string {
		t.Helper()
		recs, err := s.ListRecords(ctx, alice, "app.bsky.feed.post", opts)
		must(t, err)
		out := ""
		for _, r := range recs {
			equalBytes(t, "value", r.Value, []byte("post "+r.RKey))
			equal(t, "collection", r.Collection, "app.bsky.feed.post")
			out += r.RKey
		}
		return out
	}
	equal(t, "first page", page(store.ListRecordsOptions{Limit: 2}), "ab")
	equal(t, "second page", page(store.ListRecordsOptions{Limit: 2, Cursor: "b"}), "cd")
	equal(t, "last page", page(store.ListRecordsOptions{Limit: 2, Cursor: "d"}), "e")
	equal(t, "past the end", page(store.ListRecordsOptions{Limit: 2, Cursor: "e"}), "")
	equal(t, "all", page(store.ListRecordsOptions{Limit: 100}), "abcde")
	equal(t, "reverse", page(store.ListRecordsOptions{Limit: 2, Reverse: true}), "ed")
	equal(t, "reverse after d", page(store.ListRecordsOptions{Limit: 2, Reverse: true, Cursor: "d"}), "cb")
	equal(t, "reverse end", page(store.ListRecordsOptions{Limit: 5, Reverse: true, Cursor: "b"}), "a")

	cols, err := s.ListCollections(ctx, alice)
	must(t, err)
	equalSlice(t, "collections", cols, []store.Collection{
		{Name: "app.bsky.feed.post", Count: 5}, {Name: "app.bsky.graph.follow", Count: 2},
	})
	cols, _ = s.ListCollections(ctx, carol)
	equal(t, "collections of no repo", len(cols), 0)
}
