package xrpc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestGetRecordSeesEveryChange drives the public record reads (served
// through the record and account caches on SQLite) over HTTP: each read
// right after a write, a delete, a takedown, a deactivation and a handle
// change sees it.
func TestGetRecordSeesEveryChange(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		c := newBlobClient(t, testpds.Options{DBURL: dbURL(t)}, "cache.test")
		st := c.pds.Server.Store()
		get := func(rkey string) (int, map[string]any) {
			t.Helper()
			q := url.Values{"repo": {c.did}, "collection": {"app.bsky.feed.post"}, "rkey": {rkey}}
			resp, body := c.do("GET", "com.atproto.repo.getRecord", q.Encode(), nil, nil, "")
			var out map[string]any
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatalf("getRecord: %d %s", resp.StatusCode, body)
			}
			return resp.StatusCode, out
		}
		write := func(nsid string, body map[string]any) map[string]any {
			t.Helper()
			b, _ := json.Marshal(body)
			resp, raw := c.do("POST", nsid, "", http.Header{"Content-Type": {"application/json"}}, strings.NewReader(string(b)), c.access)
			var out map[string]any
			_ = json.Unmarshal(raw, &out)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", nsid, resp.StatusCode, raw)
			}
			return out
		}
		post := func(text string) map[string]any {
			return map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-25T00:00:00.000Z"}
		}
		base := map[string]any{"repo": c.did, "collection": "app.bsky.feed.post", "rkey": "3kcache000001"}
		with := func(extra map[string]any) map[string]any {
			m := map[string]any{}
			for k, v := range base {
				m[k] = v
			}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}

		if status, out := get("3kcache000001"); status != http.StatusNotFound || out["error"] != "RecordNotFound" {
			t.Fatalf("before the write: %d %v", status, out)
		}
		for i, text := range []string{"one", "two", "three"} {
			nsid := "com.atproto.repo.putRecord"
			if i == 0 {
				nsid = "com.atproto.repo.createRecord"
			}
			w := write(nsid, with(map[string]any{"record": post(text)}))
			status, out := get("3kcache000001")
			if status != http.StatusOK || out["cid"] != w["cid"] || out["value"].(map[string]any)["text"] != text {
				t.Fatalf("read after write %q: %d %v (wrote %v)", text, status, out, w["cid"])
			}
			if out["uri"] != "at://"+c.did+"/app.bsky.feed.post/3kcache000001" {
				t.Errorf("uri = %v", out["uri"])
			}
		}
		write("com.atproto.repo.deleteRecord", base)
		if status, out := get("3kcache000001"); status != http.StatusNotFound || out["error"] != "RecordNotFound" {
			t.Fatalf("read after delete: %d %v", status, out)
		}

		write("com.atproto.repo.createRecord", with(map[string]any{"rkey": "3kcache000002", "record": post("kept")}))
		if status, _ := get("3kcache000002"); status != http.StatusOK {
			t.Fatalf("read: %d", status)
		}
		ctx := context.Background()
		if _, err := st.SetTakedown(ctx, store.Subject{DID: c.did}, "case-1", nil); err != nil {
			t.Fatal(err)
		}
		if status, out := get("3kcache000002"); status != http.StatusNotFound || out["error"] != "RepoNotFound" {
			t.Fatalf("read right after a takedown: %d %v", status, out)
		}
		if _, err := st.SetTakedown(ctx, store.Subject{DID: c.did}, "", nil); err != nil {
			t.Fatal(err)
		}
		if status, out := get("3kcache000002"); status != http.StatusOK {
			t.Fatalf("read right after the takedown was lifted: %d %v", status, out)
		}
		// The handle a read names resolves to the account as it is now.
		q := url.Values{"repo": {"cache.test"}, "collection": {"app.bsky.feed.post"}, "rkey": {"3kcache000002"}}
		if resp, body := c.do("GET", "com.atproto.repo.getRecord", q.Encode(), nil, nil, ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("read by handle: %d %s", resp.StatusCode, body)
		}
		if _, err := st.UpdateHandle(ctx, c.did, "renamed.test", nil); err != nil {
			t.Fatal(err)
		}
		if resp, body := c.do("GET", "com.atproto.repo.getRecord", q.Encode(), nil, nil, ""); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("read by the old handle right after a handle change: %d %s", resp.StatusCode, body)
		}
	})
}
