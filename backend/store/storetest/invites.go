package storetest

import (
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

func testInviteCodes(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.CreateInviteCodes(ctx, []store.InviteCode{
		{Code: "a-old", ForAccount: alice, CreatedBy: "admin", AvailableUses: 1, CreatedAt: base},
		{Code: "a-new", ForAccount: alice, CreatedBy: "admin", AvailableUses: 3, CreatedAt: base.Add(time.Hour)},
		{Code: "admin", ForAccount: "admin", CreatedBy: "admin", AvailableUses: 1, CreatedAt: base},
		{Code: "b", ForAccount: bob, CreatedBy: bob, AvailableUses: 1, CreatedAt: base},
	}))
	mustBe(t, s.CreateInviteCodes(ctx, []store.InviteCode{
		{Code: "a-old", ForAccount: alice, CreatedBy: "admin", AvailableUses: 1, CreatedAt: base},
	}), store.ErrConflict)

	got, err := s.GetInviteCode(ctx, "a-new")
	must(t, err)
	equal(t, "Code", got.Code, "a-new")
	equal(t, "ForAccount", got.ForAccount, alice)
	equal(t, "CreatedBy", got.CreatedBy, "admin")
	equal(t, "AvailableUses", got.AvailableUses, 3)
	equal(t, "Disabled", got.Disabled, false)
	equal(t, "Uses", len(got.Uses), 0)
	_, err = s.GetInviteCode(ctx, "nope")
	notFound(t, err)

	a := NewAccount(carol, "carol.test")
	a.InviteCode = "a-new"
	_, err = s.CreateAccount(ctx, a)
	must(t, err)

	list, err := s.ListInviteCodes(ctx, alice)
	must(t, err)
	equal(t, "codes for alice", len(list), 2)
	equal(t, "newest first", list[0].Code+","+list[1].Code, "a-new,a-old")
	equal(t, "uses of a-new", len(list[0].Uses), 1)
	equal(t, "used by", list[0].Uses[0].UsedBy, carol)
	equal(t, "uses of a-old", len(list[1].Uses), 0)
	list, _ = s.ListInviteCodes(ctx, "did:plc:nobody")
	equal(t, "codes for nobody", len(list), 0)

	must(t, s.DisableInviteCodes(ctx, []string{"b"}, []string{alice}))
	for code, disabled := range map[string]bool{"a-old": true, "a-new": true, "b": true, "admin": false} {
		got, err := s.GetInviteCode(ctx, code)
		must(t, err)
		equal(t, code+" disabled", got.Disabled, disabled)
	}
}
