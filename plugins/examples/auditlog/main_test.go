//go:build !wasip1

package main

import (
	"encoding/json"
	"strconv"
	"testing"

	pds "github.com/hearthpds/hearth/plugins/sdk/go"
)

const owner, alice, bob = "did:plc:owner", "did:plc:alice", "did:plc:bob"

func list(t *testing.T, auth, params string) (int, listOutput, map[string]any) {
	t.Helper()
	r := pds.Registered().XRPCHandle(pds.XRPCRequest{NSID: nsidList, Method: "GET", Params: params, Auth: auth})
	var out listOutput
	var raw map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("list answer %d %q: %v", r.Status, r.Body, err)
	}
	_ = json.Unmarshal(r.Body, &raw)
	return r.Status, out, raw
}

func reset(maxEntries int) {
	pds.Fake.KV = nil
	pds.Fake.Config = map[string]string{"owner": owner, "max_entries": strconv.Itoa(maxEntries)}
	count, lastNanos = -1, 0
}

// The hooks and the endpoint run natively against the SDK's fake host.
func TestAuditLog(t *testing.T) {
	reset(100)
	p := pds.Registered()
	p.AfterRecord(pds.RecordEvent{Action: "create", Repo: alice, Collection: "app.bsky.feed.post", RKey: "1", CID: "bafy1"})
	p.XRPCAfter(pds.XRPCEvent{NSID: "com.atproto.repo.createRecord", Method: "POST", Caller: alice, Status: 200})
	p.AfterRecord(pds.RecordEvent{Action: "delete", Repo: bob, Collection: "app.bsky.feed.post", RKey: "2"})
	p.XRPCAfter(pds.XRPCEvent{NSID: "com.atproto.server.describeServer", Method: "GET", Status: 200})
	p.XRPCAfter(pds.XRPCEvent{NSID: nsidList, Method: "GET", Caller: owner, Status: 200}) // not recorded

	status, out, _ := list(t, owner, "limit=100")
	if status != 200 || len(out.Entries) != 4 || out.Cursor != "" {
		t.Fatalf("owner's list: %d %+v", status, out)
	}
	want := []string{"record create " + alice, "xrpc com.atproto.repo.createRecord " + alice, "record delete " + bob, "xrpc com.atproto.server.describeServer "}
	for i, e := range out.Entries {
		got := e.Kind + " " + e.Action + e.NSID + " " + e.Repo + e.Caller
		if got != want[i] || e.Time == "" || e.Key == "" {
			t.Fatalf("entry %d = %+v, want %s", i, e, want[i])
		}
	}
	// Paging by 1 returns each entry once, in order.
	cursor, n := "", 0
	for {
		_, page, _ := list(t, owner, "limit=1&cursor="+cursor)
		if len(page.Entries) == 1 {
			if page.Entries[0].Key != out.Entries[n].Key {
				t.Fatalf("page %d = %+v", n, page.Entries)
			}
			n++
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	if n != 4 {
		t.Fatalf("paged %d entries, want 4", n)
	}

	// Others read their own repo's entries only.
	if _, own, _ := list(t, alice, ""); len(own.Entries) != 2 || own.Entries[0].Repo != alice || own.Entries[1].Caller != alice {
		t.Fatalf("alice's list: %+v", own)
	}
	if status, _, raw := list(t, alice, "repo="+bob); status != 403 || raw["error"] != "Forbidden" {
		t.Fatalf("alice reading bob's entries: %d %v", status, raw)
	}
	if _, filtered, _ := list(t, owner, "repo="+bob); len(filtered.Entries) != 1 || filtered.Entries[0].Repo != bob {
		t.Fatalf("owner filtering on bob: %+v", filtered)
	}
	if status, _, raw := list(t, "", ""); status != 401 || raw["error"] != "AuthRequired" {
		t.Fatalf("anonymous list: %d %v", status, raw)
	}
}

// Retention keeps the newest max_entries entries.
func TestAuditLogRetention(t *testing.T) {
	reset(3)
	for i := range 7 {
		pds.Registered().AfterRecord(pds.RecordEvent{Action: "create", Repo: alice, Collection: "app.bsky.feed.post", RKey: strconv.Itoa(i)})
	}
	_, out, _ := list(t, owner, "")
	if len(out.Entries) != 3 || out.Entries[0].RKey != "4" || out.Entries[2].RKey != "6" || len(pds.Fake.KV) != 3 {
		t.Fatalf("after 7 writes with max_entries 3: %+v (%d keys)", out.Entries, len(pds.Fake.KV))
	}
	// A new instance counts what is there before trimming.
	count = -1
	pds.Registered().AfterRecord(pds.RecordEvent{Action: "update", Repo: alice, Collection: "app.bsky.feed.post", RKey: "7"})
	if _, out, _ := list(t, owner, ""); len(out.Entries) != 3 || out.Entries[0].RKey != "5" {
		t.Fatalf("after a restart: %+v", out.Entries)
	}
}
