package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hearthpds/hearth/backend/plugin"
)

// Test guests are real WASM modules compiled from testdata/guests/<name>
// with the Go SDK (GOOS=wasip1), once per test binary, cached under the
// temp dir by the hash of their sources, the SDK's and the Go version.

var (
	guestMu    sync.Mutex
	guestBuilt = map[string][]byte{}
)

func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// buildGuest compiles testdata/guests/<name> and returns the wasm.
func buildGuest(t testing.TB, name string) []byte {
	t.Helper()
	guestMu.Lock()
	defer guestMu.Unlock()
	if b, ok := guestBuilt[name]; ok {
		return b
	}
	src := filepath.Join(moduleRoot(), "backend", "server", "testdata", "guests", name)
	sdk := filepath.Join(moduleRoot(), "plugins", "sdk", "go")
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version())
	for _, dir := range []string{src, sdk} {
		var files []string
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "go.mod")) {
				files = append(files, p)
			}
			return err
		})
		sort.Strings(files)
		for _, f := range files {
			b, _ := os.ReadFile(f)
			fmt.Fprintf(h, "%s %d\n", strings.TrimPrefix(f, dir), len(b))
			h.Write(b)
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))[:24]
	cacheDir := filepath.Join(os.TempDir(), "hearth-plugin-guests")
	out := filepath.Join(cacheDir, "server-"+name+"-"+sum+".wasm")
	if b, err := os.ReadFile(out); err == nil {
		guestBuilt[name] = b
		return b
	}
	work := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(src, "*.go"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	gomod := fmt.Sprintf("module guest\n\ngo 1.24\n\nrequire github.com/hearthpds/hearth/plugins/sdk/go v0.0.0\n\nreplace github.com/hearthpds/hearth/plugins/sdk/go => %s\n", sdk)
	if err := os.WriteFile(filepath.Join(work, "go.mod"), []byte(gomod), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		t.Fatal(err)
	}
	tmp := out + ".tmp"
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-o", tmp, ".")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOWORK=off", "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build guest %s: %v\n%s", name, err, msg)
	}
	if err := os.Rename(tmp, out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	guestBuilt[name] = b
	return b
}

// installGuest writes a plugin folder (manifest + compiled guest), installs
// it on the host and enables it with everything it declares.
func installGuest(t testing.TB, h *plugin.Host, name, manifest string) string {
	t.Helper()
	dir := guestBundle(t, name, manifest)
	ctx := context.Background()
	m, err := h.Install(ctx, dir)
	if err != nil {
		t.Fatalf("install %s: %v", name, err)
	}
	if err := h.Enable(ctx, m.ID, nil); err != nil {
		t.Fatalf("enable %s: %v", m.ID, err)
	}
	return dir
}

// guestBundle writes a plugin folder: the manifest (with the wasm's
// sha256) and the compiled guest.
func guestBundle(t testing.TB, name, manifest string) string {
	t.Helper()
	wasm := buildGuest(t, name)
	dir := t.TempDir()
	sum := sha256.Sum256(wasm)
	toml := fmt.Sprintf("sha256 = %q\nwasm = \"plugin.wasm\"\n%s", hex.EncodeToString(sum[:]), manifest)
	if err := os.WriteFile(filepath.Join(dir, "plugin.toml"), []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plugin.wasm"), wasm, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}
