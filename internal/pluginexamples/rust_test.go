package pluginexamples

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/internal/plugintest"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestRustSDKHost drives the Rust SDK's test guest (plugins/sdk/rust/tests/
// kitchen) on a running server, so every host wrapper meets the real host:
// kv with its quota, records and their capability glob, blobs by range,
// the CAR export, http_fetch through the allowlist to a loopback receiver,
// files under /data, the firehose cursor, a replaced record, and the
// after-hook, firehose hook and xrpc.handle.
func TestRustSDKHost(t *testing.T) { testdb.RunURL(t, testRustSDKHost) }

func testRustSDKHost(t *testing.T, dbURL func(testing.TB) string) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Echo", "echoed")
		fmt.Fprintf(w, "pong %s %s", r.Header.Get("X-Probe"), body)
	}))
	t.Cleanup(recv.Close)
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t), ExtraArgs: allowLoopback})
	src := plugintest.Path("plugins", "sdk", "rust", "tests", "kitchen")
	id := install(t, pds, plugintest.BundleDir(t, src, plugintest.BuildRust(t, src)), nil)
	configure(t, pds, id, map[string]any{"url": recv.URL + "/hook"})
	alice := pds.Account(t, "alice.test")
	alice.Must("com.atproto.repo.createRecord", "", map[string]any{"repo": alice.DID, "collection": "app.bsky.actor.profile",
		"rkey": "self", "record": map[string]any{"$type": "app.bsky.actor.profile", "displayName": "Alice R"}})
	probe := rustProbe(t, alice, id)

	probe("kv", `one ["k/1", "k/2"] ["k/2"] Err(NotFound) Err(Quota)`)
	first := postRKey(t, alice, "first post")
	postRKey(t, alice, "log") // logs a line and allows
	probe("records", "Alice R true 2 Err(NotFound) true")
	probe("blob "+uploadBlob(t, alice, []byte("hello from a blob")), "hello 12 0")
	probe("fetch", "200 pong rust ping true echoed")
	probe("file", `Ok("kept") true`)
	status, car := alice.DoRaw("com.atproto.sync.getRepo", "did="+alice.DID, nil)
	if status != 200 {
		t.Fatalf("getRepo: %d %s", status, car)
	}
	probe("export", fmt.Sprintf("car %d", len(car))) // read 256 bytes at a time
	waitFor(t, "the firehose hook to save a cursor", func() bool {
		_, out := alice.Post("cursor")
		return strings.HasPrefix(out["message"].(string), "cursor true")
	})

	shouted := postRKey(t, alice, "shout quietly")
	rec := alice.Must("com.atproto.repo.getRecord", "repo="+alice.DID+"&collection=app.bsky.feed.post&rkey="+shouted, nil)
	if text := rec["value"].(map[string]any)["text"]; text != "SHOUT QUIETLY" {
		t.Fatalf("the replaced record's text is %q", text)
	}
	if got := rustKitchenGet(t, alice, "after/"+first); got != "first post" {
		t.Fatalf("after-hook trace for %s: %q", first, got)
	}
	if got := rustKitchenGet(t, alice, "commit"); !strings.HasPrefix(got, alice.DID+" create app.bsky.feed.post/") {
		t.Fatalf("firehose trace: %q", got)
	}
	alice.Want(404, "NotFound", "dev.hearthpds.test.rustkitchen.get", "key=none", nil)
	if info := inspect(t, pds, id); info["state"] != "enabled" || info["errors"].(float64) != 0 {
		t.Fatalf("inspect: %v", info)
	}
}

// rustProbe returns a function posting a command to the kitchen guest and
// checking its "Probe" refusal: the message (without the host's "(plugin
// id)" suffix) must be want, unless want is "".
func rustProbe(t *testing.T, alice *testpds.Client, id string) func(cmd, want string) string {
	return func(cmd, want string) string {
		t.Helper()
		status, out := alice.Post(cmd)
		msg, _ := out["message"].(string)
		suffix := " (plugin " + id + ")"
		if status != 400 || out["error"] != "Probe" || !strings.HasSuffix(msg, suffix) {
			t.Fatalf("%s: %d %v, want a 400 Probe naming the plugin", cmd, status, out)
		}
		msg = strings.TrimSuffix(msg, suffix)
		if want != "" && msg != want {
			t.Fatalf("%s: %q, want %q", cmd, msg, want)
		}
		return msg
	}
}

// postRKey posts text, which must be accepted, and returns its record key.
func postRKey(t *testing.T, c *testpds.Client, text string) string {
	t.Helper()
	status, out := c.Post(text)
	uri, _ := out["uri"].(string)
	if status != 200 || uri == "" {
		t.Fatalf("post %q: %d %v", text, status, out)
	}
	return uri[strings.LastIndex(uri, "/")+1:]
}

// rustKitchenGet reads a kv value through the kitchen's registered method,
// waiting for the asynchronous hook that writes it.
func rustKitchenGet(t *testing.T, c *testpds.Client, key string) string {
	t.Helper()
	var body []byte
	waitFor(t, "kv key "+key, func() bool {
		var status int
		status, body = c.DoRaw("dev.hearthpds.test.rustkitchen.get", "key="+url.QueryEscape(key), nil)
		return status == 200
	})
	return string(body)
}
