package plugintest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/bluesky-social/indigo/atproto/atdata"
	"github.com/hearthpds/hearth/plugins/sdk/go/wire"
)

// The AssemblyScript SDK's unit tests live in
// plugins/sdk/assemblyscript/tests/sdk: a module built like a plugin whose
// test_* exports check the SDK from the inside and whose hooks answer from
// their inputs. They run here under wazero (interruption on, as in the
// host) against asFakePDS, a stand-in for module "pds" that speaks the real
// ABI and wire format (the Go SDK's wire package, the host's own).

const (
	asI32 = api.ValueTypeI32
	asI64 = api.ValueTypeI64
)

// asFakePDS answers the host imports with canned data the AS tests expect.
type asFakePDS struct {
	mu      sync.Mutex
	pending []byte
	logs    []string
	kv      map[string][]byte
	cursor  int64
}

// asHostFn reads its arguments from memory and returns a status and result.
type asHostFn func(mem api.Memory, stack []uint64) (uint32, []byte)

func (f *asFakePDS) instantiate(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder("pds")
	b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, m api.Module, s []uint64) {
		msg, _ := m.Memory().Read(uint32(s[1]), uint32(s[2]))
		f.mu.Lock()
		f.logs = append(f.logs, fmt.Sprintf("%d %s", uint32(s[0]), msg))
		f.mu.Unlock()
	}), []api.ValueType{asI32, asI32, asI32}, nil).Export("log")
	b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, m api.Module, s []uint64) {
		m.Memory().Write(uint32(s[0]), f.pending)
		f.pending = nil
	}), []api.ValueType{asI32}, nil).Export("result")
	add := func(name string, params []api.ValueType, fn asHostFn) {
		b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, m api.Module, s []uint64) {
			status, res := fn(m.Memory(), s)
			f.pending = res
			s[0] = uint64(status)<<32 | uint64(uint32(len(res)))
		}), params, []api.ValueType{asI64}).Export(name)
	}
	two := []api.ValueType{asI32, asI32}
	add("config_get", two, f.configGet)
	add("kv_get", two, f.kvGet)
	add("kv_put", []api.ValueType{asI32, asI32, asI32, asI32}, f.kvPut)
	add("kv_delete", two, f.kvDelete)
	add("kv_list", two, asMsgFn(f.kvList))
	add("http_fetch", two, asMsgFn(f.httpFetch))
	add("record_get", two, asMsgFn(f.recordGet))
	add("record_list", two, asMsgFn(f.recordList))
	add("blob_read", two, asMsgFn(f.blobRead))
	add("repo_export", two, asMsgFn(f.repoExport))
	add("firehose_cursor_get", nil, func(api.Memory, []uint64) (uint32, []byte) {
		return 0, strconv.AppendInt(nil, f.cursor, 10)
	})
	add("firehose_cursor_set", []api.ValueType{asI64}, func(_ api.Memory, s []uint64) (uint32, []byte) {
		f.cursor = int64(s[0])
		return 0, nil
	})
	_, err := b.Instantiate(ctx)
	return err
}

// asArg reads the (ptr, len) argument pair at s[i], s[i+1].
func asArg(mem api.Memory, s []uint64, i int) string {
	b, _ := mem.Read(uint32(s[i]), uint32(s[i+1]))
	return string(b)
}

// asMsgFn adapts a function of the message argument of an import.
func asMsgFn(fn func(wire.Message) (uint32, []byte)) asHostFn {
	return func(mem api.Memory, s []uint64) (uint32, []byte) { return fn(wire.Message(asArg(mem, s, 0))) }
}

func (f *asFakePDS) configGet(mem api.Memory, s []uint64) (uint32, []byte) {
	switch asArg(mem, s, 0) {
	case "greeting":
		return 0, []byte("hello")
	case "banned":
		return 0, []byte(`["spam"]`)
	}
	return 1, nil
}

func (f *asFakePDS) kvGet(mem api.Memory, s []uint64) (uint32, []byte) {
	v, ok := f.kv[asArg(mem, s, 0)]
	if !ok {
		return 1, nil
	}
	return 0, v
}

func (f *asFakePDS) kvPut(mem api.Memory, s []uint64) (uint32, []byte) {
	k := asArg(mem, s, 0)
	if k == "quota" {
		return 4, []byte("over 4 KiB")
	}
	f.kv[k] = []byte(asArg(mem, s, 2))
	return 0, nil
}

func (f *asFakePDS) kvDelete(mem api.Memory, s []uint64) (uint32, []byte) {
	k := asArg(mem, s, 0)
	if k == "denied" {
		return 2, []byte("kv:write not granted")
	}
	delete(f.kv, k)
	return 0, nil
}

func (f *asFakePDS) kvList(m wire.Message) (uint32, []byte) {
	return 0, wire.Message(nil).AddString(wire.TagKey, "prefix="+m.String(wire.TagKey)).
		AddString(wire.TagKey, "after="+m.String(wire.TagCursor)).
		AddString(wire.TagKey, fmt.Sprintf("limit=%d", m.Uint(wire.TagLimit)))
}

func (f *asFakePDS) httpFetch(m wire.Message) (uint32, []byte) {
	url := m.String(wire.TagURL)
	if strings.Contains(url, "fail") {
		return 3, []byte("dial: boom")
	}
	var headers []string
	_ = m.Each(func(tag byte, v []byte) error {
		if tag == wire.TagHeader {
			headers = append(headers, string(v))
		}
		return nil
	})
	body := fmt.Sprintf("%s %s [%s] %s", m.String(wire.TagMethod), url, strings.Join(headers, "|"), m.String(wire.TagBody))
	return 0, wire.Message(nil).AddUint(wire.TagStatus, 201).AddString(wire.TagHeader, "Content-Type: text/plain").
		AddString(wire.TagHeader, `Etag: "v1"`).AddString(wire.TagBody, body)
}

// asEntry is a record asEntry whose record's text names where it came from.
func asEntry(repo, collection, rkey string) wire.Message {
	rec, err := atdata.MarshalCBOR(map[string]any{"$type": collection, "text": repo + "/" + collection + "/" + rkey})
	if err != nil {
		panic(err)
	}
	return wire.Message(nil).AddString(wire.TagCollection, collection).AddString(wire.TagRKey, rkey).
		AddString(wire.TagCID, "bafyrec").Add(wire.TagRecord, rec)
}

func (f *asFakePDS) recordGet(m wire.Message) (uint32, []byte) {
	if m.String(wire.TagRKey) == "gone" {
		return 1, nil
	}
	return 0, asEntry(m.String(wire.TagRepo), m.String(wire.TagCollection), m.String(wire.TagRKey))
}

func (f *asFakePDS) recordList(m wire.Message) (uint32, []byte) {
	var out wire.Message
	for i := range int(m.Uint(wire.TagLimit)) {
		rkey := fmt.Sprintf("%s-%d", m.String(wire.TagCursor), i)
		out = out.Add(wire.TagEntry, asEntry(m.String(wire.TagRepo), m.String(wire.TagCollection), rkey))
	}
	return 0, out
}

func (f *asFakePDS) blobRead(m wire.Message) (uint32, []byte) {
	data := "abcdefghij"
	off := min(int(m.Uint(wire.TagOffset)), len(data))
	end := min(off+int(m.Uint(wire.TagLength)), len(data))
	return 0, []byte(data[off:end])
}

func (f *asFakePDS) repoExport(m wire.Message) (uint32, []byte) {
	return 0, fmt.Appendf(nil, "%s:%d+%d", m.String(wire.TagSince), m.Uint(wire.TagOffset), m.Uint(wire.TagLength))
}

// asGuest is an instance of the SDK's test module on the fake host.
type asGuest struct {
	t    *testing.T
	pds  *asFakePDS
	mod  api.Module
	ctx  context.Context
	wasm []byte
}

// asSDKModule builds plugins/sdk/assemblyscript/tests/sdk (with more asc
// options, if any).
func asSDKModule(t *testing.T, ascArgs ...string) []byte {
	return BuildAssemblyScript(t, Path("plugins", "sdk", "assemblyscript", "tests", "sdk"), ascArgs...)
}

// newASGuest instantiates wasm on a fresh runtime configured like the host's.
func newASGuest(t *testing.T, wasm []byte) *asGuest {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().WithCloseOnContextDone(true).WithMemoryLimitPages(256))
	t.Cleanup(func() { rt.Close(ctx) })
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	pds := &asFakePDS{kv: map[string][]byte{}}
	if err := pds.instantiate(ctx, rt); err != nil {
		t.Fatal(err)
	}
	cfg := wazero.NewModuleConfig().WithName("").WithStartFunctions().WithSysWalltime().WithSysNanotime()
	mod, err := rt.InstantiateWithConfig(ctx, wasm, cfg)
	if err != nil {
		t.Fatalf("instantiate: %v", err)
	}
	return &asGuest{t: t, pds: pds, mod: mod, ctx: ctx, wasm: wasm}
}

// hook calls export with input the way the host does and returns the answer.
func (g *asGuest) hook(export string, input []byte) []byte {
	g.t.Helper()
	res, err := g.mod.ExportedFunction("pds_alloc").Call(g.ctx, uint64(len(input)))
	if err != nil {
		g.t.Fatalf("pds_alloc: %v; log: %v", err, g.pds.logs)
	}
	if !g.mod.Memory().Write(uint32(res[0]), input) {
		g.t.Fatalf("pds_alloc returned %d, outside memory", res[0])
	}
	out, err := g.mod.ExportedFunction(export).Call(g.ctx, res[0], uint64(len(input)))
	if err != nil {
		g.t.Fatalf("%s: %v; log: %v", export, err, g.pds.logs)
	}
	ptr, n := uint32(out[0]>>32), uint32(out[0])
	if n == 0 {
		return nil
	}
	b, ok := g.mod.Memory().Read(ptr, n)
	if !ok {
		g.t.Fatalf("%s answered %d+%d, outside memory", export, ptr, n)
	}
	return append([]byte(nil), b...)
}

// lastLog is the newest line the guest logged ("" if none).
func (g *asGuest) lastLog() string {
	if len(g.pds.logs) == 0 {
		return ""
	}
	return g.pds.logs[len(g.pds.logs)-1]
}

// The SDK's checks, each in a fresh instance, with the package's runtime
// (minimal) and with the incremental one.
func TestAssemblyScriptSDKUnits(t *testing.T) {
	t.Run("minimal", func(t *testing.T) { asRunUnits(t, asSDKModule(t)) })
	t.Run("incremental", func(t *testing.T) { asRunUnits(t, asSDKModule(t, "--runtime", "incremental")) })
}

// asRunUnits calls every test_ export of wasm in a fresh instance.
func asRunUnits(t *testing.T, wasm []byte) {
	var names []string
	for name := range newASGuest(t, wasm).mod.ExportedFunctionDefinitions() {
		if strings.HasPrefix(name, "test_") {
			names = append(names, name)
		}
	}
	if len(names) < 10 {
		t.Fatalf("only %d test_ exports: %v", len(names), names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			g := newASGuest(t, wasm)
			if _, err := g.mod.ExportedFunction(name).Call(g.ctx); err != nil {
				t.Fatalf("%v\nlog: %s", err, strings.Join(g.pds.logs, "\n"))
			}
		})
	}
}

// A failure inside the guest is logged through pds.log (the SDK's abort),
// then traps: no import from "env" is needed for it.
func TestAssemblyScriptSDKAbort(t *testing.T) {
	wasm := asSDKModule(t)
	for export, want := range map[string]string{
		"fail_value":  "3 abort: host call failed: not found",
		"fail_assert": "3 abort: deliberate at tests/sdk/assembly/index.ts:",
	} {
		g := newASGuest(t, wasm)
		if _, err := g.mod.ExportedFunction(export).Call(g.ctx); err == nil {
			t.Errorf("%s did not trap", export)
		}
		if !strings.HasPrefix(g.lastLog(), want) {
			t.Errorf("%s logged %q; want a line starting %q", export, g.pds.logs, want)
		}
	}
}

// The module imports only what the host provides and exports every hook
// under its contract name, pds_alloc, and nothing of the typed hooks.
func TestAssemblyScriptSDKModuleShape(t *testing.T) {
	g := newASGuest(t, asSDKModule(t))
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	compiled, err := rt.CompileModule(ctx, g.wasm)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range compiled.ImportedFunctions() {
		if mod, name, _ := f.Import(); mod != "pds" && mod != "wasi_snapshot_preview1" {
			t.Errorf("imports %s.%s", mod, name)
		}
	}
	exports := compiled.ExportedFunctions()
	for _, name := range []string{"pds_alloc", "record.before_create", "record.before_update", "record.before_delete",
		"record.after_create", "record.after_update", "record.after_delete", "blob.before_upload", "blob.validate",
		"blob.after_upload", "xrpc.before", "xrpc.after", "xrpc.handle", "firehose.on_commit",
		"privacy.on_access_grant_request", "privacy.on_key_rotation"} {
		def, ok := exports[name]
		if !ok {
			t.Errorf("no export %q", name)
			continue
		}
		if name != "pds_alloc" && (fmt.Sprint(def.ParamTypes()) != fmt.Sprint([]api.ValueType{asI32, asI32}) ||
			fmt.Sprint(def.ResultTypes()) != fmt.Sprint([]api.ValueType{asI64})) {
			t.Errorf("%s has signature %v -> %v", name, def.ParamTypes(), def.ResultTypes())
		}
	}
	for name := range exports {
		if strings.Contains(name, "_before_") || strings.Contains(name, "_after_") || strings.HasPrefix(name, "__hearth") {
			t.Errorf("leftover export %q", name)
		}
	}
}

// Many calls leave the heap as it was: pds_alloc collects the garbage of
// the previous call (the minimal runtime never collects by itself).
func TestAssemblyScriptSDKHeapBounded(t *testing.T) {
	g := newASGuest(t, asSDKModule(t))
	rec, _ := atdata.MarshalCBOR(map[string]any{"text": strings.Repeat("a post of some length ", 40)})
	in := wire.Message(nil).AddString(wire.TagRepo, "did:plc:alice").AddString(wire.TagCollection, "app.bsky.feed.post").
		AddString(wire.TagRKey, "3k").Add(wire.TagRecord, rec)
	for range 200 {
		g.hook("record.before_create", in)
	}
	size := g.mod.Memory().Size()
	for range 5000 {
		g.hook("record.before_create", in)
	}
	if after := g.mod.Memory().Size(); after != size {
		t.Fatalf("memory grew from %d to %d bytes over 5000 calls", size, after)
	}
}

// asRecordInput encodes a record hook's input as the host does.
func asRecordInput(t *testing.T, actor string, rec, prev map[string]any) wire.Message {
	t.Helper()
	m := wire.Message(nil).AddString(wire.TagRepo, "did:plc:alice").AddString(wire.TagCollection, "app.bsky.feed.post").
		AddString(wire.TagRKey, "3k").AddString(wire.TagCID, "bafycid")
	if actor != "" {
		m = m.AddString(wire.TagActor, actor)
	}
	for tag, v := range map[byte]map[string]any{wire.TagRecord: rec, wire.TagPrev: prev} {
		if v == nil {
			continue
		}
		b, err := atdata.MarshalCBOR(v)
		if err != nil {
			t.Fatal(err)
		}
		m = m.Add(tag, b)
	}
	return m
}

// asWantReject checks a before-hook's answer is a reject with name and message.
func asWantReject(t *testing.T, ans []byte, name, message string) {
	t.Helper()
	if len(ans) == 0 || ans[0] != wire.VerdictReject {
		t.Fatalf("answer %q; want a reject", ans)
	}
	m := wire.Message(ans[1:])
	if m.String(wire.TagError) != name || m.String(wire.TagMessage) != message {
		t.Fatalf("reject %q: %q; want %q: %q", m.String(wire.TagError), m.String(wire.TagMessage), name, message)
	}
}

// The record hooks decode what the host sends and answer in the wire format.
func TestAssemblyScriptSDKRecordHooks(t *testing.T) {
	g := newASGuest(t, asSDKModule(t))
	post := map[string]any{"$type": "app.bsky.feed.post", "text": "reject me", "createdAt": "2026-11-25T04:00:00.000Z",
		"langs": []any{"en"}, "reply": map[string]any{"n": int64(1)}}
	asWantReject(t, g.hook("record.before_create", asRecordInput(t, "did:plc:bob", post, nil)), "Nope",
		"create did:plc:alice app.bsky.feed.post 3k cid=bafycid actor=did:plc:bob text=reject me prev= empty=no")
	post["text"] = "fine"
	if ans := g.hook("record.before_create", asRecordInput(t, "", post, nil)); len(ans) != 0 {
		t.Fatalf("allow answered %q", ans)
	}
	asWantReject(t, g.hook("record.before_delete", asRecordInput(t, "", nil, map[string]any{"text": "old"})), "Gone",
		"delete did:plc:alice app.bsky.feed.post 3k cid=bafycid actor= text= prev=old empty=yes")

	ans := g.hook("record.before_update", asRecordInput(t, "", post, map[string]any{"text": "old"}))
	if len(ans) == 0 || ans[0] != wire.VerdictReplace {
		t.Fatalf("update answered %q; want a replacement", ans)
	}
	raw, _ := wire.Message(ans[1:]).Get(wire.TagRecord)
	rec, err := atdata.UnmarshalCBOR(raw)
	if err != nil {
		t.Fatalf("replacement is not DAG-CBOR: %v", err)
	}
	if rec["text"] != "updated: fine (was old)" || rec["edited"] != true || rec["createdAt"] != post["createdAt"] || len(rec) != 6 {
		t.Fatalf("replacement = %v", rec)
	}
	if canon, _ := atdata.MarshalCBOR(rec); string(canon) != string(raw) {
		t.Fatalf("replacement is not in canonical DAG-CBOR order:\n%x\n%x", raw, canon)
	}
	for _, op := range []string{"create", "update", "delete"} {
		if ans := g.hook("record.after_"+op, asRecordInput(t, "", post, nil)); ans != nil {
			t.Fatalf("after hook answered %q", ans)
		}
		want := "1 after " + op + " did:plc:alice app.bsky.feed.post 3k cid=bafycid actor= text=fine prev= empty=no"
		if g.lastLog() != want {
			t.Fatalf("logged %q; want %q", g.lastLog(), want)
		}
	}
}

// The blob, xrpc, firehose and privacy hooks.
func TestAssemblyScriptSDKOtherHooks(t *testing.T) {
	g := newASGuest(t, asSDKModule(t))
	blob := func(mime string, size uint64) wire.Message {
		return wire.Message(nil).AddString(wire.TagRepo, "did:plc:alice").AddString(wire.TagMime, mime).
			AddString(wire.TagCID, "bafyblob").AddUint(wire.TagSize, size)
	}
	asWantReject(t, g.hook("blob.before_upload", blob("image/png", 1<<33)), "TooBig", "did:plc:alice image/png 8589934592 bafyblob")
	if ans := g.hook("blob.before_upload", blob("image/png", 10)); ans != nil {
		t.Fatalf("small blob: %q", ans)
	}
	asWantReject(t, g.hook("blob.validate", blob("text/html", 10)), "BadType", "did:plc:alice text/html 10 bafyblob")
	g.hook("blob.after_upload", blob("image/png", 10))
	if g.lastLog() != "1 blob did:plc:alice image/png 10 bafyblob" {
		t.Fatalf("logged %q", g.lastLog())
	}

	xrpc := wire.Message(nil).AddString(wire.TagNSID, "app.bsky.feed.getTimeline").AddString(wire.TagMethod, "GET").
		AddString(wire.TagParams, "limit=5&cursor=x").AddString(wire.TagCaller, "")
	asWantReject(t, g.hook("xrpc.before", xrpc), "NoCaller", "app.bsky.feed.getTimeline GET limit=5&cursor=x caller= status=0")
	g.hook("xrpc.after", xrpc.AddUint(wire.TagStatus, 404))
	if g.lastLog() != "1 xrpc app.bsky.feed.getTimeline GET limit=5&cursor=x caller= status=404" {
		t.Fatalf("logged %q", g.lastLog())
	}

	req := wire.Message(nil).AddString(wire.TagNSID, "dev.test.echo").AddString(wire.TagMethod, "POST").
		AddString(wire.TagParams, "a=1").AddString(wire.TagCaller, "did:plc:bob").AddString(wire.TagBody, "hi")
	resp := wire.Message(g.hook("xrpc.handle", req))
	want := `{"nsid":"dev.test.echo","method":"POST","params":"a=1","auth":"did:plc:bob","body":"hi"}`
	if resp.Uint(wire.TagStatus) != 201 || resp.String(wire.TagEncoding) != "application/json" || resp.String(wire.TagBody) != want {
		t.Fatalf("xrpc.handle answered %d %q %q", resp.Uint(wire.TagStatus), resp.String(wire.TagEncoding), resp.String(wire.TagBody))
	}
	bin := wire.Message(g.hook("xrpc.handle", wire.Message(nil).AddString(wire.TagNSID, "dev.test.binary")))
	if body, _ := bin.Get(wire.TagBody); string(body) != "\x00\x01\xff" || bin.Uint(wire.TagStatus) != 200 {
		t.Fatalf("binary body %q", body)
	}

	commit := wire.Message(nil).AddUint(wire.TagSeq, 7).AddString(wire.TagRepo, "did:plc:alice").AddString(wire.TagRev, "3rev").
		Add(wire.TagOp, wire.Message(nil).AddString(wire.TagAction, "create").AddString(wire.TagPath, "app.bsky.feed.post/3k").AddString(wire.TagCID, "bafy")).
		Add(wire.TagOp, wire.Message(nil).AddString(wire.TagAction, "delete").AddString(wire.TagPath, "app.bsky.feed.like/3l"))
	g.hook("firehose.on_commit", commit)
	if g.lastLog() != "1 commit 7 did:plc:alice 3rev create:app.bsky.feed.post/3k:bafy delete:app.bsky.feed.like/3l:" {
		t.Fatalf("logged %q", g.lastLog())
	}

	grant := wire.Message(nil).AddString(wire.TagRepo, "did:plc:alice").AddString(wire.TagCollection, "dev.private.note").
		AddString(wire.TagCaller, "did:plc:bob").AddUint(wire.TagSeq, 3)
	asWantReject(t, g.hook("privacy.on_access_grant_request", grant), "Refused", "did:plc:alice dev.private.note did:plc:bob 3")
	g.hook("privacy.on_key_rotation", grant)
	if g.lastLog() != "1 rotation did:plc:alice dev.private.note did:plc:bob 3" {
		t.Fatalf("logged %q", g.lastLog())
	}
}

// asPlugin writes code as the entry file assembly/index.ts of a plugin in a
// temp dir, with "SDK" replaced by the SDK's path relative to it, and
// returns the dir and the entry file.
func asPlugin(t *testing.T, code string) (dir, entry string) {
	t.Helper()
	ascVersion(t)
	dir = t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "assembly"), 0o700); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(filepath.Join(dir, "assembly"), filepath.Join(AssemblyScriptSDK(), "assembly"))
	if err != nil {
		t.Fatal(err)
	}
	entry = filepath.Join(dir, "assembly", "index.ts")
	if err := os.WriteFile(entry, []byte(strings.ReplaceAll(code, "SDK", filepath.ToSlash(rel))), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, entry
}

// asBuild compiles entry with hearth-asc from the SDK's folder, without
// optimizing (these tests check the transform, not the code).
func asBuild(t *testing.T, entry string) ([]byte, error) {
	t.Helper()
	return RunASC(AssemblyScriptSDK(), entry, "--optimizeLevel", "0", "--outFile", filepath.Join(t.TempDir(), "plugin.wasm"))
}

// The transform fails the build on imports the host would refuse, naming
// them, instead of leaving it to the install.
func TestAssemblyScriptTransformRefusesEnvImports(t *testing.T) {
	t.Parallel()
	_, entry := asPlugin(t, `import { RecordEvent, Decision, allow } from "SDK";
export function record_before_create(ev: RecordEvent): Decision {
  console.log("hello " + Date.now().toString());
  return allow();
}
`)
	out, err := asBuild(t, entry)
	if err == nil || !strings.Contains(string(out), "env.console.log") || !strings.Contains(string(out), "Date.now") ||
		!strings.Contains(string(out), "pds and wasi_snapshot_preview1 only") {
		t.Fatalf("build: %v\n%s", err, out)
	}
}

// A hook whose parameter is not its event type does not compile.
func TestAssemblyScriptTransformTypeChecksHooks(t *testing.T) {
	t.Parallel()
	_, entry := asPlugin(t, `import { BlobEvent, Decision, allow } from "SDK";
export function record_before_create(ev: BlobEvent): Decision { return allow(); }
`)
	out, err := asBuild(t, entry)
	if err == nil || !strings.Contains(string(out), "BlobEvent") || !strings.Contains(string(out), "RecordEvent") {
		t.Fatalf("build: %v\n%s", err, out)
	}
}

// An exported function that looks like a hook but is none is reported.
func TestAssemblyScriptTransformWarnsOnStrays(t *testing.T) {
	t.Parallel()
	_, entry := asPlugin(t, `import { RecordEvent, Decision, allow } from "SDK";
export function record_before_craete(ev: RecordEvent): Decision { return allow(); }
`)
	out, err := asBuild(t, entry)
	if err != nil || !strings.Contains(string(out), "exports record_before_craete, which is no hook") {
		t.Fatalf("build: %v\n%s", err, out)
	}
}

// A plugin that imports nothing from the SDK is told to.
func TestAssemblyScriptTransformNeedsTheSDK(t *testing.T) {
	t.Parallel()
	_, entry := asPlugin(t, "export function record_before_create(p: u32, n: u32): u64 { return 0; }\n")
	out, err := asBuild(t, entry)
	if err == nil || !strings.Contains(string(out), "imports nothing from @hearth/plugin-api") {
		t.Fatalf("build: %v\n%s", err, out)
	}
}

// A plugin outside this repository imports the package by name from its
// node_modules (here a link to the SDK, as `npm install <path>` makes) and
// builds with the package's hearth-asc, run from there.
func TestAssemblyScriptPackageImport(t *testing.T) {
	t.Parallel()
	dir, _ := asPlugin(t, `import { RecordEvent, Decision, allow, reject } from "@hearth/plugin-api/assembly";
export function record_before_create(ev: RecordEvent): Decision {
  return ev.record.text("text") == "no" ? reject("Nope", "no") : allow();
}
`)
	scope := filepath.Join(dir, "node_modules", "@hearth")
	if err := os.MkdirAll(scope, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(AssemblyScriptSDK(), filepath.Join(scope, "plugin-api")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "plugin.wasm")
	cmd := exec.Command("node", "node_modules/@hearth/plugin-api/bin/hearth-asc.mjs", "assembly/index.ts", "--optimizeLevel", "0", "--outFile", out)
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hearth-asc: %v\n%s", err, msg)
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	g := newASGuest(t, wasm)
	rec, _ := atdata.MarshalCBOR(map[string]any{"text": "no"})
	asWantReject(t, g.hook("record.before_create", wire.Message(nil).Add(wire.TagRecord, rec)), "Nope", "no")
}
