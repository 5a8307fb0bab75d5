package keys

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// cheapArgon2 keeps tests that derive many keys fast. The default
// parameters are exercised by TestPassphraseKeyFileDefaultParameters and the
// desktop tests.
var cheapArgon2 = argon2Params{memoryKiB: 64, passes: 1, threads: 1}

const testPassphrase = "correct horse battery staple"

func TestPassphraseKeyFileRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	path := filepath.Join(dir, "master.key.locked")
	key, err := createPassphraseKeyFile(path, []byte(testPassphrase), cheapArgon2)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if len(key) != MasterKeySize {
		t.Fatalf("key is %d bytes", len(key))
	}
	assertMode(t, path, 0o600)
	assertMode(t, dir, 0o700)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != PassphraseKeyFileSize || PassphraseKeyFileSize != 110 {
		t.Fatalf("file is %d bytes, PassphraseKeyFileSize %d, want 110", len(raw), PassphraseKeyFileSize)
	}
	if !bytes.HasPrefix(raw, []byte("HEARTH-KEY\x00\x01\x01")) {
		t.Fatalf("file starts %q, want the magic, version 1 and Argon2id", raw[:13])
	}
	if bytes.Contains(raw, key) {
		t.Fatal("the key file holds the master key in clear")
	}
	got, err := OpenPassphraseKeyFile(path, []byte(testPassphrase))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if !bytes.Equal(got, key) {
		t.Fatal("opened key differs from the created one")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d directory entries, want only the key file", len(entries))
	}

	other, err := createPassphraseKeyFile(filepath.Join(dir, "second"), []byte(testPassphrase), cheapArgon2)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other, key) {
		t.Fatal("two new passphrase key files hold the same key")
	}
}

// TestPassphraseKeyFileDefaultParameters: the production parameters are the
// ones written, and a file with them opens.
func TestPassphraseKeyFileDefaultParameters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key.locked")
	start := time.Now()
	key, err := CreatePassphraseKeyFile(path, []byte(testPassphrase))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("create with Argon2id m=64 MiB t=3 p=1: %s", time.Since(start).Round(time.Millisecond))
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if m, tp, p := binary.BigEndian.Uint32(raw[13:]), binary.BigEndian.Uint32(raw[17:]), raw[21]; m != 64*1024 || tp != 3 || p != 1 {
		t.Fatalf("stored parameters m=%d KiB t=%d p=%d, want m=65536 t=3 p=1", m, tp, p)
	}
	salt := raw[22:38]
	if bytes.Equal(salt, make([]byte, 16)) {
		t.Fatal("salt is all zero")
	}
	got, err := OpenPassphraseKeyFile(path, []byte(testPassphrase))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, key) {
		t.Fatal("opened key differs")
	}
}

func TestPassphraseKeyFileWrongPassphrase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	if _, err := createPassphraseKeyFile(path, []byte(testPassphrase), cheapArgon2); err != nil {
		t.Fatal(err)
	}
	for _, wrong := range []string{"", "x", "correct horse battery stapl", testPassphrase + " ", "Correct horse battery staple"} {
		key, err := OpenPassphraseKeyFile(path, []byte(wrong))
		if !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("passphrase %q: err = %v, want ErrWrongPassphrase", wrong, err)
		}
		if key != nil {
			t.Fatal("a key came back with the error")
		}
		if wrong != "" && strings.Contains(err.Error(), wrong) {
			t.Fatalf("error %q contains the passphrase", err)
		}
	}
}

// TestPassphraseKeyFileTampered flips each byte of the file in turn: the
// file must never open, and the error says which kind of failure it is.
func TestPassphraseKeyFileTampered(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k")
	if _, err := createPassphraseKeyFile(path, []byte(testPassphrase), cheapArgon2); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range orig {
		b := bytes.Clone(orig)
		b[i] ^= 0x01
		p := filepath.Join(dir, "tampered")
		os.Remove(p)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := OpenPassphraseKeyFile(p, []byte(testPassphrase))
		// Structural bytes (magic, version, KDF id, out-of-range costs)
		// are reported as an invalid file; everything else fails
		// authentication.
		var want error = ErrWrongPassphrase
		switch {
		case i <= 13, i >= 17 && i <= 21: // header, memory's top byte, passes, threads
			want = ErrKeyFileInvalid
		}
		if !errors.Is(err, want) {
			t.Fatalf("byte %d flipped: err = %v, want %v", i, err, want)
		}
	}
	for _, n := range []int{0, 32, len(orig) - 1, len(orig) + 1} {
		b := make([]byte, n)
		copy(b, orig)
		p := filepath.Join(dir, "resized")
		os.Remove(p)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenPassphraseKeyFile(p, []byte(testPassphrase)); !errors.Is(err, ErrKeyFileInvalid) {
			t.Fatalf("%d-byte file: err = %v, want ErrKeyFileInvalid", n, err)
		}
	}
}

func TestPassphraseKeyFileRefusesOpenPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("permission bits are not checked on Windows")
	}
	path := filepath.Join(t.TempDir(), "k")
	if _, err := createPassphraseKeyFile(path, []byte(testPassphrase), cheapArgon2); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := OpenPassphraseKeyFile(path, []byte(testPassphrase))
		if !errors.Is(err, ErrKeyFileInsecure) {
			t.Fatalf("mode %04o: err = %v, want ErrKeyFileInsecure", mode, err)
		}
		if !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("error %q does not say how to fix it", err)
		}
		if err := ChangePassphrase(path, []byte(testPassphrase), []byte("another passphrase")); !errors.Is(err, ErrKeyFileInsecure) {
			t.Fatalf("ChangePassphrase on mode %04o: err = %v, want ErrKeyFileInsecure", mode, err)
		}
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenPassphraseKeyFile(path, []byte(testPassphrase)); err != nil {
		t.Fatalf("read-only owner file: %v", err)
	}
}

func TestPassphraseKeyFileRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k")
	first, err := createPassphraseKeyFile(path, []byte(testPassphrase), cheapArgon2)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if _, err := createPassphraseKeyFile(path, []byte("a different passphrase"), cheapArgon2); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second create: err = %v, want fs.ErrExist", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("the existing file changed")
	}
	got, err := OpenPassphraseKeyFile(path, []byte(testPassphrase))
	if err != nil || !bytes.Equal(got, first) {
		t.Fatalf("first key no longer opens: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d directory entries, want 1 (temporary files left behind)", len(entries))
	}

	// Nor is a raw master key file replaced.
	raw := filepath.Join(dir, "raw.key")
	rawKey, err := LoadOrCreateMasterKeyFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CreatePassphraseKeyFile(raw, []byte(testPassphrase)); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("create over a raw key file: err = %v, want fs.ErrExist", err)
	}
	if again, err := LoadOrCreateMasterKeyFile(raw); err != nil || !bytes.Equal(again, rawKey) {
		t.Fatalf("raw key file changed: %v", err)
	}
}

// TestPassphraseKeyFileConcurrentCreate: of racing creators exactly one
// wins; the others get fs.ErrExist and the file holds the winner's key.
func TestPassphraseKeyFileConcurrentCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	const n = 6
	keys := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], errs[i] = createPassphraseKeyFile(path, []byte(testPassphrase), cheapArgon2) })
	}
	wg.Wait()
	var winner []byte
	for i := range n {
		switch {
		case errs[i] == nil && winner == nil:
			winner = keys[i]
		case errs[i] == nil:
			t.Fatal("two creators both succeeded")
		case !errors.Is(errs[i], fs.ErrExist):
			t.Fatalf("creator %d: %v", i, errs[i])
		}
	}
	if winner == nil {
		t.Fatal("no creator succeeded")
	}
	got, err := OpenPassphraseKeyFile(path, []byte(testPassphrase))
	if err != nil || !bytes.Equal(got, winner) {
		t.Fatalf("file does not hold the winner's key: %v", err)
	}
}

func TestPassphraseKeyFileWeakPassphrase(t *testing.T) {
	dir := t.TempDir()
	for _, weak := range []string{"", "a", "1234567", "ééééééé"} { // the last: 7 characters, 14 bytes
		path := filepath.Join(dir, "k")
		_, err := createPassphraseKeyFile(path, []byte(weak), cheapArgon2)
		if !errors.Is(err, ErrWeakPassphrase) {
			t.Fatalf("%q: err = %v, want ErrWeakPassphrase", weak, err)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%q: a file was written: %v", weak, err)
		}
	}
	for _, ok := range []string{"12345678", "éééééééé"} {
		if _, err := createPassphraseKeyFile(filepath.Join(dir, ok), []byte(ok), cheapArgon2); err != nil {
			t.Fatalf("%q: %v", ok, err)
		}
	}
}

func TestChangePassphrase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k")
	key, err := createPassphraseKeyFile(path, []byte(testPassphrase), cheapArgon2)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)

	if err := changePassphrase(path, []byte("not the passphrase"), []byte("new passphrase!"), cheapArgon2); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong old passphrase: err = %v", err)
	}
	if err := changePassphrase(path, []byte(testPassphrase), []byte("short"), cheapArgon2); !errors.Is(err, ErrWeakPassphrase) {
		t.Fatalf("weak new passphrase: err = %v", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, before) {
		t.Fatal("a failed change altered the file")
	}

	if err := ChangePassphrase(path, []byte(testPassphrase), []byte("new passphrase!")); err != nil {
		t.Fatal(err)
	}
	assertMode(t, path, 0o600)
	after, _ := os.ReadFile(path)
	if bytes.Equal(after[22:62], before[22:62]) {
		t.Fatal("salt and nonce were not renewed")
	}
	if m := binary.BigEndian.Uint32(after[13:]); m != passDefaultMemoryKiB {
		t.Fatalf("re-wrapped with memory %d KiB, want the default %d", m, passDefaultMemoryKiB)
	}
	if _, err := OpenPassphraseKeyFile(path, []byte(testPassphrase)); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase still opens the file: %v", err)
	}
	got, err := OpenPassphraseKeyFile(path, []byte("new passphrase!"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, key) {
		t.Fatal("the master key changed with the passphrase")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d directory entries, want 1 (temporary files left behind)", len(entries))
	}
}

// TestKeyFileFormatsAreDistinct: neither loader accepts the other's file,
// and the raw loader does not replace a passphrase file.
func TestKeyFileFormatsAreDistinct(t *testing.T) {
	dir := t.TempDir()
	locked := filepath.Join(dir, "locked")
	if _, err := createPassphraseKeyFile(locked, []byte(testPassphrase), cheapArgon2); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(locked)
	if _, err := LoadOrCreateMasterKeyFile(locked); !errors.Is(err, ErrKeyFileInvalid) {
		t.Fatalf("raw loader on a passphrase file: err = %v, want ErrKeyFileInvalid", err)
	}
	if after, _ := os.ReadFile(locked); !bytes.Equal(after, before) {
		t.Fatal("the raw loader changed the passphrase file")
	}
	raw := filepath.Join(dir, "raw")
	if _, err := LoadOrCreateMasterKeyFile(raw); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenPassphraseKeyFile(raw, []byte(testPassphrase)); !errors.Is(err, ErrKeyFileInvalid) {
		t.Fatalf("passphrase loader on a raw key file: err = %v, want ErrKeyFileInvalid", err)
	}
	if _, err := OpenPassphraseKeyFile(filepath.Join(dir, "missing"), []byte(testPassphrase)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: err = %v, want fs.ErrNotExist", err)
	}
}
