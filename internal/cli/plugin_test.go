package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hearthpds/hearth/internal/testpds"
)

// contentFilterBundle builds the Go SDK's content-filter example to real
// WASM and writes its plugin folder (manifest with the module's sha256).
func contentFilterBundle(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs(filepath.Join("..", "..", "plugins", "sdk", "go", "examples", "contentfilter"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	wasmPath := filepath.Join(dir, "plugin.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-o", wasmPath, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOWORK=off", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the content filter: %v\n%s", err, msg)
	}
	wasm, err := os.ReadFile(wasmPath)
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(filepath.Join(src, "plugin.toml"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(wasm)
	m := regexp.MustCompile(`(?m)^sha256 = "[0-9a-f]+"`).ReplaceAllString(string(manifest), `sha256 = "`+hex.EncodeToString(sum[:])+`"`)
	if err := os.WriteFile(filepath.Join(dir, "plugin.toml"), []byte(m), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
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
