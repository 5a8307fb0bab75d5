package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// remote is a controller hosted on another PDS: no local account.
const remote = "did:plc:remote000000000000000000"

// grant returns a grant of delegated to controller with the owner preset.
func grant(delegated, controller string) store.DelegationGrant {
	return store.DelegationGrant{
		DelegatedDID: delegated, ControllerDID: controller, Scope: "atproto repo:*", Preset: "custom",
		GrantedAt: base, GrantedBy: delegated,
	}
}

// auditOf returns an audit entry of kind about the pair, done by actor.
func auditOf(kind, delegated, controller, actor string, at time.Time) store.DelegationAuditEntry {
	return store.DelegationAuditEntry{At: at, DelegatedDID: delegated, ControllerDID: controller, ActorDID: actor, Kind: kind,
		Detail: []byte(`{"scope":"atproto"}`)}
}

// auditKinds lists the kinds of an account's audit log, newest first.
func auditKinds(t *testing.T, s store.Store, delegated string) []string {
	t.Helper()
	es, err := s.ListDelegationAudit(t.Context(), store.DelegationAuditFilter{DelegatedDID: delegated})
	must(t, err)
	kinds := make([]string, len(es))
	for i, e := range es {
		kinds[i] = e.Kind
	}
	return kinds
}

// testDelegationGrants: a grant is created, read, updated and revoked, one
// active per pair, each change with its audit entry, and a revoked pair can
// be granted again.
func testDelegationGrants(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	createAccount(t, s, bob, "bob.test")

	g, err := s.CreateDelegationGrant(ctx, grant(alice, bob), auditOf(store.AuditGrantAdd, alice, bob, alice, base))
	must(t, err)
	if g.ID == 0 || !g.Active() || g.Scope != "atproto repo:*" || !g.GrantedAt.Equal(base) || g.GrantedBy != alice {
		t.Fatalf("created grant = %+v", g)
	}
	got, err := s.GetActiveDelegationGrant(ctx, alice, bob)
	must(t, err)
	equal(t, "active grant ID", got.ID, g.ID)
	_, err = s.GetActiveDelegationGrant(ctx, bob, alice)
	notFound(t, err)

	_, err = s.CreateDelegationGrant(ctx, grant(alice, bob), auditOf(store.AuditGrantAdd, alice, bob, alice, base))
	mustBe(t, err, store.ErrConflict)
	_, err = s.CreateDelegationGrant(ctx, grant(alice, alice), auditOf(store.AuditGrantAdd, alice, alice, alice, base))
	if err == nil {
		t.Fatal("a grant of an account to itself was stored")
	}
	_, err = s.CreateDelegationGrant(ctx, grant(carol, bob), auditOf(store.AuditGrantAdd, carol, bob, carol, base))
	notFound(t, err) // carol is not hosted here
	equalSlice(t, "audit after refusals", auditKinds(t, s, alice), []string{store.AuditGrantAdd})

	later := base.Add(time.Hour)
	u, err := s.UpdateDelegationGrant(ctx, store.DelegationGrantUpdate{
		DelegatedDID: alice, ControllerDID: bob, Scope: "atproto", Preset: "viewer", At: later, By: alice,
	}, auditOf(store.AuditGrantUpdate, alice, bob, alice, later))
	must(t, err)
	if u.ID != g.ID || u.Scope != "atproto" || u.Preset != "viewer" || u.UpdatedAt == nil || !u.UpdatedAt.Equal(later) || u.UpdatedBy != alice {
		t.Fatalf("updated grant = %+v", u)
	}
	_, err = s.UpdateDelegationGrant(ctx, store.DelegationGrantUpdate{DelegatedDID: alice, ControllerDID: remote, Scope: "atproto", At: later, By: alice},
		auditOf(store.AuditGrantUpdate, alice, remote, alice, later))
	notFound(t, err)

	// A remote controller needs no local account.
	_, err = s.CreateDelegationGrant(ctx, grant(alice, remote), auditOf(store.AuditGrantAdd, alice, remote, alice, later))
	must(t, err)
	list, err := s.ListDelegationGrants(ctx, store.DelegationGrantFilter{DelegatedDID: alice})
	must(t, err)
	equal(t, "grants of alice", len(list), 2)
	equal(t, "first grant", list[0].ControllerDID, bob)

	r, names, err := s.RevokeDelegationGrant(ctx, store.DelegationRevoke{DelegatedDID: alice, ControllerDID: bob, At: later, By: alice},
		auditOf(store.AuditGrantRevoke, alice, bob, alice, later))
	must(t, err)
	if r.Active() || !r.RevokedAt.Equal(later) || r.RevokedBy != alice || len(names) != 0 {
		t.Fatalf("revoked grant = %+v, app passwords %v", r, names)
	}
	_, err = s.GetActiveDelegationGrant(ctx, alice, bob)
	notFound(t, err)
	_, _, err = s.RevokeDelegationGrant(ctx, store.DelegationRevoke{DelegatedDID: alice, ControllerDID: bob, At: later, By: alice},
		auditOf(store.AuditGrantRevoke, alice, bob, alice, later))
	notFound(t, err)
	_, err = s.UpdateDelegationGrant(ctx, store.DelegationGrantUpdate{DelegatedDID: alice, ControllerDID: bob, Scope: "atproto", At: later, By: alice},
		auditOf(store.AuditGrantUpdate, alice, bob, alice, later))
	notFound(t, err)

	// Granted again after the revocation: history keeps both.
	again, err := s.CreateDelegationGrant(ctx, grant(alice, bob), auditOf(store.AuditGrantAdd, alice, bob, alice, later))
	must(t, err)
	if again.ID == g.ID {
		t.Fatal("a new grant reused the revoked grant's ID")
	}
	all, err := s.ListDelegationGrants(ctx, store.DelegationGrantFilter{DelegatedDID: alice, ControllerDID: bob, IncludeRevoked: true})
	must(t, err)
	equal(t, "grants of the pair with history", len(all), 2)
	byController, err := s.ListDelegationGrants(ctx, store.DelegationGrantFilter{ControllerDID: remote})
	must(t, err)
	equal(t, "grants to the remote controller", len(byController), 1)
	equalSlice(t, "audit kinds", auditKinds(t, s, alice), []string{
		store.AuditGrantAdd, store.AuditGrantRevoke, store.AuditGrantAdd, store.AuditGrantUpdate, store.AuditGrantAdd,
	})

	// Deleting the delegated account takes its grants and log with it.
	_, err = s.DeleteAccount(ctx, alice, nil)
	must(t, err)
	gone, err := s.ListDelegationGrants(ctx, store.DelegationGrantFilter{DelegatedDID: alice, IncludeRevoked: true})
	must(t, err)
	equal(t, "grants after deletion", len(gone), 0)
	equal(t, "audit after deletion", len(auditKinds(t, s, alice)), 0)
}

// testDelegationDepth: delegation is one level deep, checked both ways.
func testDelegationDepth(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, a := range []struct{ did, handle string }{{alice, "alice.test"}, {bob, "bob.test"}, {carol, "carol.test"}} {
		createAccount(t, s, a.did, a.handle)
	}
	add := func(delegated, controller string) error {
		_, err := s.CreateDelegationGrant(ctx, grant(delegated, controller), auditOf(store.AuditGrantAdd, delegated, controller, delegated, base))
		return err
	}
	must(t, add(alice, bob))
	mustBe(t, add(bob, carol), store.ErrDelegationDepth)   // bob controls alice: cannot be delegated
	mustBe(t, add(carol, alice), store.ErrDelegationDepth) // alice is controlled: cannot control
	must(t, add(carol, bob))                               // a controller may control several accounts
	must(t, add(alice, remote))                            // an account may have several controllers
	equal(t, "audit of bob", len(auditKinds(t, s, bob)), 0)

	// Once alice's grants end, alice may control carol.
	for _, c := range []string{bob, remote} {
		_, _, err := s.RevokeDelegationGrant(ctx, store.DelegationRevoke{DelegatedDID: alice, ControllerDID: c, At: base, By: alice},
			auditOf(store.AuditGrantRevoke, alice, c, alice, base))
		must(t, err)
	}
	must(t, add(carol, alice))
	mustBe(t, add(alice, bob), store.ErrDelegationDepth) // alice now controls carol
}

// testDelegationRace: two grants that together would make delegation two
// levels deep (y controls x, z controls y), made at the same time: exactly
// one lands, the other is ErrDelegationDepth.
func testDelegationRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	for i := range 8 {
		x, y, z := fmt.Sprintf("did:plc:racex%02d", i), fmt.Sprintf("did:plc:racey%02d", i), fmt.Sprintf("did:plc:racez%02d", i)
		createAccount(t, s, x, fmt.Sprintf("x%d.test", i))
		createAccount(t, s, y, fmt.Sprintf("y%d.test", i))
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for j, pair := range [][2]string{{x, y}, {y, z}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[j] = s.CreateDelegationGrant(ctx, grant(pair[0], pair[1]), auditOf(store.AuditGrantAdd, pair[0], pair[1], pair[0], base))
			}()
		}
		wg.Wait()
		failed := 0
		for _, err := range errs {
			if err != nil {
				mustBe(t, err, store.ErrDelegationDepth)
				failed++
			}
		}
		equal(t, fmt.Sprintf("refused grants of round %d", i), failed, 1)
	}
}
