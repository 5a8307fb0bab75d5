package storetest

import (
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

func testRefreshTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	tok := store.RefreshToken{ID: "t1", DID: alice, AppPasswordName: "app", ExpiresAt: base.Add(time.Hour)}
	must(t, s.CreateRefreshToken(ctx, tok))
	must(t, s.CreateRefreshToken(ctx, store.RefreshToken{ID: "t2", DID: alice, ExpiresAt: base.Add(3 * time.Hour)}))
	mustBe(t, s.CreateRefreshToken(ctx, store.RefreshToken{ID: "t1", DID: alice, ExpiresAt: base}), store.ErrConflict)

	got, err := s.GetRefreshToken(ctx, "t1")
	must(t, err)
	equal(t, "ID", got.ID, "t1")
	equal(t, "DID", got.DID, alice)
	equal(t, "AppPasswordName", got.AppPasswordName, "app")
	equal(t, "NextID", got.NextID, "")
	got, _ = s.GetRefreshToken(ctx, "t2")
	equal(t, "AppPasswordName of a full session", got.AppPasswordName, "")
	_, err = s.GetRefreshToken(ctx, "nope")
	notFound(t, err)

	n, err := s.DeleteExpiredRefreshTokens(ctx, base.Add(2*time.Hour))
	must(t, err)
	equal(t, "expired tokens deleted", n, 1)
	_, err = s.GetRefreshToken(ctx, "t1")
	notFound(t, err)

	must(t, s.DeleteRefreshToken(ctx, "t2"))
	_, err = s.GetRefreshToken(ctx, "t2")
	notFound(t, err)
	notFound(t, s.DeleteRefreshToken(ctx, "t2"))

	// All of an account's tokens go at once; another account's stay.
	createAccount(t, s, bob, "bob.test")
	for _, id := range []string{"a1", "a2"} {
		must(t, s.CreateRefreshToken(ctx, store.RefreshToken{ID: id, DID: alice, ExpiresAt: base.Add(time.Hour)}))
	}
	must(t, s.CreateRefreshToken(ctx, store.RefreshToken{ID: "b1", DID: bob, ExpiresAt: base.Add(time.Hour)}))
	n, err = s.DeleteAccountRefreshTokens(ctx, alice)
	must(t, err)
	equal(t, "account tokens deleted", n, 2)
	_, err = s.GetRefreshToken(ctx, "a1")
	notFound(t, err)
	_, err = s.GetRefreshToken(ctx, "b1")
	must(t, err)
}

func testRotateRefreshToken(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	must(t, s.CreateRefreshToken(ctx, store.RefreshToken{ID: "old", DID: alice, ExpiresAt: base.Add(90 * 24 * time.Hour)}))
	next := store.RefreshToken{ID: "new", DID: alice, ExpiresAt: base.Add(90 * 24 * time.Hour)}
	must(t, s.RotateRefreshToken(ctx, "old", base.Add(time.Hour), next))

	old, err := s.GetRefreshToken(ctx, "old")
	must(t, err)
	equal(t, "old.NextID", old.NextID, "new")
	got, err := s.GetRefreshToken(ctx, "new")
	must(t, err)
	equal(t, "new.DID", got.DID, alice)

	again := store.RefreshToken{ID: "newer", DID: alice, ExpiresAt: base.Add(90 * 24 * time.Hour)}
	mustBe(t, s.RotateRefreshToken(ctx, "old", base.Add(time.Hour), again), store.ErrConflict)
	_, err = s.GetRefreshToken(ctx, "newer")
	notFound(t, err)
	notFound(t, s.RotateRefreshToken(ctx, "missing", base.Add(time.Hour), again))
	_, err = s.GetRefreshToken(ctx, "newer")
	notFound(t, err)

	// The old token's expiry was shortened to the grace period: it expires
	// with it, the new one does not.
	n, err := s.DeleteExpiredRefreshTokens(ctx, base.Add(2*time.Hour))
	must(t, err)
	equal(t, "expired after grace", n, 1)
	_, err = s.GetRefreshToken(ctx, "old")
	notFound(t, err)
	_, err = s.GetRefreshToken(ctx, "new")
	must(t, err)
}

func testAppPasswords(t *testing.T, s store.Store) {
	ctx := t.Context()
	createAccount(t, s, alice, "alice.test")
	createAccount(t, s, bob, "bob.test")
	h1, h2 := RandomBytes(32), RandomBytes(32)
	must(t, s.CreateAppPassword(ctx, store.AppPassword{DID: alice, Name: "older", Hash: h1, CreatedAt: base}))
	must(t, s.CreateAppPassword(ctx, store.AppPassword{DID: alice, Name: "newer", Hash: h2, Privileged: true, CreatedAt: base.Add(time.Minute)}))
	mustBe(t, s.CreateAppPassword(ctx, store.AppPassword{DID: alice, Name: "older", Hash: RandomBytes(32), CreatedAt: base}), store.ErrConflict)
	must(t, s.CreateAppPassword(ctx, store.AppPassword{DID: bob, Name: "older", Hash: RandomBytes(32), CreatedAt: base}))

	list, err := s.ListAppPasswords(ctx, alice)
	must(t, err)
	equal(t, "count", len(list), 2)
	equal(t, "newest first", list[0].Name+","+list[1].Name, "newer,older")

	got, err := s.GetAppPasswordByHash(ctx, alice, h2)
	must(t, err)
	equal(t, "Name", got.Name, "newer")
	equal(t, "Privileged", got.Privileged, true)
	equalBytes(t, "Hash", got.Hash, h2)
	got, _ = s.GetAppPasswordByHash(ctx, alice, h1)
	equal(t, "Privileged", got.Privileged, false)
	_, err = s.GetAppPasswordByHash(ctx, bob, h1)
	notFound(t, err)
	_, err = s.GetAppPasswordByHash(ctx, alice, RandomBytes(32))
	notFound(t, err)

	far := base.Add(24 * time.Hour)
	for id, app := range map[string]string{"via-older": "older", "via-newer": "newer", "full": "", "bob-older": "older"} {
		did := alice
		if id == "bob-older" {
			did = bob
		}
		must(t, s.CreateRefreshToken(ctx, store.RefreshToken{ID: id, DID: did, AppPasswordName: app, ExpiresAt: far}))
	}
	must(t, s.RevokeAppPassword(ctx, alice, "older"))
	_, err = s.GetRefreshToken(ctx, "via-older")
	notFound(t, err)
	for _, kept := range []string{"via-newer", "full", "bob-older"} {
		_, err := s.GetRefreshToken(ctx, kept)
		must(t, err)
	}
	_, err = s.GetAppPasswordByHash(ctx, alice, h1)
	notFound(t, err)
	notFound(t, s.RevokeAppPassword(ctx, alice, "older"))
	list, _ = s.ListAppPasswords(ctx, bob)
	equal(t, "bob's app passwords", len(list), 1)
}
