package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/privacy"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/privacy/remote"
	"github.com/hearthpds/hearth/backend/server"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

const prDiary = "com.example.diary"

// prNote is a record value with text.
func prNote(t testing.TB, v map[string]any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	prMust(t, err)
	return b
}

// prWorld is two Hearth instances on loopback sharing a PLC directory:
// alice and frank own private collections on A; bob, carol, dan and erin
// are on B (carol is never granted).
type prWorld struct {
	t                     *testing.T
	ctx                   context.Context
	a, b                  *testpds.PDS
	net                   *prNet
	alice, frank          prAccount
	bob, carol, dan, erin prAccount
	own                   *remote.Owner // alice's client
	texts                 map[string]string
	photo                 []byte
	photoRef              crypt.BlobRef
	photoCID              cid.Cid
	aliceBob              *remote.Collection // bob's keys, from before his revocation
}

func newPrWorld(t *testing.T, dbURL func(testing.TB) string) *prWorld {
	plc := testpds.StartPLC(t)
	w := &prWorld{t: t, ctx: context.Background(),
		a: testpds.Start(t, testpds.Options{DBURL: dbURL(t), PLCURL: plc}),
		b: testpds.Start(t, testpds.Options{DBURL: dbURL(t), PLCURL: plc})}
	w.alice, w.frank = prNewAccount(t, w.a, "alice.test"), prNewAccount(t, w.a, "frank.test")
	w.bob, w.carol = prNewAccount(t, w.b, "bob.test"), prNewAccount(t, w.b, "carol.test")
	w.dan, w.erin = prNewAccount(t, w.b, "dan.test"), prNewAccount(t, w.b, "erin.test")
	w.net = prNewNet(plc)
	w.net.add(w.alice, w.frank, w.bob, w.carol, w.dan, w.erin)
	w.own = w.net.owner(w.alice)
	return w
}

// TestPrivateRecordsAcrossInstances is the acceptance 1 to 4 with
// two instances: the owner's client on A writes private records and a
// private blob over XRPC and grants accounts on B; B's clients fetch their
// sealed keys with service auth and decrypt; an ungranted account gets
// 403 and cannot open leaked grants; revocation (soft, then hard) stops
// the revoked at every epoch while another grantee keeps reading; moved
// and edited envelopes, grants opened in the wrong context and cut or
// reordered blob chunks all fail with a clear error.
func TestPrivateRecordsAcrossInstances(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		w := newPrWorld(t, dbURL)
		w.writeAndGrant()
		w.granteeReads()
		w.ungrantedRefused()
		w.tamperingFails()
		w.revocation()
	})
}

// writeAndGrant: alice's client seals records and a blob and grants bob,
// dan and erin (each key fetched from its PDS and compared by key ID).
func (w *prWorld) writeAndGrant() {
	t, ctx := w.t, w.ctx
	w.texts = map[string]string{"3kdiary001": "PLAINTEXT dear diary", "3kdiary002": "PLAINTEXT second entry", "3kdiary003": "PLAINTEXT third"}
	for rk, text := range w.texts {
		if _, err := w.own.Put(ctx, prDiary, rk, prNote(t, map[string]any{"text": text})); err != nil {
			t.Fatalf("put %s: %v", rk, err)
		}
	}
	w.photo = bytes.Repeat([]byte("PLAINTEXT photo bytes "), 7000) // three 64 KiB chunks
	var err error
	w.photoRef, err = w.own.UploadBlob(ctx, bytes.NewReader(w.photo), "image/jpeg")
	prMust(t, err)
	w.photoCID, err = cid.Decode(w.photoRef.CID)
	prMust(t, err)
	_, err = w.own.Put(ctx, prDiary, "3kphoto", prNote(t, map[string]any{"text": "with a photo", "photo": w.photoRef}))
	prMust(t, err)
	w.texts["3kphoto"] = "with a photo"
	for _, g := range []prAccount{w.bob, w.dan, w.erin} {
		key, err := w.net.PublicKey(ctx, g.did)
		if err != nil || key.KeyID() != g.id.Public().KeyID() {
			t.Fatalf("the published key of %s: %v", g.did, err)
		}
		gs, err := w.own.Grant(ctx, prDiary, g.did, key)
		if err != nil || len(gs) != 1 || gs[0].GranteeKeyID != key.KeyID() {
			t.Fatalf("grant %s: %+v, %v", g.did, gs, err)
		}
	}
	if got, err := w.own.Get(ctx, prDiary, "3kdiary001"); err != nil || !bytes.Contains(got.Value, []byte("dear diary")) {
		t.Fatalf("owner reads back: %+v, %v", got, err)
	}
}

// readAll decrypts a collection and returns rkey → text and the epochs.
func (w *prWorld) readAll(c *remote.Collection) (map[string]string, map[uint64]bool) {
	w.t.Helper()
	rs, err := c.All(w.ctx)
	prMust(w.t, err)
	texts, epochs := map[string]string{}, map[uint64]bool{}
	for _, r := range rs {
		var v struct{ Text string }
		prMust(w.t, json.Unmarshal(r.Value, &v))
		texts[r.RKey], epochs[r.Epoch] = v.Text, true
	}
	return texts, epochs
}

// sameTexts fails unless got holds want.
func (w *prWorld) sameTexts(who string, got, want map[string]string) {
	w.t.Helper()
	if len(got) != len(want) {
		w.t.Fatalf("%s reads %d records, want %d: %v", who, len(got), len(want), got)
	}
	for rk, text := range want {
		if got[rk] != text {
			w.t.Fatalf("%s reads %s = %q, want %q", who, rk, got[rk], text)
		}
	}
}

// granteeReads (acceptance 1): bob's client fetches its sealed key from A
// with service auth and decrypts the records and the blob; B's in-process
// ReadGranted does the same for the desktop app.
func (w *prWorld) granteeReads() {
	t, ctx := w.t, w.ctx
	c, err := w.net.reader(w.bob).Open(ctx, w.alice.did, prDiary)
	prMust(t, err)
	w.aliceBob = c
	texts, _ := w.readAll(c)
	w.sameTexts("bob", texts, w.texts)
	rec, err := c.Get(ctx, "3kphoto")
	prMust(t, err)
	var withPhoto struct{ Photo crypt.BlobRef }
	prMust(t, json.Unmarshal(rec.Value, &withPhoto))
	w.readBlob("bob", func() (io.ReadCloser, error) { return w.net.reader(w.bob).Blob(ctx, w.alice.did, withPhoto.Photo) }, nil)

	svc := w.b.Server.Privacy()
	rs, err := svc.ReadGranted(ctx, w.bob.did, w.alice.did, prDiary)
	prMust(t, err)
	inproc := map[string]string{}
	for _, r := range rs {
		var v struct{ Text string }
		prMust(t, json.Unmarshal(r.Value, &v))
		inproc[r.RKey] = v.Text
	}
	w.sameTexts("bob in-process", inproc, w.texts)
	w.readBlob("bob in-process", func() (io.ReadCloser, error) { return svc.ReadGrantedBlob(ctx, w.bob.did, w.alice.did, w.photoRef) }, nil)
	// The owner is grantee #0 of its own PDS's data too, in-process.
	if own, err := w.a.Server.Privacy().ReadGranted(ctx, w.alice.did, w.alice.did, prDiary); err != nil || len(own) != len(w.texts) {
		t.Fatalf("owner's in-process read: %d records, %v", len(own), err)
	}
}

// readBlob reads a decrypted blob to its end and checks it is the photo,
// or that it fails with want.
func (w *prWorld) readBlob(who string, open func() (io.ReadCloser, error), want error) {
	w.t.Helper()
	rc, err := open()
	if err == nil {
		var got []byte
		got, err = io.ReadAll(rc)
		rc.Close()
		if err == nil && !bytes.Equal(got, w.photo) {
			w.t.Fatalf("%s decrypts a blob of %d bytes, not the photo", who, len(got))
		}
	}
	if !errors.Is(err, want) {
		w.t.Fatalf("%s reads the blob: %v, want %v", who, err, want)
	}
}

// ungrantedRefused (acceptance 2): carol gets 403 everywhere, and bob's
// sealed grants, leaked to her, do not open with her key.
func (w *prWorld) ungrantedRefused() {
	t, ctx := w.t, w.ctx
	if _, err := w.net.reader(w.carol).Open(ctx, w.alice.did, prDiary); !errors.Is(err, remote.ErrForbidden) {
		t.Fatalf("carol opens alice's diary: %v, want 403", err)
	}
	src, err := w.net.Source(ctx, w.carol.did, w.alice.did)
	prMust(t, err)
	if _, err := src.Envelopes(ctx, w.alice.did, prDiary, nil, 10, 0); !errors.Is(err, remote.ErrForbidden) {
		t.Fatalf("carol lists: %v, want 403", err)
	}
	w.readBlob("carol", func() (io.ReadCloser, error) { return w.net.reader(w.carol).Blob(ctx, w.alice.did, w.photoRef) }, remote.ErrForbidden)
	if _, err := w.b.Server.Privacy().ReadGranted(ctx, w.carol.did, w.alice.did, prDiary); !errors.Is(err, privacy.ErrForbidden) {
		t.Fatalf("carol in-process: %v, want ErrForbidden", err)
	}
	bobSrc, err := w.net.Source(ctx, w.bob.did, w.alice.did)
	prMust(t, err)
	leaked, err := bobSrc.GrantKeys(ctx, w.alice.did, prDiary)
	prMust(t, err)
	for _, as := range []string{w.carol.did, w.bob.did} {
		if _, err := crypt.KeysFromGrants(w.carol.id, w.alice.did, as, prDiary, leaked); !errors.Is(err, crypt.ErrGrantOpen) {
			t.Fatalf("carol opens bob's leaked grants (as %s): %v", as, err)
		}
	}
}

// tamperingFails (acceptance 4), end to end through A's store and disk:
// an envelope moved to another rkey, collection or owner, an edited row,
// a grant opened for another epoch or grantee, a cut or reordered blob.
func (w *prWorld) tamperingFails() {
	t, ctx := w.t, w.ctx
	st := w.a.Server.Store()
	erin, err := w.net.reader(w.erin).Open(ctx, w.alice.did, prDiary)
	prMust(t, err)
	mac := erin.Keys().RKeyMAC
	r1, err := st.GetPrivateRecord(ctx, w.alice.did, prDiary, mac("3kdiary001"))
	prMust(t, err)
	r2, err := st.GetPrivateRecord(ctx, w.alice.did, prDiary, mac("3kdiary002"))
	prMust(t, err)
	put := func(r store.PrivateRecord) { prMust(t, st.PutPrivateRecord(ctx, r)) }
	expect := func(what string, c *remote.Collection, rkey string, want error) {
		t.Helper()
		if _, err := c.Get(ctx, rkey); !errors.Is(err, want) {
			t.Fatalf("%s: %v, want %v", what, err, want)
		}
	}

	moved := r2
	moved.Envelope = r1.Envelope
	put(moved)
	expect("an envelope moved to another rkey", erin, "3kdiary002", crypt.ErrDecrypt)
	put(r2)
	edited := r1
	edited.Envelope = bytes.Clone(r1.Envelope)
	edited.Envelope[len(edited.Envelope)-20] ^= 1
	put(edited)
	expect("an edited row", erin, "3kdiary001", crypt.ErrDecrypt)
	put(r1)
	expect("the restored row", erin, "3kdiary001", nil)

	// Another collection of alice's, and the same collection of frank's,
	// both granted to erin: alice's envelope does not open in either.
	const other = "com.example.notes"
	_, err = w.own.Put(ctx, other, "3kother", prNote(t, map[string]any{"text": "other"}))
	prMust(t, err)
	frank := w.net.owner(w.frank)
	_, err = frank.Put(ctx, prDiary, "3kfrank", prNote(t, map[string]any{"text": "frank's"}))
	prMust(t, err)
	erinKey := w.erin.id.Public()
	for _, o := range []struct {
		owner *remote.Owner
		coll  string
		what  string
	}{{w.own, other, "another collection"}, {frank, prDiary, "another owner"}} {
		_, err := o.owner.Grant(ctx, o.coll, w.erin.did, erinKey)
		prMust(t, err)
		c, err := w.net.reader(w.erin).Open(ctx, o.owner.DID, o.coll)
		prMust(t, err)
		put(store.PrivateRecord{OwnerDID: o.owner.DID, Collection: o.coll, RKeyMAC: c.Keys().RKeyMAC("3kdiary001"),
			Epoch: r1.Epoch, Envelope: r1.Envelope, CID: r1.CID, Rev: r1.Rev})
		expect("an envelope moved to "+o.what, c, "3kdiary001", crypt.ErrDecrypt)
		prMust(t, st.DeletePrivateRecord(ctx, o.owner.DID, o.coll, c.Keys().RKeyMAC("3kdiary001")))
	}

	// erin's grant, opened for another epoch or as another grantee.
	src, err := w.net.Source(ctx, w.erin.did, w.alice.did)
	prMust(t, err)
	gs, err := src.GrantKeys(ctx, w.alice.did, prDiary)
	prMust(t, err)
	for _, gc := range []crypt.GrantContext{
		{Owner: w.alice.did, Grantee: w.erin.did, Collection: prDiary, Epoch: 2},
		{Owner: w.alice.did, Grantee: w.bob.did, Collection: prDiary, Epoch: 1},
		{Owner: w.frank.did, Grantee: w.erin.did, Collection: prDiary, Epoch: 1},
	} {
		if _, err := crypt.OpenGrant(w.erin.id, gc, gs[0].Sealed); !errors.Is(err, crypt.ErrGrantOpen) {
			t.Fatalf("erin's grant opened as %+v: %v", gc, err)
		}
	}
	w.tamperBlob()
}

// tamperBlob cuts and reorders the photo's chunks on A's disk: erin's
// client refuses both.
func (w *prWorld) tamperBlob() {
	t := w.t
	path := server.PrivateBlobPath(w.a.Server, w.photoCID)
	orig, err := os.ReadFile(path)
	prMust(t, err)
	const header, chunk = 24, 64<<10 + 16
	if len(orig) < header+2*chunk {
		t.Fatalf("the photo is %d encrypted bytes, fewer than two chunks", len(orig))
	}
	read := func() (io.ReadCloser, error) { return w.net.reader(w.erin).Blob(w.ctx, w.alice.did, w.photoRef) }
	prMust(t, os.WriteFile(path, orig[:header+chunk], 0o600))
	w.readBlob("a blob cut after its first chunk", read, crypt.ErrBlobTruncated)
	swapped := append(append(append(bytes.Clone(orig[:header]), orig[header+chunk:header+2*chunk]...), orig[header:header+chunk]...), orig[header+2*chunk:]...)
	prMust(t, os.WriteFile(path, swapped, 0o600))
	w.readBlob("a blob with two chunks swapped", read, crypt.ErrBlobCorrupt)
	prMust(t, os.WriteFile(path, orig, 0o600))
	w.readBlob("the restored blob", read, nil)
}

// revocation (acceptance 3): revoking bob refuses him at every epoch
// while erin reads old and new records; the new epoch's grants do not
// open with bob's key; a hard revoke of dan leaves no record at an older
// epoch.
func (w *prWorld) revocation() {
	t, ctx := w.t, w.ctx
	res, err := w.own.Revoke(ctx, prDiary, w.bob.did, false)
	if err != nil || res.Epoch != 2 || res.Revoked != 1 || res.Resealed != 3 {
		t.Fatalf("revoke bob: %+v, %v", res, err)
	}
	_, err = w.own.Put(ctx, prDiary, "3knew", prNote(t, map[string]any{"text": "PLAINTEXT after bob"}))
	prMust(t, err)
	w.texts["3knew"] = "PLAINTEXT after bob"
	w.refusedEverywhere(w.bob, w.aliceBob)

	src, err := w.net.Source(ctx, w.erin.did, w.alice.did)
	prMust(t, err)
	gs, err := src.GrantKeys(ctx, w.alice.did, prDiary)
	prMust(t, err)
	var sealed2 []byte
	for _, g := range gs {
		if g.Epoch == 2 {
			sealed2 = g.Sealed
		}
	}
	for _, as := range []string{w.bob.did, w.erin.did} {
		if _, err := crypt.OpenGrant(w.bob.id, crypt.GrantContext{Owner: w.alice.did, Grantee: as, Collection: prDiary, Epoch: 2}, sealed2); !errors.Is(err, crypt.ErrGrantOpen) {
			t.Fatalf("bob opens the epoch-2 grant (as %s): %v", as, err)
		}
	}
	erin, err := w.net.reader(w.erin).Open(ctx, w.alice.did, prDiary)
	prMust(t, err)
	texts, epochs := w.readAll(erin)
	w.sameTexts("erin after bob's revocation", texts, w.texts)
	if !epochs[1] || !epochs[2] {
		t.Fatalf("erin read epochs %v, want old (1) and new (2)", epochs)
	}

	res, err = w.own.Revoke(ctx, prDiary, w.dan.did, true)
	if err != nil || res.Epoch != 3 || res.Reencrypted != len(w.texts) {
		t.Fatalf("hard revoke of dan: %+v, %v (want %d re-encrypted)", res, err, len(w.texts))
	}
	if old, err := w.a.Server.Store().ListPrivateRecords(ctx, w.alice.did, prDiary, store.PrivateListOptions{MaxEpoch: 2}); err != nil || len(old) != 0 {
		t.Fatalf("%d records remain at epoch <= 2 after a hard revoke (%v)", len(old), err)
	}
	w.refusedEverywhere(w.dan, nil)
	erin, err = w.net.reader(w.erin).Open(ctx, w.alice.did, prDiary)
	prMust(t, err)
	texts, epochs = w.readAll(erin)
	w.sameTexts("erin after the hard revoke", texts, w.texts)
	if len(epochs) != 1 || !epochs[3] {
		t.Fatalf("after a hard revoke erin read epochs %v, want only 3", epochs)
	}
}

// refusedEverywhere: a revoked grantee gets 403 from every read method,
// at every epoch, even with the keys it held (old, if given).
func (w *prWorld) refusedEverywhere(g prAccount, old *remote.Collection) {
	t, ctx := w.t, w.ctx
	src, err := w.net.Source(ctx, g.did, w.alice.did)
	prMust(t, err)
	forbidden := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, remote.ErrForbidden) {
			t.Fatalf("revoked %s: %s: %v, want 403", g.did, what, err)
		}
	}
	_, err = src.GrantKeys(ctx, w.alice.did, prDiary)
	forbidden("getGrantKeys", err)
	for epoch := uint64(0); epoch <= 3; epoch++ {
		_, err = src.Envelopes(ctx, w.alice.did, prDiary, nil, 10, epoch)
		forbidden("listEncryptedRecords", err)
	}
	_, err = src.Blob(ctx, w.alice.did, w.photoCID)
	forbidden("getBlob", err)
	if old != nil {
		for rk := range w.texts {
			_, err = src.Envelope(ctx, w.alice.did, prDiary, old.Keys().RKeyMAC(rk))
			forbidden("getEncryptedRecord "+rk, err)
		}
	}
}
