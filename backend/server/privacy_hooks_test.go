package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/plugin"
	"github.com/hearthpds/hearth/backend/privacy"
	"github.com/hearthpds/hearth/backend/privacy/remote"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

const privacyGuestToml = `
id = "dev.test.privacy"
name = "Privacy hooks"
version = "1.0.0"
api = 1
capabilities = [{ kind = "kv:write" }, { kind = "privacy:hooks" }]
[hooks]
"privacy.on_access_grant_request" = { collections = ["com.example.*"] }
"privacy.on_key_rotation" = {}
[config]
refuse = { type = "string", default = "" }
[limits]
before_timeout_ms = 2000
`

// prKV waits for the plugin's kv value at key (after-hooks are queued)
// and returns it, or "" if it never appears.
func prKV(t *testing.T, pds *testpds.PDS, key string) string {
	t.Helper()
	for i := 0; i < 500; i++ {
		v, err := pds.Server.Store().GetPluginKV(context.Background(), "dev.test.privacy", key)
		if err == nil {
			return string(v)
		}
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return ""
}

// TestPrivacyPluginHooks drives a real compiled plugin through the
// privacy hooks: it refuses grants to the DID it is configured with, over
// XRPC (a 400 naming the plugin) and in-process alike, and nothing is
// stored; it sees grants it allows and every rotation (over XRPC and
// in-process), with the owner, collection, grantee and epoch only; its
// collection filter applies; the hooks need the privacy:hooks capability
// in the manifest, and are not called when the user's grant leaves it
// out.
func TestPrivacyPluginHooks(t *testing.T) { testdb.RunURL(t, testPrivacyPluginHooks) }

func testPrivacyPluginHooks(t *testing.T, dbURL func(testing.TB) string) {
	ctx := context.Background()
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	h := pds.Server.Plugins()
	installGuest(t, h, "privacy", privacyGuestToml)
	alice, bob, dan := prNewAccount(t, pds, "alice.test"), prNewAccount(t, pds, "bob.test"), prNewAccount(t, pds, "dan.test")
	prMust(t, h.Configure(ctx, "dev.test.privacy", map[string]any{"refuse": dan.did}))
	net := prNewNet(pds.PLCURL)
	own := net.owner(alice)
	svc := pds.Server.Privacy()
	_, err := own.Put(ctx, prDiary, "3kone", prNote(t, map[string]any{"text": "one"}))
	prMust(t, err)

	// Allowed, and seen: owner and epoch, nothing else.
	if _, err := own.Grant(ctx, prDiary, bob.did, bob.id.Public()); err != nil {
		t.Fatalf("grant to bob: %v", err)
	}
	if v := prKV(t, pds, "grant/"+prDiary+"/"+bob.did); v != alice.did+" 1" {
		t.Fatalf("the plugin saw the grant to bob as %q", v)
	}
	// Refused over XRPC, naming the plugin, and in-process.
	_, err = own.Grant(ctx, prDiary, dan.did, dan.id.Public())
	var xe *remote.Error
	if !errors.As(err, &xe) || xe.Status != 400 || xe.Name != "GranteeRefused" || !strings.Contains(xe.Message, "(plugin dev.test.privacy)") {
		t.Fatalf("grant to dan over XRPC: %v", err)
	}
	_, err = svc.Grant(ctx, alice.did, prDiary, dan.did, dan.id.Public())
	var rej *privacy.GrantRefusedError
	if !errors.Is(err, privacy.ErrGrantRefused) || !errors.As(err, &rej) || rej.Plugin != "dev.test.privacy" {
		t.Fatalf("grant to dan in-process: %v", err)
	}
	if gs, err := svc.ListGrants(ctx, alice.did, prDiary, true); err != nil || len(gs) != 2 {
		t.Fatalf("after the refusals alice's grants are %+v, %v; want hers and bob's", gs, err)
	}
	// The hook's collection filter: another namespace is not asked.
	if _, err := svc.Grant(ctx, alice.did, "org.other.diary", dan.did, dan.id.Public()); err != nil {
		t.Fatalf("grant outside the hook's collections: %v", err)
	}

	// Rotations, over XRPC (revokeAccess) and in-process (Rotate).
	if _, err := own.Revoke(ctx, prDiary, bob.did, false); err != nil {
		t.Fatal(err)
	}
	if v := prKV(t, pds, "rotation/"+prDiary+"/2"); v != alice.did+" "+bob.did {
		t.Fatalf("the plugin saw the revocation as %q", v)
	}
	if _, err := svc.Rotate(ctx, alice.did, prDiary, false); err != nil {
		t.Fatal(err)
	}
	if v := prKV(t, pds, "rotation/"+prDiary+"/3"); v != alice.did+" " {
		t.Fatalf("the plugin saw the rotation as %q", v)
	}
	if _, err := pds.Server.Store().GetPluginKV(ctx, "dev.test.privacy", "rotation/"+prDiary+"/1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a collection's creation was reported as a rotation: %v", err)
	}
	// The owner's XRPC client did not see the in-process rotation: it
	// re-reads its grants when the PDS says StaleEpoch (a write) or a
	// record is at an epoch it lacks (a read).
	if env, err := net.owner(alice).Put(ctx, prDiary, "3kthree", prNote(t, map[string]any{"text": "three"})); err != nil || env.Epoch != 3 {
		t.Fatalf("a second client's write: %+v, %v", env, err)
	}
	if got, err := own.Get(ctx, prDiary, "3kthree"); err != nil || got.Epoch != 3 {
		t.Fatalf("a stale client reads a record of the new epoch: %+v, %v", got, err)
	}
	_, err = svc.Rotate(ctx, alice.did, prDiary, false)
	prMust(t, err)
	if env, err := own.Put(ctx, prDiary, "3kfour", prNote(t, map[string]any{"text": "four"})); err != nil || env.Epoch != 4 {
		t.Fatalf("a stale client's write: %+v, %v", env, err)
	}

	// Enabled without privacy:hooks, the plugin is not asked.
	prMust(t, h.Disable(ctx, "dev.test.privacy"))
	prMust(t, h.Enable(ctx, "dev.test.privacy", []plugin.Capability{{Kind: plugin.CapKVWrite}}))
	const journal = "com.example.journal"
	if _, err := svc.Grant(ctx, alice.did, journal, dan.did, dan.id.Public()); err != nil {
		t.Fatalf("grant with the hook not granted: %v", err)
	}
	if _, err := pds.Server.Store().GetPluginKV(ctx, "dev.test.privacy", "grant/"+journal+"/"+dan.did); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a plugin without privacy:hooks was asked: %v", err)
	}

	// Declaring the hooks needs the capability.
	bad := strings.Replace(strings.Replace(privacyGuestToml, `, { kind = "privacy:hooks" }`, "", 1), "dev.test.privacy", "dev.test.privacy2", 1)
	if _, err := h.Install(ctx, guestBundle(t, "privacy", bad)); err == nil || !strings.Contains(err.Error(), `needs capability "privacy:hooks"`) {
		t.Fatalf("install without privacy:hooks: %v", err)
	}
}
