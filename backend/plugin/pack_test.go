package plugin

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPack: a folder with a freshly built module and a manifest without
// (or with a stale) sha256 is packed into a folder and a .zip that both
// install; a missing module or a bad manifest is refused naming it.
func TestPack(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "plugin.toml"), []byte(kitchenToml), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Pack(dir, ""); err == nil || !strings.Contains(err.Error(), "build the module first") {
		t.Fatalf("Pack without the module = %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plugin.wasm"), kitchenWasm(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("# Kitchen\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(t.TempDir(), "kitchen.zip")
	m, err := Pack(dir, zipPath)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "dev.test.kitchen" || len(m.SHA256) != 64 {
		t.Fatalf("manifest = %+v", m)
	}
	// Packing again keeps one sha256 line.
	if _, err := Pack(dir, ""); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "plugin.toml"))
	if n := strings.Count(string(data), "sha256 ="); n != 1 {
		t.Fatalf("plugin.toml has %d sha256 lines:\n%s", n, data)
	}
	for _, path := range []string{dir, zipPath} {
		h := newHost(t, Options{})
		if _, err := h.Install(context.Background(), path); err != nil {
			t.Fatalf("install %s: %v", path, err)
		}
	}
	bad := strings.Replace(string(data), `version = "1.0.0"`, `version = "one"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "plugin.toml"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Pack(dir, ""); err == nil || !strings.Contains(err.Error(), "version") {
		t.Fatalf("Pack with a bad version = %v", err)
	}
}
