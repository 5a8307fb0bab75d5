package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/store"
)

// privColl is the private collection the privacy tests use.
const privColl = "app.example.diary"

// userKey returns a key of did with keyID.
func userKey(did, keyID string) store.UserKey {
	return store.UserKey{DID: did, KeyID: keyID, KEMID: 0x20, PublicKey: bytes.Repeat([]byte{1}, 32),
		WrappedSeed: []byte("wrapped-" + keyID), CreatedAt: base}
}

// keyGrant returns a grant of owner's privColl epoch to grantee.
func keyGrant(owner, grantee string, epoch uint64) store.KeyGrant {
	return store.KeyGrant{OwnerDID: owner, Collection: privColl, Epoch: epoch, GranteeDID: grantee,
		GranteeKeyID: "key-" + grantee, KEMID: 0x20, SealedKey: []byte(fmt.Sprintf("sealed %d for %s", epoch, grantee)), CreatedAt: base}
}

// rotation returns the start of epoch of owner's privColl.
func rotation(owner string, epoch uint64, reason string) store.KeyRotation {
	return store.KeyRotation{OwnerDID: owner, Collection: privColl, Epoch: epoch, Reason: reason, ActorDID: owner,
		CreatedAt: base.Add(time.Duration(epoch) * time.Hour)}
}

// privRecord returns an envelope row of owner's privColl.
func privRecord(owner string, mac byte, epoch uint64) store.PrivateRecord {
	env := []byte(fmt.Sprintf("envelope %d at %d", mac, epoch))
	return store.PrivateRecord{OwnerDID: owner, Collection: privColl, RKeyMAC: bytes.Repeat([]byte{mac}, 32),
		Epoch: epoch, Envelope: env, CID: CID(env), Rev: fmt.Sprintf("rev%03d", mac)}
}

// grantees lists "grantee@epoch" of the grants matching f.
func grantees(t *testing.T, s store.Store, f store.KeyGrantFilter) []string {
	t.Helper()
	gs, err := s.ListKeyGrants(t.Context(), f)
	must(t, err)
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = fmt.Sprintf("%s@%d", g.GranteeDID, g.Epoch)
		if g.RevokedAt != nil {
			out[i] += "-revoked"
		}
	}
	return out
}

// testPrivacyUserKeys: one active key per account, its wrapped seed
// replaced, its backup set and cleared, the recovery code confirmed.
func testPrivacyUserKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	_, err := s.GetUserKey(ctx, alice)
	notFound(t, err)
	mustBe(t, s.CreateUserKey(ctx, userKey(carol, "k1")), store.ErrNotFound) // no such account

	must(t, s.CreateUserKey(ctx, userKey(alice, "k1")))
	mustBe(t, s.CreateUserKey(ctx, userKey(alice, "k2")), store.ErrConflict) // one active key
	k, err := s.GetUserKey(ctx, alice)
	must(t, err)
	if k.KeyID != "k1" || k.KEMID != 0x20 || !bytes.Equal(k.PublicKey, bytes.Repeat([]byte{1}, 32)) ||
		string(k.WrappedSeed) != "wrapped-k1" || !k.CreatedAt.Equal(base) || k.RetiredAt != nil || k.Backup != nil || k.BackupAt != nil {
		t.Fatalf("user key = %+v", k)
	}

	must(t, s.RewrapUserKey(ctx, alice, "k1", []byte("rewrapped")))
	notFound(t, s.RewrapUserKey(ctx, alice, "nope", []byte("x")))
	later := base.Add(time.Minute)
	must(t, s.SetKeyBackup(ctx, alice, "k1", []byte("backup"), later))
	must(t, s.ConfirmRecoveryCode(ctx, alice, "k1", later))
	notFound(t, s.ConfirmRecoveryCode(ctx, bob, "k1", later))
	k, err = s.GetUserKey(ctx, alice)
	must(t, err)
	if string(k.WrappedSeed) != "rewrapped" || string(k.Backup) != "backup" || k.BackupAt == nil || !k.BackupAt.Equal(later) ||
		k.RecoveryConfirmedAt == nil || !k.RecoveryConfirmedAt.Equal(later) {
		t.Fatalf("user key after updates = %+v", k)
	}
	must(t, s.SetKeyBackup(ctx, alice, "k1", nil, later))
	k, err = s.GetUserKey(ctx, alice)
	must(t, err)
	if k.Backup != nil || k.BackupAt != nil {
		t.Fatalf("backup not cleared: %+v", k)
	}

	retired := userKey(alice, "k0")
	retired.RetiredAt = &later
	must(t, s.CreateUserKey(ctx, retired)) // a retired key beside the active one
	ks, err := s.ListUserKeys(ctx, alice)
	must(t, err)
	if len(ks) != 2 {
		t.Fatalf("ListUserKeys = %d keys, want 2", len(ks))
	}
}

// testPrivacyEpochs: epochs follow each other, a revocation marks every
// grant of the revoked DID in the collection and lands with the new epoch's
// grants atomically, and grants of missing epochs are refused.
func testPrivacyEpochs(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	_, err := s.CurrentKeyEpoch(ctx, alice, privColl)
	notFound(t, err)
	mustBe(t, s.CreateKeyEpoch(ctx, rotation(alice, 2, store.RotationCreate), nil, nil), store.ErrConflict)
	mustBe(t, s.CreateKeyEpoch(ctx, rotation(carol, 1, store.RotationCreate), nil, nil), store.ErrNotFound)

	must(t, s.CreateKeyEpoch(ctx, rotation(alice, 1, store.RotationCreate),
		[]store.KeyGrant{keyGrant(alice, alice, 1), keyGrant(alice, bob, 1), keyGrant(alice, remote, 1)}, nil))
	mustBe(t, s.CreateKeyEpoch(ctx, rotation(alice, 1, store.RotationCreate), nil, nil), store.ErrConflict)
	mustBe(t, s.AddKeyGrants(ctx, []store.KeyGrant{keyGrant(alice, bob, 1)}), store.ErrConflict)
	mustBe(t, s.AddKeyGrants(ctx, []store.KeyGrant{keyGrant(alice, carol, 2)}), store.ErrNotFound)

	// A failing grant inside a rotation leaves nothing behind.
	err = s.CreateKeyEpoch(ctx, rotation(alice, 2, store.RotationRotate),
		[]store.KeyGrant{keyGrant(alice, alice, 2), keyGrant(alice, alice, 2)}, []string{bob})
	mustBe(t, err, store.ErrConflict)
	cur, err := s.CurrentKeyEpoch(ctx, alice, privColl)
	must(t, err)
	equal(t, "epoch after a failed rotation", cur, 1)
	equalSlice(t, "grants after a failed rotation", grantees(t, s, store.KeyGrantFilter{OwnerDID: alice}),
		[]string{alice + "@1", bob + "@1", remote + "@1"})

	// The new epoch must reach exactly the readers left: one left out (a
	// grant that landed after the caller listed them) or one too many is
	// a conflict, and nothing lands.
	mustBe(t, s.CreateKeyEpoch(ctx, rotation(alice, 2, store.RotationRevoke),
		[]store.KeyGrant{keyGrant(alice, alice, 2)}, []string{bob}), store.ErrConflict)
	mustBe(t, s.CreateKeyEpoch(ctx, rotation(alice, 2, store.RotationRevoke),
		[]store.KeyGrant{keyGrant(alice, alice, 2), keyGrant(alice, remote, 2), keyGrant(alice, bob, 2)}, []string{bob}), store.ErrConflict)
	equalSlice(t, "grants after refused rotations", grantees(t, s, store.KeyGrantFilter{OwnerDID: alice}),
		[]string{alice + "@1", bob + "@1", remote + "@1"})
	must(t, s.CreateKeyEpoch(ctx, rotation(alice, 2, store.RotationRevoke),
		[]store.KeyGrant{keyGrant(alice, alice, 2), keyGrant(alice, remote, 2)}, []string{bob}))
	cur, err = s.CurrentKeyEpoch(ctx, alice, privColl)
	must(t, err)
	equal(t, "epoch after revoking", cur, 2)
	equalSlice(t, "active grants", grantees(t, s, store.KeyGrantFilter{OwnerDID: alice, Collection: privColl}),
		[]string{alice + "@1", remote + "@1", alice + "@2", remote + "@2"})
	equalSlice(t, "bob's grants", grantees(t, s, store.KeyGrantFilter{OwnerDID: alice, GranteeDID: bob, IncludeRevoked: true}),
		[]string{bob + "@1-revoked"})
	equalSlice(t, "epoch 2", grantees(t, s, store.KeyGrantFilter{OwnerDID: alice, Epoch: 2}), []string{alice + "@2", remote + "@2"})

	// Bob can be granted again, at old epochs too.
	must(t, s.AddKeyGrants(ctx, []store.KeyGrant{keyGrant(alice, bob, 1), keyGrant(alice, bob, 2)}))
	equalSlice(t, "bob again", grantees(t, s, store.KeyGrantFilter{OwnerDID: alice, GranteeDID: bob, IncludeRevoked: true}),
		[]string{bob + "@1-revoked", bob + "@1", bob + "@2"})
	gs, err := s.ListKeyGrants(ctx, store.KeyGrantFilter{OwnerDID: alice, GranteeDID: remote, Epoch: 2})
	must(t, err)
	if len(gs) != 1 || gs[0].GranteeKeyID != "key-"+remote || gs[0].KEMID != 0x20 || !gs[0].CreatedAt.Equal(base) ||
		string(gs[0].SealedKey) != "sealed 2 for "+remote {
		t.Fatalf("grant = %+v", gs)
	}

	rs, err := s.ListKeyRotations(ctx, alice, privColl)
	must(t, err)
	if len(rs) != 2 || rs[0].Epoch != 1 || rs[0].Reason != store.RotationCreate || rs[1].Epoch != 2 ||
		rs[1].Reason != store.RotationRevoke || rs[1].ActorDID != alice || !rs[1].CreatedAt.Equal(base.Add(2*time.Hour)) {
		t.Fatalf("rotations = %+v", rs)
	}
	all, err := s.ListKeyRotations(ctx, alice, "")
	must(t, err)
	equal(t, "rotations of every collection", len(all), 2)
}

// testPrivacyEpochRace: of concurrent rotations to the same epoch, exactly
// one lands.
func testPrivacyEpochRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	must(t, s.CreateKeyEpoch(ctx, rotation(alice, 1, store.RotationCreate), []store.KeyGrant{keyGrant(alice, alice, 1)}, nil))
	const n = 6
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		oks  int
		errs []error
	)
	for range n {
		wg.Go(func() {
			err := s.CreateKeyEpoch(ctx, rotation(alice, 2, store.RotationRotate), []store.KeyGrant{keyGrant(alice, alice, 2)}, nil)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				oks++
			} else if !errors.Is(err, store.ErrConflict) {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	if oks != 1 || len(errs) > 0 {
		t.Fatalf("%d rotations landed (want 1), unexpected errors %v", oks, errs)
	}
	equalSlice(t, "grants", grantees(t, s, store.KeyGrantFilter{OwnerDID: alice}), []string{alice + "@1", alice + "@2"})
}

// testPrivacyRecords: envelopes are stored under their rkey MAC, replaced,
// paged, filtered by epoch, re-encrypted all or nothing, and deleted.
func testPrivacyRecords(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	mustBe(t, s.PutPrivateRecord(ctx, privRecord(alice, 1, 1)), store.ErrNotFound) // no epoch yet
	must(t, s.CreateKeyEpoch(ctx, rotation(alice, 1, store.RotationCreate), nil, nil))
	must(t, s.CreateKeyEpoch(ctx, rotation(alice, 2, store.RotationRotate), nil, nil))
	for mac := byte(1); mac <= 5; mac++ {
		must(t, s.PutPrivateRecord(ctx, privRecord(alice, mac, 1)))
	}
	must(t, s.PutPrivateRecord(ctx, privRecord(alice, 3, 2))) // replaces
	mustBe(t, s.PutPrivateRecord(ctx, privRecord(alice, 6, 3)), store.ErrNotFound)

	r, err := s.GetPrivateRecord(ctx, alice, privColl, bytes.Repeat([]byte{3}, 32))
	must(t, err)
	want := privRecord(alice, 3, 2)
	if r.Epoch != 2 || !bytes.Equal(r.Envelope, want.Envelope) || r.CID != want.CID || r.Rev != want.Rev || r.OwnerDID != alice {
		t.Fatalf("private record = %+v", r)
	}
	_, err = s.GetPrivateRecord(ctx, alice, "app.example.other", bytes.Repeat([]byte{3}, 32))
	notFound(t, err)

	macs := func(opts store.PrivateListOptions) []byte {
		rs, err := s.ListPrivateRecords(ctx, alice, privColl, opts)
		must(t, err)
		out := make([]byte, len(rs))
		for i, r := range rs {
			out[i] = r.RKeyMAC[0]
		}
		return out
	}
	equalBytes(t, "all", macs(store.PrivateListOptions{}), []byte{1, 2, 3, 4, 5})
	equalBytes(t, "page", macs(store.PrivateListOptions{After: bytes.Repeat([]byte{2}, 32), Limit: 2}), []byte{3, 4})
	equalBytes(t, "epoch <= 1", macs(store.PrivateListOptions{MaxEpoch: 1}), []byte{1, 2, 4, 5})

	cs, err := s.ListPrivateCollections(ctx, alice)
	must(t, err)
	if len(cs) != 1 || cs[0].Collection != privColl || cs[0].Epoch != 2 || cs[0].Records != 5 {
		t.Fatalf("private collections = %+v", cs)
	}

	// Re-encryption: all or nothing, and only over the expected epoch.
	up := func(mac byte, prev uint64) store.PrivateRecordUpdate {
		return store.PrivateRecordUpdate{PrivateRecord: privRecord(alice, mac, 2), Prev: prev}
	}
	mustBe(t, s.PutPrivateRecords(ctx, []store.PrivateRecordUpdate{up(1, 1), up(3, 1)}), store.ErrConflict)
	equalBytes(t, "after a refused re-encryption", macs(store.PrivateListOptions{MaxEpoch: 1}), []byte{1, 2, 4, 5})
	must(t, s.PutPrivateRecords(ctx, []store.PrivateRecordUpdate{up(1, 1), up(2, 1), up(4, 1), up(5, 1)}))
	equalBytes(t, "after re-encryption", macs(store.PrivateListOptions{MaxEpoch: 1}), []byte{})

	must(t, s.DeletePrivateRecord(ctx, alice, privColl, bytes.Repeat([]byte{2}, 32)))
	notFound(t, s.DeletePrivateRecord(ctx, alice, privColl, bytes.Repeat([]byte{2}, 32)))
	equalBytes(t, "after delete", macs(store.PrivateListOptions{}), []byte{1, 3, 4, 5})
}

// testPrivacyBlobs: private blob metadata is stored idempotently, paged and
// deleted, apart from the public blob listing.
func testPrivacyBlobs(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	c1, c2 := RandomCID(), RandomCID()
	mustBe(t, s.PutPrivateBlob(ctx, store.PrivateBlob{OwnerDID: carol, CID: c1, Size: 1, CreatedAt: base}), store.ErrNotFound)
	must(t, s.PutPrivateBlob(ctx, store.PrivateBlob{OwnerDID: alice, CID: c1, Size: 100, CreatedAt: base}))
	must(t, s.PutPrivateBlob(ctx, store.PrivateBlob{OwnerDID: alice, CID: c1, Size: 100, CreatedAt: base.Add(time.Second)}))
	must(t, s.PutPrivateBlob(ctx, store.PrivateBlob{OwnerDID: alice, CID: c2, Size: 200, CreatedAt: base}))
	b, err := s.GetPrivateBlob(ctx, alice, c1)
	must(t, err)
	if b.Size != 100 || b.CID != c1 || !b.CreatedAt.Equal(base.Add(time.Second)) {
		t.Fatalf("private blob = %+v", b)
	}
	list := func(cursor cid.Cid, limit int) []cid.Cid {
		bs, err := s.ListPrivateBlobs(ctx, alice, cursor, limit)
		must(t, err)
		out := make([]cid.Cid, len(bs))
		for i, b := range bs {
			out[i] = b.CID
		}
		return out
	}
	sorted := sortedCIDs(c1, c2)
	equalSlice(t, "private blobs", list(cid.Undef, 0), sorted)
	equalSlice(t, "page 2", list(sorted[0], 1), sorted[1:])
	public, err := s.ListBlobs(ctx, alice, "", "", 100)
	must(t, err)
	equal(t, "public blobs", len(public), 0)
	must(t, s.DeletePrivateBlob(ctx, alice, c1))
	notFound(t, s.DeletePrivateBlob(ctx, alice, c1))
	_, err = s.GetPrivateBlob(ctx, alice, c1)
	notFound(t, err)
}

// testPrivacyAccountDelete: deleting an account removes its keys, epochs,
// grants, envelopes and private blobs, and nobody else's.
func testPrivacyAccountDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, did := range []string{alice, bob} {
		createAccount(t, s, did, did[8:13]+".test")
		must(t, s.CreateUserKey(ctx, userKey(did, "k1")))
		must(t, s.CreateKeyEpoch(ctx, rotation(did, 1, store.RotationCreate), []store.KeyGrant{keyGrant(did, did, 1)}, nil))
		must(t, s.PutPrivateRecord(ctx, privRecord(did, 1, 1)))
		must(t, s.PutPrivateBlob(ctx, store.PrivateBlob{OwnerDID: did, CID: RandomCID(), Size: 1, CreatedAt: base}))
	}
	_, err := s.DeleteAccount(ctx, alice, nil)
	must(t, err)
	_, err = s.GetUserKey(ctx, alice)
	notFound(t, err)
	_, err = s.CurrentKeyEpoch(ctx, alice, privColl)
	notFound(t, err)
	equal(t, "alice's grants", len(grantees(t, s, store.KeyGrantFilter{OwnerDID: alice, IncludeRevoked: true})), 0)
	_, err = s.GetPrivateRecord(ctx, alice, privColl, bytes.Repeat([]byte{1}, 32))
	notFound(t, err)
	bs, err := s.ListPrivateBlobs(ctx, alice, cid.Undef, 0)
	must(t, err)
	equal(t, "alice's private blobs", len(bs), 0)

	_, err = s.GetUserKey(ctx, bob)
	must(t, err)
	_, err = s.GetPrivateRecord(ctx, bob, privColl, bytes.Repeat([]byte{1}, 32))
	must(t, err)
}
