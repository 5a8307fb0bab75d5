package keys

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Purpose labels for [Sealer.DeriveKey]. A label names what a derived key is
// for; the same master key and label always give the same key, and different
// labels give unrelated keys. Labels are permanent: changing one changes the
// key, which invalidates whatever it protected (every session, every app
// password).
const (
	// PurposeJWTSecret derives the HS256 secret of access and refresh
	// tokens (32 bytes).
	PurposeJWTSecret = "hearth/auth/jwt-hs256/v1"
	// PurposeAppPasswordPepper derives the HMAC key under which app
	// passwords are hashed (32 bytes).
	PurposeAppPasswordPepper = "hearth/auth/app-password-pepper/v1"
)

// HKDF info strings. The seal key's info and every DeriveKey info differ in
// their prefix, so no purpose label can ever yield the seal key.
const (
	sealKeyInfo      = "hearth/keys/seal/xchacha20poly1305/v1"
	deriveInfoPrefix = "hearth/keys/derive\x00"
)

// Sealed value layout, version 1:
//
//	version (1 byte, 0x01) | nonce (24 bytes) | ciphertext | tag (16 bytes)
//
// The associated data authenticated with it is the version byte followed by
// the caller's associated data.
const (
	sealVersion1 byte = 1
	sealHeader        = 1 + chacha20poly1305.NonceSizeX
	sealOverhead      = sealHeader + chacha20poly1305.Overhead
)

// maxDeriveLen is the most HKDF-SHA256 can produce.
const maxDeriveLen = 255 * sha256.Size

// Sealer encrypts secrets at rest under the master key (envelope encryption
// with XChaCha20-Poly1305). It is safe for concurrent use. Printing a Sealer
// shows no key material: both keys it holds are Secrets.
type Sealer struct {
	master  Secret
	sealKey Secret
}

// NewSealer returns a Sealer for a MasterKeySize-byte master key. The
// encryption key is derived from the master key with HKDF-SHA256; the master
// key itself never encrypts anything.
func NewSealer(master []byte) (*Sealer, error) {
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("%w: got %d bytes", ErrMasterKeySize, len(master))
	}
	sub, err := hkdf.Key(sha256.New, master, nil, sealKeyInfo, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("keys: derive seal key: %w", err)
	}
	defer clear(sub)
	return &Sealer{master: NewSecret(master), sealKey: NewSecret(sub)}, nil
}

// String returns a fixed description without key material.
func (s Sealer) String() string { return "keys.Sealer" + redacted }

// Format prints the same as String whatever the verb.
func (s Sealer) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// cipher returns the XChaCha20-Poly1305 AEAD under the seal key. Building it
// per call (a key copy) keeps no cipher state in a field that fmt could dump.
func (s *Sealer) cipher() (cipher.AEAD, error) {
	key := s.sealKey.Bytes()
	defer clear(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("keys: seal cipher: %w", err)
	}
	return aead, nil
}

// Seal encrypts plaintext, binding it to ad (associated data such as
// "signing-key:" + did): Open succeeds only with the same ad. Each call uses
// a fresh random nonce, so sealing the same plaintext twice gives different
// outputs.
func (s *Sealer) Seal(plaintext, ad []byte) ([]byte, error) {
	aead, err := s.cipher()
	if err != nil {
		return nil, err
	}
	out := make([]byte, sealHeader, sealOverhead+len(plaintext))
	out[0] = sealVersion1
	nonce := out[1:sealHeader]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("keys: seal nonce: %w", err)
	}
	return aead.Seal(out, nonce, plaintext, sealAD(sealVersion1, ad)), nil
}

// Open decrypts a value made by Seal with the same associated data. It
// returns ErrOpenFailed when the value does not authenticate (a different
// master key, different associated data, or tampering), ErrSealedVersion for
// an unknown format version and ErrSealedMalformed for a truncated value.
func (s *Sealer) Open(sealed, ad []byte) ([]byte, error) {
	if len(sealed) < sealOverhead {
		return nil, fmt.Errorf("%w: %d bytes", ErrSealedMalformed, len(sealed))
	}
	if v := sealed[0]; v != sealVersion1 {
		return nil, fmt.Errorf("%w: %d", ErrSealedVersion, v)
	}
	aead, err := s.cipher()
	if err != nil {
		return nil, err
	}
	nonce, ct := sealed[1:sealHeader], sealed[sealHeader:]
	pt, err := aead.Open(nil, nonce, ct, sealAD(sealVersion1, ad))
	if err != nil {
		return nil, ErrOpenFailed
	}
	return pt, nil
}

// DeriveKey returns an n-byte sub-key of the master key for purpose (one of
// the Purpose… labels, or a new permanent label). The result is
// deterministic. It panics if purpose is empty or n is not between 1 and
// 8160, which are programming errors.
func (s *Sealer) DeriveKey(purpose string, n int) []byte {
	if purpose == "" || n < 1 || n > maxDeriveLen {
		panic(fmt.Sprintf("keys: DeriveKey(%q, %d): empty purpose or length out of range", purpose, n))
	}
	master := s.master.Bytes()
	defer clear(master)
	k, err := hkdf.Key(sha256.New, master, nil, deriveInfoPrefix+purpose, n)
	if err != nil {
		// Unreachable: the arguments were checked above.
		panic(fmt.Sprintf("keys: DeriveKey: %v", err))
	}
	return k
}

// sealAD is the associated data actually authenticated: the version byte,
// then the caller's.
func sealAD(version byte, ad []byte) []byte {
	out := make([]byte, 0, 1+len(ad))
	return append(append(out, version), ad...)
}
