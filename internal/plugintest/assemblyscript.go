package plugintest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ASCInstall is the command that installs the AssemblyScript SDK's pinned
// toolchain (its package-lock.json) where BuildAssemblyScript looks for it.
const ASCInstall = "npm ci --prefix plugins/sdk/assemblyscript"

// AssemblyScriptSDK is the folder of the AssemblyScript SDK
// (@hearth/plugin-api).
func AssemblyScriptSDK() string { return Path("plugins", "sdk", "assemblyscript") }

// ascVersion returns the version of the assemblyscript package installed
// in the SDK's node_modules, failing the test with the command to run when
// it or node is missing.
func ascVersion(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is not installed (Debian package nodejs, with npm for %s): %v", ASCInstall, err)
	}
	sdk := AssemblyScriptSDK()
	if _, err := os.Stat(filepath.Join(sdk, "node_modules", ".bin", "asc")); err != nil {
		t.Fatalf("the AssemblyScript compiler is not installed: run `%s` (%v)", ASCInstall, err)
	}
	b, err := os.ReadFile(filepath.Join(sdk, "node_modules", "assemblyscript", "package.json"))
	if err != nil {
		t.Fatalf("read the assemblyscript package: %v; run `%s`", err, ASCInstall)
	}
	var pkg struct{ Version string }
	if err := json.Unmarshal(b, &pkg); err != nil || pkg.Version == "" {
		t.Fatalf("assemblyscript's package.json has no version (%v); run `%s`", err, ASCInstall)
	}
	return pkg.Version
}

// BuildAssemblyScript compiles the AssemblyScript plugin in exampleDir
// (entry file assembly/index.ts) with the SDK's hearth-asc (its pinned asc
// and its asconfig.json, or the example's own asconfig.json if it has
// one), and returns the wasm. ascArgs are more asc options (e.g.
// "--runtime", "incremental"). Builds are cached by a hash of the asc
// version, the SDK's sources, the example's and ascArgs.
func BuildAssemblyScript(t testing.TB, exampleDir string, ascArgs ...string) []byte {
	t.Helper()
	version := ascVersion(t)
	sdk := AssemblyScriptSDK()
	h := sha256.New()
	fmt.Fprintln(h, "asc", version, ascArgs)
	HashFiles(t, h, []string{".ts", ".mjs", "asconfig.json", "package.json", "package-lock.json"}, sdk, exampleDir)
	key := hex.EncodeToString(h.Sum(nil))[:24]
	return Cached(t, "as-"+filepath.Base(exampleDir), key, func(out string) error {
		args := append([]string{filepath.Join(exampleDir, "assembly", "index.ts"), "--outFile", out}, ascArgs...)
		if config := filepath.Join(exampleDir, "asconfig.json"); fileExists(config) {
			args = append(args, "--config", config)
		}
		if msg, err := RunASC(sdk, args...); err != nil {
			return fmt.Errorf("%w\n%s", err, msg)
		}
		return nil
	})
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// RunASC runs the SDK's bin/hearth-asc.mjs (asc with the SDK's
// asconfig.json unless args name another --config) in dir, the base of
// relative paths and of package resolution through node_modules, and
// returns what it printed.
func RunASC(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("node", append([]string{filepath.Join(AssemblyScriptSDK(), "bin", "hearth-asc.mjs")}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("asc %v in %s: %w", args, dir, err)
	}
	return out, nil
}
