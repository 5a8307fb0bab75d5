package auth

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2Params are the cost parameters and salt of one Argon2id hash.
type argon2Params struct {
	memoryKiB uint32
	time      uint32
	threads   uint8
}

// Bounds on parameters read from a stored hash, so a corrupt or hostile row
// cannot make a login allocate gigabytes or spin for minutes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 16
	maxThreads   = 16
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
)

// phcEncoding is the PHC string format's base64: standard alphabet, no
// padding.
var phcEncoding = base64.RawStdEncoding.Strict()

// phcHash is a parsed "$argon2id$v=19$m=…,t=…,p=…$salt$key" string.
type phcHash struct {
	params argon2Params
	salt   []byte
	key    []byte
}

// encodePHC formats an Argon2id hash as a PHC string.
func encodePHC(h phcHash) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.params.memoryKiB, h.params.time, h.params.threads,
		phcEncoding.EncodeToString(h.salt), phcEncoding.EncodeToString(h.key))
}

// parsePHC parses an Argon2id PHC string, accepting only version 19 and
// parameters within the bounds above.
func parsePHC(s string) (phcHash, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return phcHash{}, fmt.Errorf("%w: want 5 $-separated fields", ErrMalformedHash)
	}
	if parts[1] != "argon2id" {
		return phcHash{}, fmt.Errorf("%w: algorithm is not argon2id", ErrMalformedHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return phcHash{}, fmt.Errorf("%w: unsupported argon2 version", ErrMalformedHash)
	}
	params, err := parseArgon2Params(parts[3])
	if err != nil {
		return phcHash{}, err
	}
	salt, err := decodePHCField(parts[4], minSaltLen, maxSaltLen, "salt")
	if err != nil {
		return phcHash{}, err
	}
	key, err := decodePHCField(parts[5], minKeyLen, maxKeyLen, "hash")
	if err != nil {
		return phcHash{}, err
	}
	return phcHash{params: params, salt: salt, key: key}, nil
}

// parseArgon2Params parses "m=19456,t=2,p=1" (in that order).
func parseArgon2Params(s string) (argon2Params, error) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return argon2Params{}, fmt.Errorf("%w: want parameters m, t and p", ErrMalformedHash)
	}
	m, err := parsePHCUint(fields[0], "m", maxMemoryKiB)
	if err != nil {
		return argon2Params{}, err
	}
	t, err := parsePHCUint(fields[1], "t", maxTime)
	if err != nil {
		return argon2Params{}, err
	}
	p, err := parsePHCUint(fields[2], "p", maxThreads)
	if err != nil {
		return argon2Params{}, err
	}
	if m < 8*p {
		return argon2Params{}, fmt.Errorf("%w: memory below 8 KiB per lane", ErrMalformedHash)
	}
	return argon2Params{memoryKiB: uint32(m), time: uint32(t), threads: uint8(p)}, nil
}

// parsePHCUint parses "name=value" with 1 ≤ value ≤ max.
func parsePHCUint(field, name string, max uint64) (uint64, error) {
	v, ok := strings.CutPrefix(field, name+"=")
	if !ok {
		return 0, fmt.Errorf("%w: want parameter %s", ErrMalformedHash, name)
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n < 1 || n > max {
		return 0, fmt.Errorf("%w: parameter %s out of range", ErrMalformedHash, name)
	}
	return n, nil
}

// decodePHCField decodes a base64 salt or hash and checks its length.
func decodePHCField(s string, minLen, maxLen int, name string) ([]byte, error) {
	b, err := phcEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not unpadded base64", ErrMalformedHash, name)
	}
	if len(b) < minLen || len(b) > maxLen {
		return nil, fmt.Errorf("%w: %s length %d out of range", ErrMalformedHash, name, len(b))
	}
	return b, nil
}
