package crypt

import (
	"crypto/hpke"
	"fmt"

	"github.com/hearthpds/hearth/backend/keys"
)

// Grant format, version 1. The sealed grant is HPKE base mode
// (RFC 9180) with the recipient's KEM, HKDF-SHA256 and ChaCha20-Poly1305:
//
//	enc (32 bytes for X25519) | ciphertext of the payload | tag (16)
//
// with info = lp(labelGrant, kemId, owner DID, grantee DID, collection,
// epoch), and the payload
//
//	version (1 byte, 0x01) | epoch key (32) | rkey-MAC key (32)
//
// Opening with the wrong identity, or for another owner, grantee,
// collection or epoch, fails.
const (
	grantVersion1   byte = 1
	grantPayloadLen      = 1 + 2*EpochKeySize
)

// SealedGrantSize returns the length of a sealed grant for a recipient
// key of KEM kemID: HPKE's enc, the payload and the AEAD tag. A server
// checks sealed grants it stores against it (it cannot open them).
func SealedGrantSize(kemID uint16) (int, error) {
	switch kemID {
	case KEMX25519:
		return x25519EncSize + grantPayloadLen + grantTagSize, nil
	}
	return 0, fmt.Errorf("%w: 0x%04x", ErrUnsupportedKEM, kemID)
}

// x25519EncSize is HPKE's encapsulated key for DHKEM(X25519): a public key.
const x25519EncSize = 32

// grantTagSize is the tag of the grants' AEAD (ChaCha20-Poly1305).
const grantTagSize = 16

// GrantContext names what a grant is for.
type GrantContext struct {
	Owner      string // who grants (the collection's owner)
	Grantee    string // who receives (may be the owner: grantee #0)
	Collection string
	Epoch      uint64
}

// info is HPKE's info for the grant.
func (c GrantContext) info(kemID uint16) []byte {
	return lp([]byte(labelGrant), u16(kemID), []byte(c.Owner), []byte(c.Grantee), []byte(c.Collection), u64(c.Epoch))
}

// GrantKeys is an opened grant: the context and the two keys it carries.
type GrantKeys struct {
	GrantContext
	EpochKey keys.Secret
	MACKey   keys.Secret
}

// hpkeSuite is the KDF and AEAD of every grant.
func hpkeSuite() (hpke.KDF, hpke.AEAD) { return hpke.HKDFSHA256(), hpke.ChaCha20Poly1305() }

// SealGrant seals an epoch key and the MAC key to the recipient's public
// key for the context.
func SealGrant(to PublicKey, c GrantContext, epochKey, macKey []byte) ([]byte, error) {
	if len(epochKey) != EpochKeySize || len(macKey) != EpochKeySize {
		return nil, fmt.Errorf("%w: grant keys must be %d bytes", ErrMalformed, EpochKeySize)
	}
	pk, err := to.hpkeKey()
	if err != nil {
		return nil, err
	}
	payload := make([]byte, 0, grantPayloadLen)
	payload = append(append(append(payload, grantVersion1), epochKey...), macKey...)
	defer clear(payload)
	kdf, aead := hpkeSuite()
	sealed, err := hpke.Seal(pk, kdf, aead, c.info(to.KEMID), payload)
	if err != nil {
		return nil, fmt.Errorf("crypt: seal grant: %w", err)
	}
	return sealed, nil
}

// OpenGrant opens a grant sealed to id for the context.
func OpenGrant(id *Identity, c GrantContext, sealed []byte) (GrantKeys, error) {
	kdf, aead := hpkeSuite()
	payload, err := hpke.Open(id.priv, kdf, aead, c.info(id.pub.KEMID), sealed)
	if err != nil {
		return GrantKeys{}, ErrGrantOpen
	}
	defer clear(payload)
	if len(payload) != grantPayloadLen || payload[0] != grantVersion1 {
		return GrantKeys{}, fmt.Errorf("%w: grant payload", ErrVersion)
	}
	return GrantKeys{
		GrantContext: c,
		EpochKey:     keys.NewSecret(payload[1 : 1+EpochKeySize]),
		MACKey:       keys.NewSecret(payload[1+EpochKeySize:]),
	}, nil
}

// SealedGrant is one sealed grant as a grantee fetches it: its epoch and
// bytes (the rest of the context is known to the grantee).
type SealedGrant struct {
	Epoch  uint64
	Sealed []byte
}

// KeysFromGrants opens the grants sealed to id (as grantee) for owner's
// collection and returns the collection keys they carry. Every grant must
// open and carry the same rkey-MAC key; one that does not fails the call.
func KeysFromGrants(id *Identity, owner, grantee, collection string, grants []SealedGrant) (*CollectionKeys, error) {
	var ck *CollectionKeys
	for _, sg := range grants {
		g, err := OpenGrant(id, GrantContext{Owner: owner, Grantee: grantee, Collection: collection, Epoch: sg.Epoch}, sg.Sealed)
		if err != nil {
			return nil, fmt.Errorf("epoch %d: %w", sg.Epoch, err)
		}
		if ck == nil {
			if ck, err = NewCollectionKeys(owner, collection, g.MACKey.Bytes()); err != nil {
				return nil, err
			}
		}
		if err := ck.AddGrant(g); err != nil {
			return nil, fmt.Errorf("epoch %d: %w", sg.Epoch, err)
		}
	}
	if ck == nil {
		return nil, fmt.Errorf("%w: no grants for %s %s", ErrNoEpochKey, owner, collection)
	}
	return ck, nil
}
