package crypt

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"strings"
)

// Recovery code format, version 1: 40 bytes
//
//	version (1 byte, 0x01) | seed (32) | checksum (7)
//
// where checksum = SHA-256(labelRecovery | version | seed)[:7], written as
// 64 characters of RFC 4648 base32 (A–Z, 2–7) in 16 groups of four joined by
// "-". Parsing ignores case, spaces and dashes, and reads 0 as O, 1 as I and
// 8 as B (digits that are not in the alphabet and look like those
// letters). A mistyped code fails its checksum (a 2^-56 chance of missing).
const (
	recoveryVersion1 byte = 1
	recoverySumLen        = 7
	recoveryLen           = 1 + SeedSize + recoverySumLen
	recoveryGroup         = 4
)

// recoveryEncoding is standard base32 without padding (40 bytes need none).
var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// recoverySum is the checksum of a version and seed.
func recoverySum(version byte, seed []byte) []byte {
	h := sha256.New()
	h.Write([]byte(labelRecovery))
	h.Write([]byte{version})
	h.Write(seed)
	return h.Sum(nil)[:recoverySumLen]
}

// RecoveryCode returns the identity's recovery code, to be shown once and
// written down: whoever has it can re-derive the identity.
func (id *Identity) RecoveryCode() string {
	seed := id.seed.Bytes()
	defer clear(seed)
	raw := make([]byte, 0, recoveryLen)
	raw = append(append(append(raw, recoveryVersion1), seed...), recoverySum(recoveryVersion1, seed)...)
	defer clear(raw)
	enc := recoveryEncoding.EncodeToString(raw)
	var b strings.Builder
	for i := 0; i < len(enc); i += recoveryGroup {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(enc[i:min(i+recoveryGroup, len(enc))])
	}
	return b.String()
}

// ParseRecoveryCode checks a recovery code and returns the identity it
// holds. A code that is not 64 base32 characters is ErrRecoveryCode; one
// whose checksum fails is ErrRecoveryChecksum.
func ParseRecoveryCode(code string) (*Identity, error) {
	norm := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t', '\n', '\r':
			return -1
		case '0':
			return 'O'
		case '1':
			return 'I'
		case '8':
			return 'B'
		}
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, code)
	if len(norm) != recoveryEncoding.EncodedLen(recoveryLen) {
		return nil, fmt.Errorf("%w: want %d base32 characters, got %d", ErrRecoveryCode, recoveryEncoding.EncodedLen(recoveryLen), len(norm))
	}
	raw, err := recoveryEncoding.DecodeString(norm)
	if err != nil || len(raw) != recoveryLen {
		return nil, fmt.Errorf("%w: want %d base32 characters", ErrRecoveryCode, recoveryEncoding.EncodedLen(recoveryLen))
	}
	defer clear(raw)
	if raw[0] != recoveryVersion1 {
		// A wrong version byte is most likely a typo too.
		return nil, fmt.Errorf("%w: version %d", ErrRecoveryChecksum, raw[0])
	}
	seed := raw[1 : 1+SeedSize]
	if subtle.ConstantTimeCompare(recoverySum(raw[0], seed), raw[1+SeedSize:]) != 1 {
		return nil, ErrRecoveryChecksum
	}
	return IdentityFromSeed(KEMX25519, seed)
}
