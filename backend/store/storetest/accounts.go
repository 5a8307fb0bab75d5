package storetest

import (
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

const (
	alice = "did:plc:alice0000000000000000000"
	bob   = "did:plc:bob000000000000000000000"
	carol = "did:plc:carol0000000000000000000"
)

func testAccountCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := NewAccount(alice, "alice.test")
	a.Account.Email = "alice@example.com"
	a.Account.RotationKey = RandomBytes(32)
	_, err := s.CreateAccount(ctx, a)
	must(t, err)
	createAccount(t, s, carol, "carol.test") // no email: two accounts without one
	createAccount(t, s, bob, "bob.test")

	got, err := s.GetAccount(ctx, alice)
	must(t, err)
	equal(t, "DID", got.DID, alice)
	equal(t, "Handle", got.Handle, "alice.test")
	equal(t, "Email", got.Email, "alice@example.com")
	equal(t, "PasswordHash", got.PasswordHash, a.Account.PasswordHash)
	equalBytes(t, "SigningKey", got.SigningKey, a.Account.SigningKey)
	equalBytes(t, "RotationKey", got.RotationKey, a.Account.RotationKey)
	equal(t, "Status", got.Status, store.StatusActive)
	equal(t, "EmailConfirmedAt unset", got.EmailConfirmedAt == nil, true)

	byHandle, err := s.GetAccountByHandle(ctx, "Alice.TEST")
	must(t, err)
	equal(t, "by handle", byHandle.DID, alice)
	byEmail, err := s.GetAccountByEmail(ctx, "ALICE@example.com")
	must(t, err)
	equal(t, "by email", byEmail.DID, alice)
	noEmail, err := s.GetAccount(ctx, carol)
	must(t, err)
	equal(t, "Email of an account without one", noEmail.Email, "")
	equal(t, "RotationKey unset", noEmail.RotationKey == nil, true)

	_, err = s.GetAccount(ctx, "did:plc:nobody")
	notFound(t, err)
	_, err = s.GetAccountByHandle(ctx, "nobody.test")
	notFound(t, err)
	_, err = s.GetAccountByEmail(ctx, "")
	notFound(t, err)

	checkListAccounts(t, s)
	checkAccountUpdates(t, s)
}

func checkListAccounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	page, err := s.ListAccounts(ctx, "", 2)
	must(t, err)
	equalSlice(t, "first page", accountDIDs(page), []string{alice, bob})
	page, err = s.ListAccounts(ctx, bob, 2)
	must(t, err)
	equalSlice(t, "second page", accountDIDs(page), []string{carol})
	page, err = s.ListAccounts(ctx, carol, 2)
	must(t, err)
	equal(t, "past the end", len(page), 0)
}

func accountDIDs(accounts []store.Account) []string {
	dids := make([]string, len(accounts))
	for i, a := range accounts {
		dids[i] = a.DID
	}
	return dids
}

func checkAccountUpdates(t *testing.T, s store.Store) {
	ctx := t.Context()
	before := latestSeq(t, s)
	seqs, err := s.UpdateHandle(ctx, alice, "Alice2.test", []store.Event{NewEvent(alice, "#identity")})
	must(t, err)
	equalSlice(t, "UpdateHandle seqs", seqs, []int64{before + 1})
	_, err = s.GetAccountByHandle(ctx, "alice.test")
	notFound(t, err)
	got, err := s.GetAccountByHandle(ctx, "alice2.test")
	must(t, err)
	equal(t, "new handle", got.Handle, "alice2.test")

	must(t, s.ConfirmEmail(ctx, alice, base))
	got, _ = s.GetAccount(ctx, alice)
	equal(t, "EmailConfirmedAt set", got.EmailConfirmedAt != nil, true)
	must(t, s.UpdateEmail(ctx, alice, "New@Example.com"))
	got, _ = s.GetAccountByEmail(ctx, "new@example.com")
	equal(t, "new email", got.Email, "new@example.com")
	equal(t, "confirmation cleared", got.EmailConfirmedAt == nil, true)
	must(t, s.UpdateEmail(ctx, alice, ""))
	_, err = s.GetAccountByEmail(ctx, "new@example.com")
	notFound(t, err)

	must(t, s.UpdatePassword(ctx, alice, "$argon2id$new"))
	seqs, err = s.SetAccountStatus(ctx, alice, store.StatusDeactivated, []store.Event{NewEvent(alice, "#account")})
	must(t, err)
	equalSlice(t, "SetAccountStatus seqs", seqs, []int64{before + 2})
	got, _ = s.GetAccount(ctx, alice)
	equal(t, "PasswordHash", got.PasswordHash, "$argon2id$new")
	equal(t, "Status", got.Status, store.StatusDeactivated)

	const nobody = "did:plc:nobody"
	_, err = s.UpdateHandle(ctx, nobody, "nobody.test", []store.Event{NewEvent(nobody, "#identity")})
	notFound(t, err)
	notFound(t, s.UpdateEmail(ctx, nobody, "x@example.com"))
	notFound(t, s.ConfirmEmail(ctx, nobody, base))
	notFound(t, s.UpdatePassword(ctx, nobody, "x"))
	_, err = s.SetAccountStatus(ctx, nobody, store.StatusTakendown, []store.Event{NewEvent(nobody, "#account")})
	notFound(t, err)
	equal(t, "no event for failed updates", latestSeq(t, s), before+2)
}

func testAccountConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := NewAccount(alice, "alice.test")
	a.Account.Email = "alice@example.com"
	_, err := s.CreateAccount(ctx, a)
	must(t, err)
	b := createAccount(t, s, bob, "bob.test")
	must(t, s.UpdateEmail(ctx, bob, "bob@example.com"))
	seq := latestSeq(t, s)

	dupDID := NewAccount(alice, "other.test")
	dupDID.Genesis = nil // the repo exists too, which would be ErrRootMismatch
	dupHandle := NewAccount(carol, "ALICE.test")
	dupEmail := NewAccount(carol, "carol.test")
	dupEmail.Account.Email = "Alice@Example.com"
	for name, na := range map[string]store.NewAccount{"did": dupDID, "handle": dupHandle, "email": dupEmail} {
		_, err := s.CreateAccount(ctx, na)
		if err == nil {
			t.Fatalf("duplicate %s: no error", name)
		}
		mustBe(t, err, store.ErrConflict)
	}
	_, err = s.GetAccount(ctx, carol)
	notFound(t, err)
	_, err = s.GetRepoRoot(ctx, carol)
	notFound(t, err)

	_, err = s.UpdateHandle(ctx, bob, "alice.test", []store.Event{NewEvent(bob, "#identity")})
	mustBe(t, err, store.ErrConflict)
	mustBe(t, s.UpdateEmail(ctx, bob, "ALICE@example.com"), store.ErrConflict)
	equal(t, "no events from failed writes", latestSeq(t, s), seq)
	got, _ := s.GetAccount(ctx, bob)
	equal(t, "bob keeps his handle", got.Handle, b.Account.Handle)
	equal(t, "bob keeps his email", got.Email, "bob@example.com")
}

// populate gives did an account with a repo holding a record that
// references a blob, the uploaded blob, a refresh token and an app
// password.
func populate(t *testing.T, s store.Store, did, handle string) {
	ctx := t.Context()
	a := NewAccount(did, handle)
	blob := RandomCID()
	PutRecord(a.Genesis, "app.bsky.feed.post", "1", RandomBytes(40), blob)
	_, err := s.CreateAccount(ctx, a)
	must(t, err)
	must(t, s.PutBlob(ctx, store.Blob{DID: did, CID: blob, MimeType: "image/png", Size: 10, CreatedAt: base}))
	must(t, s.PutBlob(ctx, store.Blob{DID: did, CID: RandomCID(), MimeType: "image/png", Size: 10, CreatedAt: base}))
	must(t, s.CreateAppPassword(ctx, store.AppPassword{DID: did, Name: "app", Hash: RandomBytes(32), CreatedAt: base}))
	must(t, s.CreateRefreshToken(ctx, store.RefreshToken{ID: "token-" + did, DID: did, ExpiresAt: base.Add(time.Hour)}))
}

func testAccountDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	populate(t, s, alice, "alice.test")
	populate(t, s, bob, "bob.test")
	bobBlocks, err := s.CountBlocks(ctx, bob)
	must(t, err)

	seq := latestSeq(t, s)
	seqs, err := s.DeleteAccount(ctx, alice, []store.Event{NewEvent(alice, "#account")})
	must(t, err)
	equalSlice(t, "seqs", seqs, []int64{seq + 1})
	checkAccountGone(t, s, alice)

	got, err := s.GetAccount(ctx, bob)
	must(t, err)
	equal(t, "bob", got.Handle, "bob.test")
	n, _ := s.CountBlocks(ctx, bob)
	equal(t, "bob's blocks", n, bobBlocks)
	_, err = s.GetRepoRoot(ctx, bob)
	must(t, err)
	_, err = s.GetRefreshToken(ctx, "token-"+bob)
	must(t, err)
	pws, _ := s.ListAppPasswords(ctx, bob)
	equal(t, "bob's app passwords", len(pws), 1)
	blobs, _ := s.ListBlobs(ctx, bob, "", "", 10)
	equal(t, "bob's referenced blobs", len(blobs), 1)
	unref, _ := s.ListUnreferencedBlobs(ctx, base.Add(time.Hour), 10)
	equal(t, "unreferenced blobs left (bob's)", len(unref), 1)
	equal(t, "events stay", len(eventSeqs(t, s)), int(seq+1))

	_, err = s.DeleteAccount(ctx, alice, nil)
	notFound(t, err)
}

func checkAccountGone(t *testing.T, s store.Store, did string) {
	ctx := t.Context()
	_, err := s.GetAccount(ctx, did)
	notFound(t, err)
	_, err = s.GetRepoRoot(ctx, did)
	notFound(t, err)
	n, err := s.CountBlocks(ctx, did)
	must(t, err)
	equal(t, "blocks", n, 0)
	cols, _ := s.ListCollections(ctx, did)
	equal(t, "collections", len(cols), 0)
	_, err = s.GetRefreshToken(ctx, "token-"+did)
	notFound(t, err)
	pws, _ := s.ListAppPasswords(ctx, did)
	equal(t, "app passwords", len(pws), 0)
	blobs, _ := s.ListBlobs(ctx, did, "", "", 10)
	equal(t, "referenced blobs", len(blobs), 0)
	missing, _ := s.ListMissingBlobs(ctx, did, "", 10)
	equal(t, "missing blobs", len(missing), 0)
}
