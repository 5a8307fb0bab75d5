package storetest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/hearthpds/hearth/backend/store"
)

// cidPrefix is the CID kind atproto repositories use: CIDv1, DAG-CBOR,
// SHA2-256.
var cidPrefix = cid.NewPrefixV1(cid.DagCBOR, multihash.SHA2_256)

// CID returns the CIDv1 (DAG-CBOR, SHA2-256) of data.
func CID(data []byte) cid.Cid {
	c, err := cidPrefix.Sum(data)
	if err != nil {
		panic(fmt.Sprintf("storetest: hashing %d bytes: %v", len(data), err)) // sha2-256 cannot fail
	}
	return c
}

// RandomBytes returns n random bytes.
func RandomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return b
}

// RandomCID returns the CID of 32 random bytes.
func RandomCID() cid.Cid { return CID(RandomBytes(32)) }

// NewBlock returns data as a block, with its CID.
func NewBlock(data []byte) store.Block { return store.Block{CID: CID(data), Data: data} }

// RandomBlock returns a block of 64 random bytes.
func RandomBlock() store.Block { return NewBlock(RandomBytes(64)) }

// lastRevMicros is the timestamp of the last rev NextRev returned.
var lastRevMicros atomic.Int64

// NextRev returns a TID-shaped rev (13 base32-sortable characters) greater
// than every rev it returned before in this process.
func NextRev() string {
	for {
		last := lastRevMicros.Load()
		now := max(time.Now().UnixMicro(), last+1)
		if lastRevMicros.CompareAndSwap(last, now) {
			return tid(uint64(now) << 10)
		}
	}
}

// tid encodes v as a TID: 13 characters of the base32-sortable alphabet.
func tid(v uint64) string {
	const alphabet = "234567abcdefghijklmnopqrstuvwxyz"
	var b [13]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = alphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

// EventBody is the body that a [NewEvent] event's Encode returns for seq,
// so a test can check that the stored body is the one built for the seq the
// store assigned.
func EventBody(did, typ string, seq int64) []byte {
	return fmt.Appendf(nil, "%s %s seq=%d", typ, did, seq)
}

// NewEvent returns an event whose Encode returns [EventBody].
func NewEvent(did, typ string) store.Event {
	return store.Event{
		DID:  did,
		Type: typ,
		Time: time.Now(),
		Encode: func(seq int64) ([]byte, error) {
			return EventBody(did, typ, seq), nil
		},
	}
}

// ErrEncode is the error a [FailingEvent] event's Encode returns.
var ErrEncode = errors.New("storetest: encode failed")

// FailingEvent returns an event whose Encode fails with [ErrEncode].
func FailingEvent(did, typ string) store.Event {
	ev := NewEvent(did, typ)
	ev.Encode = func(int64) ([]byte, error) { return nil, ErrEncode }
	return ev
}

// NewCommit returns a commit of did built on prev (nil for a genesis
// commit) with two new blocks, the signed commit and the MST root, and a
// fresh rev. A non-genesis commit releases prev's commit and MST root
// blocks, as a real commit that rewrote the MST root would. Its Event is a
// [NewEvent] of type "#commit". Add records with [PutRecord] and
// [DeleteRecord].
func NewCommit(did string, prev *store.RepoRoot) store.Commit {
	rev := NextRev()
	data := NewBlock(append([]byte("mst "+did+" "+rev+" "), RandomBytes(16)...))
	commit := NewBlock(append([]byte("commit "+did+" "+rev+" "), RandomBytes(16)...))
	ev := NewEvent(did, "#commit")
	c := store.Commit{
		DID:    did,
		Root:   store.RepoRoot{DID: did, Commit: commit.CID, Rev: rev, Data: data.CID},
		Blocks: []store.Block{commit, data},
		Event:  &ev,
	}
	if prev != nil {
		p := prev.Commit
		c.Prev = &p
		c.Released = []cid.Cid{prev.Commit, prev.Data}
	}
	return c
}

// PutRecord adds a record write to c: the record's block (data) and an
// index change referencing blobs. It returns the record's CID. For an
// update, the caller also releases the previous CID.
func PutRecord(c *store.Commit, collection, rkey string, data []byte, blobs ...cid.Cid) cid.Cid {
	b := NewBlock(data)
	c.Blocks = append(c.Blocks, b)
	c.Records = append(c.Records, store.RecordChange{
		Collection: collection, RKey: rkey, CID: &b.CID, Blobs: blobs,
	})
	return b.CID
}

// DeleteRecord adds a record deletion to c and releases the record's block
// old.
func DeleteRecord(c *store.Commit, collection, rkey string, old cid.Cid) {
	c.Records = append(c.Records, store.RecordChange{Collection: collection, RKey: rkey})
	c.Released = append(c.Released, old)
}

// NewAccount returns an active account with a genesis commit and an
// "#identity" and an "#account" event.
func NewAccount(did, handle string) store.NewAccount {
	genesis := NewCommit(did, nil)
	return store.NewAccount{
		Account: store.Account{
			DID:          did,
			Handle:       handle,
			PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
			SigningKey:   RandomBytes(48),
			Status:       store.StatusActive,
			CreatedAt:    time.Now(),
		},
		Genesis: &genesis,
		Events:  []store.Event{NewEvent(did, "#identity"), NewEvent(did, "#account")},
	}
}

// Apply lands commits with ApplyCommits and fails t unless every commit
// landed. It returns the results.
func Apply(t testing.TB, s store.Store, commits ...store.Commit) []store.CommitResult {
	t.Helper()
	results, err := s.ApplyCommits(t.Context(), commits)
	if err != nil {
		t.Fatalf("ApplyCommits: %v", err)
	}
	if len(results) != len(commits) {
		t.Fatalf("ApplyCommits: %d results for %d commits", len(results), len(commits))
	}
	for i, r := range results {
		if r.Err != nil {
			t.Fatalf("ApplyCommits: commit %d (%s): %v", i, commits[i].DID, r.Err)
		}
	}
	return results
}

// NewImport returns a whole repo of did to import with [store.Imports]: a
// signed commit and an MST root block, and n records in
// app.bsky.feed.post (rkeys "r0000000" up), each with its own block, at a
// fresh rev. Prev is nil; its Event is a [NewEvent] of type "#sync". Add
// blob references to its Records as needed.
func NewImport(did string, n int) store.RepoImport {
	c := NewCommit(did, nil)
	for i := range n {
		PutRecord(&c, "app.bsky.feed.post", fmt.Sprintf("r%07d", i), RandomBytes(48))
	}
	ev := NewEvent(did, "#sync")
	return store.RepoImport{DID: did, Root: c.Root, Blocks: c.Blocks, Records: c.Records, Event: &ev}
}
