package keys

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// MinPassphraseLength is the fewest characters (Unicode code points) a new
// passphrase may have.
const MinPassphraseLength = 8

// Passphrase key file layout, version 1 (PassphraseKeyFileSize bytes, all
// integers big-endian):
//
//	offset size
//	0      11   magic "HEARTH-KEY\x00"
//	11     1    format version, 0x01
//	12     1    key derivation function, 0x01 = Argon2id (RFC 9106)
//	13     4    Argon2id memory in KiB (default 65536 = 64 MiB)
//	17     4    Argon2id passes (default 3)
//	21     1    Argon2id parallelism (default 1)
//	22     16   salt, random
//	38     24   XChaCha20-Poly1305 nonce, random
//	62     48   the sealed master key: 32 bytes of ciphertext, 16 of tag
//
// The wrapping key is Argon2id(passphrase, salt, passes, memory,
// parallelism) with a 32-byte output; it seals the master key with
// XChaCha20-Poly1305 under the nonce, with the first 62 bytes (the header,
// nonce included) as associated data, so changing any parameter, the salt or
// the nonce makes the file fail to open just as a wrong passphrase does. The
// magic and the size tell it apart from the raw 32-byte key file of
// [LoadOrCreateMasterKeyFile].
const (
	passMagic                 = "HEARTH-KEY\x00"
	passVersion1         byte = 1
	passKDFArgon2id      byte = 1
	passSaltSize              = 16
	passHeaderSize            = len(passMagic) + 1 + 1 + 4 + 4 + 1 + passSaltSize + chacha20poly1305.NonceSizeX
	passSealedSize            = MasterKeySize + chacha20poly1305.Overhead
	passWrapKeySize           = chacha20poly1305.KeySize
	passMaxMemoryKiB          = 1 << 20 // 1 GiB: a file asking for more is refused, not obeyed
	passMaxPasses             = 100
	passKDFOffset             = len(passMagic) + 1
	passParamsOffset          = passKDFOffset + 1
	passSaltOffset            = passParamsOffset + 4 + 4 + 1
	passNonceOffset           = passSaltOffset + passSaltSize
	passDefaultMemoryKiB      = 64 << 10
	passDefaultPasses         = 3
	passDefaultThreads        = 1
)

// PassphraseKeyFileSize is the size of a version-1 passphrase key file.
const PassphraseKeyFileSize = passHeaderSize + passSealedSize

// argon2Params are the Argon2id cost parameters stored in a key file.
type argon2Params struct {
	memoryKiB uint32
	passes    uint32
	threads   uint8
}

// defaultArgon2Params are used for every new or re-wrapped file.
var defaultArgon2Params = argon2Params{memoryKiB: passDefaultMemoryKiB, passes: passDefaultPasses, threads: passDefaultThreads}

// valid reports whether p is within what this build will compute.
func (p argon2Params) valid() bool {
	return p.threads >= 1 && p.passes >= 1 && p.passes <= passMaxPasses &&
		p.memoryKiB >= 8*uint32(p.threads) && p.memoryKiB <= passMaxMemoryKiB
}

// CreatePassphraseKeyFile makes a fresh random master key, writes it to a
// new file at path wrapped under passphrase (see the file layout above:
// Argon2id with 64 MiB, 3 passes, 1 thread and a random 16-byte salt, then
// XChaCha20-Poly1305), and returns the key.
//
// The passphrase must have at least MinPassphraseLength characters
// (ErrWeakPassphrase otherwise); its bytes are used as given, so callers
// pass the UTF-8 the person typed. The file is created atomically with mode
// 0600 (a synced temporary file hard-linked into place, its parent directory
// created with mode 0700 if missing) and an existing file is never replaced:
// that fails with an error matching fs.ErrExist.
func CreatePassphraseKeyFile(path string, passphrase []byte) ([]byte, error) {
	return createPassphraseKeyFile(path, passphrase, defaultArgon2Params)
}

func createPassphraseKeyFile(path string, passphrase []byte, params argon2Params) ([]byte, error) {
	if err := checkNewPassphrase(passphrase); err != nil {
		return nil, err
	}
	key := make([]byte, MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("keys: generate master key: %w", err)
	}
	file, err := wrapMasterKey(key, passphrase, params)
	if err != nil {
		clear(key)
		return nil, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		clear(key)
		return nil, fmt.Errorf("keys: create directory for passphrase key file: %w", err)
	}
	tmp, err := writeTempKeyFile(dir, filepath.Base(path), file)
	if err != nil {
		clear(key)
		return nil, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		clear(key)
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("keys: passphrase key file %s already exists; it is never overwritten: %w", path, fs.ErrExist)
		}
		return nil, fmt.Errorf("keys: publish passphrase key file: %w", err)
	}
	if err := syncDir(dir); err != nil {
		clear(key)
		return nil, err
	}
	return key, nil
}

// OpenPassphraseKeyFile returns the master key in the passphrase key file at
// path. It fails with ErrWrongPassphrase when the passphrase is wrong (or
// the file's contents were altered: the two cannot be told apart), with
// ErrKeyFileInvalid when the file is not a passphrase key file this build
// reads (wrong size, magic, version, or cost parameters out of range), and
// with ErrKeyFileInsecure when group or others may access it (not checked on
// Windows). A missing file gives an error matching fs.ErrNotExist.
func OpenPassphraseKeyFile(path string, passphrase []byte) ([]byte, error) {
	file, err := readPassphraseKeyFile(path)
	if err != nil {
		return nil, err
	}
	return unwrapMasterKey(path, file, passphrase)
}

// ChangePassphrase re-wraps the master key in the passphrase key file at
// path under newPassphrase, with a fresh salt and nonce and the current
// default cost parameters. The key itself does not change. It fails as
// OpenPassphraseKeyFile does when oldPassphrase does not open the file, and
// with ErrWeakPassphrase when newPassphrase is too short. The file is
// replaced atomically (a synced temporary file renamed over it), so a crash
// leaves either the old file or the new one.
func ChangePassphrase(path string, oldPassphrase, newPassphrase []byte) error {
	return changePassphrase(path, oldPassphrase, newPassphrase, defaultArgon2Params)
}

func changePassphrase(path string, oldPassphrase, newPassphrase []byte, params argon2Params) error {
	if err := checkNewPassphrase(newPassphrase); err != nil {
		return err
	}
	key, err := OpenPassphraseKeyFile(path, oldPassphrase)
	if err != nil {
		return err
	}
	defer clear(key)
	file, err := wrapMasterKey(key, newPassphrase, params)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := writeTempKeyFile(dir, filepath.Base(path), file)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("keys: replace passphrase key file: %w", err)
	}
	return syncDir(dir)
}

// checkNewPassphrase enforces MinPassphraseLength.
func checkNewPassphrase(p []byte) error {
	if n := utf8.RuneCount(p); n < MinPassphraseLength {
		return fmt.Errorf("%w: it has %d characters, at least %d are needed", ErrWeakPassphrase, n, MinPassphraseLength)
	}
	return nil
}

// readPassphraseKeyFile reads and checks the file's size and permissions.
func readPassphraseKeyFile(path string) ([]byte, error) {
	return readPrivateFile(path, "passphrase key file", int64(PassphraseKeyFileSize),
		"a passphrase key file starting with \"HEARTH-KEY\"")
}

// wrapMasterKey builds a version-1 file holding key under passphrase.
func wrapMasterKey(key, passphrase []byte, params argon2Params) ([]byte, error) {
	if len(key) != MasterKeySize {
		return nil, fmt.Errorf("%w: got %d bytes", ErrMasterKeySize, len(key))
	}
	if !params.valid() {
		return nil, fmt.Errorf("keys: invalid Argon2id parameters (memory %d KiB, passes %d, threads %d)",
			params.memoryKiB, params.passes, params.threads)
	}
	out := make([]byte, passHeaderSize, PassphraseKeyFileSize)
	copy(out, passMagic)
	out[len(passMagic)] = passVersion1
	out[passKDFOffset] = passKDFArgon2id
	binary.BigEndian.PutUint32(out[passParamsOffset:], params.memoryKiB)
	binary.BigEndian.PutUint32(out[passParamsOffset+4:], params.passes)
	out[passParamsOffset+8] = params.threads
	if _, err := rand.Read(out[passSaltOffset:passHeaderSize]); err != nil { // salt and nonce
		return nil, fmt.Errorf("keys: passphrase key file salt and nonce: %w", err)
	}
	aead, err := passphraseAEAD(passphrase, out[passSaltOffset:passNonceOffset], params)
	if err != nil {
		return nil, err
	}
	header := out[:passHeaderSize]
	return aead.Seal(out, out[passNonceOffset:passHeaderSize], key, header), nil
}

// unwrapMasterKey parses a version-1 file and opens the key in it.
func unwrapMasterKey(path string, file, passphrase []byte) ([]byte, error) {
	if len(file) != PassphraseKeyFileSize || !bytes.HasPrefix(file, []byte(passMagic)) {
		return nil, fmt.Errorf("%w: %s is not a Hearth passphrase key file", ErrKeyFileInvalid, path)
	}
	if v := file[len(passMagic)]; v != passVersion1 {
		return nil, fmt.Errorf("%w: %s has format version %d, this build reads version %d", ErrKeyFileInvalid, path, v, passVersion1)
	}
	if kdf := file[passKDFOffset]; kdf != passKDFArgon2id {
		return nil, fmt.Errorf("%w: %s names key derivation function %d, this build knows only Argon2id (%d)",
			ErrKeyFileInvalid, path, kdf, passKDFArgon2id)
	}
	params := argon2Params{
		memoryKiB: binary.BigEndian.Uint32(file[passParamsOffset:]),
		passes:    binary.BigEndian.Uint32(file[passParamsOffset+4:]),
		threads:   file[passParamsOffset+8],
	}
	if !params.valid() {
		return nil, fmt.Errorf("%w: %s asks for Argon2id with memory %d KiB, %d passes, %d threads, outside what this build accepts",
			ErrKeyFileInvalid, path, params.memoryKiB, params.passes, params.threads)
	}
	aead, err := passphraseAEAD(passphrase, file[passSaltOffset:passNonceOffset], params)
	if err != nil {
		return nil, err
	}
	header := file[:passHeaderSize]
	key, err := aead.Open(nil, file[passNonceOffset:passHeaderSize], file[passHeaderSize:], header)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrWrongPassphrase, path)
	}
	return key, nil
}

// passphraseAEAD derives the wrapping key and returns its cipher.
func passphraseAEAD(passphrase, salt []byte, params argon2Params) (cipher.AEAD, error) {
	wrapKey := argon2.IDKey(passphrase, salt, params.passes, params.memoryKiB, params.threads, passWrapKeySize)
	defer clear(wrapKey)
	aead, err := chacha20poly1305.NewX(wrapKey)
	if err != nil {
		return nil, fmt.Errorf("keys: passphrase cipher: %w", err)
	}
	return aead, nil
}
