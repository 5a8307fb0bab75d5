package keys

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestMasterKeyFileCreatedThenReloaded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	path := filepath.Join(dir, "master.key")

	key, err := LoadOrCreateMasterKeyFile(path)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if len(key) != MasterKeySize {
		t.Fatalf("key is %d bytes, want %d", len(key), MasterKeySize)
	}
	assertMode(t, path, 0o600)
	assertMode(t, dir, 0o700)

	again, err := LoadOrCreateMasterKeyFile(path)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if !bytes.Equal(key, again) {
		t.Fatal("reloaded key differs from the created one")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the key file (no temporary left behind)", len(entries))
	}
}

func TestMasterKeyFileDistinctPerFile(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadOrCreateMasterKeyFile(filepath.Join(dir, "a.key"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreateMasterKeyFile(filepath.Join(dir, "b.key"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		t.Fatal("two new master keys are equal")
	}
}

func TestMasterKeyFileRefusesOpenPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Log("permission bits are not checked on Windows; checking only that the file loads")
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o606, 0o666} {
		path := filepath.Join(t.TempDir(), "master.key")
		if err := os.WriteFile(path, make([]byte, MasterKeySize), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadOrCreateMasterKeyFile(path)
		if runtime.GOOS == "windows" {
			if err != nil {
				t.Fatalf("mode %04o: %v", mode, err)
			}
			continue
		}
		if !errors.Is(err, ErrKeyFileInsecure) {
			t.Fatalf("mode %04o: err = %v, want ErrKeyFileInsecure", mode, err)
		}
		for _, want := range []string{path, "chmod 600", "mode 0" + octal(mode)} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("mode %04o: error %q does not mention %q", mode, err, want)
			}
		}
	}
}

func TestMasterKeyFileAcceptsReadOnlyOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	want := bytes.Repeat([]byte{7}, MasterKeySize)
	if err := os.WriteFile(path, want, 0o400); err != nil {
		t.Fatal(err)
	}
	got, err := LoadOrCreateMasterKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("loaded key differs from the file's bytes")
	}
}

func TestMasterKeyFileRefusesWrongSize(t *testing.T) {
	for _, n := range []int{0, 16, MasterKeySize - 1, MasterKeySize + 1, 64} {
		path := filepath.Join(t.TempDir(), "master.key")
		if err := os.WriteFile(path, make([]byte, n), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadOrCreateMasterKeyFile(path)
		if !errors.Is(err, ErrKeyFileInvalid) {
			t.Fatalf("%d-byte file: err = %v, want ErrKeyFileInvalid", n, err)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name the path", err)
		}
	}
}

func TestMasterKeyFileRefusesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateMasterKeyFile(path); !errors.Is(err, ErrKeyFileInvalid) {
		t.Fatalf("err = %v, want ErrKeyFileInvalid", err)
	}
}

func TestMasterKeyFileUnwritableDirectoryLeavesNothing(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		// Root ignores directory permissions, so build the failure from a
		// path whose parent is a regular file instead.
		parent := filepath.Join(t.TempDir(), "not-a-dir")
		if err := os.WriteFile(parent, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadOrCreateMasterKeyFile(filepath.Join(parent, "master.key")); err == nil {
			t.Fatal("created a key under a regular file")
		}
		return
	}
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "master.key")
	if _, err := LoadOrCreateMasterKeyFile(path); err == nil {
		t.Fatal("created a key in a read-only directory")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a key file exists after a failed create: %v", err)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Fatalf("%s has mode %04o, want %04o", path, got, want)
	}
}

func octal(m os.FileMode) string {
	const digits = "01234567"
	p := m.Perm()
	return string([]byte{digits[p>>6&7], digits[p>>3&7], digits[p&7]})
}

// TestMasterKeyFileConcurrentCreate: racing first starts all end up with the
// one key that was published.
func TestMasterKeyFileConcurrentCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	const n = 8
	got := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = LoadOrCreateMasterKeyFile(path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if !bytes.Equal(got[i], got[0]) {
			t.Fatalf("caller %d got a different key", i)
		}
	}
	onDisk, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, got[0]) {
		t.Fatal("callers' key differs from the file")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("%d directory entries, want 1 (temporary files left behind)", len(entries))
	}
}
