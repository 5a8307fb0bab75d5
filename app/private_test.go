package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/privacy"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/internal/testpds"
)

const diary = "com.example.diary.entry"

// remoteGrantee is an account on another PDS with an encryption key
// published in its repo, and that key's identity (its client's side).
type remoteGrantee struct {
	client *testpds.Client
	id     *crypt.Identity
}

// newRemoteGrantee signs up handle on pds and gives it an encryption key
// the way its own app would (CreateIdentity on its PDS, which publishes
// the key record); the recovery code yields its identity for decrypting.
func newRemoteGrantee(t *testing.T, pds *testpds.PDS, handle string) remoteGrantee {
	t.Helper()
	c := pds.Account(t, handle)
	nk, err := pds.Server.Privacy().CreateIdentity(context.Background(), c.DID)
	if err != nil {
		t.Fatalf("identity of %s: %v", handle, err)
	}
	id, err := crypt.ParseRecoveryCode(nk.RecoveryCode)
	if err != nil {
		t.Fatal(err)
	}
	return remoteGrantee{client: c, id: id}
}

// newKey publishes a new encryption key for g (as a changed device would)
// through public com.atproto.repo.putRecord, and returns g with it.
func (g remoteGrantee) newKey(t *testing.T) remoteGrantee {
	t.Helper()
	id, err := crypt.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	g.client.Must("com.atproto.repo.putRecord", "", map[string]any{
		"repo": g.client.DID, "collection": crypt.KeyRecordNSID, "rkey": crypt.KeyRecordRKey, "record": id.Public().Record(time.Now()),
	})
	g.id = id
	return g
}

// readAs decrypts owner's collection as grantee g, the way g's client
// would: its own sealed grants and the envelopes, opened with its key.
func readAs(t *testing.T, svc *privacy.Service, g remoteGrantee, owner, collection string) (map[string]string, error) {
	t.Helper()
	ctx := context.Background()
	sealed, err := svc.GrantKeys(ctx, g.client.DID, owner, collection)
	if err != nil {
		return nil, err
	}
	ck, err := crypt.KeysFromGrants(g.id, owner, g.client.DID, collection, sealed)
	if err != nil {
		return nil, err
	}
	envs, err := svc.ListEnvelopes(ctx, g.client.DID, owner, collection, nil, 100)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range envs {
		rec, err := ck.OpenRecord(e.RKeyMAC, e.Envelope)
		if err != nil {
			return nil, err
		}
		out[rec.RKey] = string(rec.Value)
	}
	return out, nil
}

// TestPrivateBindings: the Private page's bindings over the real privacy
// service of the app's server; the grantees are accounts on a second PDS
// sharing the PLC directory, whose published keys the app fetches, and
// which decrypt what they were granted with their own keys.
func TestPrivateBindings(t *testing.T) {
	env, plcURL := localFirst(t)
	other := testpds.Start(t, testpds.Options{PLCURL: plcURL})
	bob := newRemoteGrantee(t, other, "bob.test")
	carol := newRemoteGrantee(t, other, "carol.test")
	a := newTestApp(t, "", keys.NewMemKeychain(), env...)
	alice, err := a.CreateAccount(CreateAccountInput{Handle: "alice", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}

	code := privateIdentitySetup(t, a)
	privateRecords(t, a)
	privateGrants(t, a, alice.DID, other.Account(t, "dave.test").DID, bob, carol)
	privateBackupAndRecovery(t, a, alice.DID, code)
}

// privateIdentitySetup: no key, the warning gate, the key and its code.
func privateIdentitySetup(t *testing.T, a *App) string {
	t.Helper()
	st, err := a.PrivateStatus()
	if err != nil || st.HasIdentity || st.NeedsRecovery || st.PublishedKeyID != "" || st.WarningAcknowledgedAt != "" {
		t.Fatalf("status before a key: %+v, %v", st, err)
	}
	_, err = a.CreatePrivateRecord(diary, "", `{"text":"too early"}`)
	wantErrName(t, "write before the warning", err, "WarningNotAcknowledged")

	// A key the repo publishes that this install does not hold (an account
	// brought from elsewhere) asks for recovery and is never replaced.
	stray, err := crypt.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	rec, err := json.Marshal(stray.Public().Record(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.PutRecord(crypt.KeyRecordNSID, crypt.KeyRecordRKey, string(rec)); err != nil {
		t.Fatal(err)
	}
	st, err = a.PrivateStatus()
	if err != nil || st.HasIdentity || !st.NeedsRecovery || st.PublishedKeyID != stray.Public().KeyID() {
		t.Fatalf("status with a published key not held here: %+v, %v", st, err)
	}
	_, err = a.CreatePrivateIdentity()
	if wantErrName(t, "a new key over a published one", err, "IdentityExists"); !strings.Contains(err.Error(), "recover it") {
		t.Fatalf("error %v; want it to say to recover", err)
	}
	if err := a.DeleteRecord(crypt.KeyRecordNSID, crypt.KeyRecordRKey); err != nil {
		t.Fatal(err)
	}

	nk, err := a.CreatePrivateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if groups := strings.Split(nk.RecoveryCode, "-"); len(groups) != 16 || len(groups[0]) != 4 || len(nk.KeyID) != 24 {
		t.Fatalf("new key = %+v; want 16 groups of four and a 24-character key ID", nk)
	}
	_, err = a.CreatePrivateIdentity()
	wantErrName(t, "a second key", err, "IdentityExists")
	st, err = a.PrivateStatus()
	if err != nil || !st.HasIdentity || st.KeyID != nk.KeyID || st.PublishedKeyID != nk.KeyID || !st.SeedPresent ||
		st.NeedsRecovery || st.RecoveryConfirmedAt != "" || st.KEMID != int(crypt.KEMX25519) {
		t.Fatalf("status with a key: %+v, %v", st, err)
	}
	if st, err = a.ConfirmPrivateRecoveryCode(); err != nil || st.RecoveryConfirmedAt == "" {
		t.Fatalf("after confirming the code: %+v, %v", st, err)
	}

	_, err = a.CreatePrivateRecord(diary, "", `{"text":"still too early"}`)
	wantErrName(t, "write before the warning, with a key", err, "WarningNotAcknowledged")
	if cols, err := a.ListPrivateCollections(); err != nil || len(cols) != 0 {
		t.Fatalf("a refused write left collections: %+v, %v", cols, err)
	}
	if st, err = a.AcknowledgePrivateWarning(); err != nil || st.WarningAcknowledgedAt == "" {
		t.Fatalf("after the warning: %+v, %v", st, err)
	}
	return nk.RecoveryCode
}

// privateRecords: create, validate, refuse, read, edit, list, delete.
func privateRecords(t *testing.T, a *App) {
	t.Helper()
	ref, err := a.CreatePrivateRecord(diary, "", `{"text":"dear diary","createdAt":"2026-11-25T03:00:00Z"}`)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Epoch != 1 || ref.ValidationStatus != "unknown" || len(ref.RKey) != 13 || ref.CID == "" {
		t.Fatalf("created = %+v", ref)
	}
	if _, err := a.CreatePrivateRecord(diary, "second", `{"text":"second entry"}`); err != nil {
		t.Fatal(err)
	}
	_, err = a.CreatePrivateRecord(diary, "second", `{"text":"again"}`)
	wantErrName(t, "an existing rkey", err, "RecordAlreadyExists")
	_, err = a.CreatePrivateRecord(diary, "", `{"text":`)
	wantErrName(t, "not JSON", err, "InvalidRequest")
	_, err = a.CreatePrivateRecord("not a collection", "", `{}`)
	wantErrName(t, "bad collection", err, "InvalidRequest")
	_, err = a.CreatePrivateRecord(crypt.KeyRecordNSID, "", `{}`)
	wantErrName(t, "the key record's collection", err, "InvalidRequest")

	// A known lexicon is enforced, with the field named.
	_, err = a.CreatePrivateRecord("app.bsky.feed.post", "", `{"text":5,"createdAt":"2026-11-25T03:00:00Z"}`)
	if wantErrName(t, "lexicon", err, "InvalidRecord"); !strings.Contains(err.Error(), "field text") {
		t.Fatalf("lexicon error %v; want the field named", err)
	}
	post, err := a.CreatePrivateRecord("app.bsky.feed.post", "", `{"text":"private post","createdAt":"2026-11-25T03:00:00Z"}`)
	if err != nil || post.ValidationStatus != "valid" {
		t.Fatalf("valid private post: %+v, %v", post, err)
	}

	// A collection with public records stays public.
	if _, err := a.CreateRecord("com.example.public.note", "", `{"text":"public"}`); err != nil {
		t.Fatal(err)
	}
	_, err = a.CreatePrivateRecord("com.example.public.note", "", `{"text":"private"}`)
	wantErrName(t, "public collection", err, "PublicCollection")

	got, err := a.GetPrivateRecord(diary, ref.RKey)
	if err != nil || got.Epoch != 1 || got.CurrentEpoch != 1 || got.CID != ref.CID || !strings.Contains(got.JSON, `"text": "dear diary"`) ||
		!strings.Contains(got.JSON, `"$type": "`+diary+`"`) {
		t.Fatalf("get = %+v, %v", got, err)
	}
	edited, err := a.PutPrivateRecord(diary, ref.RKey, `{"text":"dear diary, edited","createdAt":"2026-11-25T03:00:00Z"}`)
	if err != nil || edited.CID == ref.CID {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	if got, _ := a.GetPrivateRecord(diary, ref.RKey); !strings.Contains(got.JSON, "dear diary, edited") {
		t.Fatalf("after the edit: %s", got.JSON)
	}
	_, err = a.GetPrivateRecord(diary, "nothing-here")
	wantErrName(t, "absent record", err, "RecordNotFound")

	page, err := a.ListPrivateRecords(diary, "", 10)
	if err != nil || len(page.Records) != 2 || page.Cursor != "" {
		t.Fatalf("list = %+v, %v", page, err)
	}
	previews := map[string]string{}
	for _, r := range page.Records {
		previews[r.RKey] = r.Preview
	}
	if previews[ref.RKey] != "dear diary, edited" || previews["second"] != "second entry" {
		t.Fatalf("previews = %v", previews)
	}
	first, err := a.ListPrivateRecords(diary, "", 1)
	if err != nil || len(first.Records) != 1 || first.Cursor == "" {
		t.Fatalf("first page = %+v, %v", first, err)
	}
	rest, err := a.ListPrivateRecords(diary, first.Cursor, 1)
	if err != nil || len(rest.Records) != 1 || rest.Records[0].RKey == first.Records[0].RKey || rest.Cursor != "" {
		t.Fatalf("second page = %+v, %v", rest, err)
	}

	if err := a.DeletePrivateRecord("app.bsky.feed.post", post.RKey); err != nil {
		t.Fatal(err)
	}
	wantErrName(t, "delete twice", a.DeletePrivateRecord("app.bsky.feed.post", post.RKey), "RecordNotFound")
	cols, err := a.ListPrivateCollections()
	if err != nil || len(cols) != 2 {
		t.Fatalf("collections = %+v, %v", cols, err)
	}
	for _, c := range cols {
		want := PrivateCollectionInfo{Collection: diary, Epoch: 1, Records: 2}
		if c.Collection == "app.bsky.feed.post" {
			want = PrivateCollectionInfo{Collection: c.Collection, Epoch: 1, Records: 0, HasLexicon: true}
		}
		if c != want {
			t.Fatalf("collection = %+v, want %+v", c, want)
		}
	}
}

// privateGrants: check a key, grant, a changed key, revoke, rotate, and
// what the grantees can decrypt meanwhile.
func privateGrants(t *testing.T, a *App, aliceDID, keyless string, bob, carol remoteGrantee) {
	t.Helper()
	run, _ := a.current()
	svc := run.srv.Privacy()

	_, err := a.PreviewPrivateGrant(diary, aliceDID)
	wantErrName(t, "self", err, "InvalidRequest")
	_, err = a.PreviewPrivateGrant(diary, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")
	wantErrName(t, "unknown DID", err, "ControllerNotFound")
	_, err = a.PreviewPrivateGrant(diary, keyless)
	wantErrName(t, "someone without a key", err, "KeyNotFound")
	bobKey, err := a.PreviewPrivateGrant(diary, " "+bob.client.DID+" ")
	if err != nil {
		t.Fatal(err)
	}
	if bobKey.DID != bob.client.DID || bobKey.KeyID != bob.id.Public().KeyID() || bobKey.KeyChanged || bobKey.AlreadyGranted {
		t.Fatalf("bob's key = %+v, want key %s", bobKey, bob.id.Public().KeyID())
	}
	_, err = a.GrantPrivateAccess(PrivateGrantInput{Collection: diary, DID: bob.client.DID, KeyID: carol.id.Public().KeyID()})
	wantErrName(t, "grant to a key other than the one checked", err, "KeyChanged")
	if _, err := readAs(t, svc, bob, aliceDID, diary); !errors.Is(err, privacy.ErrForbidden) {
		t.Fatalf("bob before the grant: %v; want ErrForbidden", err)
	}
	g, err := a.GrantPrivateAccess(PrivateGrantInput{Collection: diary, DID: bob.client.DID, KeyID: bobKey.KeyID})
	if err != nil || !g.Active || g.KeyID != bobKey.KeyID || len(g.Epochs) != 1 || g.Epochs[0] != 1 {
		t.Fatalf("grant to bob = %+v, %v", g, err)
	}
	wantReads(t, svc, bob, aliceDID, 2)
	if again, err := a.PreviewPrivateGrant(diary, bob.client.DID); err != nil || !again.AlreadyGranted || again.KeyChanged {
		t.Fatalf("bob again = %+v, %v", again, err)
	}
	carolKey, err := a.PreviewPrivateGrant(diary, carol.client.DID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.GrantPrivateAccess(PrivateGrantInput{Collection: diary, DID: carol.client.DID, KeyID: carolKey.KeyID}); err != nil {
		t.Fatal(err)
	}
	wantReads(t, svc, carol, aliceDID, 2)

	// bob publishes a new key: nothing is sealed to it until alice confirms.
	oldBob, bob := bob, bob.newKey(t)
	changed, err := a.PreviewPrivateGrant(diary, bob.client.DID)
	if err != nil || !changed.KeyChanged || changed.PreviousKeyID != oldBob.id.Public().KeyID() || changed.KeyID != bob.id.Public().KeyID() {
		t.Fatalf("bob's changed key = %+v, %v", changed, err)
	}
	_, err = a.RevokePrivateAccess(diary, carol.client.DID, false)
	if wantErrName(t, "revoke while bob's key changed", err, "KeyChanged"); !strings.Contains(err.Error(), bob.client.DID) {
		t.Fatalf("revoke error %v; want bob's DID named", err)
	}
	_, err = a.GrantPrivateAccess(PrivateGrantInput{Collection: diary, DID: bob.client.DID, KeyID: changed.KeyID})
	wantErrName(t, "re-seal without confirming", err, "KeyChanged")
	g, err = a.GrantPrivateAccess(PrivateGrantInput{Collection: diary, DID: bob.client.DID, KeyID: changed.KeyID, ConfirmKeyChange: true})
	if err != nil || g.KeyID != changed.KeyID || len(g.Epochs) != 2 {
		t.Fatalf("re-seal to bob's new key = %+v, %v", g, err)
	}
	wantReads(t, svc, bob, aliceDID, 2)
	if _, err := readAs(t, svc, oldBob, aliceDID, diary); err == nil {
		t.Fatal("bob's old key still opens the collection")
	}

	// A hard revoke of carol: a new epoch, re-sealed to alice and bob, and
	// every record re-encrypted under it.
	res, err := a.RevokePrivateAccess(diary, carol.client.DID, true)
	if err != nil || res != (PrivateRevokeResult{Epoch: 3, Resealed: 2, Reencrypted: 2}) {
		t.Fatalf("revoke carol = %+v, %v", res, err)
	}
	if _, err := readAs(t, svc, carol, aliceDID, diary); !errors.Is(err, privacy.ErrForbidden) {
		t.Fatalf("carol after the revocation: %v; want ErrForbidden", err)
	}
	wantReads(t, svc, bob, aliceDID, 2)
	_, err = a.RevokePrivateAccess(diary, carol.client.DID, false)
	wantErrName(t, "revoke twice", err, "GrantNotFound")

	people, err := a.ListPrivateGrants(diary)
	if err != nil || len(people) != 2 || people[0].DID != bob.client.DID || !people[0].Active || people[0].RevokedAt != "" ||
		people[1].DID != carol.client.DID || people[1].Active || people[1].RevokedAt == "" {
		t.Fatalf("grantees = %+v, %v", people, err)
	}
	if rot, err := a.RotatePrivateCollection(diary, false); err != nil || rot.Epoch != 4 || rot.Reencrypted != 0 || rot.Resealed != 2 {
		t.Fatalf("rotate = %+v, %v", rot, err)
	}
	_, err = a.RotatePrivateCollection("com.example.nothing", false)
	wantErrName(t, "rotate an unknown collection", err, "CollectionNotFound")

	hist, err := a.PrivateRotations(diary)
	if err != nil || len(hist) != 4 {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	want := []struct {
		reason  string
		revoked string
	}{{"rotate", ""}, {"revoke", carol.client.DID}, {"rotate", bob.client.DID}, {"create", ""}}
	for i, w := range want {
		h := hist[i]
		got := ""
		if len(h.Revoked) == 1 {
			got = h.Revoked[0].DID
		}
		if h.Epoch != uint64(4-i) || h.Reason != w.reason || got != w.revoked || len(h.Revoked) > 1 || h.CreatedAt == "" {
			t.Fatalf("history[%d] = %+v, want epoch %d %s revoking %q", i, h, 4-i, w.reason, w.revoked)
		}
	}
	cols, _ := a.ListPrivateCollections()
	for _, c := range cols {
		if c.Collection == diary && (c.Epoch != 4 || c.Grantees != 1) {
			t.Fatalf("diary after revoking = %+v", c)
		}
	}
}

// wantReads fails unless g decrypts n records of owner's diary.
func wantReads(t *testing.T, svc *privacy.Service, g remoteGrantee, owner string, n int) {
	t.Helper()
	recs, err := readAs(t, svc, g, owner, diary)
	if err != nil || len(recs) != n {
		t.Fatalf("%s reads %v, %v; want %d records", g.client.DID, recs, err, n)
	}
	for rkey, v := range recs {
		var rec map[string]any
		if json.Unmarshal([]byte(v), &rec) != nil || rec["$type"] != diary || rec["text"] == "" {
			t.Fatalf("%s decrypted %s as %s", g.client.DID, rkey, v)
		}
	}
}

// privateBackupAndRecovery: the passphrase backup, and recovery from the
// code and from the backup after the wrapped key is lost or spoiled.
func privateBackupAndRecovery(t *testing.T, a *App, aliceDID, code string) {
	t.Helper()
	run, _ := a.current()
	ctx := context.Background()
	_, err := a.ExportPrivateBackup()
	wantErrName(t, "export before a backup", err, "NoBackup")
	_, err = a.SetPrivateBackupPassphrase("too short")
	wantErrName(t, "short passphrase", err, "WeakPassphrase")
	const passphrase = "a passphrase for the backup"
	st, err := a.SetPrivateBackupPassphrase(passphrase)
	if err != nil || st.PassphraseBackupAt == "" {
		t.Fatalf("backup: %+v, %v", st, err)
	}
	exported, err := a.ExportPrivateBackup()
	if raw, derr := base64.StdEncoding.DecodeString(exported); err != nil || derr != nil || len(raw) != crypt.BackupSize {
		t.Fatalf("export = %q, %v", exported, err)
	}

	lose := func(wrapped []byte) {
		t.Helper()
		k, err := run.srv.Store().GetUserKey(ctx, aliceDID)
		if err != nil {
			t.Fatal(err)
		}
		if err := run.srv.Store().RewrapUserKey(ctx, aliceDID, k.KeyID, wrapped); err != nil {
			t.Fatal(err)
		}
		st, err := a.PrivateStatus()
		if err != nil || !st.NeedsRecovery || st.SeedPresent != (wrapped != nil) {
			t.Fatalf("status after losing the key: %+v, %v", st, err)
		}
		_, err = a.GetPrivateRecord(diary, "second")
		wantErrName(t, "read without the key", err, "SeedMissing")
	}
	recovered := func(st PrivateStatus, err error) {
		t.Helper()
		if err != nil || st.NeedsRecovery || !st.SeedPresent {
			t.Fatalf("after recovery: %+v, %v", st, err)
		}
		if got, err := a.GetPrivateRecord(diary, "second"); err != nil || !strings.Contains(got.JSON, "second entry") {
			t.Fatalf("read after recovery: %+v, %v", got, err)
		}
	}

	lose(nil)
	typo := []byte(code)
	typo[5] = map[bool]byte{true: 'B', false: 'A'}[typo[5] == 'A']
	_, err = a.RecoverPrivateIdentity(string(typo))
	wantErrName(t, "mistyped code", err, "InvalidRecoveryCode")
	_, err = a.RecoverPrivateIdentity("")
	wantErrName(t, "empty code", err, "InvalidRequest")
	other, _ := crypt.NewIdentity()
	_, err = a.RecoverPrivateIdentity(other.RecoveryCode())
	wantErrName(t, "another key's code", err, "WrongIdentity")
	recovered(a.RecoverPrivateIdentity(strings.ToLower(strings.ReplaceAll(code, "-", " "))))

	lose([]byte("not a wrapped seed at all, thirty-two+ bytes long"))
	_, err = a.RecoverPrivateIdentityFromBackup("not the passphrase", "")
	wantErrName(t, "wrong passphrase", err, "WrongPassphrase")
	_, err = a.RecoverPrivateIdentityFromBackup(passphrase, "bm90IGEgYmFja3Vw")
	wantErrName(t, "not a backup", err, "InvalidRequest")
	recovered(a.RecoverPrivateIdentityFromBackup(passphrase, ""))

	lose(nil)
	recovered(a.RecoverPrivateIdentityFromBackup(passphrase, exported[:40]+"\n"+exported[40:]))
}
