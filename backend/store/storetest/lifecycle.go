package storetest

import (
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

func testAccountTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	createAccount(t, s, bob, "bob.test")
	h1, h2, h3 := RandomBytes(32), RandomBytes(32), RandomBytes(32)
	put := func(purpose store.TokenPurpose, did string, hash []byte) error {
		return s.PutAccountToken(ctx, store.AccountToken{Purpose: purpose, DID: did, Hash: hash, RequestedAt: base})
	}
	must(t, put(store.TokenConfirmEmail, alice, h1))
	got, err := s.GetAccountToken(ctx, store.TokenConfirmEmail, alice)
	must(t, err)
	equal(t, "Purpose", got.Purpose, store.TokenConfirmEmail)
	equal(t, "DID", got.DID, alice)
	equalBytes(t, "Hash", got.Hash, h1)

	must(t, put(store.TokenConfirmEmail, alice, h2)) // a new request replaces the token
	got, err = s.GetAccountToken(ctx, store.TokenConfirmEmail, alice)
	must(t, err)
	equalBytes(t, "Hash after replace", got.Hash, h2)
	_, err = s.FindAccountToken(ctx, store.TokenConfirmEmail, h1)
	notFound(t, err)
	found, err := s.FindAccountToken(ctx, store.TokenConfirmEmail, h2)
	must(t, err)
	equal(t, "found DID", found.DID, alice)
	_, err = s.FindAccountToken(ctx, store.TokenResetPassword, h2)
	notFound(t, err) // tokens are per purpose

	must(t, put(store.TokenResetPassword, alice, h3))
	must(t, put(store.TokenResetPassword, bob, h1))
	mustBe(t, put(store.TokenConfirmEmail, bob, h2), store.ErrConflict) // alice's hash
	mustBe(t, put(store.TokenConfirmEmail, "did:plc:nobody", h3), store.ErrNotFound)
	_, err = s.GetAccountToken(ctx, store.TokenConfirmEmail, bob)
	notFound(t, err)

	must(t, s.DeleteAccountToken(ctx, store.TokenConfirmEmail, alice))
	_, err = s.GetAccountToken(ctx, store.TokenConfirmEmail, alice)
	notFound(t, err)
	notFound(t, s.DeleteAccountToken(ctx, store.TokenConfirmEmail, alice))
	got, err = s.GetAccountToken(ctx, store.TokenResetPassword, alice)
	must(t, err) // the other purpose stays
	equalBytes(t, "reset token", got.Hash, h3)
	found, err = s.FindAccountToken(ctx, store.TokenResetPassword, h1)
	must(t, err)
	equal(t, "bob's reset token", found.DID, bob)
}

// pref returns a preference of type typ whose JSON names it and a tag.
func pref(typ, tag string) store.Preference {
	return store.Preference{Type: typ, Value: []byte(`{"$type":"` + typ + `","tag":"` + tag + `"}`)}
}

// prefTags lists "type/tag" of an account's preferences in a namespace.
func prefTags(t *testing.T, s store.Store, did, namespace string) []string {
	t.Helper()
	prefs, err := s.GetPreferences(t.Context(), did, namespace)
	must(t, err)
	out := make([]string, len(prefs))
	for i, p := range prefs {
		out[i] = string(p.Value)
	}
	return out
}

// prefValues returns the JSON of prefs, as prefTags lists them.
func prefValues(prefs ...store.Preference) []string {
	out := make([]string, len(prefs))
	for i, p := range prefs {
		out[i] = string(p.Value)
	}
	return out
}

func testPreferences(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	createAccount(t, s, bob, "bob.test")
	a := pref("app.bsky.actor.defs#adultContentPref", "a")
	b := pref("app.bsky.actor.defs#savedFeedsPref", "b")
	exact := pref("app.bsky", "exact")
	other := pref("app.bskyx.pref", "other") // not under app.bsky
	wild := pref("com.ex_mple.pref", "wild")
	mustPrefs := func(did, ns string, prefs ...store.Preference) {
		t.Helper()
		must(t, s.PutPreferences(ctx, did, ns, prefs))
	}
	equal(t, "none yet", len(prefTags(t, s, alice, "app.bsky")), 0)
	mustPrefs(alice, "app.bsky", b, a, exact)
	mustPrefs(alice, "app.bskyx", other)
	mustPrefs(alice, "com.ex_mple", wild)
	mustPrefs(bob, "app.bsky", a)

	equalSlice(t, "app.bsky, in put order", prefTags(t, s, alice, "app.bsky"), prefValues(b, a, exact))
	equalSlice(t, "app.bskyx", prefTags(t, s, alice, "app.bskyx"), prefValues(other))
	equalSlice(t, "com.ex_mple", prefTags(t, s, alice, "com.ex_mple"), prefValues(wild))
	equalSlice(t, "bob's", prefTags(t, s, bob, "app.bsky"), prefValues(a))
	equalSlice(t, "every namespace", prefTags(t, s, alice, ""), prefValues(b, a, exact, other, wild))
	for ns, want := range map[string]int{
		"ap": 0, "App.Bsky": 0, "com.ex%": 0, "com.exXmple": 0, "app.bsky.": 0,
		"app": 4, "app.bsky.actor": 2, "app.bsky.actor.defs#savedFeedsPref": 1,
	} {
		equal(t, "preferences in "+ns, len(prefTags(t, s, alice, ns)), want)
	}

	mustPrefs(alice, "app.bsky", a, b) // replaces exactly the namespace
	equalSlice(t, "after replace", prefTags(t, s, alice, "app.bsky"), prefValues(a, b))
	equalSlice(t, "others kept", prefTags(t, s, alice, ""), prefValues(other, wild, a, b))
	equalSlice(t, "bob's untouched", prefTags(t, s, bob, "app.bsky"), prefValues(a))
	mustPrefs(alice, "app.bsky")
	equal(t, "after emptying", len(prefTags(t, s, alice, "app.bsky")), 0)
	equalSlice(t, "others still kept", prefTags(t, s, alice, ""), prefValues(other, wild))

	notFound(t, s.PutPreferences(ctx, "did:plc:nobody", "app.bsky", []store.Preference{a}))
	equal(t, "nobody's", len(prefTags(t, s, "did:plc:nobody", "app.bsky")), 0)
}

func testNonces(t *testing.T, s store.Store) {
	ctx := t.Context()
	future := time.Now().Add(24 * time.Hour) // far from expiring while the test runs
	must(t, s.UseNonce(ctx, "n1", future))
	mustBe(t, s.UseNonce(ctx, "n1", future), store.ErrConflict)
	mustBe(t, s.UseNonce(ctx, "n1", future.Add(time.Hour)), store.ErrConflict)
	must(t, s.UseNonce(ctx, "N1", future)) // ids are case-sensitive

	must(t, s.UseNonce(ctx, "n2", base)) // already expired
	must(t, s.UseNonce(ctx, "n2", future))
	mustBe(t, s.UseNonce(ctx, "n2", future), store.ErrConflict)

	must(t, s.UseNonce(ctx, "old", base))
	must(t, s.UseNonce(ctx, "older", base.Add(-time.Hour)))
	n, err := s.DeleteExpiredNonces(ctx, base.Add(-time.Minute))
	must(t, err)
	equal(t, "deleted before base-1m", n, 1)
	n, err = s.DeleteExpiredNonces(ctx, base.Add(time.Minute))
	must(t, err)
	equal(t, "deleted before base+1m", n, 1)
	n, err = s.DeleteExpiredNonces(ctx, base.Add(time.Minute))
	must(t, err)
	equal(t, "deleted again", n, 0)
	mustBe(t, s.UseNonce(ctx, "n1", future), store.ErrConflict) // live nonces stay
	must(t, s.UseNonce(ctx, "old", future))
}

func testReservedKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	k1 := store.ReservedKey{KeyDID: "did:key:zQ3shk1", DID: alice, Sealed: RandomBytes(48), CreatedAt: base}
	k2 := store.ReservedKey{KeyDID: "did:key:zQ3shk2", DID: alice, Sealed: RandomBytes(48), CreatedAt: base.Add(time.Hour)}
	k3 := store.ReservedKey{KeyDID: "did:key:zQ3shk3", Sealed: RandomBytes(48), CreatedAt: base.Add(2 * time.Hour)}
	for _, k := range []store.ReservedKey{k2, k1, k3} { // no account needed
		must(t, s.ReserveSigningKey(ctx, k))
	}
	mustBe(t, s.ReserveSigningKey(ctx, store.ReservedKey{KeyDID: k1.KeyDID, DID: bob, Sealed: RandomBytes(48), CreatedAt: base}),
		store.ErrConflict)

	got, err := s.GetReservedKey(ctx, k1.KeyDID)
	must(t, err)
	equal(t, "KeyDID", got.KeyDID, k1.KeyDID)
	equal(t, "DID", got.DID, alice)
	equalBytes(t, "Sealed", got.Sealed, k1.Sealed)
	got, err = s.GetReservedKey(ctx, k3.KeyDID)
	must(t, err)
	equal(t, "DID of a key reserved for no DID", got.DID, "")
	_, err = s.GetReservedKey(ctx, "did:key:nope")
	notFound(t, err)

	got, err = s.GetReservedKeyForDID(ctx, alice)
	must(t, err)
	equal(t, "newest for alice", got.KeyDID, k2.KeyDID)
	_, err = s.GetReservedKeyForDID(ctx, bob)
	notFound(t, err)
	_, err = s.GetReservedKeyForDID(ctx, "")
	notFound(t, err)

	must(t, s.DeleteReservedKey(ctx, k2.KeyDID))
	notFound(t, s.DeleteReservedKey(ctx, k2.KeyDID))
	_, err = s.GetReservedKey(ctx, k2.KeyDID)
	notFound(t, err)
	got, err = s.GetReservedKeyForDID(ctx, alice)
	must(t, err)
	equal(t, "alice's remaining key", got.KeyDID, k1.KeyDID)
}

func testAccountLifecycleFields(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := NewAccount(alice, "alice.test")
	deactivated := base
	a.Account.Status = store.StatusDeactivated
	a.Account.DeactivatedAt = &deactivated
	a.Account.InvitesDisabled = true
	_, err := s.CreateAccount(ctx, a)
	must(t, err)
	createAccount(t, s, bob, "bob.test")

	got, err := s.GetAccount(ctx, alice)
	must(t, err)
	equal(t, "Status", got.Status, store.StatusDeactivated)
	equal(t, "DeactivatedAt set", got.DeactivatedAt != nil, true)
	equal(t, "InvitesDisabled", got.InvitesDisabled, true)
	equal(t, "TakedownRef", got.TakedownRef, "")
	got, err = s.GetAccount(ctx, bob)
	must(t, err)
	equal(t, "bob's DeactivatedAt", got.DeactivatedAt == nil, true)
	equal(t, "bob's InvitesDisabled", got.InvitesDisabled, false)

	_, err = s.SetAccountStatus(ctx, bob, store.StatusDeactivated, nil)
	must(t, err)
	got, _ = s.GetAccount(ctx, bob)
	equal(t, "DeactivatedAt after deactivating", got.DeactivatedAt != nil, true)
	_, err = s.SetAccountStatus(ctx, bob, store.StatusDeactivated, nil)
	must(t, err)
	got, _ = s.GetAccount(ctx, bob)
	equal(t, "DeactivatedAt after deactivating again", got.DeactivatedAt != nil, true)
	_, err = s.SetAccountStatus(ctx, bob, store.StatusActive, nil)
	must(t, err)
	got, _ = s.GetAccount(ctx, bob)
	equal(t, "Status", got.Status, store.StatusActive)
	equal(t, "DeactivatedAt after activating", got.DeactivatedAt == nil, true)
	_, err = s.SetAccountStatus(ctx, bob, store.StatusDeactivated, nil)
	must(t, err)
	_, err = s.SetAccountStatus(ctx, bob, store.StatusSuspended, nil)
	must(t, err)
	got, _ = s.GetAccount(ctx, bob)
	equal(t, "DeactivatedAt when suspended", got.DeactivatedAt == nil, true)

	must(t, s.SetInvitesDisabled(ctx, alice, false))
	must(t, s.SetInvitesDisabled(ctx, bob, true))
	got, _ = s.GetAccount(ctx, alice)
	equal(t, "alice's InvitesDisabled", got.InvitesDisabled, false)
	got, _ = s.GetAccount(ctx, bob)
	equal(t, "bob's InvitesDisabled", got.InvitesDisabled, true)
	notFound(t, s.SetInvitesDisabled(ctx, "did:plc:nobody", true))

	key := RandomBytes(48)
	must(t, s.UpdateSigningKey(ctx, alice, key))
	got, _ = s.GetAccount(ctx, alice)
	equalBytes(t, "SigningKey", got.SigningKey, key)
	got, _ = s.GetAccount(ctx, bob)
	equal(t, "bob's SigningKey kept", string(got.SigningKey) != string(key), true)
	notFound(t, s.UpdateSigningKey(ctx, "did:plc:nobody", key))
}

// populateV2 gives an account an account token, preferences and a reserved
// signing key, and returns the token's hash and the key's did:key.
func populateV2(t *testing.T, s store.Store, did string) ([]byte, string) {
	ctx := t.Context()
	hash := RandomBytes(32)
	must(t, s.PutAccountToken(ctx, store.AccountToken{
		Purpose: store.TokenDeleteAccount, DID: did, Hash: hash, RequestedAt: base,
	}))
	must(t, s.PutPreferences(ctx, did, "app.bsky", []store.Preference{pref("app.bsky.x", did)}))
	keyDID := "did:key:z" + did[8:]
	must(t, s.ReserveSigningKey(ctx, store.ReservedKey{KeyDID: keyDID, DID: did, Sealed: RandomBytes(48), CreatedAt: base}))
	return hash, keyDID
}

func testAccountDeleteLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	populate(t, s, alice, "alice.test")
	populate(t, s, bob, "bob.test")
	aliceHash, aliceKey := populateV2(t, s, alice)
	bobHash, bobKey := populateV2(t, s, bob)

	_, err := s.DeleteAccount(ctx, alice, nil)
	must(t, err)
	checkAccountGone(t, s, alice)
	_, err = s.GetAccountToken(ctx, store.TokenDeleteAccount, alice)
	notFound(t, err)
	_, err = s.FindAccountToken(ctx, store.TokenDeleteAccount, aliceHash)
	notFound(t, err)
	equal(t, "preferences", len(prefTags(t, s, alice, "")), 0)
	_, err = s.GetReservedKey(ctx, aliceKey)
	notFound(t, err)
	_, err = s.GetReservedKeyForDID(ctx, alice)
	notFound(t, err)

	found, err := s.FindAccountToken(ctx, store.TokenDeleteAccount, bobHash)
	must(t, err)
	equal(t, "bob's token", found.DID, bob)
	equal(t, "bob's preferences", len(prefTags(t, s, bob, "app.bsky")), 1)
	_, err = s.GetReservedKey(ctx, bobKey)
	must(t, err)

	createAccount(t, s, alice, "alice.test") // a new account under the old DID starts clean
	equal(t, "preferences of the new account", len(prefTags(t, s, alice, "")), 0)
}
