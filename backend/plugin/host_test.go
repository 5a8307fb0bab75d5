package plugin

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
)

const kitchenToml = `
id = "dev.test.kitchen"
name = "Kitchen"
version = "1.0.0"
api = 1
capabilities = [
  { kind = "http:fetch", hosts = ["127.0.0.1", "unlisted-not.test", "10.1.2.3", "169.254.169.254"] },
  { kind = "record:read", collections = ["app.bsky.*"] },
  { kind = "kv:read" },
  { kind = "kv:write" },
  { kind = "blob:read" },
  { kind = "repo:export" },
  { kind = "firehose:subscribe" },
]
[hooks]
"record.before_create" = { priority = 10 }
"record.after_create" = {}
[limits]
memory_mib = 64
before_timeout_ms = 200
kv_quota_kib = 4
[config]
greeting = { type = "string", default = "hello" }
token = { type = "secret" }
`

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newHost opens a host in a temp dir.
func newHost(t testing.TB, opts Options) *Host {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	if opts.CacheDir == "" {
		opts.CacheDir = sharedCache
	}
	h, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(context.Background()) })
	return h
}

// installKitchen installs and enables the kitchen guest with grant.
func installKitchen(t testing.TB, h *Host, toml string, grant []Capability) {
	t.Helper()
	ctx := context.Background()
	m, err := h.Install(ctx, writeBundle(t, kitchenWasm(t), toml))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Enable(ctx, m.ID, grant); err != nil {
		t.Fatal(err)
	}
}

// ask runs record.before_create for collection with record fields.
func ask(t testing.TB, h *Host, collection string, fields map[string]any) Decision {
	t.Helper()
	rec := map[string]any{"$type": collection}
	for k, v := range fields {
		rec[k] = v
	}
	d, err := h.BeforeRecord(context.Background(), RecordEvent{Op: OpCreate, Repo: "did:plc:alice",
		Collection: collection, RKey: "3k", Record: rec})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func wantReject(t testing.TB, d Decision, contains string) {
	t.Helper()
	if d.Verdict != Reject || !strings.Contains(d.Message, contains) {
		t.Fatalf("decision = %+v; want a reject containing %q", d, contains)
	}
}

func TestRunawayLoopStopped(t *testing.T) {
	h := newHost(t, Options{})
	installKitchen(t, h, kitchenToml, nil)
	d := ask(t, h, "test.loop", nil)
	wantReject(t, d, "timed out")
	if d.Error != "PluginFailed" || d.Plugin != "dev.test.kitchen" {
		t.Fatalf("decision = %+v", d)
	}
	// The host still serves: the same plugin on a fresh instance, and other calls.
	wantReject(t, ask(t, h, "test.version", nil), "v1")
	if d := ask(t, h, "app.bsky.feed.like", nil); d.Verdict != Continue {
		t.Fatalf("no-op decision = %+v", d)
	}
	info, err := h.Inspect("dev.test.kitchen")
	if err != nil {
		t.Fatal(err)
	}
	if info.Calls != 3 || info.Errors != 1 || len(info.RecentErrors) != 1 || info.State != StateEnabled {
		t.Fatalf("info = %+v", info)
	}
}

func TestMemoryBombContained(t *testing.T) {
	h := newHost(t, Options{})
	installKitchen(t, h, kitchenToml, nil)
	d := ask(t, h, "test.bomb", nil)
	if d.Verdict != Reject || d.Error != "PluginFailed" {
		t.Fatalf("decision = %+v", d)
	}
	// Restarted: the next call runs on a fresh instance.
	wantReject(t, ask(t, h, "test.version", nil), "v1")
}

func TestOnErrorAllow(t *testing.T) {
	h := newHost(t, Options{})
	installKitchen(t, h, strings.Replace(kitchenToml, "kv_quota_kib = 4", "kv_quota_kib = 4\non_error = \"allow\"", 1), nil)
	if d := ask(t, h, "test.trap", nil); d.Verdict != Continue {
		t.Fatalf("decision = %+v; on_error allow should continue", d)
	}
}

func TestFilesystemConfined(t *testing.T) {
	h := newHost(t, Options{})
	installKitchen(t, h, kitchenToml, nil)
	for _, path := range []string{"/etc/passwd", "../etc/passwd", "/data/../../etc/passwd", "/data/../state.json", "../state.json"} {
		t.Run(path, func(t *testing.T) {
			wantReject(t, ask(t, h, "test.file", map[string]any{"path": path}), "denied")
		})
	}
	wantReject(t, ask(t, h, "test.writefile", nil), "read: hi")
}

func TestBeforeHookRejectAndReplace(t *testing.T) {
	h := newHost(t, Options{})
	installKitchen(t, h, kitchenToml, nil)
	d := ask(t, h, "test.reject", map[string]any{"text": "spam"})
	if d.Verdict != Reject || d.Error != "ContentRejected" || d.Plugin != "dev.test.kitchen" ||
		d.Message != "no spam" {
		t.Fatalf("decision = %+v", d)
	}
	d = ask(t, h, "test.replace", map[string]any{"text": "quiet", "n": int64(3)})
	if d.Verdict != Replace || d.Record["text"] != "QUIET" || d.Record["n"] != int64(3) || d.Record["$type"] != "test.replace" {
		t.Fatalf("decision = %+v", d)
	}
}

func TestConfig(t *testing.T) {
	h := newHost(t, Options{})
	installKitchen(t, h, kitchenToml, nil)
	wantReject(t, ask(t, h, "test.config", map[string]any{"key": "greeting"}), "config: hello")
	if err := h.Configure(context.Background(), "dev.test.kitchen", map[string]any{"greeting": "hi"}); err != nil {
		t.Fatal(err)
	}
	wantReject(t, ask(t, h, "test.config", map[string]any{"key": "greeting"}), "config: hi")
	wantReject(t, ask(t, h, "test.config", map[string]any{"key": "nope"}), "not found")
	err := h.Configure(context.Background(), "dev.test.kitchen", map[string]any{"greeting": 3})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "greeting") {
		t.Fatalf("Configure(bad type) = %v, want ErrConfig naming greeting", err)
	}
	if err := h.Configure(context.Background(), "dev.test.kitchen", map[string]any{"nope": "x"}); !errors.Is(err, ErrConfig) {
		t.Fatalf("Configure(unknown key) = %v, want ErrConfig", err)
	}
}

func TestUndeclaredCapabilityRefusedAtInstall(t *testing.T) {
	h := newHost(t, Options{})
	toml := strings.Replace(kitchenToml, `{ kind = "http:fetch", hosts = ["127.0.0.1", "unlisted-not.test", "10.1.2.3", "169.254.169.254"] },`, "", 1)
	_, err := h.Install(context.Background(), writeBundle(t, kitchenWasm(t), toml))
	if !errors.Is(err, ErrCapability) || !strings.Contains(err.Error(), "pds.http_fetch") || !strings.Contains(err.Error(), `"http:fetch"`) {
		t.Fatalf("Install = %v; want ErrCapability naming pds.http_fetch", err)
	}
	if len(h.List()) != 0 {
		t.Fatal("a refused plugin was installed")
	}
}

// minimalWasm is a hand-assembled module exporting only pds_alloc
// (identity) and a memory: it declares no hooks.
var minimalWasm = []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, // type: (i32) -> i32
	0x03, 0x02, 0x01, 0x00, // one function of type 0
	0x05, 0x03, 0x01, 0x00, 0x01, // one memory, 1 page
	0x07, 0x0d, 0x01, 0x09, 'p', 'd', 's', '_', 'a', 'l', 'l', 'o', 'c', 0x00, 0x00, // export pds_alloc
	0x0a, 0x06, 0x01, 0x04, 0x00, 0x20, 0x00, 0x0b, // local.get 0
}

func TestDeclaredHookNotExportedRefusedAtInstall(t *testing.T) {
	h := newHost(t, Options{})
	toml := "id = \"dev.test.minimal\"\nname = \"Minimal\"\nversion = \"1.0.0\"\napi = 1\n[hooks]\n\"record.before_create\" = {}\n"
	_, err := h.Install(context.Background(), writeBundle(t, minimalWasm, toml))
	if err == nil || !strings.Contains(err.Error(), `hooks.record.before_create is declared but the module does not export "record.before_create"`) {
		t.Fatalf("Install = %v", err)
	}
	// Without the hook it installs.
	if _, err := h.Install(context.Background(), writeBundle(t, minimalWasm, strings.Split(toml, "[hooks]")[0])); err != nil {
		t.Fatal(err)
	}
}

func TestKVQuotaEnforced(t *testing.T) {
	kv := NewMemoryKV()
	h := newHost(t, Options{KV: kv})
	installKitchen(t, h, kitchenToml, nil)
	d := ask(t, h, "test.kv", nil)
	wantReject(t, d, "quota exceeded")
	wantReject(t, d, "kv error after 7") // 7 × (512 + key) bytes fit in 4 KiB
	keys, _ := kv.List(context.Background(), "dev.test.kitchen", "", "", 100)
	if len(keys) != 7 {
		t.Fatalf("kv holds %d keys", len(keys))
	}
}

func TestAfterHookRunsOffPath(t *testing.T) {
	kv := NewMemoryKV()
	h := newHost(t, Options{KV: kv})
	installKitchen(t, h, kitchenToml, nil)
	h.AfterRecord(context.Background(), RecordEvent{Op: OpCreate, Repo: "did:plc:alice", Collection: "app.bsky.feed.post",
		RKey: "3kabc", CID: "bafy", Record: map[string]any{"$type": "app.bsky.feed.post", "text": "hello"}})
	h.Flush()
	v, err := kv.Get(context.Background(), "dev.test.kitchen", "after/3kabc")
	if err != nil || string(v) != "hello" {
		t.Fatalf("after-hook kv = %q, %v", v, err)
	}
	wantReject(t, ask(t, h, "test.kvread", map[string]any{"key": "after/3kabc"}), "kv: hello")
}

func TestCircuitBreaker(t *testing.T) {
	h := newHost(t, Options{BreakerThreshold: 3})
	installKitchen(t, h, kitchenToml, nil)
	for range 3 {
		wantReject(t, ask(t, h, "test.trap", nil), "failed")
	}
	info, _ := h.Inspect("dev.test.kitchen")
	// The error says what the guest printed as it failed (Go's panic).
	if len(info.RecentErrors) == 0 || !strings.Contains(info.RecentErrors[0].Error, "the plugin wrote: panic: assignment to entry in nil map") {
		t.Fatalf("recent errors = %+v; want the guest's panic message", info.RecentErrors)
	}
	if info.State != StateFailed {
		t.Fatalf("state = %s; want failed", info.State)
	}
	// A failed plugin is not called any more.
	if d := ask(t, h, "test.reject", nil); d.Verdict != Continue {
		t.Fatalf("decision = %+v after the breaker tripped", d)
	}
	// Enabling again resets it.
	if err := h.Enable(context.Background(), "dev.test.kitchen", nil); err != nil {
		t.Fatal(err)
	}
	wantReject(t, ask(t, h, "test.version", nil), "v1")
}

func TestStatePersisted(t *testing.T) {
	dir := t.TempDir()
	h := newHost(t, Options{Dir: dir})
	installKitchen(t, h, kitchenToml, []Capability{{Kind: CapKVRead}, {Kind: CapKVWrite}})
	h.Close(context.Background())

	h2 := newHost(t, Options{Dir: dir})
	info, err := h2.Inspect("dev.test.kitchen")
	if err != nil {
		t.Fatal(err)
	}
	if info.State != StateEnabled || len(info.Granted) != 2 || !info.Unverified {
		t.Fatalf("info after restart = %+v", info)
	}
	wantReject(t, ask(t, h2, "test.version", nil), "v1")
	if err := h2.Uninstall(context.Background(), "dev.test.kitchen", true); err != nil {
		t.Fatal(err)
	}
	if len(h2.List()) != 0 {
		t.Fatal("uninstalled plugin still listed")
	}
	if d := ask(t, h2, "test.reject", nil); d.Verdict != Continue {
		t.Fatalf("decision = %+v after uninstall", d)
	}
}

var _ = netip.Prefix{}

// badLogWasm imports pds.log as (i32) -> () instead of the contract's
// (i32, i32, i32) -> ().
var badLogWasm = []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x0a, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, // types
	0x02, 0x0b, 0x01, 0x03, 'p', 'd', 's', 0x03, 'l', 'o', 'g', 0x00, 0x01, // import pds.log, type 1
	0x03, 0x02, 0x01, 0x00,
	0x05, 0x03, 0x01, 0x00, 0x01,
	0x07, 0x0d, 0x01, 0x09, 'p', 'd', 's', '_', 'a', 'l', 'l', 'o', 'c', 0x00, 0x01,
	0x0a, 0x06, 0x01, 0x04, 0x00, 0x20, 0x00, 0x0b,
}

// importing returns badLogWasm with its import renamed to module.name.
func importing(module, name string) []byte {
	imp := []byte{0x01, byte(len(module))}
	imp = append(append(imp, module...), byte(len(name)))
	imp = append(append(imp, name...), 0x00, 0x01)
	out := append([]byte(nil), badLogWasm[:20]...)
	out = append(append(out, 0x02, byte(len(imp))), imp...)
	return append(out, badLogWasm[33:]...)
}

func TestBadImportsRefused(t *testing.T) {
	h := newHost(t, Options{})
	toml := "id = \"dev.test.badlog\"\nname = \"Bad\"\nversion = \"1.0.0\"\napi = 1\n"
	for _, c := range []struct {
		wasm []byte
		want string
	}{
		{badLogWasm, "imports pds.log with the wrong signature"},
		{importing("pds", "exec"), "imports pds.exec, which the host does not provide"},
		{importing("env", "log"), "imports env.log, an unknown module"},
	} {
		_, err := h.Install(context.Background(), writeBundle(t, c.wasm, toml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Install = %v; want %q", err, c.want)
		}
	}
}
