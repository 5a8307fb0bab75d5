package oauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// The compact JWS handling here is deliberately small: ES256 proofs and
// client assertions are verified, HS256 access tokens signed and verified.
// It does not go through a JWT library's global algorithm registry, which
// other packages in the same binary (indigo's OAuth client) override.

var b64 = base64.RawURLEncoding

// jws is a parsed compact JWS.
type jws struct {
	header       jwsHeader
	payload      []byte
	signingInput string
	sig          []byte
}

// jwsHeader holds the header fields this package reads.
type jwsHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
	Kid string `json:"kid"`
	JWK *jwk   `json:"jwk"`
}

// maxJWSLen bounds the tokens and proofs parsed.
const maxJWSLen = 8 << 10

// parseJWS splits and decodes a compact JWS without verifying it.
func parseJWS(token string) (*jws, error) {
	if len(token) > maxJWSLen {
		return nil, errors.New("token too long")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS (three dot-separated parts)")
	}
	h, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	p, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	var t jws
	if err := json.Unmarshal(h, &t.header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	t.payload, t.sig, t.signingInput = p, sig, parts[0]+"."+parts[1]
	return &t, nil
}

// claims decodes the payload into v.
func (t *jws) claims(v any) error {
	if err := json.Unmarshal(t.payload, v); err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	return nil
}

// verifyES256 checks an ES256 signature (r||s, 64 bytes). High-S
// signatures are accepted, as general OAuth implementations produce them.
func (t *jws) verifyES256(pub *ecdsa.PublicKey) error {
	if t.header.Alg != "ES256" {
		return fmt.Errorf("unsupported alg %q (ES256 only)", t.header.Alg)
	}
	if len(t.sig) != 64 {
		return errors.New("bad ES256 signature length")
	}
	digest := sha256.Sum256([]byte(t.signingInput))
	r, s := new(big.Int).SetBytes(t.sig[:32]), new(big.Int).SetBytes(t.sig[32:])
	if !ecdsa.Verify(pub, digest[:], r, s) {
		return errors.New("bad signature")
	}
	return nil
}

// signHS256 makes an HS256 JWT with the given typ.
func signHS256(key []byte, typ string, claims any) (string, error) {
	h, err := json.Marshal(map[string]string{"alg": "HS256", "typ": typ})
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encode claims: %w", err)
	}
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(p)
	return input + "." + b64.EncodeToString(hmacSHA256(key, input)), nil
}

// verifyHS256 checks an HS256 signature.
func (t *jws) verifyHS256(key []byte) error {
	if t.header.Alg != "HS256" {
		return fmt.Errorf("unsupported alg %q", t.header.Alg)
	}
	if !hmac.Equal(t.sig, hmacSHA256(key, t.signingInput)) {
		return errors.New("bad signature")
	}
	return nil
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// jwk is a JSON Web Key; only EC P-256 public keys are used.
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	D   string `json:"d,omitempty"`
	Kid string `json:"kid,omitempty"`
	Alg string `json:"alg,omitempty"`
	Use string `json:"use,omitempty"`
}

// publicKey returns the P-256 public key, refusing private keys and other
// key types.
func (k *jwk) publicKey() (*ecdsa.PublicKey, error) {
	if k.Kty != "EC" || k.Crv != "P-256" {
		return nil, fmt.Errorf("unsupported key (kty %q, crv %q; EC P-256 only)", k.Kty, k.Crv)
	}
	if k.D != "" {
		return nil, errors.New("the key is a private key")
	}
	// RFC 7518 wants both coordinates at their full 32 bytes; some clients
	// (indigo's atcrypto) drop leading zero bytes, so shorter ones are
	// padded back.
	x, errX := b64.DecodeString(k.X)
	y, errY := b64.DecodeString(k.Y)
	if errX != nil || errY != nil || len(x) == 0 || len(y) == 0 || len(x) > 32 || len(y) > 32 {
		return nil, errors.New("bad EC coordinates")
	}
	raw := make([]byte, 65)
	raw[0] = 4
	copy(raw[33-len(x):33], x)
	copy(raw[65-len(y):], y)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return nil, fmt.Errorf("bad EC key: %w", err)
	}
	return pub, nil
}

// thumbprint is the key's RFC 7638 SHA-256 thumbprint, base64url.
func (k *jwk) thumbprint() string {
	// Members in lexicographic order, no whitespace (RFC 7638 section 3).
	canon := `{"crv":"` + k.Crv + `","kty":"` + k.Kty + `","x":"` + k.X + `","y":"` + k.Y + `"}`
	sum := sha256.Sum256([]byte(canon))
	return b64.EncodeToString(sum[:])
}
