package privacy

import (
	"bytes"
	"maps"
	"slices"
	"testing"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

func TestIdentity(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newEnv(t, open(t))
		_, err := e.svc.CreateIdentity(ctx, alice)
		isErr(t, "second identity", err, ErrIdentityExists)

		pub, rec, err := e.svc.PublicKey(ctx, alice)
		must(t, err)
		recovered, err := crypt.ParseRecoveryCode(e.code)
		must(t, err)
		if !bytes.Equal(pub.Key, recovered.Public().Key) || rec.KeyID != pub.KeyID() || rec.Type != crypt.KeyRecordNSID || pub.KEMID != crypt.KEMX25519 {
			t.Fatalf("public key %+v, record %+v", pub, rec)
		}
		_, _, err = e.svc.PublicKey(ctx, carol)
		isErr(t, "no identity", err, ErrNoIdentity)

		k, err := e.st.GetUserKey(ctx, alice)
		must(t, err)
		if k.KEMID != crypt.KEMX25519 || bytes.Contains(k.WrappedSeed, recovered.Seed()) || len(k.WrappedSeed) < 32+40 {
			t.Fatalf("stored key: kem %#x, wrapped seed %d bytes (or in clear)", k.KEMID, len(k.WrappedSeed))
		}

		// Without the master key, the owner side is refused.
		locked, err := New(Config{Store: e.st})
		must(t, err)
		_, err = locked.PutRecord(ctx, alice, diary, "3kabc", note("x"))
		isErr(t, "locked put", err, ErrLocked)
		_, err = locked.CreateIdentity(ctx, carol)
		isErr(t, "locked create", err, ErrLocked)

		// A wrapped seed is bound to its row: moved to another account it
		// does not open.
		if _, err := e.st.CreateAccount(ctx, storetestAccount(erin)); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.CreateIdentity(ctx, erin)
		must(t, err)
		ek, err := e.st.GetUserKey(ctx, erin)
		must(t, err)
		must(t, e.st.RewrapUserKey(ctx, erin, ek.KeyID, k.WrappedSeed))
		_, err = e.svc.unlock(ctx, erin)
		isErr(t, "moved wrapped seed", err, ErrSeedMissing)
	})
}

func TestRecords(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newEnv(t, open(t))
		for _, rkey := range []string{"3kaaa", "3kbbb", "3kccc"} {
			_, err := e.svc.PutRecord(ctx, alice, diary, rkey, note("secret "+rkey))
			must(t, err)
		}
		_, err := e.svc.PutRecord(ctx, alice, diary, "3kbbb", note("edited"))
		must(t, err)
		_, err = e.svc.PutRecord(ctx, alice, diary, "3kddd", []byte("{not json"))
		isErr(t, "not JSON", err, ErrInvalid)
		_, err = e.svc.PutRecord(ctx, alice, "not an nsid", "3k", note("x"))
		isErr(t, "bad collection", err, ErrInvalid)

		got, err := e.svc.GetRecord(ctx, alice, diary, "3kbbb")
		must(t, err)
		if got.RKey != "3kbbb" || string(got.Value) != `{"text":"edited"}` || got.Epoch != 1 || got.Rev == "" || got.CID == "" {
			t.Fatalf("GetRecord = %+v", got)
		}
		_, err = e.svc.GetRecord(ctx, alice, diary, "3kzzz")
		isErr(t, "absent record", err, store.ErrNotFound)

		all, err := e.svc.ListRecords(ctx, alice, diary, "", 0)
		must(t, err)
		if len(all) != 3 {
			t.Fatalf("ListRecords = %d records", len(all))
		}
		page, err := e.svc.ListRecords(ctx, alice, diary, all[0].RKey, 1)
		must(t, err)
		if len(page) != 1 || page[0].RKey != all[1].RKey {
			t.Fatalf("second page = %+v, want %s", page, all[1].RKey)
		}

		// The server's rows hold no rkey and no plaintext.
		rows, err := e.st.ListPrivateRecords(ctx, alice, diary, store.PrivateListOptions{})
		must(t, err)
		for _, r := range rows {
			for _, leak := range []string{"3kaaa", "3kbbb", "3kccc", "secret", "edited"} {
				if bytes.Contains(r.Envelope, []byte(leak)) || bytes.Contains(r.RKeyMAC, []byte(leak)) {
					t.Fatalf("a stored row holds %q in clear", leak)
				}
			}
		}

		// A client writing an envelope of an old epoch is told to re-seal.
		_, err = e.svc.Rotate(ctx, alice, diary, false)
		must(t, err)
		_, err = e.svc.PutEnvelope(ctx, alice, diary, rows[0].RKeyMAC, rows[0].Envelope)
		isErr(t, "envelope at epoch 1 after rotation", err, ErrStaleEpoch)
		_, err = e.svc.PutEnvelope(ctx, alice, diary, rows[0].RKeyMAC, []byte("junk"))
		isErr(t, "junk envelope", err, ErrInvalid)

		must(t, e.svc.DeleteRecord(ctx, alice, diary, "3kaaa"))
		isErr(t, "delete again", e.svc.DeleteRecord(ctx, alice, diary, "3kaaa"), store.ErrNotFound)
		cs, err := e.svc.Collections(ctx, alice)
		must(t, err)
		if len(cs) != 1 || cs[0].Records != 2 || cs[0].Epoch != 2 {
			t.Fatalf("collections = %+v", cs)
		}
	})
}

// TestEditedRowRefused: an envelope moved to another row, or a row edited
// in the database, fails to decrypt with a clear error.
func TestEditedRowRefused(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newEnv(t, open(t))
		a, err := e.svc.PutRecord(ctx, alice, diary, "3kaaa", note("one"))
		must(t, err)
		b, err := e.svc.PutRecord(ctx, alice, diary, "3kbbb", note("two"))
		must(t, err)
		// Swap the envelopes of the two rows (same epoch, same owner).
		a.Envelope, b.Envelope = b.Envelope, a.Envelope
		must(t, e.st.PutPrivateRecord(ctx, a))
		must(t, e.st.PutPrivateRecord(ctx, b))
		_, err = e.svc.GetRecord(ctx, alice, diary, "3kaaa")
		isErr(t, "swapped envelope", err, crypt.ErrDecrypt)
		// Flip a byte of a stored envelope.
		b.Envelope = bytes.Clone(a.Envelope)
		b.Envelope[len(b.Envelope)-3] ^= 1
		must(t, e.st.PutPrivateRecord(ctx, b))
		_, err = e.svc.GetRecord(ctx, alice, diary, "3kbbb")
		isErr(t, "edited envelope", err, crypt.ErrDecrypt)
	})
}

func TestGrantRevoke(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newEnv(t, open(t))
		_, err := e.svc.PutRecord(ctx, alice, diary, "3kold", note("before"))
		must(t, err)

		bobKey, err := e.svc.ResolveGranteeKey(ctx, bob)
		must(t, err)
		if bobKey.KeyID() != e.bob.Public().KeyID() {
			t.Fatal("resolved another key for bob")
		}
		gs, err := e.svc.Grant(ctx, alice, diary, bob, bobKey)
		must(t, err)
		if len(gs) != 1 || gs[0].GranteeKeyID != bobKey.KeyID() {
			t.Fatalf("grants to bob = %+v", gs)
		}
		again, err := e.svc.Grant(ctx, alice, diary, bob, bobKey)
		must(t, err)
		if len(again) != 1 {
			t.Fatalf("granting twice made %d grants", len(again))
		}
		_, err = e.svc.Grant(ctx, alice, diary, erin, e.erin.Public())
		must(t, err)
		_, err = e.svc.Grant(ctx, alice, diary, alice, e.erin.Public())
		isErr(t, "grant to oneself", err, ErrInvalid)

		// Bob fetches his sealed keys and reads.
		bobCK, err := e.granteeKeys(t, bob, e.bob)
		must(t, err)
		texts, err := e.readAll(t, bob, bobCK)
		must(t, err)
		if texts["3kold"] != `{"text":"before"}` {
			t.Fatalf("bob read %v", texts)
		}

		// Carol is refused, and cannot open bob's grant bytes.
		_, err = e.svc.GrantKeys(ctx, carol, alice, diary)
		isErr(t, "carol's grant keys", err, ErrForbidden)
		_, err = e.svc.ListEnvelopes(ctx, carol, alice, diary, nil, 0)
		isErr(t, "carol lists", err, ErrForbidden)
		_, err = e.svc.ListEnvelopes(ctx, carol, alice, "app.example.none", nil, 0)
		isErr(t, "carol lists an absent collection", err, ErrForbidden)
		leaked, err := e.svc.GrantKeys(ctx, bob, alice, diary)
		must(t, err)
		carolID, _ := crypt.NewIdentity()
		_, err = crypt.KeysFromGrants(carolID, alice, carol, diary, leaked)
		isErr(t, "carol opens leaked grants", err, crypt.ErrGrantOpen)
		_, err = crypt.KeysFromGrants(carolID, alice, bob, diary, leaked)
		isErr(t, "carol opens leaked grants as bob", err, crypt.ErrGrantOpen)
		// A grant opened for the wrong epoch fails.
		_, err = crypt.OpenGrant(e.bob, crypt.GrantContext{Owner: alice, Grantee: bob, Collection: diary, Epoch: 2}, leaked[0].Sealed)
		isErr(t, "wrong epoch", err, crypt.ErrGrantOpen)

		// Revoke bob: new epoch sealed to alice and erin, atomically.
		res, err := e.svc.Revoke(ctx, alice, diary, bob, RevokeOptions{})
		must(t, err)
		if res.Epoch != 2 || res.Resealed != 2 || res.Reencrypted != 0 {
			t.Fatalf("revoke = %+v", res)
		}
		_, err = e.svc.Revoke(ctx, alice, diary, bob, RevokeOptions{})
		isErr(t, "revoke twice", err, store.ErrNotFound)
		_, err = e.svc.PutRecord(ctx, alice, diary, "3knew", note("after"))
		must(t, err)

		// Bob is refused at every epoch.
		_, err = e.svc.GrantKeys(ctx, bob, alice, diary)
		isErr(t, "bob's grant keys after revoke", err, ErrForbidden)
		_, err = e.svc.ListEnvelopes(ctx, bob, alice, diary, nil, 0)
		isErr(t, "bob lists after revoke", err, ErrForbidden)
		_, err = e.svc.GetEnvelope(ctx, bob, alice, diary, bobCK.RKeyMAC("3kold"))
		isErr(t, "bob gets an epoch-1 record", err, ErrForbidden)
		// Bob's old keys do not open the new record, and he cannot open
		// the re-sealed grants of epoch 2, even if they leak.
		newRow, err := e.st.GetPrivateRecord(ctx, alice, diary, bobCK.RKeyMAC("3knew"))
		must(t, err)
		_, err = bobCK.OpenRecord(newRow.RKeyMAC, newRow.Envelope)
		isErr(t, "bob opens an epoch-2 record", err, crypt.ErrNoEpochKey)
		epoch2, err := e.st.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: alice, Collection: diary, Epoch: 2})
		must(t, err)
		for _, g := range epoch2 {
			for _, as := range []string{bob, g.GranteeDID} {
				_, err := crypt.OpenGrant(e.bob, crypt.GrantContext{Owner: alice, Grantee: as, Collection: diary, Epoch: 2}, g.SealedKey)
				isErr(t, "bob opens "+g.GranteeDID+"'s epoch-2 grant", err, crypt.ErrGrantOpen)
			}
		}

		// Erin still reads old and new.
		erinCK, err := e.granteeKeys(t, erin, e.erin)
		must(t, err)
		if got := erinCK.Epochs(); !slices.Equal(got, []uint64{1, 2}) {
			t.Fatalf("erin holds epochs %v", got)
		}
		texts, err = e.readAll(t, erin, erinCK)
		must(t, err)
		if want := map[string]string{"3kold": `{"text":"before"}`, "3knew": `{"text":"after"}`}; !maps.Equal(texts, want) {
			t.Fatalf("erin read %v", texts)
		}

		// History.
		hist, err := e.svc.Rotations(ctx, alice, diary)
		must(t, err)
		if len(hist) != 2 || hist[0].Reason != store.RotationCreate || hist[1].Reason != store.RotationRevoke || hist[1].ActorDID != alice {
			t.Fatalf("rotations = %+v", hist)
		}
		all, err := e.svc.ListGrants(ctx, alice, diary, true)
		must(t, err)
		revoked := 0
		for _, g := range all {
			if !g.Active() {
				revoked++
				if g.GranteeDID != bob {
					t.Fatalf("revoked grant of %s", g.GranteeDID)
				}
			}
		}
		if revoked != 1 {
			t.Fatalf("%d revoked grants, want bob's one", revoked)
		}

		// Hard revoke of erin: every record moves to epoch 3.
		res, err = e.svc.Revoke(ctx, alice, diary, erin, RevokeOptions{Reencrypt: true})
		must(t, err)
		if res.Epoch != 3 || res.Resealed != 1 || res.Reencrypted != 2 {
			t.Fatalf("hard revoke = %+v", res)
		}
		old, err := e.st.ListPrivateRecords(ctx, alice, diary, store.PrivateListOptions{MaxEpoch: 2})
		must(t, err)
		if len(old) != 0 {
			t.Fatalf("%d records remain at epoch <= 2", len(old))
		}
		// Erin's old keys open nothing any more, and the owner reads all.
		rows, err := e.st.ListPrivateRecords(ctx, alice, diary, store.PrivateListOptions{})
		must(t, err)
		for _, r := range rows {
			_, err := erinCK.OpenRecord(r.RKeyMAC, r.Envelope)
			isErr(t, "erin after hard revoke", err, crypt.ErrNoEpochKey)
		}
		recs, err := e.svc.ListRecords(ctx, alice, diary, "", 0)
		must(t, err)
		if len(recs) != 2 || recs[0].Epoch != 3 || recs[1].Epoch != 3 {
			t.Fatalf("owner's records after hard revoke = %+v", recs)
		}
	})
}

// TestGranteeKeyChange: a grantee that publishes a new key stops rotations
// until the owner confirms the new key by granting again.
func TestGranteeKeyChange(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newEnv(t, open(t))
		_, err := e.svc.PutRecord(ctx, alice, diary, "3kold", note("x"))
		must(t, err)
		_, err = e.svc.Grant(ctx, alice, diary, erin, e.erin.Public())
		must(t, err)
		newErin, _ := crypt.NewIdentity()
		e.remote.set(erin, newErin.Public())
		_, err = e.svc.Rotate(ctx, alice, diary, false)
		isErr(t, "rotate with a changed grantee key", err, ErrKeyChanged)

		_, err = e.svc.Grant(ctx, alice, diary, erin, newErin.Public())
		must(t, err)
		ck, err := e.granteeKeys(t, erin, newErin)
		must(t, err)
		if _, err := e.readAll(t, erin, ck); err != nil {
			t.Fatal(err)
		}
		_, err = e.granteeKeys(t, erin, e.erin)
		isErr(t, "erin's old key", err, crypt.ErrGrantOpen)
		_, err = e.svc.Rotate(ctx, alice, diary, false)
		must(t, err)
	})
}

// TestRegrantAfterRevoke: a revoked grantee granted again reads every
// epoch, old and new, and a grantee missing an epoch gets it on re-grant.
func TestRegrantAfterRevoke(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newEnv(t, open(t))
		_, err := e.svc.PutRecord(ctx, alice, diary, "3kone", note("one"))
		must(t, err)
		_, err = e.svc.Grant(ctx, alice, diary, bob, e.bob.Public())
		must(t, err)
		_, err = e.svc.Revoke(ctx, alice, diary, bob, RevokeOptions{})
		must(t, err)
		_, err = e.svc.PutRecord(ctx, alice, diary, "3ktwo", note("two"))
		must(t, err)
		gs, err := e.svc.Grant(ctx, alice, diary, bob, e.bob.Public())
		must(t, err)
		if len(gs) != 2 {
			t.Fatalf("re-grant made %d active grants, want epochs 1 and 2", len(gs))
		}
		ck, err := e.granteeKeys(t, bob, e.bob)
		must(t, err)
		texts, err := e.readAll(t, bob, ck)
		must(t, err)
		if len(texts) != 2 {
			t.Fatalf("bob read %v", texts)
		}

		// A rotation that misses a reader (as if a grant raced it) is
		// refused by the store; granting again completes nothing then.
		_, err = e.svc.Grant(ctx, alice, diary, erin, e.erin.Public())
		must(t, err)
		rot := store.KeyRotation{OwnerDID: alice, Collection: diary, Epoch: 3, Reason: store.RotationRotate, ActorDID: alice, CreatedAt: e.svc.now()}
		id, err := e.svc.unlock(ctx, alice)
		must(t, err)
		ck3, _, err := e.svc.ownerKeys(ctx, id, alice, diary)
		must(t, err)
		k3, _ := crypt.NewEpochKey()
		must(t, ck3.AddEpoch(3, k3))
		own, err := e.svc.sealTo(ck3, 3, alice, id.Public())
		must(t, err)
		err = e.st.CreateKeyEpoch(ctx, rot, []store.KeyGrant{own}, nil) // erin left out
		isErr(t, "a rotation leaving erin out", err, store.ErrConflict)
		if cur, err := e.st.CurrentKeyEpoch(ctx, alice, diary); err != nil || cur != 2 {
			t.Fatalf("epoch after the refused rotation = %d, %v; want 2", cur, err)
		}
		_, err = e.granteeKeys(t, erin, e.erin)
		must(t, err)
	})
}
