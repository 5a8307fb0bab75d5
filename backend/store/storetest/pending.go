package storetest

import (
	"testing"

	"github.com/hearthpds/hearth/backend/store"
)

// testPendingPLC: a pending genesis operation lands with its account, reads
// back, is forgotten on request, never outlives a failed sign-up and goes
// with a deleted account.
func testPendingPLC(t *testing.T, s store.Store) {
	ctx := t.Context()
	op := []byte(`{"type":"plc_operation","sig":"x"}`)
	a := NewAccount(alice, "alice.test")
	a.PendingPLCOp = op
	_, err := s.CreateAccount(ctx, a)
	must(t, err)
	got, err := s.GetPendingPLCOp(ctx, alice)
	must(t, err)
	equalBytes(t, "pending op", got, op)

	_, err = s.GetPendingPLCOp(ctx, bob)
	notFound(t, err)

	// A sign-up that fails (the handle is taken) stores no pending op.
	dup := NewAccount(bob, "alice.test")
	dup.PendingPLCOp = op
	_, err = s.CreateAccount(ctx, dup)
	mustBe(t, err, store.ErrConflict)
	_, err = s.GetPendingPLCOp(ctx, bob)
	notFound(t, err)

	must(t, s.DeletePendingPLCOp(ctx, alice))
	_, err = s.GetPendingPLCOp(ctx, alice)
	notFound(t, err)
	must(t, s.DeletePendingPLCOp(ctx, alice)) // already gone: not an error

	carol := NewAccount(bob, "bob.test")
	carol.PendingPLCOp = op
	_, err = s.CreateAccount(ctx, carol)
	must(t, err)
	_, err = s.DeleteAccount(ctx, bob, nil)
	must(t, err)
	_, err = s.GetPendingPLCOp(ctx, bob)
	notFound(t, err)
}
