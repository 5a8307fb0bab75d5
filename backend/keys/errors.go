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
)
