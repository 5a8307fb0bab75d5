package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hearthpds/hearth/backend/blobs"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

const hooksGuestToml = `
id = "dev.test.hooks"
name = "Hooks"
version = "1.0.0"
api = 1
capabilities = [{ kind = "kv:write" }, { kind = "blob:read" }]
[hooks]
"record.before_create" = { collections = ["app.bsky.feed.post"] }
"record.after_create" = {}
[limits]
before_timeout_ms = 2000
`

// TestPluginRecordHooks drives a real compiled plugin through the write
// path over HTTP: a post with a banned word is refused with a 400 naming
// the plugin and leaves the repo unchanged, others land, a replaced record
// is stored (and re-validated: an invalid replacement is refused), and an
// after-hook that traps never fails the write.
func TestPluginRecordHooks(t *testing.T) { testdb.RunURL(t, testPluginRecordHooks) }

func testPluginRecordHooks(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	h := pds.Server.Plugins()
	installGuest(t, h, "hooks", hooksGuestToml)
	alice, did := pxAccount(t, pds, "alice.test", "alice@example.com")
	create := func(text string) (int, map[string]any) {
		return alice.do("com.atproto.repo.createRecord", "", map[string]any{"repo": did, "collection": "app.bsky.feed.post", "record": post(text)}, nil)
	}
	count := func() int {
		out := alice.must("com.atproto.repo.listRecords", "repo="+did+"&collection=app.bsky.feed.post", nil, nil)
		return len(out["records"].([]any))
	}

	if status, out := create("hello"); status != 200 {
		t.Fatalf("plain post: %d %v", status, out)
	}
	head := alice.must("com.atproto.sync.getLatestCommit", "did="+did, nil, nil)["cid"]
	status, out := create("a banned word")
	if status != 400 || out["error"] != "ContentRejected" || !strings.Contains(out["message"].(string), "(plugin dev.test.hooks)") ||
		!strings.Contains(out["message"].(string), "banned word") {
		t.Fatalf("banned post: %d %v", status, out)
	}
	// A refused write in a batch refuses the whole batch.
	status, out = alice.do("com.atproto.repo.applyWrites", "", map[string]any{"repo": did, "writes": []any{
		map[string]any{"$type": "com.atproto.repo.applyWrites#create", "collection": "app.bsky.feed.post", "value": post("fine")},
		map[string]any{"$type": "com.atproto.repo.applyWrites#create", "collection": "app.bsky.feed.post", "value": post("banned too")},
	}}, nil)
	if status != 400 || !strings.Contains(out["message"].(string), "plugin dev.test.hooks") {
		t.Fatalf("banned batch: %d %v", status, out)
	}
	if n := count(); n != 1 {
		t.Fatalf("after refusals the repo has %d posts, want 1", n)
	}
	if now := alice.must("com.atproto.sync.getLatestCommit", "did="+did, nil, nil)["cid"]; now != head {
		t.Fatalf("a refused write moved the repo from %v to %v", head, now)
	}

	// Replace: the plugin's record is the one stored.
	status, out = create("please shout")
	if status != 200 {
		t.Fatalf("replaced post: %d %v", status, out)
	}
	rkey := rkeyOf(out["uri"].(string))
	got := alice.must("com.atproto.repo.getRecord", "repo="+did+"&collection=app.bsky.feed.post&rkey="+rkey, nil, nil)
	if got["value"].(map[string]any)["text"] != "PLEASE SHOUT" || got["cid"] != out["cid"] {
		t.Fatalf("stored %v, created %v", got, out)
	}
	// A replacement that fails the lexicon is refused.
	if status, out := create("break it"); status != 400 || out["error"] != "InvalidRequest" {
		t.Fatalf("invalid replacement: %d %v", status, out)
	}

	// An after-hook that traps does not fail the write; the others ran.
	if status, out := create("boom"); status != 200 {
		t.Fatalf("post whose after-hook traps: %d %v", status, out)
	}
	if n := count(); n != 3 {
		t.Fatalf("repo has %d posts, want 3", n)
	}
	h.Flush()
	ctx := context.Background()
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := pds.Server.Store().GetPluginKV(ctx, "dev.test.hooks", "after/create/"+rkey)
		if err == nil && string(v) == "PLEASE SHOUT" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after-hook kv = %q, %v", v, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const wiredGuestToml = `
id = "dev.test.wired"
name = "Wired"
version = "1.0.0"
api = 1
capabilities = [
  { kind = "kv:write" },
  { kind = "blob:read" },
  { kind = "xrpc:register", nsids = ["dev.test.wired.*"] },
  { kind = "firehose:subscribe" },
]
[hooks]
"blob.validate" = {}
"blob.after_upload" = {}
"xrpc.before" = {}
"xrpc.after" = { nsids = ["com.atproto.repo.describeRepo"] }
"xrpc.handle" = {}
"firehose.on_commit" = {}
[limits]
before_timeout_ms = 2000
after_timeout_ms = 2000
`

// TestPluginServerHooks drives a real compiled plugin through the router,
// the upload path and the firehose over HTTP: xrpc middleware refuses and
// observes calls, a registered NSID is answered by the plugin (before the
// proxy fallback), a blob whose bytes fail the plugin's check is refused
// and not stored, and commits reach firehose.on_commit.
func TestPluginServerHooks(t *testing.T) { testdb.RunURL(t, testPluginServerHooks) }

func testPluginServerHooks(t *testing.T, dbURL func(testing.TB) string) {
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	h := pds.Server.Plugins()
	installGuest(t, h, "hooks", wiredGuestToml)
	alice, did := pxAccount(t, pds, "alice.test", "alice@example.com")
	ctx := context.Background()
	kv := func(key, want string) {
		t.Helper()
		h.Flush()
		deadline := time.Now().Add(5 * time.Second)
		for {
			v, err := pds.Server.Store().GetPluginKV(ctx, "dev.test.wired", key)
			if err == nil && string(v) == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("kv %s = %q, %v; want %q", key, v, err, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// Middleware: a refusal names the plugin; the after-hook sees statuses.
	alice.want(400, "Blocked", "com.atproto.repo.describeRepo", "repo="+did+"&x=plugin-block", nil, nil)
	if _, out := alice.do("com.atproto.repo.describeRepo", "repo="+did+"&x=plugin-block", nil, nil); !strings.Contains(out["message"].(string), "(plugin dev.test.wired)") {
		t.Errorf("refusal message %v", out)
	}
	alice.must("com.atproto.repo.describeRepo", "repo="+did, nil, nil)
	kv("xrpc/com.atproto.repo.describeRepo", "200")

	// A registered NSID is the plugin's, with or without credentials.
	out := alice.must("dev.test.wired.echo", "q=1", map[string]any{"hi": "there"}, nil)
	if out["nsid"] != "dev.test.wired.echo" || out["method"] != "POST" || out["params"] != "q=1" || out["caller"] != did || out["body"] != `{"hi":"there"}` {
		t.Fatalf("plugin endpoint answered %v", out)
	}
	anon := pxClient{t: t, base: pds.URL}
	if out := anon.must("dev.test.wired.echo", "q=2", nil, nil); out["method"] != "GET" || out["caller"] != "" {
		t.Fatalf("anonymous call answered %v", out)
	}
	alice.want(502, "PluginFailed", "dev.test.wired.fail", "", nil, nil)
	alice.want(501, "MethodNotImplemented", "dev.test.other.echo", "", nil, nil)

	// Blobs: the validate hook reads the received bytes.
	up := func(body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", pds.URL+"/xrpc/com.atproto.repo.uploadBlob", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+alice.token)
		req.Header.Set("Content-Type", "text/plain")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	infected := "this file carries a virus, beware"
	status, bad := up(infected)
	if status != 400 || bad["error"] != "Infected" || !strings.Contains(bad["message"].(string), "(plugin dev.test.wired)") {
		t.Fatalf("infected upload: %d %v", status, bad)
	}
	sum := sha256.Sum256([]byte(infected))
	c, _ := blobs.CIDForSHA256(sum[:])
	if _, err := pds.Server.Store().GetBlob(ctx, did, c); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("refused upload was recorded: %v", err)
	}
	status, good := up("a perfectly fine text")
	if status != 200 {
		t.Fatalf("clean upload: %d %v", status, good)
	}
	ref := good["blob"].(map[string]any)["ref"].(map[string]any)["$link"].(string)
	kv("blob/"+ref, "text/plain")

	// Firehose: a commit reaches on_commit.
	_, created := alice.do("com.atproto.repo.createRecord", "", map[string]any{"repo": did, "collection": "app.bsky.feed.post", "record": post("hi")}, nil)
	kv("commit/app.bsky.feed.post/"+rkeyOf(created["uri"].(string)), "create")
}
