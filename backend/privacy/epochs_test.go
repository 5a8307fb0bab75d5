package privacy

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// fakeHooks records the privacy hooks' events and refuses grants to one
// DID.
type fakeHooks struct {
	mu        sync.Mutex
	refuse    string
	asked     []GrantEvent
	rotations []GrantEvent
}

func (f *fakeHooks) OnAccessGrantRequest(_ context.Context, ev GrantEvent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, ev)
	if ev.Grantee == f.refuse {
		return &GrantRefusedError{Plugin: "dev.test.fake", Name: "Refused", Message: "not " + ev.Grantee}
	}
	return nil
}

func (f *fakeHooks) OnKeyRotation(_ context.Context, ev GrantEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rotations = append(f.rotations, ev)
}

// sealedEnv is an env whose Service has fake hooks, and alice's client
// side: her identity and her diary's keys (epoch 1, one record).
type sealedEnv struct {
	*env
	hooks *fakeHooks
	id    *crypt.Identity
	ck    *crypt.CollectionKeys
}

func newSealedEnv(t *testing.T, st store.Store) *sealedEnv {
	t.Helper()
	e := &sealedEnv{env: newEnv(t, st), hooks: &fakeHooks{refuse: carol}}
	svc, err := New(Config{Store: e.st, Sealer: e.svc.sealer, Blobs: e.blobs, Keys: e.remote, BackupParams: cheap, Hooks: e.hooks})
	must(t, err)
	e.svc = svc
	_, err = e.svc.PutRecord(t.Context(), alice, diary, "3kone", note("one"))
	must(t, err)
	e.id, err = crypt.ParseRecoveryCode(e.code)
	must(t, err)
	e.refreshKeys(t)
	return e
}

// refreshKeys opens alice's own grants again (as her client would).
func (e *sealedEnv) refreshKeys(t *testing.T) {
	t.Helper()
	sealed, err := e.svc.GrantKeys(t.Context(), alice, alice, diary)
	must(t, err)
	e.ck, err = crypt.KeysFromGrants(e.id, alice, alice, diary, sealed)
	must(t, err)
}

// seal seals epoch of alice's diary to grantee's key, client side.
func (e *sealedEnv) seal(t *testing.T, epoch uint64, grantee string, key crypt.PublicKey) []byte {
	t.Helper()
	ek, err := e.ck.EpochKey(epoch)
	must(t, err)
	b, err := crypt.SealGrant(key, crypt.GrantContext{Owner: alice, Grantee: grantee, Collection: diary, Epoch: epoch}, ek, e.ck.MACKey())
	must(t, err)
	return b
}

// epoch returns alice's diary's current epoch.
func (e *sealedEnv) epoch(t *testing.T) uint64 {
	t.Helper()
	cur, err := e.st.CurrentKeyEpoch(t.Context(), alice, diary)
	must(t, err)
	return cur
}

// TestGrantSealed: grants the owner's client sealed are checked against
// the grantee's published key, the collection's epochs and the size of a
// sealed grant, asked of the hooks first, stored once, and open for the
// grantee.
func TestGrantSealed(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newSealedEnv(t, open(t))
		bobKey := e.bob.Public()
		good := func(epochs ...uint64) SealedGrants {
			g := SealedGrants{Collection: diary, Grantee: bob, GranteeKeyID: bobKey.KeyID()}
			for _, ep := range epochs {
				g.Grants = append(g.Grants, crypt.SealedGrant{Epoch: ep, Sealed: e.seal(t, ep, bob, bobKey)})
			}
			return g
		}
		bad := good(1)
		bad.GranteeKeyID = e.erin.Public().KeyID()
		_, err := e.svc.GrantSealed(ctx, alice, bad)
		isErr(t, "another key ID than the published one", err, ErrKeyChanged)
		bad = good(1)
		bad.Grants[0].Sealed = bad.Grants[0].Sealed[1:]
		_, err = e.svc.GrantSealed(ctx, alice, bad)
		isErr(t, "a short sealed grant", err, ErrInvalid)
		bad = good(1, 1)
		_, err = e.svc.GrantSealed(ctx, alice, bad)
		isErr(t, "an epoch twice", err, ErrInvalid)
		bad = good(1)
		bad.Grants[0].Epoch = 2
		_, err = e.svc.GrantSealed(ctx, alice, bad)
		isErr(t, "a future epoch", err, ErrInvalid)
		bad = good(1)
		bad.Grantee = alice
		_, err = e.svc.GrantSealed(ctx, alice, bad)
		isErr(t, "a grant to oneself", err, ErrInvalid)
		_, err = e.svc.GrantSealed(ctx, alice, SealedGrants{Collection: "com.example.none", Grantee: bob, GranteeKeyID: bobKey.KeyID(),
			Grants: good(1).Grants})
		isErr(t, "a collection without epoch", err, store.ErrNotFound)
		if gs, _ := e.svc.ListGrants(ctx, alice, diary, true); len(gs) != 1 {
			t.Fatalf("refused grants left %d grants", len(gs))
		}

		gs, err := e.svc.GrantSealed(ctx, alice, good(1))
		if err != nil || len(gs) != 1 || gs[0].KEMID != crypt.KEMX25519 || gs[0].GranteeKeyID != bobKey.KeyID() {
			t.Fatalf("grant: %+v, %v", gs, err)
		}
		if _, err := e.svc.GrantSealed(ctx, alice, good(1)); err != nil {
			t.Fatalf("granting again: %v", err)
		}
		ck, err := e.granteeKeys(t, bob, e.bob)
		must(t, err)
		if got, err := e.readAll(t, bob, ck); err != nil || got["3kone"] != `{"text":"one"}` {
			t.Fatalf("bob reads %v, %v", got, err)
		}
		// The hook is asked first, before the checks that follow it: once
		// per call that got past the arguments' syntax (6), always with the
		// same event and nothing of the keys.
		if len(e.hooks.asked) != 6 || slices.ContainsFunc(e.hooks.asked, func(ev GrantEvent) bool {
			return ev != GrantEvent{Owner: alice, Collection: diary, Grantee: bob, Epoch: 1}
		}) {
			t.Fatalf("the hook was asked %+v", e.hooks.asked)
		}

		// A rotation meanwhile: the current epoch must be among the grants.
		_, err = e.svc.Rotate(ctx, alice, diary, false)
		must(t, err)
		e.refreshKeys(t)
		erinGrant := SealedGrants{Collection: diary, Grantee: erin, GranteeKeyID: e.erin.Public().KeyID(),
			Grants: []crypt.SealedGrant{{Epoch: 1, Sealed: e.seal(t, 1, erin, e.erin.Public())}}}
		_, err = e.svc.GrantSealed(ctx, alice, erinGrant)
		isErr(t, "a grant missing the current epoch", err, ErrStaleEpoch)

		// The hook refuses carol: nothing is stored.
		carolID, err := crypt.NewIdentity()
		must(t, err)
		e.remote.set(carol, carolID.Public())
		_, err = e.svc.GrantSealed(ctx, alice, SealedGrants{Collection: diary, Grantee: carol, GranteeKeyID: carolID.Public().KeyID(),
			Grants: []crypt.SealedGrant{{Epoch: 2, Sealed: e.seal(t, 2, carol, carolID.Public())}}})
		var rej *GrantRefusedError
		if !errors.As(err, &rej) || rej.Plugin != "dev.test.fake" || !strings.Contains(err.Error(), "(plugin dev.test.fake)") {
			t.Fatalf("refused grant: %v", err)
		}
		if gs, _ := e.svc.ListGrants(ctx, alice, diary, true); len(gs) != 4 {
			t.Fatalf("after the refusal %d grants, want 4 (alice's and bob's two each)", len(gs))
		}

		// bob publishes a new key: a grant to it is refused until the old
		// one is revoked.
		newBob, err := crypt.NewIdentity()
		must(t, err)
		e.remote.set(bob, newBob.Public())
		_, err = e.svc.GrantSealed(ctx, alice, SealedGrants{Collection: diary, Grantee: bob, GranteeKeyID: newBob.Public().KeyID(),
			Grants: []crypt.SealedGrant{{Epoch: 2, Sealed: e.seal(t, 2, bob, newBob.Public())}}})
		isErr(t, "a grant to a changed key while the old one holds grants", err, ErrKeyChanged)
	})
}

// TestStartEpoch: a new epoch the owner's client sealed must go to
// exactly the owner and the remaining grantees, each to its granted key,
// at the next epoch; it lands atomically, revokes, and tells the hooks.
func TestStartEpoch(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newSealedEnv(t, open(t))
		_, err := e.svc.Grant(ctx, alice, diary, bob, e.bob.Public())
		must(t, err)
		_, err = e.svc.Grant(ctx, alice, diary, erin, e.erin.Public())
		must(t, err)
		key, err := crypt.NewEpochKey()
		must(t, err)
		must(t, e.ck.AddEpoch(2, key))
		grant := func(did string, pub crypt.PublicKey) EpochGrant {
			return EpochGrant{Grantee: did, GranteeKeyID: pub.KeyID(), Sealed: e.seal(t, 2, did, pub)}
		}
		own, toErin, toBob := grant(alice, e.id.Public()), grant(erin, e.erin.Public()), grant(bob, e.bob.Public())
		revokeBob := func(grants ...EpochGrant) NewEpoch {
			return NewEpoch{Collection: diary, Epoch: 2, Revoke: bob, Grants: grants}
		}
		for _, c := range []struct {
			what string
			ne   NewEpoch
			want error
		}{
			{"erin missing", revokeBob(own), ErrGrantSet},
			{"the owner missing", revokeBob(toErin), ErrGrantSet},
			{"the revoked grantee still sealed to", revokeBob(own, toErin, toBob), ErrGrantSet},
			{"a grant twice", revokeBob(own, toErin, toErin), ErrInvalid},
			{"erin sealed to another key", revokeBob(own, EpochGrant{Grantee: erin, GranteeKeyID: e.bob.Public().KeyID(), Sealed: toErin.Sealed}), ErrKeyChanged},
			{"a short grant", revokeBob(own, EpochGrant{Grantee: erin, GranteeKeyID: toErin.GranteeKeyID, Sealed: toErin.Sealed[:100]}), ErrInvalid},
			{"an epoch too far", NewEpoch{Collection: diary, Epoch: 3, Revoke: bob, Grants: []EpochGrant{own, toErin}}, ErrStaleEpoch},
			{"the current epoch again", NewEpoch{Collection: diary, Epoch: 1, Grants: []EpochGrant{own, toErin}}, ErrStaleEpoch},
			{"revoking the ungranted", NewEpoch{Collection: diary, Epoch: 2, Revoke: carol, Grants: []EpochGrant{own, toErin, toBob}}, store.ErrNotFound},
		} {
			_, err := e.svc.StartEpoch(ctx, alice, c.ne)
			isErr(t, c.what, err, c.want)
			if cur := e.epoch(t); cur != 1 {
				t.Fatalf("%s: the collection moved to epoch %d", c.what, cur)
			}
		}
		if len(e.hooks.rotations) != 0 {
			t.Fatalf("refused rotations reached the hooks: %+v", e.hooks.rotations)
		}

		res, err := e.svc.StartEpoch(ctx, alice, NewEpoch{Collection: diary, Epoch: 2, Revoke: bob, Grants: []EpochGrant{own, toErin}, Reencrypt: true})
		if err != nil || res != (EpochResult{Epoch: 2, Resealed: 2, Revoked: 1, Pending: true}) {
			t.Fatalf("revoke bob: %+v, %v", res, err)
		}
		_, err = e.granteeKeys(t, bob, e.bob)
		isErr(t, "bob after his revocation", err, ErrForbidden)
		ck, err := e.granteeKeys(t, erin, e.erin)
		must(t, err)
		if eps := ck.Epochs(); len(eps) != 2 {
			t.Fatalf("erin holds epochs %v", eps)
		}
		if len(e.hooks.rotations) != 1 || e.hooks.rotations[0] != (GrantEvent{Owner: alice, Collection: diary, Grantee: bob, Epoch: 2, Reason: store.RotationRevoke}) {
			t.Fatalf("the hooks saw %+v", e.hooks.rotations)
		}

		// A new collection starts at epoch 1, sealed to the owner only, and
		// is no rotation for the hooks.
		const journal = "com.example.journal"
		mac, err := e.id.MACKey(alice, journal)
		must(t, err)
		jk, err := crypt.NewCollectionKeys(alice, journal, mac)
		must(t, err)
		k1, err := crypt.NewEpochKey()
		must(t, err)
		must(t, jk.AddEpoch(1, k1))
		sealed, err := crypt.SealGrant(e.id.Public(), crypt.GrantContext{Owner: alice, Grantee: alice, Collection: journal, Epoch: 1}, k1, mac)
		must(t, err)
		res, err = e.svc.StartEpoch(ctx, alice, NewEpoch{Collection: journal, Epoch: 1, Grants: []EpochGrant{{Grantee: alice, GranteeKeyID: e.id.Public().KeyID(), Sealed: sealed}}})
		if err != nil || res.Epoch != 1 || len(e.hooks.rotations) != 1 {
			t.Fatalf("create a collection: %+v, %v (hooks %+v)", res, err, e.hooks.rotations)
		}
	})
}

// TestReencryptSealed: re-sealed records replace older ones atomically,
// only at the current epoch and only while still at their previous one.
func TestReencryptSealed(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newSealedEnv(t, open(t))
		_, err := e.svc.PutRecord(ctx, alice, diary, "3ktwo", note("two"))
		must(t, err)
		_, err = e.svc.Rotate(ctx, alice, diary, false)
		must(t, err)
		e.refreshKeys(t)
		reseal := func(rkey string, epoch uint64, prev uint64) Reencrypted {
			mac, env, err := e.ck.SealRecord(epoch, rkey, note("re "+rkey))
			must(t, err)
			return Reencrypted{RKeyMAC: mac, PrevEpoch: prev, Envelope: env}
		}
		for _, c := range []struct {
			what string
			rs   []Reencrypted
			want error
		}{
			{"an envelope at the old epoch", []Reencrypted{reseal("3kone", 1, 1)}, ErrStaleEpoch},
			{"prevEpoch not older", []Reencrypted{reseal("3kone", 2, 2)}, ErrInvalid},
			{"a record twice", []Reencrypted{reseal("3kone", 2, 1), reseal("3kone", 2, 1)}, ErrInvalid},
			{"a record that does not exist", []Reencrypted{reseal("3kone", 2, 1), reseal("3kzzz", 2, 1)}, store.ErrConflict},
			{"too many", make([]Reencrypted, MaxReencryptBatch+1), ErrInvalid},
		} {
			_, err := e.svc.Reencrypt(ctx, alice, diary, c.rs)
			isErr(t, c.what, err, c.want)
		}
		if old, _ := e.st.ListPrivateRecords(ctx, alice, diary, store.PrivateListOptions{MaxEpoch: 1}); len(old) != 2 {
			t.Fatalf("refused batches changed records: %d left at epoch 1", len(old))
		}
		res, err := e.svc.Reencrypt(ctx, alice, diary, []Reencrypted{reseal("3kone", 2, 1)})
		if err != nil || res != (ReencryptResult{Reencrypted: 1, Pending: true}) {
			t.Fatalf("first batch: %+v, %v", res, err)
		}
		res, err = e.svc.Reencrypt(ctx, alice, diary, []Reencrypted{reseal("3ktwo", 2, 1)})
		if err != nil || res != (ReencryptResult{Reencrypted: 1, Pending: false}) {
			t.Fatalf("last batch: %+v, %v", res, err)
		}
		got, err := e.svc.GetRecord(ctx, alice, diary, "3ktwo")
		if err != nil || got.Epoch != 2 || string(got.Value) != `{"text":"re 3ktwo"}` {
			t.Fatalf("re-encrypted record: %+v, %v", got, err)
		}
	})
}

// TestInProcessGrantAsksTheHooks: the owner-side Grant, Revoke and Rotate
// run the same hooks as the XRPC path: a refused grant stores nothing (not
// even a new collection's epoch), and rotations are told.
func TestInProcessGrantAsksTheHooks(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newSealedEnv(t, open(t))
		carolID, err := crypt.NewIdentity()
		must(t, err)
		_, err = e.svc.Grant(ctx, alice, "com.example.fresh", carol, carolID.Public())
		isErr(t, "refused grant", err, ErrGrantRefused)
		if _, err := e.st.CurrentKeyEpoch(ctx, alice, "com.example.fresh"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a refused grant created the collection: %v", err)
		}
		_, err = e.svc.Grant(ctx, alice, diary, bob, e.bob.Public())
		must(t, err)
		_, err = e.svc.Revoke(ctx, alice, diary, bob, RevokeOptions{Reencrypt: true})
		must(t, err)
		_, err = e.svc.Rotate(ctx, alice, diary, false)
		must(t, err)
		want := []GrantEvent{
			{Owner: alice, Collection: diary, Grantee: bob, Epoch: 2, Reason: store.RotationRevoke},
			{Owner: alice, Collection: diary, Epoch: 3, Reason: store.RotationRotate},
		}
		if len(e.hooks.rotations) != 2 || e.hooks.rotations[0] != want[0] || e.hooks.rotations[1] != want[1] {
			t.Fatalf("rotations told: %+v", e.hooks.rotations)
		}
		if old, _ := e.st.ListPrivateRecords(ctx, alice, diary, store.PrivateListOptions{MaxEpoch: 1}); len(old) != 0 {
			t.Fatalf("%d records left at epoch 1 after a hard revoke", len(old))
		}
	})
}
