package storetest

import (
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// testOAuthRequests: a pushed request is stored, approved once, its code
// used once (a second use reports the first use's family) and deleted;
// expired requests are cleaned up.
func testOAuthRequests(t *testing.T, s store.Store) {
	ctx := t.Context()
	req := store.OAuthRequest{
		ID: "req-1", ClientID: "https://app.example/client.json", ClientAuth: "none",
		DPoPJKT: "jkt-1", Params: []byte(`{"state":"s"}`), ExpiresAt: base.Add(10 * time.Minute),
	}
	must(t, s.CreateOAuthRequest(ctx, req))
	mustBe(t, s.CreateOAuthRequest(ctx, req), store.ErrConflict)
	got, err := s.GetOAuthRequest(ctx, "req-1")
	must(t, err)
	equal(t, "client", got.ClientID, req.ClientID)
	equal(t, "jkt", got.DPoPJKT, "jkt-1")
	equalBytes(t, "params", got.Params, req.Params)
	equal(t, "expires", got.ExpiresAt, req.ExpiresAt)
	equal(t, "no code yet", len(got.CodeHash), 0)
	_, err = s.GetOAuthRequest(ctx, "nope")
	notFound(t, err)

	_, err = s.UseOAuthCode(ctx, []byte("code-hash"), "fam-1", base)
	notFound(t, err)

	grant := store.OAuthCodeGrant{CodeHash: []byte("code-hash"), DID: alice, Scope: "atproto", ExpiresAt: base.Add(time.Minute)}
	must(t, s.ApproveOAuthRequest(ctx, "req-1", grant))
	mustBe(t, s.ApproveOAuthRequest(ctx, "req-1", grant), store.ErrConflict)
	mustBe(t, s.ApproveOAuthRequest(ctx, "nope", grant), store.ErrNotFound)
	got, err = s.GetOAuthRequest(ctx, "req-1")
	must(t, err)
	equal(t, "did", got.DID, alice)
	equal(t, "scope", got.Scope, "atproto")
	equal(t, "code expiry", got.ExpiresAt, grant.ExpiresAt)

	used, err := s.UseOAuthCode(ctx, []byte("code-hash"), "fam-1", base)
	must(t, err)
	equal(t, "used request", used.ID, "req-1")
	equal(t, "family", used.FamilyID, "fam-1")
	if used.CodeUsedAt == nil || !used.CodeUsedAt.Equal(base) {
		t.Fatalf("CodeUsedAt = %v", used.CodeUsedAt)
	}
	again, err := s.UseOAuthCode(ctx, []byte("code-hash"), "fam-2", base.Add(time.Second))
	mustBe(t, err, store.ErrConflict)
	equal(t, "first use's family", again.FamilyID, "fam-1")

	must(t, s.CreateOAuthRequest(ctx, store.OAuthRequest{ID: "req-2", ClientID: "c", ClientAuth: "none", DPoPJKT: "j", ExpiresAt: base}))
	must(t, s.DeleteOAuthRequest(ctx, "req-2"))
	notFound(t, s.DeleteOAuthRequest(ctx, "req-2"))

	n, err := s.DeleteExpiredOAuth(ctx, base.Add(2*time.Minute))
	must(t, err)
	equal(t, "expired rows", n, int64(1))
	_, err = s.GetOAuthRequest(ctx, "req-1")
	notFound(t, err)
}

// oauthToken returns a refresh token of alice's family fam.
func oauthToken(hash, fam string, expires time.Time) store.OAuthToken {
	return store.OAuthToken{
		Hash: []byte(hash), FamilyID: fam, DID: alice, ClientID: "https://app.example/client.json",
		ClientAuth: "none", DPoPJKT: "jkt", Scope: "atproto transition:generic",
		CreatedAt: base, ExpiresAt: expires, FamilyExpiresAt: base.Add(7 * 24 * time.Hour),
	}
}

// testOAuthTokens: refresh tokens rotate once, revoke by family and by
// account/actor, report their family's state, go with their account and
// are cleaned up when expired.
func testOAuthTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	day := base.Add(24 * time.Hour)

	first := oauthToken("h1", "fam", day)
	must(t, s.CreateOAuthToken(ctx, first))
	mustBe(t, s.CreateOAuthToken(ctx, first), store.ErrConflict)
	ghost := oauthToken("h-ghost", "fam-ghost", day)
	ghost.DID = bob
	mustBe(t, s.CreateOAuthToken(ctx, ghost), store.ErrNotFound) // no such account

	got, err := s.GetOAuthToken(ctx, []byte("h1"))
	must(t, err)
	equal(t, "family", got.FamilyID, "fam")
	equal(t, "scope", got.Scope, first.Scope)
	equal(t, "expires", got.ExpiresAt, day)
	equal(t, "not rotated", got.RotatedAt == nil, true)
	_, err = s.GetOAuthToken(ctx, []byte("nope"))
	notFound(t, err)

	active, err := s.OAuthFamilyActive(ctx, "fam", base)
	must(t, err)
	equal(t, "active", active, true)

	second := oauthToken("h2", "fam", day.Add(time.Hour))
	must(t, s.RotateOAuthToken(ctx, []byte("h1"), base.Add(time.Minute), second))
	mustBe(t, s.RotateOAuthToken(ctx, []byte("h1"), base.Add(time.Minute), oauthToken("h3", "fam", day)), store.ErrConflict)
	mustBe(t, s.RotateOAuthToken(ctx, []byte("nope"), base, oauthToken("h4", "fam", day)), store.ErrNotFound)
	got, err = s.GetOAuthToken(ctx, []byte("h1"))
	must(t, err)
	if got.RotatedAt == nil || !got.RotatedAt.Equal(base.Add(time.Minute)) {
		t.Fatalf("RotatedAt = %v", got.RotatedAt)
	}
	_, err = s.GetOAuthToken(ctx, []byte("h3"))
	notFound(t, err) // the refused rotation stored nothing
	active, err = s.OAuthFamilyActive(ctx, "fam", base)
	must(t, err)
	equal(t, "active after rotation", active, true)
	active, err = s.OAuthFamilyActive(ctx, "fam", day.Add(2*time.Hour))
	must(t, err)
	equal(t, "active after expiry", active, false)

	n, err := s.RevokeOAuthFamily(ctx, "fam", base.Add(2*time.Minute))
	must(t, err)
	equal(t, "revoked", n, int64(2))
	active, err = s.OAuthFamilyActive(ctx, "fam", base)
	must(t, err)
	equal(t, "active after revocation", active, false)
	mustBe(t, s.RotateOAuthToken(ctx, []byte("h2"), base, oauthToken("h5", "fam", day)), store.ErrConflict)

	// By account and actor.
	mine := oauthToken("m1", "fam-mine", day)
	ctl := oauthToken("c1", "fam-ctl", day)
	ctl.ActorDID = "did:plc:controller"
	must(t, s.CreateOAuthToken(ctx, mine))
	must(t, s.CreateOAuthToken(ctx, ctl))
	got, err = s.GetOAuthToken(ctx, []byte("c1"))
	must(t, err)
	equal(t, "actor", got.ActorDID, "did:plc:controller")
	live, err := s.ListOAuthSessions(ctx, alice, base)
	must(t, err)
	var fams []string
	for _, l := range live {
		fams = append(fams, l.FamilyID)
	}
	equalSlice(t, "live sessions", fams, []string{"fam-ctl", "fam-mine"})
	n, err = s.RevokeOAuthTokens(ctx, alice, "did:plc:controller", base)
	must(t, err)
	equal(t, "revoked for actor", n, int64(1))
	active, err = s.OAuthFamilyActive(ctx, "fam-mine", base)
	must(t, err)
	equal(t, "own family untouched", active, true)
	n, err = s.RevokeOAuthTokens(ctx, alice, "", base)
	must(t, err)
	equal(t, "revoked for account", n, int64(1))
	live, err = s.ListOAuthSessions(ctx, alice, base)
	must(t, err)
	equal(t, "live sessions after revocation", len(live), 0)

	// Cleanup by expiry, then with the account.
	must(t, s.CreateOAuthToken(ctx, oauthToken("late", "fam-late", day.Add(48*time.Hour))))
	n, err = s.DeleteExpiredOAuth(ctx, day.Add(2*time.Hour))
	must(t, err)
	equal(t, "expired tokens", n, int64(4))
	_, err = s.GetOAuthToken(ctx, []byte("late"))
	must(t, err)
	_, err = s.DeleteAccount(ctx, alice, nil)
	must(t, err)
	_, err = s.GetOAuthToken(ctx, []byte("late"))
	notFound(t, err)
}

// testOAuthDevices: a device remembers its accounts until they expire or
// sign out, and forgets a deleted account.
func testOAuthDevices(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	createAccount(t, s, bob, "bob.test")
	dev, other := []byte("device-1"), []byte("device-2")
	must(t, s.AddOAuthDeviceAccount(ctx, store.OAuthDeviceAccount{DeviceHash: dev, DID: alice, CreatedAt: base, ExpiresAt: base.Add(time.Hour)}))
	must(t, s.AddOAuthDeviceAccount(ctx, store.OAuthDeviceAccount{DeviceHash: dev, DID: bob, CreatedAt: base.Add(time.Second), ExpiresAt: base.Add(2 * time.Hour)}))
	must(t, s.AddOAuthDeviceAccount(ctx, store.OAuthDeviceAccount{DeviceHash: other, DID: bob, CreatedAt: base, ExpiresAt: base.Add(time.Hour)}))
	mustBe(t, s.AddOAuthDeviceAccount(ctx, store.OAuthDeviceAccount{DeviceHash: dev, DID: "did:plc:nobody", CreatedAt: base, ExpiresAt: base}), store.ErrNotFound)

	dids := func(now time.Time) []string {
		list, err := s.ListOAuthDeviceAccounts(ctx, dev, now)
		must(t, err)
		var out []string
		for _, a := range list {
			out = append(out, a.DID)
		}
		return out
	}
	equalSlice(t, "device accounts", dids(base), []string{alice, bob})
	equalSlice(t, "after alice's expiry", dids(base.Add(90*time.Minute)), []string{bob})

	// Signing in again extends the entry.
	must(t, s.AddOAuthDeviceAccount(ctx, store.OAuthDeviceAccount{DeviceHash: dev, DID: alice, CreatedAt: base.Add(time.Minute), ExpiresAt: base.Add(3 * time.Hour)}))
	equalSlice(t, "re-signed in", dids(base.Add(90*time.Minute)), []string{bob, alice})

	must(t, s.RemoveOAuthDeviceAccount(ctx, dev, bob))
	must(t, s.RemoveOAuthDeviceAccount(ctx, dev, bob)) // already gone
	equalSlice(t, "after sign-out", dids(base), []string{alice})

	n, err := s.DeleteExpiredOAuth(ctx, base.Add(150*time.Minute))
	must(t, err)
	equal(t, "expired device rows", n, int64(1)) // bob on the other device
	_, err = s.DeleteAccount(ctx, alice, nil)
	must(t, err)
	equalSlice(t, "after account deletion", dids(base), nil)
}
