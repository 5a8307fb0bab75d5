package plugin

import (
	"context"
	"testing"

	"github.com/hearthpds/hearth/internal/testdb"
)

// TestStoreKV runs the kv host functions of a real module against both
// database drivers: quota, after-hook writes, reads, and wipe on uninstall.
func TestStoreKV(t *testing.T) {
	for _, be := range testdb.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			st := be.Open(t)
			kv := StoreKV{Store: st}
			h := newHost(t, Options{KV: kv})
			installKitchen(t, h, kitchenToml, nil)
			wantReject(t, ask(t, h, "test.kv", nil), "kv error after 7: pdsplugin: quota exceeded")
			h.AfterRecord(context.Background(), RecordEvent{Op: OpCreate, Repo: "did:plc:alice", Collection: "app.bsky.feed.post",
				RKey: "3kabc", Record: map[string]any{"text": "hello"}})
			h.Flush()
			wantReject(t, ask(t, h, "test.kvread", map[string]any{"key": "after/3kabc"}), "kv: hello")
			if err := h.Uninstall(context.Background(), "dev.test.kitchen", true); err != nil {
				t.Fatal(err)
			}
			if keys, _ := kv.List(context.Background(), "dev.test.kitchen", "", "", 10); len(keys) != 0 {
				t.Fatalf("kv after wipe: %v", keys)
			}
		})
	}
}
