package storetest

import (
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// testDelegationAudit: entries read back whole, newest first, filtered by
// controller, kind and time, paged by ID.
func testDelegationAudit(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	createAccount(t, s, bob, "bob.test")
	entries := []store.DelegationAuditEntry{
		auditOf(store.AuditTokenIssued, alice, bob, bob, base),
		auditOf(store.AuditWrite, alice, bob, bob, base.Add(time.Minute)),
		auditOf(store.AuditWrite, alice, remote, remote, base.Add(2*time.Minute)),
		{At: base.Add(3 * time.Minute), DelegatedDID: alice, ControllerDID: remote, ActorDID: alice, Kind: store.AuditGrantUpdate},
		auditOf(store.AuditWrite, bob, alice, alice, base.Add(4*time.Minute)),
	}
	ids := make([]int64, len(entries))
	for i, e := range entries {
		id, err := s.AppendDelegationAudit(ctx, e)
		must(t, err)
		if i > 0 && id <= ids[i-1] {
			t.Fatalf("audit IDs not increasing: %d after %d", id, ids[i-1])
		}
		ids[i] = id
	}
	_, err := s.AppendDelegationAudit(ctx, auditOf(store.AuditWrite, carol, bob, bob, base))
	notFound(t, err) // carol is not hosted here

	list := func(f store.DelegationAuditFilter) []int64 {
		t.Helper()
		es, err := s.ListDelegationAudit(ctx, f)
		must(t, err)
		out := make([]int64, len(es))
		for i, e := range es {
			out[i] = e.ID
		}
		return out
	}
	equalSlice(t, "alice's log", list(store.DelegationAuditFilter{DelegatedDID: alice}), []int64{ids[3], ids[2], ids[1], ids[0]})
	equalSlice(t, "by controller", list(store.DelegationAuditFilter{DelegatedDID: alice, ControllerDID: bob}), []int64{ids[1], ids[0]})
	equalSlice(t, "by kind", list(store.DelegationAuditFilter{DelegatedDID: alice, Kinds: []string{store.AuditWrite}}), []int64{ids[2], ids[1]})
	equalSlice(t, "by kinds", list(store.DelegationAuditFilter{DelegatedDID: alice, Kinds: []string{store.AuditWrite, store.AuditTokenIssued}}),
		[]int64{ids[2], ids[1], ids[0]})
	equalSlice(t, "since", list(store.DelegationAuditFilter{DelegatedDID: alice, Since: base.Add(2 * time.Minute)}), []int64{ids[3], ids[2]})
	equalSlice(t, "first page", list(store.DelegationAuditFilter{DelegatedDID: alice, Limit: 2}), []int64{ids[3], ids[2]})
	equalSlice(t, "next page", list(store.DelegationAuditFilter{DelegatedDID: alice, Limit: 2, Before: ids[2]}), []int64{ids[1], ids[0]})
	equalSlice(t, "what alice did elsewhere", list(store.DelegationAuditFilter{ControllerDID: alice}), []int64{ids[4]})

	es, err := s.ListDelegationAudit(ctx, store.DelegationAuditFilter{DelegatedDID: alice, Before: ids[1]})
	must(t, err)
	equal(t, "entries before the second", len(es), 1)
	e := es[0]
	if !e.At.Equal(base) || e.DelegatedDID != alice || e.ControllerDID != bob || e.ActorDID != bob || e.Kind != store.AuditTokenIssued {
		t.Fatalf("entry = %+v", e)
	}
	equalBytes(t, "detail", e.Detail, []byte(`{"scope":"atproto"}`))
	es, err = s.ListDelegationAudit(ctx, store.DelegationAuditFilter{DelegatedDID: alice, Kinds: []string{store.AuditGrantUpdate}})
	must(t, err)
	equalBytes(t, "empty detail", es[0].Detail, []byte(`{}`))
}

// testDelegatedAppPasswords: app passwords a controller created are
// remembered with it, and revoking its grant deletes them and their refresh
// tokens, leaving the others.
func testDelegatedAppPasswords(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	for _, c := range []string{bob, remote} {
		_, err := s.CreateDelegationGrant(ctx, grant(alice, c), auditOf(store.AuditGrantAdd, alice, c, alice, base))
		must(t, err)
	}
	pw := func(name string) store.AppPassword {
		return store.AppPassword{DID: alice, Name: name, Hash: []byte(name), CreatedAt: base}
	}
	must(t, s.CreateDelegatedAppPassword(ctx, pw("bob-1"), bob))
	must(t, s.CreateDelegatedAppPassword(ctx, pw("bob-2"), bob))
	must(t, s.CreateDelegatedAppPassword(ctx, pw("remote"), remote))
	must(t, s.CreateAppPassword(ctx, pw("own")))
	mustBe(t, s.CreateDelegatedAppPassword(ctx, pw("own"), bob), store.ErrConflict)
	for i, name := range []string{"bob-1", "remote", "own"} {
		must(t, s.CreateRefreshToken(ctx, store.RefreshToken{ID: "rt-" + name, DID: alice, AppPasswordName: name, ExpiresAt: base.Add(time.Duration(i+1) * time.Hour)}))
	}
	names, err := s.ListDelegatedAppPasswords(ctx, alice, bob)
	must(t, err)
	equalSlice(t, "bob's app passwords", names, []string{"bob-1", "bob-2"})

	// An app password revoked the ordinary way is no longer listed.
	must(t, s.RevokeAppPassword(ctx, alice, "bob-2"))
	names, err = s.ListDelegatedAppPasswords(ctx, alice, bob)
	must(t, err)
	equalSlice(t, "bob's app passwords after one was revoked", names, []string{"bob-1"})

	_, names, err = s.RevokeDelegationGrant(ctx, store.DelegationRevoke{DelegatedDID: alice, ControllerDID: bob, At: base, By: alice},
		auditOf(store.AuditGrantRevoke, alice, bob, alice, base))
	must(t, err)
	equalSlice(t, "deleted app passwords", names, []string{"bob-1"})
	left, err := s.ListAppPasswords(ctx, alice)
	must(t, err)
	var leftNames []string
	for _, p := range left {
		leftNames = append(leftNames, p.Name)
	}
	equalSlice(t, "app passwords left", leftNames, []string{"own", "remote"})
	_, err = s.GetRefreshToken(ctx, "rt-bob-1")
	notFound(t, err)
	for _, id := range []string{"rt-remote", "rt-own"} {
		_, err = s.GetRefreshToken(ctx, id)
		must(t, err)
	}
	names, err = s.ListDelegatedAppPasswords(ctx, alice, remote)
	must(t, err)
	equalSlice(t, "the other controller's app passwords", names, []string{"remote"})
}
