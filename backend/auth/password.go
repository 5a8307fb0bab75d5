package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// Password hashing parameters: Argon2id with OWASP's minimum (19 MiB, two
// passes, one lane), a 16-byte salt and a 32-byte key.
const (
	ArgonMemoryKiB = 19 * 1024
	ArgonTime      = 2
	ArgonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// MaxPasswordLen is the longest password accepted, in bytes (the reference
// PDS's limit for new passwords).
const MaxPasswordLen = 256

// MaxConcurrentHashes is how many Argon2id computations may run at once in
// the process (each holds ArgonMemoryKiB), so a login storm queues instead of
// exhausting memory.
const MaxConcurrentHashes = 2

// defaultParams are the parameters new hashes are made with.
var defaultParams = argon2Params{memoryKiB: ArgonMemoryKiB, time: ArgonTime, threads: ArgonThreads}

// ValidatePassword checks that a new password can be hashed: it returns
// ErrPasswordEmpty or ErrPasswordTooLong. Handlers call it to reject a bad
// new password before doing anything else.
func ValidatePassword(password string) error {
	switch {
	case password == "":
		return ErrPasswordEmpty
	case len(password) > MaxPasswordLen:
		return fmt.Errorf("%w: %d bytes, at most %d", ErrPasswordTooLong, len(password), MaxPasswordLen)
	}
	return nil
}

// HashPassword hashes a new password with Argon2id and returns it as a PHC
// string ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"). It waits for one
// of the MaxConcurrentHashes slots, giving up when ctx is done.
func HashPassword(ctx context.Context, password string) (string, error) {
	if err := ValidatePassword(password); err != nil {
		return "", err
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: password salt: %w", err)
	}
	key, err := computeArgon2(ctx, password, salt, defaultParams, argonKeyLen)
	if err != nil {
		return "", err
	}
	return encodePHC(phcHash{params: defaultParams, salt: salt, key: key}), nil
}

// VerifyPassword reports whether password matches the PHC hash, comparing in
// constant time and using the parameters stored in the hash (so hashes made
// with older parameters still verify; see NeedsRehash).
//
// An empty or over-long candidate is simply a mismatch (false, nil), without
// hashing: a login must not answer differently for a password that could
// never have been set. The error is for a malformed hash (ErrMalformedHash)
// or a cancelled ctx.
func VerifyPassword(ctx context.Context, password, phc string) (bool, error) {
	h, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	if ValidatePassword(password) != nil {
		return false, nil
	}
	key, err := computeArgon2(ctx, password, h.salt, h.params, len(h.key))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// NeedsRehash reports whether a hash that just verified was made with other
// parameters than the current ones (or is unreadable), so the caller can store
// a fresh HashPassword of the password it holds.
func NeedsRehash(phc string) bool {
	h, err := parsePHC(phc)
	return err != nil || h.params != defaultParams || len(h.salt) != argonSaltLen || len(h.key) != argonKeyLen
}

// computeArgon2 runs Argon2id inside one of the process-wide hashing slots.
func computeArgon2(ctx context.Context, password string, salt []byte, p argon2Params, keyLen int) ([]byte, error) {
	release, err := acquireHashSlot(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	pw := []byte(password)
	defer clear(pw)
	return argon2.IDKey(pw, salt, p.time, p.memoryKiB, p.threads, uint32(keyLen)), nil
}
