package crypt

import "errors"

// Sentinel errors. Callers test them with errors.Is. None of them, nor the
// context they are wrapped with, contains key material or plaintext.
var (
	// ErrMalformed: bytes are too short or badly laid out to be what they
	// claim (an envelope, a grant, a blob header, a public key).
	ErrMalformed = errors.New("crypt: malformed input")
	// ErrVersion: a format version or algorithm this build does not know.
	ErrVersion = errors.New("crypt: unknown format version or algorithm")
	// ErrUnsupportedKEM: a KEM identifier other than the supported ones.
	ErrUnsupportedKEM = errors.New("crypt: unsupported KEM")
	// ErrDecrypt: an envelope did not authenticate: a wrong key, a wrong
	// context (moved to another record, collection, owner or epoch) or
	// tampering.
	ErrDecrypt = errors.New("crypt: envelope does not open (wrong key, wrong context, or tampered)")
	// ErrRKeyMismatch: an envelope opened but the rkey inside does not
	// match the row's rkey MAC.
	ErrRKeyMismatch = errors.New("crypt: the rkey inside the envelope does not match its row")
	// ErrNoEpochKey: the collection keys hold no key for the envelope's
	// epoch (not granted, or revoked before it).
	ErrNoEpochKey = errors.New("crypt: no key for this epoch")
	// ErrGrantOpen: a sealed grant did not open: not sealed to this
	// identity, or for another owner, collection or epoch, or tampered.
	ErrGrantOpen = errors.New("crypt: grant does not open (wrong recipient, wrong context, or tampered)")
	// ErrBlobTruncated: a blob stream ended before its last chunk.
	ErrBlobTruncated = errors.New("crypt: encrypted blob is truncated")
	// ErrBlobCorrupt: a blob chunk did not authenticate (tampered,
	// reordered, or from another blob) or data follows the last chunk.
	ErrBlobCorrupt = errors.New("crypt: encrypted blob chunk does not authenticate")
	// ErrRecoveryCode: a recovery code is not well formed.
	ErrRecoveryCode = errors.New("crypt: recovery code is malformed")
	// ErrRecoveryChecksum: a recovery code's checksum does not match: it
	// was mistyped.
	ErrRecoveryChecksum = errors.New("crypt: recovery code checksum does not match (mistyped?)")
	// ErrBackupOpen: a passphrase backup did not open: wrong passphrase,
	// another account's backup, or altered.
	ErrBackupOpen = errors.New("crypt: backup does not open (wrong passphrase, or altered)")
)
