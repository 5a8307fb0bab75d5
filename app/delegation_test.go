package app

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/delegation"
	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testpds"
)

// wantErrName fails unless err ends with "(name)".
func wantErrName(t *testing.T, what string, err error, name string) {
	t.Helper()
	if err == nil || !strings.HasSuffix(err.Error(), "("+name+")") {
		t.Fatalf("%s: error %v; want one ending in (%s)", what, err, name)
	}
}

// TestDelegationBindings: the Delegation page's bindings over the real
// delegation service. The controller is an account on another PDS sharing
// the PLC directory, so it resolves by DID as a remote controller would.
func TestDelegationBindings(t *testing.T) {
	env, plcURL := localFirst(t)
	other := testpds.Start(t, testpds.Options{PLCURL: plcURL})
	ctx := context.Background()
	bob, err := other.Server.Accounts().Create(ctx, account.CreateInput{Handle: "bob.test", Password: "bob's long password"})
	if err != nil {
		t.Fatal(err)
	}
	bobDID := bob.Account.DID

	a := newTestApp(t, "", keys.NewMemKeychain(), env...)
	if _, err := a.ListControllers(); err == nil || !strings.Contains(err.Error(), "(AccountNotFound)") {
		t.Fatalf("before the account exists: %v; want AccountNotFound", err)
	}
	alice, err := a.CreateAccount(CreateAccountInput{Handle: "alice", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}

	presets, err := a.DelegationPresets()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range presets {
		names = append(names, p.Name)
		if len(p.Description) == 0 || !strings.HasPrefix(p.Scope, "atproto") {
			t.Fatalf("preset %+v: want plain words and a scope", p)
		}
	}
	if strings.Join(names, ",") != "owner,admin,editor,viewer" {
		t.Fatalf("presets = %v", names)
	}

	if cs, err := a.ListControllers(); err != nil || len(cs) != 0 {
		t.Fatalf("controllers of a new account: %+v, %v", cs, err)
	}

	// Refusals, each in words with its name.
	_, err = a.AddController(ControllerInput{Who: "nobody.invalid", Preset: "editor"})
	wantErrName(t, "unknown handle", err, "ControllerNotFound")
	_, err = a.AddController(ControllerInput{Who: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", Preset: "editor"})
	wantErrName(t, "DID not in the directory", err, "ControllerNotFound")
	_, err = a.AddController(ControllerInput{Who: alice.DID, Preset: "editor"})
	wantErrName(t, "self", err, "SelfControl")
	_, err = a.AddController(ControllerInput{Who: bobDID, Preset: "superuser"})
	wantErrName(t, "unknown preset", err, "UnknownPreset")
	_, err = a.AddController(ControllerInput{Who: bobDID, Preset: "editor", Scope: "atproto"})
	wantErrName(t, "preset and scope", err, "InvalidRequest")
	_, err = a.AddController(ControllerInput{Who: bobDID})
	wantErrName(t, "neither preset nor scope", err, "InvalidRequest")
	_, err = a.AddController(ControllerInput{Who: "", Preset: "editor"})
	wantErrName(t, "nobody", err, "InvalidRequest")
	_, err = a.AddController(ControllerInput{Who: bobDID, Scope: "atproto rpc:dev.hearthpds.delegation.addController?aud=*"})
	wantErrName(t, "delegation management", err, "NotDelegable")
	_, err = a.AddController(ControllerInput{Who: bobDID, Scope: "repo:app.bsky.feed.post"})
	if wantErrName(t, "no atproto", err, "InvalidScope"); !strings.Contains(err.Error(), `"atproto"`) {
		t.Fatalf("scope without atproto: %v; want it to say atproto is needed", err)
	}
	if cs, _ := a.ListControllers(); len(cs) != 0 {
		t.Fatalf("a refused grant was stored: %+v", cs)
	}

	// Add bob as an editor, by DID.
	added, err := a.AddController(ControllerInput{Who: " " + bobDID + " ", Preset: "editor"})
	if err != nil {
		t.Fatal(err)
	}
	if added.DID != bobDID || added.Preset != "editor" || added.GrantedBy != alice.DID || added.GrantedAt == "" ||
		!strings.Contains(added.Scope, "repo:*") || len(added.Description) == 0 {
		t.Fatalf("added = %+v", added)
	}
	_, err = a.AddController(ControllerInput{Who: bobDID, Preset: "viewer"})
	wantErrName(t, "twice", err, "GrantExists")

	cs, err := a.ListControllers()
	if err != nil || len(cs) != 1 || cs[0].DID != bobDID || cs[0].Preset != "editor" || cs[0].LastUsed != "" {
		t.Fatalf("controllers = %+v, %v", cs, err)
	}

	// A token issued to bob for alice shows as "last used".
	run, _ := a.current()
	if err := run.srv.Delegation().Audit(ctx, delegation.Entry{
		Kind: store.AuditTokenIssued, Delegated: alice.DID, Controller: bobDID, Detail: delegation.Detail{ClientID: "https://app.example/client.json"},
	}); err != nil {
		t.Fatal(err)
	}
	if cs, _ := a.ListControllers(); len(cs) != 1 || cs[0].LastUsed == "" {
		t.Fatalf("after a token: %+v; want last used", cs)
	}

	// Change to a custom scope, then to one equal to a preset.
	custom, err := a.UpdateController(ControllerInput{Who: bobDID, Scope: "atproto   repo:app.bsky.feed.post"})
	if err != nil {
		t.Fatal(err)
	}
	if custom.Preset != "custom" || custom.Scope != "atproto repo:app.bsky.feed.post" || custom.UpdatedAt == "" || custom.LastUsed == "" {
		t.Fatalf("custom = %+v", custom)
	}
	viewer, _ := a.DelegationPresets()
	asViewer, err := a.UpdateController(ControllerInput{Who: bobDID, Scope: viewer[3].Scope})
	if err != nil || asViewer.Preset != "viewer" {
		t.Fatalf("scope equal to the viewer preset: %+v, %v", asViewer, err)
	}
	_, err = a.UpdateController(ControllerInput{Who: "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb", Preset: "viewer"})
	wantErrName(t, "update without a grant", err, "GrantNotFound")

	// The audit log: newest first, filtered by kind and controller, paged.
	page, err := a.DelegationAuditLog(AuditFilterInput{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range page.Entries {
		kinds = append(kinds, e.Kind)
		if e.Controller != bobDID || e.At == "" || e.ID == "" {
			t.Fatalf("entry %+v", e)
		}
	}
	if strings.Join(kinds, ",") != "grant.update,grant.update,token.issued,grant.add" || page.Cursor != "" {
		t.Fatalf("audit kinds = %v, cursor %q", kinds, page.Cursor)
	}
	if e := page.Entries[1]; e.Preset != "custom" || e.PreviousScope == "" || e.Actor != alice.DID {
		t.Fatalf("update entry = %+v", e)
	}
	if e := page.Entries[2]; e.ClientID != "https://app.example/client.json" || e.Actor != bobDID {
		t.Fatalf("token entry = %+v", e)
	}
	adds, err := a.DelegationAuditLog(AuditFilterInput{Kinds: []string{"grant.add"}, Controller: bobDID})
	if err != nil || len(adds.Entries) != 1 || adds.Entries[0].Preset != "editor" {
		t.Fatalf("grant.add entries: %+v, %v", adds, err)
	}
	first, err := a.DelegationAuditLog(AuditFilterInput{Limit: 3})
	if err != nil || len(first.Entries) != 3 || first.Cursor == "" {
		t.Fatalf("first page: %+v, %v", first, err)
	}
	second, err := a.DelegationAuditLog(AuditFilterInput{Limit: 3, Cursor: first.Cursor})
	if err != nil || len(second.Entries) != 1 || second.Entries[0].Kind != "grant.add" || second.Cursor != "" {
		t.Fatalf("second page: %+v, %v", second, err)
	}
	none, err := a.DelegationAuditLog(AuditFilterInput{Controller: "did:plc:cccccccccccccccccccccccc"})
	if err != nil || len(none.Entries) != 0 {
		t.Fatalf("another controller's entries: %+v, %v", none, err)
	}
	_, err = a.DelegationAuditLog(AuditFilterInput{Kinds: []string{"coffee"}})
	wantErrName(t, "unknown kind", err, "InvalidRequest")
	_, err = a.DelegationAuditLog(AuditFilterInput{Cursor: "abc"})
	wantErrName(t, "bad cursor", err, "InvalidRequest")

	// Revoke while ending bob's sign-ins fails: the grant is revoked all
	// the same, and the window says what went wrong.
	var failHook atomic.Bool
	failHook.Store(true)
	run.srv.Delegation().OnRevoke(func(context.Context, string, string) error {
		if failHook.Load() {
			return errors.New("the sign-in store is unavailable")
		}
		return nil
	})
	_, err = a.RemoveController(bobDID)
	if wantErrName(t, "revoke with a failing hook", err, "InternalError"); !strings.HasPrefix(err.Error(), "Access was revoked") {
		t.Fatalf("revoke with a failing hook: %v", err)
	}
	if cs, _ := a.ListControllers(); len(cs) != 0 {
		t.Fatalf("after a revocation whose hook failed: %+v", cs)
	}
	failHook.Store(false)

	// Again, cleanly.
	if _, err := a.AddController(ControllerInput{Who: bobDID, Preset: "viewer"}); err != nil {
		t.Fatal(err)
	}
	removed, err := a.RemoveController(bobDID)
	if err != nil || removed.RevokedAt == "" || removed.DID != bobDID {
		t.Fatalf("removed = %+v, %v", removed, err)
	}
	if cs, _ := a.ListControllers(); len(cs) != 0 {
		t.Fatalf("after revoking: %+v", cs)
	}
	_, err = a.RemoveController(bobDID)
	wantErrName(t, "revoke twice", err, "GrantNotFound")
	revokes, _ := a.DelegationAuditLog(AuditFilterInput{Kinds: []string{"grant.revoke"}})
	if len(revokes.Entries) != 2 || revokes.Entries[0].Preset != "viewer" || revokes.Entries[1].Preset != "viewer" {
		t.Fatalf("revoke entries: %+v", revokes)
	}

	// Accounts I can act for: another account hosted here lets alice act
	// for it.
	if cs, err := a.ListControlledAccounts(); err != nil || len(cs) != 0 {
		t.Fatalf("controlled accounts: %+v, %v", cs, err)
	}
	carol, err := run.srv.Accounts().Create(ctx, account.CreateInput{Handle: "carol.test", Password: "carol's long password", Owner: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.srv.Delegation().AddController(ctx, carol.Account.DID, alice.DID, delegation.Rights{Preset: "viewer"}, carol.Account.DID); err != nil {
		t.Fatal(err)
	}
	controlled, err := a.ListControlledAccounts()
	if err != nil || len(controlled) != 1 || controlled[0].DID != carol.Account.DID || controlled[0].Handle != "carol.test" ||
		controlled[0].Preset != "viewer" || len(controlled[0].Description) == 0 {
		t.Fatalf("controlled accounts: %+v, %v", controlled, err)
	}
	// One level deep: alice, who controls carol, cannot now be controlled.
	_, err = a.AddController(ControllerInput{Who: bobDID, Preset: "viewer"})
	wantErrName(t, "two levels", err, "DelegationTooDeep")
}
