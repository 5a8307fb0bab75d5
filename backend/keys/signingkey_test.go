package keys

import (
	"errors"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
)

func TestSealPrivateKeyRoundTrip(t *testing.T) {
	s := testSealer(t, 1)
	k256, err := GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	p256, err := atcrypto.GeneratePrivateKeyP256()
	if err != nil {
		t.Fatal(err)
	}
	ad := []byte("signing-key:did:plc:abc")
	for _, key := range []atcrypto.PrivateKey{k256, p256} {
		sealed, err := SealPrivateKey(s, key, ad)
		if err != nil {
			t.Fatal(err)
		}
		got, err := OpenPrivateKey(s, sealed, ad)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(key) {
			t.Fatalf("%T did not round-trip", key)
		}
		assertSignsAndVerifies(t, key, got)
	}
}

// assertSignsAndVerifies checks that the original key still works after
// sealing (sealing wipes only its own copies) and that the opened key's
// signatures verify under the original public key.
func assertSignsAndVerifies(t *testing.T, orig, opened atcrypto.PrivateKey) {
	t.Helper()
	msg := []byte("commit")
	sig, err := opened.HashAndSign(msg)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := orig.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.HashAndVerify(msg, sig); err != nil {
		t.Fatalf("signature of the opened key does not verify: %v", err)
	}
	if _, err := orig.HashAndSign(msg); err != nil {
		t.Fatalf("original key broken after sealing: %v", err)
	}
}

func TestOpenPrivateKeyWrongAD(t *testing.T) {
	s := testSealer(t, 1)
	k, _ := GenerateSigningKey()
	sealed, err := SealPrivateKey(s, k, []byte("signing-key:did:plc:abc"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenPrivateKey(s, sealed, []byte("signing-key:did:plc:other")); !errors.Is(err, ErrOpenFailed) {
		t.Fatalf("err = %v, want ErrOpenFailed", err)
	}
}

func TestOpenPrivateKeyUnknownType(t *testing.T) {
	s := testSealer(t, 1)
	sealed, err := s.Seal(append([]byte{0xED, 0x01}, make([]byte, 32)...), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenPrivateKey(s, sealed, nil); !errors.Is(err, ErrKeyType) {
		t.Fatalf("err = %v, want ErrKeyType", err)
	}
}

type otherKey struct{ atcrypto.PrivateKey }

func TestSealPrivateKeyUnknownType(t *testing.T) {
	if _, err := SealPrivateKey(testSealer(t, 1), otherKey{}, nil); !errors.Is(err, ErrKeyType) {
		t.Fatalf("err = %v, want ErrKeyType", err)
	}
}
