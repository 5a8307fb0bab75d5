package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/privacy"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/privacy/remote"
	"github.com/hearthpds/hearth/internal/testpds"
)

const recipes = "com.example.recipe.card"

// sharer is an account that shares a private collection, written with its
// own server's privacy service in-process.
type sharer struct {
	svc *privacy.Service
	did string
}

// newSharer gives did an encryption key on svc and writes texts (rkey →
// text) as private records of collection.
func newSharer(t *testing.T, svc *privacy.Service, did, collection string, texts map[string]string) sharer {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.CreateIdentity(ctx, did); err != nil {
		t.Fatal(err)
	}
	for rkey, text := range texts {
		v, _ := json.Marshal(map[string]any{"$type": collection, "text": text, "createdAt": "2026-11-25T03:00:00Z"})
		if _, err := svc.PutRecord(ctx, did, collection, rkey, v); err != nil {
			t.Fatal(err)
		}
	}
	return sharer{svc: svc, did: did}
}

// grant shares collection with grantee, sealed to the key grantee's
// repo publishes (the one its app made).
func (s sharer) grant(t *testing.T, collection, grantee string) {
	t.Helper()
	ctx := context.Background()
	key, err := s.svc.ResolveGranteeKey(ctx, grantee)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.Grant(ctx, s.did, collection, grantee, key); err != nil {
		t.Fatal(err)
	}
}

func (s sharer) revoke(t *testing.T, collection, grantee string) {
	t.Helper()
	if _, err := s.svc.Revoke(context.Background(), s.did, collection, grantee, privacy.RevokeOptions{}); err != nil {
		t.Fatal(err)
	}
}

// wantShared fails unless c is owner's collection with exactly texts.
func wantShared(t *testing.T, what string, c SharedCollection, err error, owner, collection string, texts map[string]string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if c.OwnerDID != owner || c.Collection != collection || len(c.Records) != len(texts) || c.ReadAt == "" {
		t.Fatalf("%s = %+v; want %d records of %s %s", what, c, len(texts), owner, collection)
	}
	for i, r := range c.Records {
		if i > 0 && c.Records[i-1].RKey < r.RKey {
			t.Fatalf("%s: records not sorted newest rkey first: %+v", what, c.Records)
		}
		if r.Preview != texts[r.RKey] || r.Epoch == 0 || r.CID == "" || r.CreatedAt != "2026-11-25T03:00:00Z" ||
			!strings.Contains(r.JSON, `"text": "`+texts[r.RKey]+`"`) || !strings.Contains(r.JSON, `"$type": "`+collection+`"`) {
			t.Fatalf("%s: record %+v; want the text %q", what, r, texts[r.RKey])
		}
	}
}

// TestSharedWithMe: "Shared with me" over the real privacy services of two
// servers sharing a PLC directory: an owner on the second server and one
// on the app's own server share collections with the app's owner, whose
// app decrypts them with its own key; a revocation ends it; the opened
// collections are remembered in private.json next to the warning's
// acknowledgement.
func TestSharedWithMe(t *testing.T) {
	env, plcURL := localFirst(t)
	other := testpds.Start(t, testpds.Options{PLCURL: plcURL})
	dir := t.TempDir()
	a := newTestApp(t, dir, keys.NewMemKeychain(), env...)
	alice, err := a.CreateAccount(CreateAccountInput{Handle: "alice", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if refs, err := a.SharedCollections(); err != nil || len(refs) != 0 {
		t.Fatalf("remembered before anything = %+v, %v", refs, err)
	}

	// An owner on the other PDS writes before alice has a key.
	oliveTexts := map[string]string{"3kzq2aaaaaa2a": "lemon tart", "3kzq2bbbbbb2b": "plum cake"}
	olive := newSharer(t, other.Server.Privacy(), other.Account(t, "olive.test").DID, recipes, oliveTexts)
	_, err = a.ReadSharedCollection(olive.did, recipes)
	wantErrName(t, "read without a key", err, "NoIdentity")
	if _, err := a.CreatePrivateIdentity(); err != nil {
		t.Fatal(err)
	}
	// A local-first account cannot prove who it is to other servers (nor
	// could olive have fetched its key): publish it. (Trying before would
	// leave the other server's directory remembering the failure for a
	// minute.)
	run, _ := a.current()
	if err := run.srv.Accounts().SubmitPendingPLC(context.Background(), alice.DID); err != nil {
		t.Fatal(err)
	}
	_, err = a.ReadSharedCollection(olive.did, recipes)
	if wantErrName(t, "not shared yet", err, "Forbidden"); !strings.HasPrefix(err.Error(), "The account "+olive.did+" has not shared "+recipes+" with you, or no longer does") {
		t.Fatalf("not shared yet: %v", err)
	}

	// Shared: alice's app reads it over the network, decrypting here (no
	// warning to accept: reading writes nothing private).
	olive.grant(t, recipes, alice.DID)
	c, err := a.ReadSharedCollection(" "+olive.did+" ", " "+recipes)
	wantShared(t, "olive's recipes by DID", c, err, olive.did, recipes, oliveTexts)

	// Bad input.
	_, err = a.ReadSharedCollection("", recipes)
	wantErrName(t, "nobody", err, "InvalidRequest")
	_, err = a.ReadSharedCollection(olive.did, "not a collection")
	wantErrName(t, "bad collection", err, "InvalidRequest")
	_, err = a.ReadSharedCollection(alice.DID, recipes)
	wantErrName(t, "self", err, "InvalidRequest")
	_, err = a.ReadSharedCollection("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", recipes)
	wantErrName(t, "unknown DID", err, "AccountNotFound")
	_, err = a.ReadSharedCollection(olive.did, "com.example.other.thing")
	wantErrName(t, "a collection not shared", err, "Forbidden")

	// An owner on the app's own server, by handle: read in-process.
	olga, err := run.srv.Accounts().Create(context.Background(), account.CreateInput{Handle: "olga.test", Password: "olga's long password",
		Owner: true}) // the app's server takes no sign-ups: a second account for the test only
	if err != nil {
		t.Fatal(err)
	}
	olgaTexts := map[string]string{"self": "olga's notes"}
	local := newSharer(t, run.srv.Privacy(), olga.Account.DID, diary, olgaTexts)
	local.grant(t, diary, alice.DID)
	c, err = a.ReadSharedCollection("@olga.test", diary)
	wantShared(t, "olga's diary by handle", c, err, olga.Account.DID, diary, olgaTexts)
	if c.OwnerHandle != "olga.test" {
		t.Fatalf("olga's handle = %q", c.OwnerHandle)
	}
	c, err = a.ReadSharedCollection(olga.Account.DID, diary)
	wantShared(t, "olga's diary by DID", c, err, olga.Account.DID, diary, olgaTexts)

	// Remembered, last opened first, each once.
	refs, err := a.SharedCollections()
	if err != nil || len(refs) != 2 || refs[0].OwnerDID != olga.Account.DID || refs[0].OwnerHandle != "olga.test" || refs[0].Collection != diary ||
		refs[1].OwnerDID != olive.did || refs[1].Collection != recipes || refs[1].OpenedAt == "" {
		t.Fatalf("remembered = %+v, %v", refs, err)
	}

	// Revoked: Forbidden, both for the remote owner and the local one.
	olive.revoke(t, recipes, alice.DID)
	_, err = a.ReadSharedCollection(olive.did, recipes)
	wantErrName(t, "olive revoked", err, "Forbidden")
	local.revoke(t, diary, alice.DID)
	_, err = a.ReadSharedCollection("olga.test", diary)
	if wantErrName(t, "olga revoked", err, "Forbidden"); !strings.HasPrefix(err.Error(), "@olga.test has not shared "+diary+" with you, or no longer does") {
		t.Fatalf("olga revoked: %v", err)
	}

	// Forget one (by handle), then the other (by DID); the acknowledgement
	// of the warning in the same file survives both ways round.
	if _, err := a.AcknowledgePrivateWarning(); err != nil {
		t.Fatal(err)
	}
	if refs, err := a.SharedCollections(); err != nil || len(refs) != 2 {
		t.Fatalf("remembered after the warning = %+v, %v", refs, err)
	}
	if refs, err := a.ForgetSharedCollection("@olga.test", diary); err != nil || len(refs) != 1 || refs[0].OwnerDID != olive.did {
		t.Fatalf("after forgetting olga's diary = %+v, %v", refs, err)
	}
	if refs, err := a.ForgetSharedCollection(olive.did, recipes); err != nil || len(refs) != 0 {
		t.Fatalf("after forgetting olive's recipes = %+v, %v", refs, err)
	}
	if st, err := a.PrivateStatus(); err != nil || st.WarningAcknowledgedAt == "" {
		t.Fatalf("status after forgetting = %+v, %v", st, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "private.json"))
	if err != nil || !strings.Contains(string(raw), alice.DID) || strings.Contains(string(raw), recipes) {
		t.Fatalf("private.json = %s, %v", raw, err)
	}
}

// TestSharedErrorWords: the refusals of another server in the user's words.
func TestSharedErrorWords(t *testing.T) {
	no, yes := func() bool { return false }, func() bool { return true }
	forbidden := fmt.Errorf("remote: grants: %w", remote.ErrForbidden)
	for _, c := range []struct {
		err         error
		unpublished func() bool
		want        string
	}{
		{fmt.Errorf("%w: %w", privacy.ErrForbidden, forbidden), no, "@olive.test has not shared " + recipes + " with you, or no longer does (Forbidden)"},
		{fmt.Errorf("open: %w", crypt.ErrGrantOpen), no, "(KeyMismatch)"},
		{fmt.Errorf("unlock: %w", privacy.ErrSeedMissing), no, "(SeedMissing)"},
		{errors.New("401 BadJwtIss"), yes, "(NotPublished)"},
		{fmt.Errorf("list: %w", remote.ErrNotFound), no, "(UpstreamFailure)"},
		{errors.New("connection refused"), no, "could not read " + recipes + " from the server of @olive.test: connection refused (UpstreamFailure)"},
	} {
		if got := sharedError(c.err, "@olive.test", recipes, c.unpublished).Error(); !strings.HasSuffix(got, c.want) {
			t.Errorf("sharedError(%v) = %q; want it to end in %q", c.err, got, c.want)
		}
	}
}
