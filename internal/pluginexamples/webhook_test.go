package pluginexamples

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// webhookGrant grants plugins/examples/webhook what it declares, naming
// the loopback receiver as its http:fetch host (the manifest says "*").
var webhookGrant = []map[string]any{
	{"kind": "firehose:subscribe"}, {"kind": "kv:read"}, {"kind": "kv:write"},
	{"kind": "http:fetch", "hosts": []string{"127.0.0.1"}},
}

// allowLoopback is the operator setting that lets plugins reach the
// loopback receivers of these tests.
var allowLoopback = []string{"--plugin-fetch-allow-private", "127.0.0.0/8"}

// hookCall is one request the receiver got.
type hookCall struct {
	Path, Signature, Attempt string
	Body                     []byte
	Answered                 int
	Commit                   struct {
		Seq  int64  `json:"seq"`
		Repo string `json:"repo"`
		Rev  string `json:"rev"`
		Ops  []struct {
			Action, Path, Collection, RKey, CID string
		} `json:"ops"`
	}
}

// receiver is a webhook endpoint on loopback; fail is how many requests
// to /flaky it answers 500 before answering 200.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	calls []hookCall
	fail  int
}

func newReceiver(t *testing.T, fail int) *receiver {
	r := &receiver{fail: fail}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	c := hookCall{Path: req.URL.Path, Signature: req.Header.Get("X-Hearth-Signature"),
		Attempt: req.Header.Get("X-Hearth-Attempt"), Body: body, Answered: http.StatusOK}
	if err := json.Unmarshal(body, &c.Commit); err != nil || req.Method != http.MethodPost ||
		req.Header.Get("Content-Type") != "application/json" {
		c.Answered = http.StatusBadRequest
	}
	r.mu.Lock()
	if req.URL.Path == "/flaky" && r.fail > 0 {
		r.fail--
		c.Answered = http.StatusInternalServerError
	}
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	w.WriteHeader(c.Answered)
}

// got returns the calls so far.
func (r *receiver) got() []hookCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookCall(nil), r.calls...)
}

// delivered returns the accepted calls whose commit touches path, by action.
func (r *receiver) delivered(path string) map[string][]hookCall {
	out := map[string][]hookCall{}
	for _, c := range r.got() {
		for _, op := range c.Commit.Ops {
			if op.Path == path && c.Answered == http.StatusOK {
				out[op.Action] = append(out[op.Action], c)
			}
		}
	}
	return out
}

// waitFor polls cond until it holds or the bounded wait runs out: after
// hooks run asynchronously.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// validSignature checks X-Hearth-Signature as a receiver does.
func validSignature(secret string, c hookCall) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(c.Body)
	return hmac.Equal([]byte("sha256="+hex.EncodeToString(mac.Sum(nil))), []byte(c.Signature))
}

// TestWebhook runs plugins/examples/webhook on a running server: every
// commit is POSTed once to a loopback receiver, signed, with its ops; a
// receiver answering 500 neither fails the writes nor loses the commits
// (they are retried on later commits).
func TestWebhook(t *testing.T) { testdb.RunURL(t, testWebhook) }

func testWebhook(t *testing.T, dbURL func(testing.TB) string) {
	rcv := newReceiver(t, 2)
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t), ExtraArgs: allowLoopback})
	alice := pds.Account(t, "alice.test")
	id := install(t, pds, goExample(t, "webhook"), webhookGrant)
	configure(t, pds, id, map[string]any{"url": rcv.URL + "/hook", "secret": "hush", "repos": []string{alice.DID}})

	path, cids := createUpdateDelete(t, alice)
	waitFor(t, "create, update and delete at the receiver", func() bool { return len(rcv.delivered(path)) == 3 })
	got := rcv.delivered(path)
	for action, wantCID := range map[string]string{"create": cids[0], "update": cids[1], "delete": ""} {
		calls := got[action]
		if len(calls) != 1 {
			t.Fatalf("%s delivered %d times, want once", action, len(calls))
		}
		c := calls[0]
		op := c.Commit.Ops[0]
		if c.Path != "/hook" || c.Commit.Repo != alice.DID || c.Commit.Rev == "" || c.Commit.Seq == 0 ||
			len(c.Commit.Ops) != 1 || op.CID != wantCID || op.Collection != "app.bsky.feed.post" {
			t.Fatalf("%s: delivered %s", action, c.Body)
		}
		if !validSignature("hush", c) || validSignature("other", c) {
			t.Fatalf("%s: signature %q does not verify", action, c.Signature)
		}
	}
	seqs := map[int64]bool{}
	for _, c := range rcv.got() {
		if seqs[c.Commit.Seq] {
			t.Fatalf("commit %d POSTed twice", c.Commit.Seq)
		}
		seqs[c.Commit.Seq] = true
	}
	flakyReceiver(t, pds, id, rcv, alice)
}

// createUpdateDelete writes, rewrites and deletes one post and returns
// its path and the CIDs of its two versions.
func createUpdateDelete(t *testing.T, c *testpds.Client) (string, []string) {
	t.Helper()
	rec := map[string]any{"$type": "app.bsky.feed.post", "text": "hello", "createdAt": "2026-11-25T00:00:00Z"}
	created := c.Must("com.atproto.repo.createRecord", "", map[string]any{"repo": c.DID, "collection": "app.bsky.feed.post", "record": rec})
	uri := created["uri"].(string)
	rkey := uri[strings.LastIndex(uri, "/")+1:]
	rec["text"] = "hello again"
	updated := c.Must("com.atproto.repo.putRecord", "", map[string]any{"repo": c.DID, "collection": "app.bsky.feed.post", "rkey": rkey, "record": rec})
	c.Must("com.atproto.repo.deleteRecord", "", map[string]any{"repo": c.DID, "collection": "app.bsky.feed.post", "rkey": rkey})
	return "app.bsky.feed.post/" + rkey, []string{created["cid"].(string), updated["cid"].(string)}
}

// flakyReceiver points the plugin at a receiver answering 500 twice: the
// writes go through, and the failed deliveries arrive with later commits.
func flakyReceiver(t *testing.T, pds *testpds.PDS, id string, rcv *receiver, alice *testpds.Client) {
	configure(t, pds, id, map[string]any{"url": rcv.URL + "/flaky"})
	var paths []string
	for i := range 3 {
		status, out := alice.Post(fmt.Sprintf("post %d", i))
		if status != http.StatusOK {
			t.Fatalf("post %d with the receiver failing: %d %v", i, status, out)
		}
		uri := out["uri"].(string)
		paths = append(paths, "app.bsky.feed.post/"+uri[strings.LastIndex(uri, "/")+1:])
	}
	waitFor(t, "the three posts at the flaky receiver", func() bool {
		for _, p := range paths {
			if len(rcv.delivered(p)["create"]) != 1 {
				return false
			}
		}
		return true
	})
	failed, retried := 0, 0
	for _, c := range rcv.got() {
		if c.Path == "/flaky" && c.Answered == http.StatusInternalServerError {
			failed++
		}
		if c.Path == "/flaky" && c.Answered == http.StatusOK && c.Attempt != "1" {
			retried++
		}
	}
	if failed != 2 || retried == 0 {
		t.Fatalf("flaky receiver: %d failures, %d retried deliveries; want 2 and at least 1", failed, retried)
	}
	if info := inspect(t, pds, id); info["state"] != "enabled" {
		t.Fatalf("after a failing receiver: %v", info)
	}
}

// TestWebhookRefusedWithoutOperatorSetting: without
// --plugin-fetch-allow-private the host refuses the loopback receiver even
// though the user granted 127.0.0.1; the receiver gets nothing, writes
// still succeed, and inspect shows the failure.
func TestWebhookRefusedWithoutOperatorSetting(t *testing.T) {
	testdb.RunURL(t, testWebhookRefused)
}

func testWebhookRefused(t *testing.T, dbURL func(testing.TB) string) {
	rcv := newReceiver(t, 0)
	pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
	alice := pds.Account(t, "alice.test")
	id := install(t, pds, goExample(t, "webhook"), webhookGrant)
	configure(t, pds, id, map[string]any{"url": rcv.URL + "/hook"})
	if status, out := alice.Post("nobody hears this"); status != http.StatusOK {
		t.Fatalf("post: %d %v", status, out)
	}
	var recent []any
	waitFor(t, "the refusal in inspect's recentErrors", func() bool {
		recent, _ = inspect(t, pds, id)["recentErrors"].([]any)
		return len(recent) > 0
	})
	msg := fmt.Sprint(recent[0])
	if !strings.Contains(msg, "firehose.on_commit") {
		t.Fatalf("recentErrors = %v", recent)
	}
	if n := len(rcv.got()); n != 0 {
		t.Fatalf("the receiver got %d requests although the host refused loopback", n)
	}
}
