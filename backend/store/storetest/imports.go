package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// minRev sorts before every rev [NextRev] returns.
const minRev = "2222222222222"

func testImportFresh(t *testing.T, s store.Store) {
	ctx := t.Context()
	b1, b2 := RandomCID(), RandomCID()
	imp := NewImport(alice, 5)
	imp.Records[0].Blobs = []cid.Cid{b1}
	imp.Records[1].Blobs = []cid.Cid{b1, b2}
	seq, err := s.ImportRepo(ctx, imp)
	must(t, err)
	equal(t, "seq", seq, 1)
	events, err := s.ListEvents(ctx, 0, 10)
	must(t, err)
	equal(t, "events", len(events), 1)
	equalBytes(t, "event body", events[0].Body, EventBody(alice, "#sync", 1))
	checkImported(t, s, imp)
	blobs, err := s.ListBlobs(ctx, alice, "", "", 10)
	must(t, err)
	equalSlice(t, "referenced blobs", blobs, sortedCIDs(b1, b2))
	_, err = s.GetAccount(ctx, alice)
	notFound(t, err) // an import needs no account

	again := NewImport(alice, 1)
	_, err = s.ImportRepo(ctx, again)
	mustBe(t, err, store.ErrRootMismatch)
	again.ReplaceEmpty = true
	_, err = s.ImportRepo(ctx, again)
	mustBe(t, err, store.ErrRootMismatch) // the repo has records
	stale := RandomCID()
	again.Prev, again.ReplaceEmpty = &stale, false
	_, err = s.ImportRepo(ctx, again)
	mustBe(t, err, store.ErrRootMismatch)
	noRepo := NewImport(bob, 1)
	noRepo.Prev = &imp.Root.Commit
	_, err = s.ImportRepo(ctx, noRepo)
	mustBe(t, err, store.ErrRootMismatch)
	_, err = s.GetRepoRoot(ctx, bob)
	notFound(t, err)
	equal(t, "no events from refused imports", latestSeq(t, s), 1)
	checkImported(t, s, imp)

	quiet := NewImport(bob, 2)
	quiet.Event = nil
	seq, err = s.ImportRepo(ctx, quiet)
	must(t, err)
	equal(t, "seq without an event", seq, 0)
	checkImported(t, s, quiet)

	next := NewCommit(alice, &imp.Root) // commits build on an imported root
	PutRecord(&next, "app.bsky.feed.post", "new", []byte("after the import"))
	equal(t, "seq of the next commit", Apply(t, s, next)[0].Seq, 2)
}

// checkImported checks that the repo is exactly imp: root, blocks, records
// with the import's rev, and every block stamped with that rev.
func checkImported(t *testing.T, s store.Store, imp store.RepoImport) {
	t.Helper()
	ctx := t.Context()
	root, err := s.GetRepoRoot(ctx, imp.DID)
	must(t, err)
	equal(t, "root", root, imp.Root)
	checkForEachBlock(t, s, imp.DID, imp.Blocks)
	equal(t, "blocks since before the import", len(blocksSince(t, s, imp.DID, minRev)), len(imp.Blocks))
	equal(t, "blocks since the import", len(blocksSince(t, s, imp.DID, imp.Root.Rev)), 0)
	recs, err := s.ListRecords(ctx, imp.DID, "app.bsky.feed.post", store.ListRecordsOptions{})
	must(t, err)
	equal(t, "records", len(recs), len(imp.Records))
	want := make(map[string]cid.Cid, len(imp.Records))
	for _, rc := range imp.Records {
		want[rc.RKey] = *rc.CID
	}
	for _, r := range recs {
		equal(t, "CID of "+r.RKey, r.CID, want[r.RKey])
		equal(t, "rev of "+r.RKey, r.Rev, imp.Root.Rev)
	}
	cols, err := s.ListCollections(ctx, imp.DID)
	must(t, err)
	equal(t, "collections", len(cols), 1)
}

func testImportReplaceEmpty(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := createAccount(t, s, alice, "alice.test") // a genesis commit, no records
	seq := latestSeq(t, s)
	imp := NewImport(alice, 3)
	_, err := s.ImportRepo(ctx, imp)
	mustBe(t, err, store.ErrRootMismatch)
	imp.ReplaceEmpty = true
	got, err := s.ImportRepo(ctx, imp)
	must(t, err)
	equal(t, "seq", got, seq+1)
	checkImported(t, s, imp)
	for _, b := range a.Genesis.Blocks {
		_, err := s.GetBlock(ctx, alice, b.CID)
		notFound(t, err)
	}

	b := NewAccount(bob, "bob.test")
	PutRecord(b.Genesis, "app.bsky.actor.profile", "self", []byte("profile"))
	_, err = s.CreateAccount(ctx, b)
	must(t, err)
	seq = latestSeq(t, s)
	over := NewImport(bob, 1)
	over.ReplaceEmpty = true
	_, err = s.ImportRepo(ctx, over)
	mustBe(t, err, store.ErrRootMismatch)
	root, _ := s.GetRepoRoot(ctx, bob)
	equal(t, "bob's root", root, b.Genesis.Root)
	equal(t, "no event", latestSeq(t, s), seq)

	none := NewImport(carol, 2) // ReplaceEmpty without a repo creates it
	none.ReplaceEmpty = true
	_, err = s.ImportRepo(ctx, none)
	must(t, err)
	checkImported(t, s, none)
}

func testImportReplace(t *testing.T, s store.Store) {
	ctx := t.Context()
	oldBlob, newBlob := RandomCID(), RandomCID()
	shared := []byte("a record in both versions")
	g := NewCommit(alice, nil)
	gone := PutRecord(&g, "app.bsky.feed.post", "gone", []byte("only in the old repo"), oldBlob)
	PutRecord(&g, "app.bsky.feed.like", "x", []byte("a like"))
	PutRecord(&g, "app.bsky.feed.post", "keep", shared)
	Apply(t, s, g)
	must(t, s.PutBlob(ctx, store.Blob{DID: alice, CID: oldBlob, MimeType: "image/png", Size: 1, CreatedAt: base}))
	seq := latestSeq(t, s)

	imp := NewImport(alice, 2)
	sharedBlock := NewBlock(shared)
	imp.Blocks = append(imp.Blocks, sharedBlock)
	imp.Records = append(imp.Records, store.RecordChange{
		Collection: "app.bsky.feed.post", RKey: "keep", CID: &sharedBlock.CID, Blobs: []cid.Cid{newBlob},
	})
	stale := RandomCID()
	imp.Prev = &stale
	_, err := s.ImportRepo(ctx, imp)
	mustBe(t, err, store.ErrRootMismatch)
	root, _ := s.GetRepoRoot(ctx, alice)
	equal(t, "root after a refused import", root, g.Root)
	_, err = s.GetRecord(ctx, alice, "app.bsky.feed.post", "gone")
	must(t, err)

	imp.Prev = &g.Root.Commit
	got, err := s.ImportRepo(ctx, imp)
	must(t, err)
	equal(t, "seq", got, seq+1)
	checkImported(t, s, imp)
	_, err = s.GetRecord(ctx, alice, "app.bsky.feed.like", "x")
	notFound(t, err)
	for _, c := range []cid.Cid{gone, g.Root.Commit, g.Root.Data} {
		_, err = s.GetBlock(ctx, alice, c)
		notFound(t, err)
	}
	rec, err := s.GetRecord(ctx, alice, "app.bsky.feed.post", "keep")
	must(t, err)
	equal(t, "kept record's rev", rec.Rev, imp.Root.Rev)
	blobs, err := s.ListBlobs(ctx, alice, "", "", 10)
	must(t, err)
	equalSlice(t, "blob references", blobs, []cid.Cid{newBlob})
	_, err = s.GetBlob(ctx, alice, oldBlob)
	must(t, err) // metadata stays, now unreferenced
	unref, err := s.ListUnreferencedBlobs(ctx, base.Add(time.Hour), 10)
	must(t, err)
	equal(t, "unreferenced", len(unref), 1)
	equal(t, "unreferenced blob", unref[0].CID, oldBlob)
}

func testImportAtomic(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := NewCommit(alice, nil)
	PutRecord(&g, "app.bsky.feed.post", "1", []byte("stays"))
	Apply(t, s, g)
	seq := latestSeq(t, s)

	imp := NewImport(alice, 3)
	imp.Prev = &g.Root.Commit
	ev := FailingEvent(alice, "#sync")
	imp.Event = &ev
	_, err := s.ImportRepo(ctx, imp)
	mustBe(t, err, ErrEncode)
	root, _ := s.GetRepoRoot(ctx, alice)
	equal(t, "root", root, g.Root)
	checkForEachBlock(t, s, alice, g.Blocks)
	rec, err := s.GetRecord(ctx, alice, "app.bsky.feed.post", "1")
	must(t, err)
	equal(t, "record rev", rec.Rev, g.Root.Rev)
	_, err = s.GetRecord(ctx, alice, "app.bsky.feed.post", imp.Records[0].RKey)
	notFound(t, err)
	equal(t, "LatestSeq", latestSeq(t, s), seq)

	fresh := NewImport(bob, 2)
	fresh.Event = &ev
	_, err = s.ImportRepo(ctx, fresh)
	mustBe(t, err, ErrEncode)
	_, err = s.GetRepoRoot(ctx, bob)
	notFound(t, err)
	n, err := s.CountBlocks(ctx, bob)
	must(t, err)
	equal(t, "bob's blocks", n, 0)
	cols, _ := s.ListCollections(ctx, bob)
	equal(t, "bob's collections", len(cols), 0)
	equal(t, "LatestSeq", latestSeq(t, s), seq)
}

// testImportLarge imports a repo of a few thousand records: every row
// lands, in one call.
func testImportLarge(t *testing.T, s store.Store) {
	const n = 3000
	imp := NewImport(alice, n)
	for i := range imp.Records {
		if i%10 == 0 {
			imp.Records[i].Blobs = []cid.Cid{RandomCID()}
		}
	}
	_, err := s.ImportRepo(t.Context(), imp)
	must(t, err)
	ctx := t.Context()
	cnt, err := s.CountBlocks(ctx, alice)
	must(t, err)
	equal(t, "blocks", cnt, int64(n+2))
	cols, err := s.ListCollections(ctx, alice)
	must(t, err)
	equalSlice(t, "collections", cols, []store.Collection{{Name: "app.bsky.feed.post", Count: n}})
	blobs, err := s.ListBlobs(ctx, alice, "", "", 0)
	must(t, err)
	equal(t, "blobs", len(blobs), n/10)
}

// blocksSince returns the blocks ForEachBlockSince reports, by CID.
func blocksSince(t *testing.T, s store.Store, did, since string) map[cid.Cid]string {
	t.Helper()
	out := map[cid.Cid]string{}
	must(t, s.ForEachBlockSince(t.Context(), did, since, func(c cid.Cid, data []byte) error {
		if _, dup := out[c]; dup {
			t.Errorf("block %s reported twice", c)
		}
		out[c] = string(data)
		return nil
	}))
	return out
}

// checkBlocksSince fails the test unless the blocks since a rev are want.
func checkBlocksSince(t *testing.T, s store.Store, did, since string, want ...store.Block) {
	t.Helper()
	got := blocksSince(t, s, did, since)
	equal(t, "blocks since "+since, len(got), len(want))
	for _, b := range want {
		data, ok := got[b.CID]
		if !ok {
			t.Fatalf("blocks since %s: %s missing", since, b.CID)
		}
		equal(t, "data of "+b.CID.String(), data, string(b.Data))
	}
}

func testBlocksSince(t *testing.T, s store.Store) {
	ctx := t.Context()
	d, e, f := NewBlock([]byte("data D")), NewBlock([]byte("data E")), NewBlock([]byte("data F"))
	a := NewAccount(alice, "alice.test")
	PutRecord(a.Genesis, "app.bsky.feed.post", "x", d.Data)
	_, err := s.CreateAccount(ctx, a)
	must(t, err)
	g := a.Genesis
	c1 := NewCommit(alice, &g.Root)
	PutRecord(&c1, "app.bsky.feed.post", "y", d.Data) // D again: keeps the genesis rev
	PutRecord(&c1, "app.bsky.feed.post", "z", e.Data)
	c2 := NewCommit(alice, &c1.Root)
	DeleteRecord(&c2, "app.bsky.feed.post", "z", e.CID) // E goes
	PutRecord(&c2, "app.bsky.feed.post", "w", f.Data)
	c3 := NewCommit(alice, &c2.Root)
	PutRecord(&c3, "app.bsky.feed.post", "v", e.Data) // E comes back
	Apply(t, s, c1, c2)
	Apply(t, s, c3)
	gb := NewCommit(bob, nil)
	PutRecord(&gb, "app.bsky.feed.post", "w", f.Data)
	Apply(t, s, gb)

	c3Commit, c3Data := c3.Blocks[0], c3.Blocks[1]
	live := []store.Block{d, e, f, c3Commit, c3Data}
	checkBlocksSince(t, s, alice, "", live...)
	checkBlocksSince(t, s, alice, minRev, live...)
	checkBlocksSince(t, s, alice, g.Root.Rev, e, f, c3Commit, c3Data)
	checkBlocksSince(t, s, alice, c1.Root.Rev, e, f, c3Commit, c3Data)
	checkBlocksSince(t, s, alice, c2.Root.Rev, e, c3Commit, c3Data)
	checkBlocksSince(t, s, alice, c3.Root.Rev)
	checkBlocksSince(t, s, bob, g.Root.Rev, append([]store.Block{f}, gb.Blocks[:2]...)...)
	checkBlocksSince(t, s, carol, "")

	stop := errors.New("stop")
	calls := 0
	err = s.ForEachBlockSince(ctx, alice, g.Root.Rev, func(cid.Cid, []byte) error {
		calls++
		return stop
	})
	mustBe(t, err, stop)
	equal(t, "calls after an error", calls, 1)
}
