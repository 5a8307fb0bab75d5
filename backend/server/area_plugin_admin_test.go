package server_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestPluginAdminXRPC drives a real compiled plugin's lifecycle through the
// operator's dev.hearthpds.plugin.* methods over HTTP: install from a
// folder on the server, list, enable with a grant, the hook in effect,
// disable, reload, inspect with call counts, uninstall with its kv wiped.
func TestPluginAdminXRPC(t *testing.T) { testdb.RunURL(t, testPluginAdminXRPC) }

func testPluginAdminXRPC(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	admin := pxClient{t: t, base: pds.URL}
	basic := map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+testpds.AdminPassword))}
	alice, did := pxAccount(t, pds, "alice.test", "alice@example.com")
	const ns = "dev.hearthpds.plugin."
	const id = "dev.test.hooks"
	dir := guestBundle(t, "hooks", hooksGuestToml)
	create := func(text string) int {
		status, _ := alice.do("com.atproto.repo.createRecord", "", map[string]any{"repo": did, "collection": "app.bsky.feed.post", "record": post(text)}, nil)
		return status
	}

	out := admin.must(ns+"install", "", map[string]any{"path": dir}, basic)
	if out["state"] != "disabled" || out["unverified"] != true || out["manifest"].(map[string]any)["id"] != id {
		t.Fatalf("install answered %v", out)
	}
	admin.want(400, "PluginExists", ns+"install", "", map[string]any{"path": dir}, basic)
	if list := admin.must(ns+"list", "", nil, basic)["plugins"].([]any); len(list) != 1 {
		t.Fatalf("list = %v", list)
	}
	if create("banned while disabled") != 200 {
		t.Fatal("a disabled plugin refused a write")
	}

	// Enable with a grant narrower than declared: kv:write only.
	out = admin.must(ns+"enable", "", map[string]any{"id": id, "grant": []any{map[string]any{"kind": "kv:write"}}}, basic)
	if granted := out["granted"].([]any); out["state"] != "enabled" || len(granted) != 1 || granted[0].(map[string]any)["kind"] != "kv:write" {
		t.Fatalf("enable answered %v", out)
	}
	if create("banned now") != 400 || create("fine") != 200 {
		t.Fatal("the enabled plugin's hook is not in effect")
	}
	admin.must(ns+"reload", "", map[string]any{"id": id}, basic)
	if create("banned after reload") != 400 {
		t.Fatal("the reloaded plugin's hook is not in effect")
	}
	info := admin.must(ns+"inspect", "id="+id, nil, basic)
	if info["calls"].(float64) < 3 || info["state"] != "enabled" {
		t.Fatalf("inspect = %v", info)
	}
	admin.must(ns+"disable", "", map[string]any{"id": id}, basic)
	if create("banned but disabled") != 200 {
		t.Fatal("a disabled plugin refused a write")
	}
	ctx := context.Background()
	if err := pds.Server.Store().PutPluginKV(ctx, id, "k", []byte("v"), 1<<20); err != nil {
		t.Fatal(err)
	}
	admin.must(ns+"uninstall", "", map[string]any{"id": id, "wipe": true}, basic)
	admin.want(400, "PluginNotFound", ns+"inspect", "id="+id, nil, basic)
	if _, err := pds.Server.Store().GetPluginKV(ctx, id, "k"); err == nil {
		t.Fatal("uninstall with wipe kept the plugin's kv")
	}
}
