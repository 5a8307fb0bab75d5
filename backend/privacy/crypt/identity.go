package crypt

import (
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"

	"github.com/hearthpds/hearth/backend/keys"
)

// SeedSize is the length of an identity seed in bytes.
const SeedSize = 32

// KEM identifiers (RFC 9180 and draft-ietf-hpke-pq). Every stored public
// key and grant carries one, so a post-quantum KEM can be added beside
// X25519 without ambiguity.
const (
	// KEMX25519 is DHKEM(X25519, HKDF-SHA256), the only KEM used today.
	KEMX25519 uint16 = 0x0020
	// KEMMLKEM768X25519 is MLKEM768-X25519 (X-Wing), reserved for a
	// post-quantum identity. Not accepted yet.
	KEMMLKEM768X25519 uint16 = 0x647a
)

// kemFor returns the HPKE KEM for a supported identifier.
func kemFor(id uint16) (hpke.KEM, error) {
	switch id {
	case KEMX25519:
		return hpke.DHKEM(ecdh.X25519()), nil
	default:
		return nil, fmt.Errorf("%w: 0x%04x", ErrUnsupportedKEM, id)
	}
}

// Identity is an account's encryption identity: the seed and the X25519 key
// pair derived from it. It prints as redacted and never exposes the seed
// except through [Identity.Seed], for wrapping it at rest or making a
// recovery code.
type Identity struct {
	seed keys.Secret
	priv hpke.PrivateKey
	pub  PublicKey
}

// NewIdentity makes an identity from a fresh random seed.
func NewIdentity() (*Identity, error) {
	seed := make([]byte, SeedSize)
	defer clear(seed)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("crypt: identity seed: %w", err)
	}
	return IdentityFromSeed(KEMX25519, seed)
}

// IdentityFromSeed derives the identity of a seed: the key pair is
// DeriveKeyPair(seed) of the KEM (RFC 9180 section 7.1.3), so the same seed
// always gives the same keys.
func IdentityFromSeed(kemID uint16, seed []byte) (*Identity, error) {
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("%w: seed is %d bytes, want %d", ErrMalformed, len(seed), SeedSize)
	}
	kem, err := kemFor(kemID)
	if err != nil {
		return nil, err
	}
	priv, err := kem.DeriveKeyPair(seed)
	if err != nil {
		return nil, fmt.Errorf("crypt: derive key pair: %w", err)
	}
	return &Identity{
		seed: keys.NewSecret(seed),
		priv: priv,
		pub:  PublicKey{KEMID: kemID, Key: priv.PublicKey().Bytes()},
	}, nil
}

// Seed returns a copy of the seed. Callers wrap it (keys.Sealer, a backup)
// or encode it (a recovery code) and clear their copy.
func (id *Identity) Seed() []byte { return id.seed.Bytes() }

// Public returns the identity's public key.
func (id *Identity) Public() PublicKey { return id.pub }

// String shows the key ID only.
func (id *Identity) String() string { return "crypt.Identity(" + id.pub.KeyID() + ")" }

// Format prints the same as String whatever the verb.
func (id *Identity) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(id.String())) }

// PublicKey is the public half of an identity, as published in the owner's
// dev.hearthpds.crypto.encryptionKey record and stored with every grant.
type PublicKey struct {
	KEMID uint16 // the KEM identifier (KEMX25519)
	Key   []byte // the KEM's SerializePublicKey output (32 bytes for X25519)
}

// keyIDEncoding is RFC 4648 base32 (upper case) without padding.
var keyIDEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// KeyID is the key's short fingerprint: the first 15 bytes of
// SHA-256(label | kemId | key) in base32 (24 characters). It names a key in
// user_keys and key_grants and is what the UI shows a grantee to compare.
func (p PublicKey) KeyID() string {
	h := sha256.Sum256(lp([]byte(labelKeyID), u16(p.KEMID), p.Key))
	return keyIDEncoding.EncodeToString(h[:15])
}

// hpkeKey parses the key for sealing.
func (p PublicKey) hpkeKey() (hpke.PublicKey, error) {
	kem, err := kemFor(p.KEMID)
	if err != nil {
		return nil, err
	}
	k, err := kem.NewPublicKey(p.Key)
	if err != nil {
		return nil, fmt.Errorf("%w: public key: %w", ErrMalformed, err)
	}
	return k, nil
}

// Validate reports whether the key is usable: a supported KEM and a key of
// its format.
func (p PublicKey) Validate() error {
	_, err := p.hpkeKey()
	return err
}
