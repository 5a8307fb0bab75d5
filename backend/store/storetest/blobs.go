package storetest

import (
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

func testBlobMetadata(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := RandomCID()
	must(t, s.PutBlob(ctx, store.Blob{DID: alice, CID: c, MimeType: "image/png", Size: 1234, CreatedAt: base}))
	got, err := s.GetBlob(ctx, alice, c)
	must(t, err)
	equal(t, "DID", got.DID, alice)
	equal(t, "CID", got.CID, c)
	equal(t, "MimeType", got.MimeType, "image/png")
	equal(t, "Size", got.Size, 1234)

	must(t, s.PutBlob(ctx, store.Blob{DID: alice, CID: c, MimeType: "image/jpeg", Size: 99, CreatedAt: base.Add(time.Hour)}))
	got, err = s.GetBlob(ctx, alice, c)
	must(t, err)
	equal(t, "MimeType after re-upload", got.MimeType, "image/jpeg")
	equal(t, "Size after re-upload", got.Size, 99)
	_, err = s.GetBlob(ctx, bob, c)
	notFound(t, err)
	_, err = s.GetBlob(ctx, alice, RandomCID())
	notFound(t, err)
}

func testBlobReferences(t *testing.T, s store.Store) {
	ctx := t.Context()
	b1, b2, b3, b4 := RandomCID(), RandomCID(), RandomCID(), RandomCID()
	g := NewCommit(alice, nil)
	PutRecord(&g, "app.bsky.feed.post", "1", RandomBytes(20), b1, b2)
	Apply(t, s, g)
	c1 := NewCommit(alice, &g.Root)
	PutRecord(&c1, "app.bsky.feed.post", "2", RandomBytes(20), b3, b1)
	Apply(t, s, c1)
	gb := NewCommit(bob, nil)
	PutRecord(&gb, "app.bsky.feed.post", "1", RandomBytes(20), b4)
	Apply(t, s, gb)

	list := func(since, cursor string, limit int) []cid.Cid {
		t.Helper()
		cids, err := s.ListBlobs(ctx, alice, since, cursor, limit)
		must(t, err)
		return cids
	}
	all := sortedCIDs(b1, b2, b3)
	equalSlice(t, "all blobs", list("", "", 10), all)
	equalSlice(t, "page 1", list("", "", 2), all[:2])
	equalSlice(t, "page 2", list("", all[1].String(), 2), all[2:])
	// b1 is referenced again at c1's rev, but was first referenced before.
	equalSlice(t, "since genesis", list(g.Root.Rev, "", 10), []cid.Cid{b3})
	equal(t, "since c1", len(list(c1.Root.Rev, "", 10)), 0)

	must(t, s.PutBlob(ctx, store.Blob{DID: alice, CID: b2, MimeType: "image/png", Size: 1, CreatedAt: base}))
	missing, err := s.ListMissingBlobs(ctx, alice, "", 10)
	must(t, err)
	wantMissing := sortedCIDs(b1, b3)
	equal(t, "missing", len(missing), 2)
	for i, m := range missing {
		equal(t, "missing CID", m.CID, wantMissing[i])
	}
	uri := map[cid.Cid]string{missing[0].CID: missing[0].RecordURI, missing[1].CID: missing[1].RecordURI}
	equal(t, "record of b3", uri[b3], "at://"+alice+"/app.bsky.feed.post/2")
	if u := uri[b1]; u != "at://"+alice+"/app.bsky.feed.post/1" && u != "at://"+alice+"/app.bsky.feed.post/2" {
		t.Fatalf("record of b1 = %q", u)
	}
	missing, err = s.ListMissingBlobs(ctx, alice, wantMissing[0].String(), 10)
	must(t, err)
	equal(t, "missing after cursor", len(missing), 1)
	equal(t, "missing after cursor", missing[0].CID, wantMissing[1])

	// Updating post 1 to reference only b2 drops b1's first reference; it is
	// now first referenced by post 2 at c1's rev. Deleting post 2 drops b3.
	c2 := NewCommit(alice, &c1.Root)
	PutRecord(&c2, "app.bsky.feed.post", "1", RandomBytes(20), b2)
	Apply(t, s, c2)
	equalSlice(t, "after update", list("", "", 10), all)
	equalSlice(t, "since genesis, after update", list(g.Root.Rev, "", 10), sortedCIDs(b1, b2, b3))
	c3 := NewCommit(alice, &c2.Root)
	DeleteRecord(&c3, "app.bsky.feed.post", "2", RandomCID())
	Apply(t, s, c3)
	equalSlice(t, "after delete", list("", "", 10), []cid.Cid{b2})
}

func testBlobGC(t *testing.T, s store.Store) {
	ctx := t.Context()
	used, old, recent, bobs := RandomCID(), RandomCID(), RandomCID(), RandomCID()
	for _, b := range []store.Blob{
		{DID: alice, CID: used, MimeType: "image/png", Size: 1, CreatedAt: base},
		{DID: alice, CID: old, MimeType: "image/png", Size: 1, CreatedAt: base.Add(time.Minute)},
		{DID: alice, CID: recent, MimeType: "image/png", Size: 1, CreatedAt: base.Add(2 * time.Hour)},
		{DID: bob, CID: bobs, MimeType: "image/png", Size: 1, CreatedAt: base},
		{DID: bob, CID: used, MimeType: "image/png", Size: 1, CreatedAt: base}, // same blob, bob's upload
	} {
		must(t, s.PutBlob(ctx, b))
	}
	g := NewCommit(alice, nil)
	PutRecord(&g, "app.bsky.feed.post", "1", RandomBytes(20), used)
	Apply(t, s, g)

	unref, err := s.ListUnreferencedBlobs(ctx, base.Add(time.Hour), 10)
	must(t, err)
	got := map[string]bool{}
	for _, b := range unref {
		got[b.DID+" "+b.CID.String()] = true
	}
	equal(t, "unreferenced", len(unref), 3)
	for _, want := range []string{alice + " " + old.String(), bob + " " + bobs.String(), bob + " " + used.String()} {
		equal(t, "unreferenced "+want, got[want], true)
	}
	limited, err := s.ListUnreferencedBlobs(ctx, base.Add(time.Hour), 1)
	must(t, err)
	equal(t, "limit", len(limited), 1)

	deleted, err := s.DeleteBlob(ctx, alice, used)
	must(t, err)
	equal(t, "referenced blob deleted", deleted, false)
	_, err = s.GetBlob(ctx, alice, used)
	must(t, err)
	deleted, err = s.DeleteBlob(ctx, alice, old)
	must(t, err)
	equal(t, "unreferenced blob deleted", deleted, true)
	_, err = s.GetBlob(ctx, alice, old)
	notFound(t, err)
	deleted, err = s.DeleteBlob(ctx, alice, old)
	must(t, err)
	equal(t, "absent blob deleted", deleted, false)
	deleted, err = s.DeleteBlob(ctx, bob, used)
	must(t, err)
	equal(t, "bob's copy, unreferenced by bob, deleted", deleted, true)
}
