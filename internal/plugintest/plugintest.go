// Package plugintest builds real WebAssembly plugins from source for tests
// and packs them into plugin folders the host installs: Go guests with the
// standard toolchain (GOOS=wasip1, a reactor built with -buildmode=c-shared)
// against the SDK in plugins/sdk/go. Built modules are cached under the
// temp dir by a hash of everything that goes into them, so a test binary
// compiles each guest at most once and later runs not at all.
package plugintest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Root is the repository's root directory (the main module's).
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Path joins elements onto the repository root.
func Path(elem ...string) string { return filepath.Join(append([]string{Root()}, elem...)...) }

var (
	mu    sync.Mutex
	built = map[string][]byte{}
)

// Cached returns the module that key names from the in-process or on-disk
// cache, or runs build (which writes the module to the path it is given)
// and caches its result. key must hash every input of the build.
func Cached(t testing.TB, kind, key string, build func(out string) error) []byte {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if b, ok := built[key]; ok {
		return b
	}
	dir := filepath.Join(os.TempDir(), "hearth-plugin-guests")
	out := filepath.Join(dir, kind+"-"+key+".wasm")
	if b, err := os.ReadFile(out); err == nil {
		built[key] = b
		return b
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	tmp := fmt.Sprintf("%s.tmp%d", out, os.Getpid())
	if err := build(tmp); err != nil {
		os.Remove(tmp)
		t.Fatalf("build %s guest: %v", kind, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	built[key] = b
	return b
}

// HashFiles writes into h the names and contents of the files under each
// dir whose names end with one of suffixes, in a fixed order (skipping
// node_modules, target and build output folders).
func HashFiles(t testing.TB, h hash.Hash, suffixes []string, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		var files []string
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				switch d.Name() {
				case "node_modules", "target", "build":
					return filepath.SkipDir
				}
				return nil
			}
			for _, s := range suffixes {
				if strings.HasSuffix(p, s) {
					files = append(files, p)
					break
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%s %d\n", strings.TrimPrefix(f, dir), len(b))
			h.Write(b)
		}
	}
}

// BuildGo compiles the Go guest in srcDir (a main package importing the
// SDK; its own go.mod, if any, is replaced by one pointing at
// plugins/sdk/go) with optional -ldflags and returns the wasm.
func BuildGo(t testing.TB, srcDir, ldflags string) []byte {
	t.Helper()
	sdk := Path("plugins", "sdk", "go")
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), ldflags)
	HashFiles(t, h, []string{".go", "go.mod"}, srcDir, sdk)
	key := hex.EncodeToString(h.Sum(nil))[:24]
	return Cached(t, "go-"+filepath.Base(srcDir), key, func(out string) error {
		work := t.TempDir()
		files, _ := filepath.Glob(filepath.Join(srcDir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(work, filepath.Base(f)), b, 0o600); err != nil {
				return err
			}
		}
		gomod := fmt.Sprintf("module guest\n\ngo 1.24\n\nrequire github.com/hearthpds/hearth/plugins/sdk/go v0.0.0\n\nreplace github.com/hearthpds/hearth/plugins/sdk/go => %s\n", sdk)
		if err := os.WriteFile(filepath.Join(work, "go.mod"), []byte(gomod), 0o600); err != nil {
			return err
		}
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-ldflags="+ldflags, "-o", out, ".")
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOWORK=off", "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build in %s: %v\n%s", srcDir, err, msg)
		}
		return nil
	})
}

var sha256Line = regexp.MustCompile(`(?m)^sha256\s*=.*$`)

// Bundle writes a plugin folder for wasm: plugin.wasm, and plugin.toml
// taken from manifest with its sha256 set to the module's (a manifest
// without a sha256 line gets one at the top).
func Bundle(t testing.TB, wasm []byte, manifest string) string {
	t.Helper()
	dir := t.TempDir()
	sum := sha256.Sum256(wasm)
	line := fmt.Sprintf("sha256 = %q", hex.EncodeToString(sum[:]))
	if sha256Line.MatchString(manifest) {
		manifest = sha256Line.ReplaceAllLiteralString(manifest, line)
	} else {
		manifest = line + "\n" + manifest
	}
	if err := os.WriteFile(filepath.Join(dir, "plugin.toml"), []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plugin.wasm"), wasm, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// BundleDir writes a plugin folder from an example's source folder: its
// plugin.toml (sha256 set to wasm's), its lexicons/ and README.md if any,
// and wasm as the file the manifest names (plugin.wasm).
func BundleDir(t testing.TB, srcDir string, wasm []byte) string {
	t.Helper()
	manifest, err := os.ReadFile(filepath.Join(srcDir, "plugin.toml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := Bundle(t, wasm, string(manifest))
	for _, extra := range []string{"README.md", "lexicons"} {
		if err := copyTree(filepath.Join(srcDir, extra), filepath.Join(dir, extra)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// copyTree copies a file or folder; a missing src is not an error.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) && p == src {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o600)
	})
}
