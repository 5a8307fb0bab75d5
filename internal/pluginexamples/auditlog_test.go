package pluginexamples

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

const auditList = "dev.hearthpds.example.audit.list"

// auditEntries pages through the audit log as c (limit at a time, with
// query's extra parameters), checking that every entry comes once.
func auditEntries(t *testing.T, c *testpds.Client, query string, limit int) []map[string]any {
	t.Helper()
	var all []map[string]any
	seen := map[string]bool{}
	cursor := ""
	for range 500 {
		q := "limit=" + strconv.Itoa(limit) + query
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		out := c.Must(auditList, q, nil)
		for _, e := range out["entries"].([]any) {
			e := e.(map[string]any)
			if seen[e["key"].(string)] {
				t.Fatalf("entry %v listed twice", e)
			}
			seen[e["key"].(string)] = true
			all = append(all, e)
		}
		next, ok := out["cursor"].(string)
		if !ok {
			return all
		}
		cursor = next
	}
	t.Fatal("paging the audit log did not end")
	return nil
}

// entryMatch describes an entry by some of its fields.
type entryMatch map[string]any

func (m entryMatch) index(entries []map[string]any) int {
	for i, e := range entries {
		ok := true
		for k, v := range m {
			if e[k] != v {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

// awaitEntries polls the log (after-hooks are queued) until every match
// is in it, for at most 10 s, and returns their positions.
func awaitEntries(t *testing.T, c *testpds.Client, matches ...entryMatch) []int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries := auditEntries(t, c, "", 100)
		pos := make([]int, len(matches))
		missing := -1
		for i, m := range matches {
			if pos[i] = m.index(entries); pos[i] < 0 && missing < 0 {
				missing = i
			}
		}
		if missing < 0 {
			return pos
		}
		if time.Now().After(deadline) {
			t.Fatalf("audit log never showed %v; it has %v", matches[missing], entries)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func rkeyOf(uri string) string { return uri[strings.LastIndex(uri, "/")+1:] }

// TestAuditLog runs plugins/examples/auditlog on a running server: record
// writes and XRPC calls show up in the order they happened, paging returns
// every entry once, the owner reads everything while others read only their
// own repo's entries, retention keeps the newest entries, and a full kv
// quota never fails a write.
func TestAuditLog(t *testing.T) { testdb.RunURL(t, testAuditLog) }

func testAuditLog(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	bundle := goExample(t, "auditlog")
	id := install(t, pds, bundle, nil)
	alice, bob := pds.Account(t, "alice.test"), pds.Account(t, "bob.test")
	configure(t, pds, id, map[string]any{"owner": alice.DID})

	// Each step waits for its entries, so the steps' order is the log's
	// (within a step, a write's record and call entries come either way).
	last := -1
	step := func(matches ...entryMatch) {
		t.Helper()
		pos := awaitEntries(t, alice, matches...)
		if slices.Min(pos) < last {
			t.Fatalf("entries %v at %v come before the previous step's, at %d", matches, pos, last)
		}
		last = slices.Max(pos)
	}
	post := func(c *testpds.Client, text string) string {
		status, out := c.Post(text)
		if status != 200 {
			t.Fatalf("post: %d %v", status, out)
		}
		return rkeyOf(out["uri"].(string))
	}
	rkey := post(alice, "first")
	created := entryMatch{"kind": "record", "action": "create", "repo": alice.DID, "collection": "app.bsky.feed.post", "rkey": rkey}
	step(created, entryMatch{"kind": "xrpc", "nsid": "com.atproto.repo.createRecord", "method": "POST", "caller": alice.DID, "status": 200.0})
	alice.Must("com.atproto.repo.putRecord", "", map[string]any{"repo": alice.DID, "collection": "app.bsky.feed.post", "rkey": rkey,
		"record": map[string]any{"$type": "app.bsky.feed.post", "text": "edited", "createdAt": "2026-11-25T00:00:00Z"}})
	step(entryMatch{"kind": "record", "action": "update", "repo": alice.DID, "rkey": rkey})
	alice.Must("com.atproto.repo.deleteRecord", "", map[string]any{"repo": alice.DID, "collection": "app.bsky.feed.post", "rkey": rkey})
	step(entryMatch{"kind": "record", "action": "delete", "repo": alice.DID, "rkey": rkey},
		entryMatch{"kind": "xrpc", "nsid": "com.atproto.repo.deleteRecord", "caller": alice.DID})
	bobKey := post(bob, "bob's")
	step(entryMatch{"kind": "record", "action": "create", "repo": bob.DID, "rkey": bobKey})
	pds.Anon(t).Want(http.StatusBadRequest, "InvalidRequest", "com.atproto.repo.getRecord", "repo="+bob.DID, nil)
	step(entryMatch{"kind": "xrpc", "nsid": "com.atproto.repo.getRecord", "method": "GET", "status": 400.0})

	// Paging returns every entry once, as one big page does.
	all := auditEntries(t, alice, "", 100)
	if paged := auditEntries(t, alice, "", 3); len(paged) != len(all) {
		t.Fatalf("paging by 3 returned %d entries, one page %d", len(paged), len(all))
	}

	// Who reads what.
	for _, e := range auditEntries(t, bob, "", 100) {
		if e["repo"] != bob.DID && e["caller"] != bob.DID {
			t.Fatalf("bob read an entry not about him: %v", e)
		}
	}
	bob.Want(http.StatusForbidden, "Forbidden", auditList, "repo="+alice.DID, nil)
	pds.Anon(t).Want(http.StatusUnauthorized, "AuthRequired", auditList, "", nil)
	bob.Want(http.StatusBadRequest, "InvalidRequest", auditList, "limit=0", nil)
	if onlyBob := auditEntries(t, alice, "&repo="+bob.DID, 100); len(onlyBob) == 0 || entryMatch(created).index(onlyBob) >= 0 {
		t.Fatalf("the owner's view of bob's repo: %v", onlyBob)
	}

	testAuditRetention(t, pds, id, alice)
	testAuditQuota(t, pds, id, bundle, alice)
}

// testAuditRetention: with max_entries 5 the log keeps the newest five.
func testAuditRetention(t *testing.T, pds *testpds.PDS, id string, alice *testpds.Client) {
	configure(t, pds, id, map[string]any{"max_entries": 5})
	var last string
	for i := range 4 {
		if status, out := alice.Post("retained " + strconv.Itoa(i)); status != 200 {
			t.Fatalf("post: %d %v", status, out)
		} else {
			last = rkeyOf(out["uri"].(string))
		}
	}
	awaitEntries(t, alice, entryMatch{"kind": "record", "rkey": last})
	if n := len(auditEntries(t, alice, "", 100)); n != 5 {
		t.Fatalf("the log holds %d entries, want max_entries 5", n)
	}
}

// testAuditQuota reloads the plugin with a 1 KiB kv quota: every write
// still succeeds, and the log rotates to keep the newest entries.
func testAuditQuota(t *testing.T, pds *testpds.PDS, id, bundle string, alice *testpds.Client) {
	manifest := filepath.Join(bundle, "plugin.toml")
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	small := strings.Replace(string(b), "kv_quota_kib = 1024", "kv_quota_kib = 1", 1)
	if small == string(b) {
		t.Fatal("plugin.toml has no kv_quota_kib = 1024 to shrink")
	}
	if err := os.WriteFile(manifest, []byte(small), 0o600); err != nil {
		t.Fatal(err)
	}
	pds.AdminClient(t).Must("dev.hearthpds.plugin.reload", "", map[string]any{"id": id, "path": bundle})
	configure(t, pds, id, map[string]any{"max_entries": 100000})
	var last string
	for i := range 12 {
		status, out := alice.Post("over quota " + strconv.Itoa(i))
		if status != 200 {
			t.Fatalf("a write with the plugin's kv full: %d %v", status, out)
		}
		last = rkeyOf(out["uri"].(string))
	}
	awaitEntries(t, alice, entryMatch{"kind": "record", "rkey": last})
	if n := len(auditEntries(t, alice, "", 100)); n >= 12 {
		t.Fatalf("a 1 KiB log holds %d entries", n)
	}
	posts := alice.Must("com.atproto.repo.listRecords", "repo="+alice.DID+"&collection=app.bsky.feed.post&limit=100", nil)
	if n := len(posts["records"].([]any)); n != 16 {
		t.Fatalf("alice has %d posts, want 16", n)
	}
}
