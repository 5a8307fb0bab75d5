package delegation_test

import (
	"testing"

	"github.com/hearthpds/hearth/backend/delegation"
	"github.com/hearthpds/hearth/backend/scopes"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// TestActAsChecks: per-request and refresh checks follow the current grant:
// narrowed when it narrows, refused once it is revoked; the account's own
// sessions are left alone.
func TestActAsChecks(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(t testing.TB) store.Store) {
		f := newFixture(t, open)
		ctx := t.Context()
		if _, err := f.svc.AddController(ctx, dana, carl, delegation.Rights{Preset: scopes.PresetAdmin}, dana); err != nil {
			t.Fatal(err)
		}
		const tokenScope = "atproto repo:* blob:*/*"
		eff, err := f.svc.ActAsScope(ctx, dana, carl, tokenScope)
		if err != nil || !eff.AllowsRepo("app.bsky.feed.post", scopes.ActionDelete) {
			t.Fatalf("ActAsScope under admin = %s, %v", eff, err)
		}
		token := store.OAuthToken{DID: dana, ActorDID: carl, Scope: tokenScope}
		if scope, err := f.svc.RefreshCheck(ctx, token); err != nil || scope != "atproto blob:*/* repo:*" {
			t.Fatalf("RefreshCheck under admin = %q, %v", scope, err)
		}

		if _, err := f.svc.UpdateController(ctx, dana, carl, delegation.Rights{Scope: "atproto repo:*?action=create"}, dana); err != nil {
			t.Fatal(err)
		}
		eff, err = f.svc.ActAsScope(ctx, dana, carl, tokenScope)
		if err != nil || eff.AllowsRepo("app.bsky.feed.post", scopes.ActionDelete) || !eff.AllowsRepo("app.bsky.feed.post", scopes.ActionCreate) || eff.AllowsBlob("image/png") {
			t.Fatalf("ActAsScope after narrowing = %s, %v", eff, err)
		}
		if scope, err := f.svc.RefreshCheck(ctx, token); err != nil || scope != "atproto repo:*?action=create" {
			t.Fatalf("RefreshCheck after narrowing = %q, %v", scope, err)
		}

		if _, err := f.svc.RemoveController(ctx, dana, carl, dana); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.ActAsScope(ctx, dana, carl, tokenScope)
		mustBe(t, "ActAsScope after revoking", err, delegation.ErrNoGrant)
		_, err = f.svc.RefreshCheck(ctx, token)
		mustBe(t, "RefreshCheck after revoking", err, delegation.ErrNoGrant)
		if scope, err := f.svc.RefreshCheck(ctx, store.OAuthToken{DID: dana, Scope: tokenScope}); err != nil || scope != "" {
			t.Fatalf("RefreshCheck of the account's own session = %q, %v", scope, err)
		}
	})
}
