package crypt

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// Passphrase backup format, version 1 (integers big-endian):
//
//	offset size
//	0      4    magic "HPK\x00"
//	4      1    version, 0x01
//	5      2    KEM identifier of the identity
//	7      4    Argon2id memory in KiB
//	11     4    Argon2id passes
//	15     1    Argon2id parallelism
//	16     16   salt, random
//	32     24   XChaCha20-Poly1305 nonce, random
//	56     48   the sealed seed (32 bytes of ciphertext, 16 of tag)
//
// The wrapping key is Argon2id(passphrase, salt, passes, memory,
// parallelism, 32 bytes); the associated data is lp(labelBackup, owner DID,
// header (the first 56 bytes)), so a backup restored for another account,
// or with any parameter changed, fails like a wrong passphrase. The server
// stores it opaque: it cannot open it without the passphrase.
const (
	backupMagic           = "HPK\x00"
	backupVersion1   byte = 1
	backupHeaderSize      = 4 + 1 + 2 + 4 + 4 + 1 + 16 + chacha20poly1305.NonceSizeX
	BackupSize            = backupHeaderSize + SeedSize + chacha20poly1305.Overhead
	backupMaxMemory       = 1 << 20
	backupMaxPasses       = 100
)

// BackupParams are Argon2id's costs for a new backup.
type BackupParams struct {
	MemoryKiB uint32
	Passes    uint32
	Threads   uint8
}

// DefaultBackupParams cost about 64 MiB and a fraction of a second.
var DefaultBackupParams = BackupParams{MemoryKiB: 64 << 10, Passes: 3, Threads: 1}

// valid reports whether the parameters are within what this build computes.
func (p BackupParams) valid() bool {
	return p.Threads >= 1 && p.Passes >= 1 && p.Passes <= backupMaxPasses &&
		p.MemoryKiB >= 8*uint32(p.Threads) && p.MemoryKiB <= backupMaxMemory
}

// WrapSeedBackup wraps the identity's seed under passphrase for owner.
func (id *Identity) WrapSeedBackup(owner, passphrase string, p BackupParams) ([]byte, error) {
	if !p.valid() {
		return nil, fmt.Errorf("%w: Argon2id parameters out of range", ErrMalformed)
	}
	out := make([]byte, backupHeaderSize, BackupSize)
	copy(out, backupMagic)
	out[4] = backupVersion1
	binary.BigEndian.PutUint16(out[5:], id.pub.KEMID)
	binary.BigEndian.PutUint32(out[7:], p.MemoryKiB)
	binary.BigEndian.PutUint32(out[11:], p.Passes)
	out[15] = p.Threads
	if _, err := rand.Read(out[16:backupHeaderSize]); err != nil {
		return nil, fmt.Errorf("crypt: backup salt: %w", err)
	}
	k := argon2.IDKey([]byte(passphrase), out[16:32], p.Passes, p.MemoryKiB, p.Threads, chacha20poly1305.KeySize)
	defer clear(k)
	aead, err := chacha20poly1305.NewX(k)
	if err != nil {
		return nil, fmt.Errorf("crypt: backup cipher: %w", err)
	}
	seed := id.seed.Bytes()
	defer clear(seed)
	return aead.Seal(out, out[32:backupHeaderSize], seed, lp([]byte(labelBackup), []byte(owner), out[:backupHeaderSize])), nil
}

// OpenSeedBackup opens a backup made by WrapSeedBackup for owner.
func OpenSeedBackup(backup []byte, owner, passphrase string) (*Identity, error) {
	if len(backup) != BackupSize || string(backup[:4]) != backupMagic {
		return nil, fmt.Errorf("%w: not a key backup", ErrMalformed)
	}
	if backup[4] != backupVersion1 {
		return nil, fmt.Errorf("%w: backup version %d", ErrVersion, backup[4])
	}
	p := BackupParams{
		MemoryKiB: binary.BigEndian.Uint32(backup[7:]),
		Passes:    binary.BigEndian.Uint32(backup[11:]),
		Threads:   backup[15],
	}
	if !p.valid() {
		return nil, fmt.Errorf("%w: backup asks for Argon2id parameters out of range", ErrMalformed)
	}
	k := argon2.IDKey([]byte(passphrase), backup[16:32], p.Passes, p.MemoryKiB, p.Threads, chacha20poly1305.KeySize)
	defer clear(k)
	aead, err := chacha20poly1305.NewX(k)
	if err != nil {
		return nil, fmt.Errorf("crypt: backup cipher: %w", err)
	}
	seed, err := aead.Open(nil, backup[32:backupHeaderSize], backup[backupHeaderSize:], lp([]byte(labelBackup), []byte(owner), backup[:backupHeaderSize]))
	if err != nil {
		return nil, ErrBackupOpen
	}
	defer clear(seed)
	return IdentityFromSeed(binary.BigEndian.Uint16(backup[5:]), seed)
}
