package plugin

import (
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
)

// Guests are compiled from source in the test, once per test binary, and
// cached across runs under the temp dir by the hash of their sources, the
// SDK's sources, the flags and the Go version.

var (
	guestMu    sync.Mutex
	guestBuilt = map[string][]byte{}
)

func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// buildGuest builds the Go guest in srcDir (a main package importing the
// SDK) with extra ldflags and returns the wasm.
func buildGuest(t testing.TB, srcDir, ldflags string) []byte {
	t.Helper()
	guestMu.Lock()
	defer guestMu.Unlock()
	key := srcDir + "|" + ldflags
	if b, ok := guestBuilt[key]; ok {
		return b
	}
	sdk := filepath.Join(repoRoot(t), "plugins", "sdk", "go")
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), ldflags)
	hashDir(t, h, srcDir)
	hashDir(t, h, sdk)
	sum := hex.EncodeToString(h.Sum(nil))[:24]
	cacheDir := filepath.Join(os.TempDir(), "hearth-plugin-guests")
	out := filepath.Join(cacheDir, sum+".wasm")
	if b, err := os.ReadFile(out); err == nil {
		guestBuilt[key] = b
		return b
	}
	work := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(srcDir, "*.go"))
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
	tmp := out + ".tmp" + sum
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-ldflags="+ldflags, "-o", tmp, ".")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOWORK=off", "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build guest %s: %v\n%s", srcDir, err, msg)
	}
	if err := os.Rename(tmp, out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	guestBuilt[key] = b
	return b
}

func hashDir(t testing.TB, h interface{ Write([]byte) (int, error) }, dir string) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "go.mod")) {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		fmt.Fprintf(h, "%s %d\n", strings.TrimPrefix(f, dir), len(b))
		h.Write(b)
	}
}

// kitchenWasm is the test guest of testdata/guests/kitchen.
func kitchenWasm(t testing.TB) []byte {
	return buildGuest(t, filepath.Join(repoRoot(t), "backend", "plugin", "testdata", "guests", "kitchen"), "")
}

// writeBundle writes a plugin folder: plugin.toml built from tomlBody (the
// sha256 line is added) and plugin.wasm.
func writeBundle(t testing.TB, wasm []byte, tomlBody string) string {
	t.Helper()
	dir := t.TempDir()
	sum := sha256.Sum256(wasm)
	manifest := fmt.Sprintf("sha256 = %q\n%s", hex.EncodeToString(sum[:]), tomlBody)
	if err := os.WriteFile(filepath.Join(dir, "plugin.toml"), []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plugin.wasm"), wasm, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}
