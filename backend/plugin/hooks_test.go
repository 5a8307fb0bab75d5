package plugin

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

const hooksToml = `[hooks]
"xrpc.before" = { nsids = ["dev.test.*"] }
"xrpc.after" = {}
"blob.before_upload" = {}
"firehose.on_commit" = {}
`

func TestOtherHooks(t *testing.T) {
	kv := NewMemoryKV()
	h := newHost(t, Options{KV: kv})
	installKitchen(t, h, strings.Replace(kitchenToml, "[hooks]\n", hooksToml, 1), nil)
	ctx := context.Background()

	d, err := h.BeforeXRPC(ctx, XRPCEvent{NSID: "dev.test.blocked", Method: "GET", Params: url.Values{"q": {"1"}}})
	if err != nil || d.Verdict != Reject || d.Error != "Blocked" || !strings.HasSuffix(d.Message, "GET dev.test.blocked q=1") {
		t.Fatalf("BeforeXRPC = %+v, %v", d, err)
	}
	// Outside the hook's nsids filter: not called.
	if d, _ := h.BeforeXRPC(ctx, XRPCEvent{NSID: "dev.other.blocked"}); d.Verdict != Continue {
		t.Fatalf("filtered BeforeXRPC = %+v", d)
	}
	d, err = h.BeforeBlob(ctx, "blob.before_upload", BlobEvent{Repo: "did:plc:a", Mime: "application/x-bad", CID: "bafyb", Size: 1234})
	if err != nil || d.Verdict != Reject || !strings.HasSuffix(d.Message, "bafyb 1234") {
		t.Fatalf("BeforeBlob = %+v, %v", d, err)
	}
	if d, _ := h.BeforeBlob(ctx, "blob.before_upload", BlobEvent{Mime: "image/png"}); d.Verdict != Continue {
		t.Fatalf("BeforeBlob(png) = %+v", d)
	}
	h.AfterXRPC(ctx, XRPCEvent{NSID: "dev.test.ok", Method: "GET", Status: 200})
	h.OnCommit(ctx, CommitEvent{Seq: 77, Repo: "did:plc:a", Rev: "3k", Ops: []CommitOp{{Action: "create", Path: "app.bsky.feed.post/3k", CID: "bafy"}}})
	h.Flush()
	if v, err := kv.Get(ctx, "dev.test.kitchen", "xrpc/dev.test.ok"); err != nil || string(v) != "200" {
		t.Fatalf("xrpc.after kv = %q, %v", v, err)
	}
	if v, err := kv.Get(ctx, "dev.test.kitchen", "commit/77"); err != nil || string(v) != "did:plc:a create app.bsky.feed.post/3k" {
		t.Fatalf("on_commit kv = %q, %v", v, err)
	}
}

// TestRealClockAndRandomness: the guest sees the host's wall clock (not
// wazero's fake one) and different random bytes on each call.
func TestRealClockAndRandomness(t *testing.T) {
	h := newHost(t, Options{})
	installKitchen(t, h, kitchenToml, nil)
	read := func() (int64, string) {
		f := strings.Fields(ask(t, h, "test.clock", nil).Message)
		sec, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || len(f) != 4 {
			t.Fatalf("answer %v", f)
		}
		return sec, f[3]
	}
	before := time.Now().Unix()
	sec, r1 := read()
	after := time.Now().Unix()
	if sec < before || sec > after {
		t.Fatalf("guest clock %d outside the host's [%d, %d]", sec, before, after)
	}
	if _, r2 := read(); r1 == r2 {
		t.Fatalf("random bytes repeat: %s", r1)
	}
}
