package keys

import (
	"bytes"
	"fmt"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
)

// Multicodec varint prefixes of private keys, as atproto's multibase key
// encoding uses them. A sealed private key is one of these followed by the
// key's raw bytes.
var (
	multicodecK256Priv = []byte{0x81, 0x26} // secp256k1-priv, 0x1301
	multicodecP256Priv = []byte{0x86, 0x26} // p256-priv, 0x1306
)

// GenerateSigningKey returns a new K-256 (secp256k1) key, the curve the
// reference PDS uses for repository signing and PLC rotation keys.
func GenerateSigningKey() (*atcrypto.PrivateKeyK256, error) {
	k, err := atcrypto.GeneratePrivateKeyK256()
	if err != nil {
		return nil, fmt.Errorf("keys: generate signing key: %w", err)
	}
	return k, nil
}

// SealPrivateKey seals an atproto private key (K-256 or P-256) under s with
// associated data ad (for example "signing-key:" + did). The sealed value
// records the key type, so OpenPrivateKey returns a key of the same curve.
func SealPrivateKey(s *Sealer, key atcrypto.PrivateKey, ad []byte) ([]byte, error) {
	var prefix []byte
	var raw []byte
	switch k := key.(type) {
	case *atcrypto.PrivateKeyK256:
		prefix, raw = multicodecK256Priv, k.Bytes()
	case *atcrypto.PrivateKeyP256:
		prefix, raw = multicodecP256Priv, k.Bytes()
	default:
		return nil, fmt.Errorf("%w: %T", ErrKeyType, key)
	}
	plain := append(append(make([]byte, 0, len(prefix)+len(raw)), prefix...), raw...)
	defer clear(plain)
	defer clear(raw)
	sealed, err := s.Seal(plain, ad)
	if err != nil {
		return nil, fmt.Errorf("keys: seal private key: %w", err)
	}
	return sealed, nil
}

// OpenPrivateKey opens a key sealed by SealPrivateKey with the same
// associated data. The result is a *atcrypto.PrivateKeyK256 or
// *atcrypto.PrivateKeyP256 (both also implement
// atcrypto.PrivateKeyExportable). Unlike Secret, indigo's key types print
// their key material with %v: never log one.
func OpenPrivateKey(s *Sealer, sealed, ad []byte) (atcrypto.PrivateKey, error) {
	plain, err := s.Open(sealed, ad)
	if err != nil {
		return nil, fmt.Errorf("keys: open private key: %w", err)
	}
	defer clear(plain)
	switch {
	case bytes.HasPrefix(plain, multicodecK256Priv):
		k, err := atcrypto.ParsePrivateBytesK256(plain[len(multicodecK256Priv):])
		if err != nil {
			return nil, fmt.Errorf("keys: sealed K-256 key: %w", err)
		}
		return k, nil
	case bytes.HasPrefix(plain, multicodecP256Priv):
		k, err := atcrypto.ParsePrivateBytesP256(plain[len(multicodecP256Priv):])
		if err != nil {
			return nil, fmt.Errorf("keys: sealed P-256 key: %w", err)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("%w: unknown multicodec prefix in sealed key", ErrKeyType)
	}
}
