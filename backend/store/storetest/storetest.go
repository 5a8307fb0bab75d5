package storetest

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// Opener returns a fresh, empty, migrated store for one subtest and arranges
// (with t.Cleanup) for it to be closed.
type Opener func(t *testing.T) store.Store

// suite lists the conformance tests; each gets its own store.
var suite = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"Meta", testMeta},
	{"Accounts/CRUD", testAccountCRUD},
	{"Accounts/Conflicts", testAccountConflicts},
	{"Accounts/Genesis", testAccountGenesis},
	{"Accounts/RepoExists", testAccountRepoExists},
	{"Accounts/Invites", testAccountInvites},
	{"Accounts/InviteAtomicity", testAccountInviteAtomicity},
	{"Accounts/FailingEvent", testAccountFailingEvent},
	{"Accounts/Delete", testAccountDelete},
	{"Sessions/RefreshTokens", testRefreshTokens},
	{"Sessions/Rotate", testRotateRefreshToken},
	{"Sessions/AppPasswords", testAppPasswords},
	{"Invites", testInviteCodes},
	{"Repos/GenesisCAS", testGenesisCAS},
	{"Repos/ApplyCommits", testApplyCommits},
	{"Repos/BatchMismatch", testBatchMismatch},
	{"Repos/ChainedBatch", testChainedBatch},
	{"Repos/ReleasedBlocks", testReleasedBlocks},
	{"Repos/SharedBlocks", testSharedBlocks},
	{"Repos/RecordPaging", testRecordPaging},
	{"Repos/FailingEncode", testFailingEncode},
	{"Blobs/Metadata", testBlobMetadata},
	{"Blobs/References", testBlobReferences},
	{"Blobs/GC", testBlobGC},
	{"Events/Log", testEventLog},
	{"Events/NoGaps", testEventsNoGaps},
	{"Events/Retention", testEventRetention},
	{"Lifecycle/AccountFields", testAccountLifecycleFields},
	{"Lifecycle/AccountTokens", testAccountTokens},
	{"Lifecycle/Preferences", testPreferences},
	{"Lifecycle/Nonces", testNonces},
	{"Lifecycle/ReservedKeys", testReservedKeys},
	{"Lifecycle/Delete", testAccountDeleteLifecycle},
	{"Moderation/AccountTakedown", testAccountTakedown},
	{"Moderation/ContentTakedown", testContentTakedown},
	{"Moderation/SearchAccounts", testSearchAccounts},
	{"Moderation/ListAllInviteCodes", testListAllInviteCodes},
	{"Imports/Fresh", testImportFresh},
	{"Imports/ReplaceEmpty", testImportReplaceEmpty},
	{"Imports/Replace", testImportReplace},
	{"Imports/Atomic", testImportAtomic},
	{"Imports/Large", testImportLarge},
	{"Repos/BlocksSince", testBlocksSince},
	{"PendingPLC", testPendingPLC},
	{"OAuth/Requests", testOAuthRequests}, {"OAuth/Tokens", testOAuthTokens}, {"OAuth/Devices", testOAuthDevices},
	{"Delegation/Grants", testDelegationGrants}, {"Delegation/Depth", testDelegationDepth}, {"Delegation/Audit", testDelegationAudit}, {"Delegation/AppPasswords", testDelegatedAppPasswords}, {"Delegation/Race", testDelegationRace},
	{"Privacy/UserKeys", testPrivacyUserKeys}, {"Privacy/Epochs", testPrivacyEpochs}, {"Privacy/EpochRace", testPrivacyEpochRace}, {"Privacy/Records", testPrivacyRecords}, {"Privacy/Blobs", testPrivacyBlobs}, {"Privacy/AccountDelete", testPrivacyAccountDelete},
	{"Plugins/KV", testPluginKV}, {"Plugins/KVQuota", testPluginKVQuota},
	{"Concurrency/Seqs", testConcurrentSeqs},
	{"Concurrency/SameRepo", testConcurrentSameRepo},
}

// Run runs the conformance suite, calling open once per subtest.
func Run(t *testing.T, open Opener) {
	for _, tc := range suite {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// base is a fixed instant the tests derive input times from.
var base = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// must fails the test on a non-nil error.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// mustBe fails the test unless err wraps target.
func mustBe(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

// equal fails the test unless got == want.
func equal[T comparable](t testing.TB, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// equalSlice fails the test unless got and want hold the same elements in
// the same order.
func equalSlice[T comparable](t testing.TB, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// equalBytes fails the test unless got and want are the same bytes.
func equalBytes(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

// sortedCIDs returns cids ordered by their binary form, the order the store
// pages blobs in.
func sortedCIDs(cids ...cid.Cid) []cid.Cid {
	out := slices.Clone(cids)
	slices.SortFunc(out, func(a, b cid.Cid) int { return bytes.Compare(a.Bytes(), b.Bytes()) })
	return out
}

// latestSeq returns the store's latest seq.
func latestSeq(t testing.TB, s store.Store) int64 {
	t.Helper()
	seq, err := s.LatestSeq(t.Context())
	must(t, err)
	return seq
}

// eventSeqs lists the seqs of every stored event.
func eventSeqs(t testing.TB, s store.Store) []int64 {
	t.Helper()
	events, err := s.ListEvents(t.Context(), 0, 100000)
	must(t, err)
	seqs := make([]int64, len(events))
	for i, e := range events {
		seqs[i] = e.Seq
	}
	return seqs
}

// seqRange returns from, from+1, ..., to.
func seqRange(from, to int64) []int64 {
	var out []int64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

// createAccount creates a [NewAccount] and returns it.
func createAccount(t testing.TB, s store.Store, did, handle string) store.NewAccount {
	t.Helper()
	a := NewAccount(did, handle)
	_, err := s.CreateAccount(t.Context(), a)
	must(t, err)
	return a
}

// notFound fails the test unless err is store.ErrNotFound.
func notFound(t testing.TB, err error) {
	t.Helper()
	mustBe(t, err, store.ErrNotFound)
}

func testMeta(t *testing.T, s store.Store) {
	if d := s.Dialect(); d != "sqlite" && d != "postgres" {
		t.Fatalf("Dialect() = %q", d)
	}
	v, err := s.SchemaVersion(t.Context())
	must(t, err)
	if v < 1 {
		t.Fatalf("SchemaVersion = %d, want >= 1", v)
	}
	equal(t, "LatestSeq of an empty store", latestSeq(t, s), 0)
}
