package keys

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDesktopKeyKeychain: with a working keychain the key goes there, is
// the same on the next start, and no passphrase file appears.
func TestDesktopKeyKeychain(t *testing.T) {
	kc := NewMemKeychain()
	opts := DesktopKeyOptions{Keychain: kc, PassphraseFile: filepath.Join(t.TempDir(), "master.key.locked")}
	st := DesktopKeyState(opts)
	if st != (DesktopKeyStatus{Location: KeyInKeychain}) {
		t.Fatalf("status %+v", st)
	}
	key, loc, err := UnlockDesktopMasterKey(opts, nil)
	if err != nil || loc != KeyInKeychain || len(key) != MasterKeySize {
		t.Fatalf("unlock: %s, %d bytes, %v", loc, len(key), err)
	}
	if _, err := kc.Get(DefaultKeychainService, DefaultKeychainUser); err != nil {
		t.Fatalf("the key is not under the default names: %v", err)
	}
	again, _, err := UnlockDesktopMasterKey(opts, []byte("ignored passphrase"))
	if err != nil || !bytes.Equal(again, key) {
		t.Fatalf("second start got another key (%v)", err)
	}
	if _, err := os.Stat(opts.PassphraseFile); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a passphrase file was written: %v", err)
	}

	custom := opts
	custom.Service, custom.User = "hearth-dev", "alice"
	other, _, err := UnlockDesktopMasterKey(custom, nil)
	if err != nil || bytes.Equal(other, key) {
		t.Fatalf("custom item names: %v", err)
	}
	if _, err := kc.Get("hearth-dev", "alice"); err != nil {
		t.Fatal(err)
	}
}

// TestDesktopKeyPassphraseFallback: without a keychain the app is told
// why, creates the passphrase file with the first passphrase, and needs
// that passphrase from then on.
func TestDesktopKeyPassphraseFallback(t *testing.T) {
	opts := DesktopKeyOptions{
		Keychain:       failingKeychain{errors.New("no secret service")},
		PassphraseFile: filepath.Join(t.TempDir(), "master.key.locked"),
	}
	st := DesktopKeyState(opts)
	if st.Location != KeyInPassphraseFile || !st.NeedsPassphrase || st.FileExists || st.Reason == "" {
		t.Fatalf("status %+v", st)
	}
	if _, _, err := UnlockDesktopMasterKey(opts, []byte("short")); !errors.Is(err, ErrWeakPassphrase) {
		t.Fatalf("weak first passphrase: %v", err)
	}
	key, loc, err := UnlockDesktopMasterKey(opts, []byte(testPassphrase))
	if err != nil || loc != KeyInPassphraseFile {
		t.Fatalf("first unlock: %s, %v", loc, err)
	}
	st = DesktopKeyState(opts)
	if st.Location != KeyInPassphraseFile || !st.NeedsPassphrase || !st.FileExists {
		t.Fatalf("status after create %+v", st)
	}
	if _, _, err := UnlockDesktopMasterKey(opts, []byte("wrong passphrase")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	again, loc, err := UnlockDesktopMasterKey(opts, []byte(testPassphrase))
	if err != nil || loc != KeyInPassphraseFile || !bytes.Equal(again, key) {
		t.Fatalf("second unlock: %s, same key %v, %v", loc, bytes.Equal(again, key), err)
	}

	// A keychain that appears later does not take over: the file's key
	// stays, and nothing is written to the keychain.
	kc := NewMemKeychain()
	opts.Keychain = kc
	if st := DesktopKeyState(opts); st.Location != KeyInPassphraseFile || !st.FileExists {
		t.Fatalf("status with a keychain now present %+v", st)
	}
	later, loc, err := UnlockDesktopMasterKey(opts, []byte(testPassphrase))
	if err != nil || loc != KeyInPassphraseFile || !bytes.Equal(later, key) {
		t.Fatalf("unlock with a keychain now present: %s, %v", loc, err)
	}
	if _, err := kc.Get(DefaultKeychainService, DefaultKeychainUser); !errors.Is(err, ErrKeychainNotFound) {
		t.Fatalf("a key was put in the keychain: %v", err)
	}
}

// TestDesktopKeyHaveData: with existing data a missing or unreachable key is
// an error, never a new key.
func TestDesktopKeyHaveData(t *testing.T) {
	file := filepath.Join(t.TempDir(), "master.key.locked")

	down := DesktopKeyOptions{Keychain: failingKeychain{errors.New("locked")}, PassphraseFile: file, HaveData: true}
	st := DesktopKeyState(down)
	if st.Location != KeyInKeychain || st.NeedsPassphrase || st.Reason == "" {
		t.Fatalf("status %+v", st)
	}
	if _, _, err := UnlockDesktopMasterKey(down, []byte(testPassphrase)); !errors.Is(err, ErrKeychainUnavailable) {
		t.Fatalf("unlock with the keychain down: %v", err)
	}
	if _, err := os.Stat(file); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("a passphrase file was created although data exists")
	}

	kc := NewMemKeychain()
	empty := DesktopKeyOptions{Keychain: kc, PassphraseFile: file, HaveData: true}
	if _, _, err := UnlockDesktopMasterKey(empty, nil); !errors.Is(err, ErrMasterKeyMissing) {
		t.Fatalf("unlock with an empty keychain: %v", err)
	}
	if _, err := kc.Get(DefaultKeychainService, DefaultKeychainUser); !errors.Is(err, ErrKeychainNotFound) {
		t.Fatal("a new key was created although data exists")
	}

	// Once the key is there, HaveData just loads it.
	key, _, err := LoadOrCreateKeychainMasterKey(kc, DefaultKeychainService, DefaultKeychainUser)
	if err != nil {
		t.Fatal(err)
	}
	got, loc, err := UnlockDesktopMasterKey(empty, nil)
	if err != nil || loc != KeyInKeychain || !bytes.Equal(got, key) {
		t.Fatalf("unlock: %s, %v", loc, err)
	}
}

// TestDesktopKeyBlockedKeychain: a keychain stuck on a prompt costs the
// state check its timeout, then the passphrase path is offered.
func TestDesktopKeyBlockedKeychain(t *testing.T) {
	kc := blockingKeychain{release: make(chan struct{})}
	defer close(kc.release)
	opts := DesktopKeyOptions{Keychain: kc, PassphraseFile: filepath.Join(t.TempDir(), "k"), ProbeTimeout: 100 * time.Millisecond}
	start := time.Now()
	st := DesktopKeyState(opts)
	if time.Since(start) > 2*time.Second {
		t.Fatalf("state check took %s", time.Since(start))
	}
	if !st.NeedsPassphrase || !strings.Contains(st.Reason, "did not answer within 100ms") {
		t.Fatalf("status %+v", st)
	}
}

func TestDesktopKeyNeedsPassphraseFile(t *testing.T) {
	if _, _, err := UnlockDesktopMasterKey(DesktopKeyOptions{Keychain: NewMemKeychain()}, nil); err == nil {
		t.Fatal("unlocked without a passphrase file path")
	}
}
