package crypt

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Envelope format, version 1 (all integers big-endian):
//
//	offset size
//	0      1    version, 0x01
//	1      1    algorithm, 0x01 = XChaCha20-Poly1305
//	2      8    epoch
//	10     24   nonce, random
//	34     n+16 ciphertext and tag
//
// The key is HKDF-SHA256(epoch key, salt none, info = lp(labelRecordKey,
// owner DID, collection, rkey MAC, epoch)); the associated data is
// lp(labelEnvelope, version, algorithm, owner DID, collection, rkey MAC,
// epoch). The rkey MAC stands for the rkey in both (it is a keyed one-to-one
// function of it, and the rkey itself is only known after opening); after
// opening, the rkey inside is checked against the MAC.
const (
	EnvelopeVersion1 byte = 1
	AlgXChaCha20     byte = 1

	envHeader   = 1 + 1 + 8 + chacha20poly1305.NonceSizeX
	envOverhead = envHeader + chacha20poly1305.Overhead
)

// recordAEAD makes the AEAD of a record key. Only a build with the
// hearth_nullcipher tag (benchmarks; never a release) can replace it, with
// SetNullCipher.
var recordAEAD = chacha20poly1305.NewX

// EpochKeySize is the length of an epoch key, a blob key and a MAC key.
const EpochKeySize = 32

// RecordContext names the record an envelope belongs to.
type RecordContext struct {
	Owner      string // the owner's DID
	Collection string // the collection NSID
	RKeyMAC    []byte // HMAC-SHA256(rkey-MAC key, rkey)
	Epoch      uint64 // the epoch whose key encrypts it
}

// ad is the associated data of an envelope in this context.
func (c RecordContext) ad(version, alg byte) []byte {
	return lp([]byte(labelEnvelope), []byte{version}, []byte{alg}, []byte(c.Owner), []byte(c.Collection), c.RKeyMAC, u64(c.Epoch))
}

// recordKey derives the record's key from its epoch key.
func (c RecordContext) recordKey(epochKey []byte) ([]byte, error) {
	info := lp([]byte(labelRecordKey), []byte(c.Owner), []byte(c.Collection), c.RKeyMAC, u64(c.Epoch))
	k, err := hkdf.Key(sha256.New, epochKey, nil, string(info), chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("crypt: derive record key: %w", err)
	}
	return k, nil
}

// SealEnvelope encrypts plaintext for the record context under its epoch
// key and returns the envelope bytes.
func SealEnvelope(epochKey []byte, c RecordContext, plaintext []byte) ([]byte, error) {
	if len(epochKey) != EpochKeySize {
		return nil, fmt.Errorf("%w: epoch key is %d bytes", ErrMalformed, len(epochKey))
	}
	k, err := c.recordKey(epochKey)
	if err != nil {
		return nil, err
	}
	defer clear(k)
	aead, err := recordAEAD(k)
	if err != nil {
		return nil, fmt.Errorf("crypt: record cipher: %w", err)
	}
	out := make([]byte, envHeader, envOverhead+len(plaintext))
	out[0], out[1] = EnvelopeVersion1, AlgXChaCha20
	binary.BigEndian.PutUint64(out[2:10], c.Epoch)
	if _, err := rand.Read(out[10:envHeader]); err != nil {
		return nil, fmt.Errorf("crypt: envelope nonce: %w", err)
	}
	return aead.Seal(out, out[10:envHeader], plaintext, c.ad(EnvelopeVersion1, AlgXChaCha20)), nil
}

// EnvelopeEpoch reads the epoch from an envelope's header without opening
// it (the server uses it to check the epoch a client claims).
func EnvelopeEpoch(env []byte) (uint64, error) {
	if len(env) < envOverhead {
		return 0, fmt.Errorf("%w: envelope is %d bytes", ErrMalformed, len(env))
	}
	if env[0] != EnvelopeVersion1 || env[1] != AlgXChaCha20 {
		return 0, fmt.Errorf("%w: envelope version %d, algorithm %d", ErrVersion, env[0], env[1])
	}
	return binary.BigEndian.Uint64(env[2:10]), nil
}

// OpenEnvelope decrypts an envelope made by SealEnvelope for the same
// context. The context's epoch must equal the one in the header. Any
// difference in key, context or bytes gives ErrDecrypt.
func OpenEnvelope(epochKey []byte, c RecordContext, env []byte) ([]byte, error) {
	epoch, err := EnvelopeEpoch(env)
	if err != nil {
		return nil, err
	}
	if epoch != c.Epoch {
		return nil, fmt.Errorf("%w: envelope is for epoch %d, not %d", ErrDecrypt, epoch, c.Epoch)
	}
	if len(epochKey) != EpochKeySize {
		return nil, fmt.Errorf("%w: epoch key is %d bytes", ErrMalformed, len(epochKey))
	}
	k, err := c.recordKey(epochKey)
	if err != nil {
		return nil, err
	}
	defer clear(k)
	aead, err := recordAEAD(k)
	if err != nil {
		return nil, fmt.Errorf("crypt: record cipher: %w", err)
	}
	pt, err := aead.Open(nil, env[10:envHeader], env[envHeader:], c.ad(env[0], env[1]))
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}
