package keys

import "errors"

// Sentinel errors. Callers test them with errors.Is; the package wraps them
// with context (a path, a mode) but never with key material.
var (
	// ErrKeyFileInsecure: the master key file can be read or written by
	// group or others. The wrapped message names the path, the mode and the
	// fix (chmod 600).
	ErrKeyFileInsecure = errors.New("keys: master key file permissions are too open")
	// ErrKeyFileInvalid: the master key file is not a regular file of
	// exactly MasterKeySize bytes.
	ErrKeyFileInvalid = errors.New("keys: master key file is invalid")
	// ErrMasterKeySize: a master key is not MasterKeySize bytes long.
	ErrMasterKeySize = errors.New("keys: master key must be 32 bytes")
	// ErrSealedMalformed: a sealed value is too short to be one.
	ErrSealedMalformed = errors.New("keys: sealed value is malformed")
	// ErrSealedVersion: a sealed value uses a format version this build does
	// not know.
	ErrSealedVersion = errors.New("keys: sealed value has an unknown version")
	// ErrOpenFailed: a sealed value did not authenticate: a different master
	// key, different associated data, or tampering.
	ErrOpenFailed = errors.New("keys: cannot open sealed value (wrong key, wrong associated data, or tampered)")
	// ErrKeyType: a private key is of a type that cannot be sealed or a
	// sealed key names an unknown type.
	ErrKeyType = errors.New("keys: unsupported private key type")
	// ErrKeychainNotFound: the keychain holds no secret for this service
	// and user.
	ErrKeychainNotFound = errors.New("keys: secret not found in keychain")
	// ErrKeychainUnavailable: the keychain cannot be used right now (no
	// Secret Service on the session bus, a locked collection, no answer in
	// time, an unsupported platform). The error is a
	// *KeychainUnavailableError whose Reason says why in plain words.
	ErrKeychainUnavailable = errors.New("keys: keychain unavailable")
	// ErrKeychainValueInvalid: the keychain holds something under the
	// master key's name that is not a base64-encoded MasterKeySize-byte key.
	ErrKeychainValueInvalid = errors.New("keys: keychain value is not a valid master key")
	// ErrMasterKeyMissing: data sealed under a master key exists, but the
	// place that should hold that key holds none; a new key would not open
	// the data, so none is created.
	ErrMasterKeyMissing = errors.New("keys: the master key of existing data is missing")
	// ErrWrongPassphrase: a passphrase key file did not open: the
	// passphrase is wrong, or the file was altered.
	ErrWrongPassphrase = errors.New("keys: wrong passphrase (or the key file was altered)")
	// ErrWeakPassphrase: a new passphrase is empty or shorter than
	// MinPassphraseLength characters.
	ErrWeakPassphrase = errors.New("keys: passphrase is too short")
)
