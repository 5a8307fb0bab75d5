package plugintest

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
)

var rustPassed = regexp.MustCompile(`^test result: ok\. (\d+) passed; 0 failed`)

// wantRustTests fails unless summary reports at least min passed tests.
func wantRustTests(t *testing.T, summary string, min int) {
	t.Helper()
	m := rustPassed.FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("summary %q", summary)
	}
	if n, _ := strconv.Atoi(m[1]); n < min {
		t.Fatalf("only %d Rust tests ran (%q), want at least %d", n, summary, min)
	}
	t.Log(summary)
}

// TestRustSDKUnitTests runs the SDK crate's own #[cfg(test)] tests (wire
// format, DAG-CBOR reading and encoding, JSON string arrays, the host
// wrappers against the native fake host, hook dispatch) natively.
func TestRustSDKUnitTests(t *testing.T) {
	wantRustTests(t, RustUnitTests(t, "pds_plugin_api", Path("plugins", "sdk", "rust", "src", "lib.rs"), false), 20)
}

// TestRustExampleUnitTests runs the content filter's own tests natively
// against the SDK's fake host.
func TestRustExampleUnitTests(t *testing.T) {
	src := Path("plugins", "sdk", "rust", "examples", "contentfilter", "src", "lib.rs")
	wantRustTests(t, RustUnitTests(t, "contentfilter", src, true), 6)
}

// rustHooks are the contract's hook exports, which register_plugin! emits.
var rustHooks = []string{"record.before_create", "record.before_update", "record.before_delete",
	"record.after_create", "record.after_update", "record.after_delete", "blob.before_upload", "blob.validate",
	"blob.after_upload", "xrpc.before", "xrpc.after", "xrpc.handle", "firehose.on_commit",
	"privacy.on_access_grant_request", "privacy.on_key_rotation"}

// TestBuildRust builds the example and checks what the host will see:
// pds_alloc, every hook and the memory exported, and imports from pds only
// of the functions the plugin calls (no capability needed), besides WASI.
func TestBuildRust(t *testing.T) {
	wasm := BuildRust(t, Path("plugins", "sdk", "rust", "examples", "contentfilter"))
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	mod, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	var pds []string
	for _, f := range mod.ImportedFunctions() {
		switch m, name, _ := f.Import(); m {
		case "pds":
			pds = append(pds, name)
		case "wasi_snapshot_preview1":
		default:
			t.Errorf("imports %s.%s", m, name)
		}
	}
	slices.Sort(pds)
	if want := []string{"config_get", "log", "result"}; !slices.Equal(pds, want) {
		t.Errorf("pds imports %v, want %v", pds, want)
	}
	exports := mod.ExportedFunctions()
	for _, name := range append([]string{"pds_alloc"}, rustHooks...) {
		if _, ok := exports[name]; !ok {
			t.Errorf("does not export %s; exports %v", name, slices.Sorted(maps.Keys(exports)))
		}
	}
	if _, ok := exports["_initialize"]; ok {
		t.Errorf("exports _initialize: the host would run it")
	}
	if _, ok := mod.ExportedMemories()["memory"]; !ok {
		t.Error("does not export its memory")
	}
	t.Logf("contentfilter-rust: %d bytes", len(wasm))
}

// fatalRecorder stands in for a *testing.T to catch a Fatalf.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

// TestRustMissingToolchainNamesPackages: without Debian's rustc the Rust
// tests fail (never skip) with the packages to install.
func TestRustMissingToolchainNamesPackages(t *testing.T) {
	saved := RustC
	RustC = "/nonexistent/rustc"
	defer func() { RustC = saved }()
	rec := &fatalRecorder{TB: t}
	func() {
		defer func() {
			if r := recover(); r != nil && r != any(rec) {
				panic(r)
			}
		}()
		RustVersion(rec)
	}()
	if !strings.Contains(rec.msg, "apt-get install rustc libstd-rust-dev-wasm32") {
		t.Fatalf("failure message %q does not name the packages", rec.msg)
	}
}
