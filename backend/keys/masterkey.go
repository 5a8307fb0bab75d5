package keys

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// MasterKeySize is the length of the master key in bytes.
const MasterKeySize = 32

// LoadOrCreateMasterKeyFile returns the master key stored in the file at
// path, creating the file with MasterKeySize fresh random bytes and mode 0600
// if it does not exist (and its parent directory with mode 0700 if that does
// not exist either). It never prompts.
//
// Creation is atomic: the key is written to a temporary file in the same
// directory, synced, and then hard-linked to path, which fails rather than
// overwrite a file another process created meanwhile (that file is then
// loaded instead). A crash leaves at worst a stray temporary file, never a
// partial key file.
//
// It refuses (with ErrKeyFileInsecure) a file that group or others may
// access, and (with ErrKeyFileInvalid) anything but a regular file of exactly
// MasterKeySize bytes. On Windows the permission check is skipped: Go does not
// expose the file's ACL there.
func LoadOrCreateMasterKeyFile(path string) ([]byte, error) {
	key, err := readMasterKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	return createMasterKeyFile(path)
}

// readMasterKeyFile reads the raw key file at path.
func readMasterKeyFile(path string) ([]byte, error) {
	return readPrivateFile(path, "master key file", MasterKeySize,
		"a raw key; a passphrase-protected key file is opened with its passphrase instead")
}

// readPrivateFile opens path and checks it from the open descriptor, so the
// file checked is the file read: a regular file, private permissions
// (ErrKeyFileInsecure) and exactly size bytes (ErrKeyFileInvalid, with hint
// saying what such a file is). what names the file in errors.
func readPrivateFile(path, what string, size int64, hint string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keys: open %s: %w", what, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keys: stat %s %s: %w", what, path, err)
	}
	if err := checkPrivateFileInfo(path, info); err != nil {
		return nil, err
	}
	if info.Size() != size {
		return nil, fmt.Errorf("%w: %s is %d bytes, want exactly %d (%s)",
			ErrKeyFileInvalid, path, info.Size(), size, hint)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("%w: %s: read: %w", ErrKeyFileInvalid, path, err)
	}
	return b, nil
}

// checkPrivateFileInfo enforces a regular file that only its owner can
// access.
func checkPrivateFileInfo(path string, info fs.FileInfo) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file", ErrKeyFileInvalid, path)
	}
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o, so group or others can access it; fix it with: chmod 600 %s",
			ErrKeyFileInsecure, path, perm, path)
	}
	return nil
}

// createMasterKeyFile writes a new random key to path without ever exposing
// a partial file under that name.
func createMasterKeyFile(path string) ([]byte, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keys: create directory for master key file: %w", err)
	}
	key := make([]byte, MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("keys: generate master key: %w", err)
	}
	tmp, err := writeTempKeyFile(dir, filepath.Base(path), key)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process won the race: use its key.
			return readMasterKeyFile(path)
		}
		return nil, fmt.Errorf("keys: publish master key file: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	return key, nil
}

// writeTempKeyFile creates a fresh 0600 file next to the final one (O_EXCL),
// writes data and syncs it. On failure it removes the file.
func writeTempKeyFile(dir, base string, data []byte) (name string, err error) {
	var suffix [8]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return "", fmt.Errorf("keys: temporary name: %w", err)
	}
	name = filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(suffix[:]))
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("keys: create master key file: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("keys: close master key file: %w", cerr)
		}
		if err != nil {
			os.Remove(name)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return "", fmt.Errorf("keys: write master key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("keys: sync master key file: %w", err)
	}
	return name, nil
}

// syncDir makes the new directory entry durable. Windows cannot sync a
// directory and does not need to.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("keys: open key directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("keys: sync key directory: %w", err)
	}
	return nil
}
