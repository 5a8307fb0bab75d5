package plugintest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// RustC is Debian's rustc, called by its full path: rustup's toolchain,
// often first on PATH, has no wasm32 standard library. (A variable so
// the missing-toolchain failure can be tested.)
var RustC = "/usr/bin/rustc"

// RustInstall names the Debian packages the Rust guests need.
const RustInstall = "apt-get install rustc libstd-rust-dev-wasm32 (and lld-14, which it recommends)"

// rustFlags are the flags of every wasm build; they are part of the cache key.
var rustFlags = []string{"--edition", "2021", "--target", "wasm32-wasi", "-C", "opt-level=3"}

// RustVersion checks for Debian's rustc, its wasm32-wasi standard library
// and the linker, failing t with the packages to install if one is
// missing, and returns `rustc --version --verbose`.
func RustVersion(t testing.TB) string {
	t.Helper()
	out, err := exec.Command(RustC, "--version", "--verbose").Output()
	if err != nil {
		t.Fatalf("%s does not run (%v): %s", RustC, err, RustInstall)
	}
	sysroot, err := exec.Command(RustC, "--print", "sysroot").Output()
	if err != nil {
		t.Fatalf("%s --print sysroot: %v", RustC, err)
	}
	std, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(sysroot)), "lib", "rustlib", "wasm32-wasi", "lib", "libstd-*.rlib"))
	if len(std) == 0 {
		t.Fatalf("%s has no wasm32-wasi standard library: %s", RustC, RustInstall)
	}
	if _, err := os.Stat("/usr/bin/rust-lld"); err != nil {
		t.Fatalf("the wasm linker rust-lld is missing (%v): %s", err, RustInstall)
	}
	return string(out)
}

// RustSDK is the Rust SDK's folder (the crate pds-plugin-api).
func RustSDK() string { return Path("plugins", "sdk", "rust") }

// BuildRust compiles the Rust plugin crate in exampleDir (src/lib.rs using
// the SDK in plugins/sdk/rust) into a wasm32-wasi cdylib with Debian's
// rustc, without cargo, and returns the wasm.
func BuildRust(t testing.TB, exampleDir string) []byte {
	t.Helper()
	version := RustVersion(t)
	h := sha256.New()
	fmt.Fprintln(h, version, strings.Join(rustFlags, " "))
	HashFiles(t, h, []string{".rs", ".toml"}, exampleDir, filepath.Join(RustSDK(), "src"))
	key := hex.EncodeToString(h.Sum(nil))[:24]
	return Cached(t, "rust-"+filepath.Base(exampleDir), key, func(out string) error {
		return buildRust(t.TempDir(), exampleDir, out)
	})
}

// buildRust builds the SDK's rlib in work, then the plugin against it.
func buildRust(work, exampleDir, out string) error {
	rlib := filepath.Join(work, "libpds_plugin_api.rlib")
	sdk := append(append([]string{}, rustFlags...), "--crate-type", "rlib", "--crate-name", "pds_plugin_api",
		"-o", rlib, filepath.Join(RustSDK(), "src", "lib.rs"))
	if err := rustc(work, sdk...); err != nil {
		return err
	}
	name := strings.ReplaceAll(filepath.Base(exampleDir), "-", "_")
	plugin := append(append([]string{}, rustFlags...), "--crate-type", "cdylib", "--crate-name", name,
		"-C", "lto", "-C", "strip=symbols", "--extern", "pds_plugin_api="+rlib, "-L", work,
		"-o", out, filepath.Join(exampleDir, "src", "lib.rs"))
	return rustc(work, plugin...)
}

// rustc runs Debian's rustc in dir.
func rustc(dir string, args ...string) error {
	cmd := exec.Command(RustC, args...)
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", RustC, strings.Join(args, " "), err, msg)
	}
	return nil
}

// RustUnitTests compiles the crate at src (a lib.rs) with `rustc --test`
// for the machine itself, linking the SDK when withSDK, runs its tests
// and fails t if any fails. It returns the test binary's summary line.
func RustUnitTests(t testing.TB, name, src string, withSDK bool) string {
	t.Helper()
	RustVersion(t)
	work := t.TempDir()
	args := []string{"--edition", "2021", "--test", "--crate-name", name, "-o", filepath.Join(work, name+"-test")}
	if withSDK {
		rlib := filepath.Join(work, "libpds_plugin_api.rlib")
		if err := rustc(work, "--edition", "2021", "--crate-type", "rlib", "--crate-name", "pds_plugin_api",
			"-o", rlib, filepath.Join(RustSDK(), "src", "lib.rs")); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--extern", "pds_plugin_api="+rlib, "-L", work)
	}
	if err := rustc(work, append(args, src)...); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(work, name+"-test"))
	cmd.Dir = work
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s's Rust tests failed: %v\n%s", name, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "test result:") {
			return line
		}
	}
	t.Fatalf("%s's Rust tests printed no result:\n%s", name, out)
	return ""
}
