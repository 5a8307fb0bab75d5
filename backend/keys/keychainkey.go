package keys

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// Default names of the master key's keychain item. The desktop app stores
// its key under these unless told otherwise.
const (
	DefaultKeychainService = "hearth"
	DefaultKeychainUser    = "master-key"
)

// LoadOrCreateKeychainMasterKey returns the master key kept in kc under
// service and user, creating it the first time: MasterKeySize bytes from
// crypto/rand, stored as standard base64 (44 characters, well under every
// platform's size limit). created tells which happened.
//
// A stored value that does not decode to exactly MasterKeySize bytes is
// refused with ErrKeychainValueInvalid and left as it is; it is never
// replaced, since data may be sealed under whatever key was meant to be
// there. After storing a new key it reads the key back and fails unless the
// keychain returns exactly what was stored, so a keychain that silently
// drops values cannot hand out a key that will be gone at the next start.
//
// It assumes a single process creates the key (the desktop app runs once
// per user): two processes racing on an empty keychain could each store and
// use a different key, the last write winning. Calls into kc are not bounded
// in time; [UnlockDesktopMasterKey] bounds them.
func LoadOrCreateKeychainMasterKey(kc Keychain, service, user string) (key []byte, created bool, err error) {
	key, err = loadKeychainMasterKey(kc, service, user)
	if !errors.Is(err, ErrKeychainNotFound) {
		return key, false, err
	}
	key = make([]byte, MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, fmt.Errorf("keys: generate master key: %w", err)
	}
	if err := kc.Set(service, user, base64.StdEncoding.EncodeToString(key)); err != nil {
		clear(key)
		return nil, false, fmt.Errorf("keys: store new master key in keychain: %w", err)
	}
	stored, err := loadKeychainMasterKey(kc, service, user)
	if err != nil {
		clear(key)
		return nil, false, fmt.Errorf("keys: read back new master key from keychain: %w", err)
	}
	same := string(stored) == string(key)
	clear(stored)
	if !same {
		clear(key)
		return nil, false, fmt.Errorf("keys: keychain (service %q, user %q) returned a different master key than the one just stored", service, user)
	}
	return key, true, nil
}

// loadKeychainMasterKey returns the master key stored in kc, an error
// matching ErrKeychainNotFound when there is none, or
// ErrKeychainValueInvalid when the stored value is not a master key. Errors
// never include the stored value.
func loadKeychainMasterKey(kc Keychain, service, user string) ([]byte, error) {
	if kc == nil {
		return nil, &KeychainUnavailableError{Reason: "no keychain is configured"}
	}
	enc, err := kc.Get(service, user)
	if err != nil {
		if errors.Is(err, ErrKeychainNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("keys: read master key from keychain: %w", err)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("%w: service %q, user %q: the value is not standard base64", ErrKeychainValueInvalid, service, user)
	}
	if len(key) != MasterKeySize {
		clear(key)
		return nil, fmt.Errorf("%w: service %q, user %q: the value decodes to %d bytes, want %d",
			ErrKeychainValueInvalid, service, user, len(key), MasterKeySize)
	}
	return key, nil
}
