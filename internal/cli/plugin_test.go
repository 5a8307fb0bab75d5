package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/internal/plugintest"
	"github.com/hearthpds/hearth/internal/testpds"
)

// contentFilterBundle builds the content-filter example to real WASM and
// writes its plugin folder (manifest with the module's sha256).
func contentFilterBundle(t *testing.T) string {
	t.Helper()
	src := plugintest.Path("plugins", "examples", "contentfilter")
	return plugintest.BundleDir(t, src, plugintest.BuildGo(t, src, ""))
}

// TestPluginCommands runs `hearth plugin …` against a running server with
// the Go SDK's content filter compiled to WASM.
func TestPluginCommands(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{})
	bundle := contentFilterBundle(t)
	const id = "dev.hearthpds.example.contentfilter"
	run := func(want int, args ...string) string {
		t.Helper()
		args = append([]string{"plugin"}, append(args, "--url", pds.URL, "--admin-password", testpds.AdminPassword)...)
		code, out, errs := runCLI(t, args...)
		if code != want {
			t.Fatalf("hearth %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, want, out, errs)
		}
		return out + errs
	}
	// A stale sha256 (a rebuilt module) is refused; pack sets it.
	toml := filepath.Join(bundle, "plugin.toml")
	data, err := os.ReadFile(toml)
	if err != nil {
		t.Fatal(err)
	}
	stale := regexp.MustCompile(`(?m)^sha256 = .*$`).ReplaceAll(data, []byte(`sha256 = "`+strings.Repeat("0", 64)+`"`))
	if err := os.WriteFile(toml, stale, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := run(1, "install", bundle); !strings.Contains(out, "sha256") {
		t.Fatalf("install with a stale sha256 printed %s", out)
	}
	if code, out, errs := runCLI(t, "plugin", "pack", bundle); code != 0 || !strings.Contains(out, id+" 0.1.0: sha256 ") {
		t.Fatalf("pack: exit %d\n%s%s", code, out, errs)
	}
	if out := run(0, "install", bundle); !strings.Contains(out, `"state": "disabled"`) || !strings.Contains(out, `"unverified": true`) {
		t.Fatalf("install printed %s", out)
	}
	if out := run(1, "install", bundle); !strings.Contains(out, "PluginExists") {
		t.Fatalf("second install printed %s", out)
	}
	if out := run(0, "list"); !strings.Contains(out, id+"\t0.1.0\tdisabled") {
		t.Fatalf("list printed %q", out)
	}
	if out := run(0, "enable", id, "--grant", "[]"); !strings.Contains(out, `"state": "enabled"`) {
		t.Fatalf("enable printed %s", out)
	}
	run(1, "enable", id, "--grant", "not json")
	// Configuration applies to the very next call.
	if out := run(0, "config", id, `banned=["spam"]`); !strings.Contains(out, `"spam"`) {
		t.Fatalf("config printed %s", out)
	}
	if out := run(1, "config", id, "banned=spam"); !strings.Contains(out, "InvalidConfig") || !strings.Contains(out, "banned") {
		t.Fatalf("config with a string for a string[] printed %s", out)
	}
	run(1, "config", id, "nokey")
	alice := pds.Account(t, "alice.test")
	if status, out := alice.Post("more spam please"); status != 400 || !strings.Contains(out["message"].(string), id) {
		t.Fatalf("a banned post after config: %d %v", status, out)
	}
	if status, out := alice.Post("hello"); status != 200 {
		t.Fatalf("a plain post: %d %v", status, out)
	}
	run(0, "reload", id, "--from", bundle)
	if out := run(0, "inspect", id); !strings.Contains(out, `"state": "enabled"`) {
		t.Fatalf("inspect printed %s", out)
	}
	run(0, "disable", id)
	run(0, "uninstall", id, "--wipe")
	if out := run(1, "inspect", id); !strings.Contains(out, "PluginNotFound") {
		t.Fatalf("inspect after uninstall printed %s", out)
	}
	if code, _, errs := runCLI(t, "plugin", "list", "--url", pds.URL, "--admin-password", "wrong"); code != 1 || !strings.Contains(errs, "AuthRequired") {
		t.Fatalf("wrong password: exit %d, %s", code, errs)
	}
}
