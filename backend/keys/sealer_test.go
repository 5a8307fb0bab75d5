package keys

import (
	"bytes"
	"errors"
	"testing"
)

func testSealer(t *testing.T, fill byte) *Sealer {
	t.Helper()
	s, err := NewSealer(bytes.Repeat([]byte{fill}, MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealOpenRoundTrip(t *testing.T) {
	s := testSealer(t, 1)
	ad := []byte("signing-key:did:plc:abc")
	for _, pt := range [][]byte{nil, {}, []byte("x"), bytes.Repeat([]byte("secret"), 1000)} {
		sealed, err := s.Seal(pt, ad)
		if err != nil {
			t.Fatal(err)
		}
		if len(sealed) != sealOverhead+len(pt) || sealed[0] != sealVersion1 {
			t.Fatalf("sealed layout: len %d, version %d", len(sealed), sealed[0])
		}
		got, err := s.Open(sealed, ad)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatal("opened plaintext differs")
		}
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	s := testSealer(t, 1)
	a, _ := s.Seal([]byte("same"), nil)
	b, _ := s.Seal([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Fatal("sealing twice gave identical output")
	}
}

func TestOpenRejects(t *testing.T) {
	s := testSealer(t, 1)
	ad := []byte("signing-key:did:plc:abc")
	sealed, err := s.Seal([]byte("the key"), ad)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 1
		return c
	}
	cases := []struct {
		name   string
		sealer *Sealer
		sealed []byte
		ad     []byte
		want   error
	}{
		{"other master key", testSealer(t, 2), sealed, ad, ErrOpenFailed},
		{"other associated data", s, sealed, []byte("signing-key:did:plc:xyz"), ErrOpenFailed},
		{"no associated data", s, sealed, nil, ErrOpenFailed},
		{"nonce tampered", s, flip(5), ad, ErrOpenFailed},
		{"ciphertext tampered", s, flip(sealHeader), ad, ErrOpenFailed},
		{"tag tampered", s, flip(len(sealed) - 1), ad, ErrOpenFailed},
		{"unknown version", s, append([]byte{9}, sealed[1:]...), ad, ErrSealedVersion},
		{"truncated", s, sealed[:sealOverhead-1], ad, ErrSealedMalformed},
		{"empty", s, nil, ad, ErrSealedMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.sealer.Open(c.sealed, c.ad)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if got != nil {
				t.Fatal("returned plaintext with an error")
			}
		})
	}
}

func TestNewSealerRejectsWrongSize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := NewSealer(make([]byte, n)); !errors.Is(err, ErrMasterKeySize) {
			t.Fatalf("%d bytes: err = %v, want ErrMasterKeySize", n, err)
		}
	}
}

func TestNewSealerCopiesMaster(t *testing.T) {
	master := bytes.Repeat([]byte{3}, MasterKeySize)
	s, err := NewSealer(master)
	if err != nil {
		t.Fatal(err)
	}
	before := s.DeriveKey(PurposeJWTSecret, 32)
	clear(master)
	if after := s.DeriveKey(PurposeJWTSecret, 32); !bytes.Equal(before, after) {
		t.Fatal("Sealer kept a reference to the caller's master key slice")
	}
}

func TestDeriveKey(t *testing.T) {
	s := testSealer(t, 1)
	jwt := s.DeriveKey(PurposeJWTSecret, 32)
	if len(jwt) != 32 {
		t.Fatalf("len = %d", len(jwt))
	}
	if !bytes.Equal(jwt, s.DeriveKey(PurposeJWTSecret, 32)) {
		t.Fatal("DeriveKey is not deterministic")
	}
	if bytes.Equal(jwt, s.DeriveKey(PurposeAppPasswordPepper, 32)) {
		t.Fatal("two purposes gave the same key")
	}
	if bytes.Equal(jwt, testSealer(t, 2).DeriveKey(PurposeJWTSecret, 32)) {
		t.Fatal("two master keys gave the same key")
	}
	if bytes.Equal(jwt, bytes.Repeat([]byte{1}, 32)) {
		t.Fatal("derived key equals the master key")
	}
	if n := len(s.DeriveKey("x", 100)); n != 100 {
		t.Fatalf("len = %d, want 100", n)
	}
}

func TestDeriveKeyPanicsOnBadArguments(t *testing.T) {
	s := testSealer(t, 1)
	for _, c := range []struct {
		purpose string
		n       int
	}{{"", 32}, {"p", 0}, {"p", -1}, {"p", maxDeriveLen + 1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("DeriveKey(%q, %d) did not panic", c.purpose, c.n)
				}
			}()
			s.DeriveKey(c.purpose, c.n)
		}()
	}
}

// TestSealerPrintsNoKeyMaterial: a Sealer that ends up in a log line must not
// carry the master key or the derived seal key with it, however it is nested.
func TestSealerPrintsNoKeyMaterial(t *testing.T) {
	s := testSealer(t, 0xAB)
	type holder struct{ sealer *Sealer }
	type valueHolder struct{ sealer Sealer }
	type exported struct{ Sealer *Sealer }
	for _, v := range []any{s, *s, holder{s}, &holder{s}, valueHolder{*s}, exported{s}, []*Sealer{s}} {
		assertPrintsNoSecret(t, v)
	}
}
