package storetest

import (
	"testing"

	"github.com/hearthpds/hearth/backend/store"
)

func testAccountGenesis(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := NewAccount(alice, "alice.test")
	PutRecord(a.Genesis, "app.bsky.actor.profile", "self", []byte("profile"))
	seqs, err := s.CreateAccount(ctx, a)
	must(t, err)
	equalSlice(t, "seqs", seqs, []int64{1, 2, 3})

	root, err := s.GetRepoRoot(ctx, alice)
	must(t, err)
	equal(t, "root", root, a.Genesis.Root)
	rec, err := s.GetRecord(ctx, alice, "app.bsky.actor.profile", "self")
	must(t, err)
	equalBytes(t, "profile", rec.Value, []byte("profile"))

	events, err := s.ListEvents(ctx, 0, 10)
	must(t, err)
	equal(t, "events", len(events), 3)
	for i, typ := range []string{"#commit", "#identity", "#account"} {
		equal(t, "event type", events[i].Type, typ)
		equal(t, "event did", events[i].DID, alice)
		equalBytes(t, "event body", events[i].Body, EventBody(alice, typ, seqs[i]))
	}

	noRepo := NewAccount(bob, "bob.test")
	noRepo.Genesis = nil
	seqs, err = s.CreateAccount(ctx, noRepo)
	must(t, err)
	equalSlice(t, "seqs without genesis", seqs, []int64{4, 5})
	_, err = s.GetRepoRoot(ctx, bob)
	notFound(t, err)
}

func testAccountRepoExists(t *testing.T, s store.Store) {
	ctx := t.Context()
	Apply(t, s, NewCommit(alice, nil))
	seq := latestSeq(t, s)
	_, err := s.CreateAccount(ctx, NewAccount(alice, "alice.test"))
	mustBe(t, err, store.ErrRootMismatch)
	_, err = s.GetAccount(ctx, alice)
	notFound(t, err)
	equal(t, "no events", latestSeq(t, s), seq)
}

func testAccountInvites(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.CreateInviteCodes(ctx, []store.InviteCode{
		{Code: "two-uses", ForAccount: "admin", CreatedBy: "admin", AvailableUses: 2, CreatedAt: base},
		{Code: "disabled", ForAccount: "admin", CreatedBy: "admin", AvailableUses: 5, Disabled: true, CreatedAt: base},
	}))
	for _, did := range []string{alice, bob} {
		a := NewAccount(did, did[8:13]+".test")
		a.InviteCode = "two-uses"
		_, err := s.CreateAccount(ctx, a)
		must(t, err)
		got, err := s.GetAccount(ctx, did)
		must(t, err)
		equal(t, "Account.InviteCode", got.InviteCode, "two-uses")
	}
	code, err := s.GetInviteCode(ctx, "two-uses")
	must(t, err)
	equal(t, "uses", len(code.Uses), 2)
	used := map[string]bool{code.Uses[0].UsedBy: true, code.Uses[1].UsedBy: true}
	equal(t, "used by alice and bob", used[alice] && used[bob], true)

	for _, c := range []string{"two-uses", "disabled", "no-such-code"} {
		a := NewAccount(carol, "carol.test")
		a.InviteCode = c
		_, err := s.CreateAccount(ctx, a)
		mustBe(t, err, store.ErrInviteUnavailable)
	}
	_, err = s.GetAccount(ctx, carol)
	notFound(t, err)
	_, err = s.GetRepoRoot(ctx, carol)
	notFound(t, err)
	code, _ = s.GetInviteCode(ctx, "two-uses")
	equal(t, "uses after refusals", len(code.Uses), 2)
}

func testAccountInviteAtomicity(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.CreateInviteCodes(ctx, []store.InviteCode{
		{Code: "one-use", ForAccount: "admin", CreatedBy: "admin", AvailableUses: 1, CreatedAt: base},
	}))
	createAccount(t, s, alice, "alice.test")
	seq := latestSeq(t, s)

	taken := NewAccount(bob, "alice.test")
	taken.InviteCode = "one-use"
	_, err := s.CreateAccount(ctx, taken)
	mustBe(t, err, store.ErrConflict)

	code, err := s.GetInviteCode(ctx, "one-use")
	must(t, err)
	equal(t, "uses after a failed sign-up", len(code.Uses), 0)
	_, err = s.GetRepoRoot(ctx, bob)
	notFound(t, err)
	equal(t, "no events", latestSeq(t, s), seq)

	ok := NewAccount(bob, "bob.test")
	ok.InviteCode = "one-use"
	_, err = s.CreateAccount(ctx, ok)
	must(t, err)
}

func testAccountFailingEvent(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.CreateInviteCodes(ctx, []store.InviteCode{
		{Code: "one-use", ForAccount: "admin", CreatedBy: "admin", AvailableUses: 1, CreatedAt: base},
	}))
	a := NewAccount(alice, "alice.test")
	a.InviteCode = "one-use"
	a.Events = append(a.Events, FailingEvent(alice, "#account"))
	_, err := s.CreateAccount(ctx, a)
	mustBe(t, err, ErrEncode)

	_, err = s.GetAccount(ctx, alice)
	notFound(t, err)
	_, err = s.GetRepoRoot(ctx, alice)
	notFound(t, err)
	n, err := s.CountBlocks(ctx, alice)
	must(t, err)
	equal(t, "blocks", n, 0)
	code, _ := s.GetInviteCode(ctx, "one-use")
	equal(t, "invite uses", len(code.Uses), 0)
	equal(t, "LatestSeq", latestSeq(t, s), 0)
	equal(t, "events", len(eventSeqs(t, s)), 0)
}
