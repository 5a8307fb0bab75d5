package crypt

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// Known-answer tests. The expected values were computed independently of
// this package (Python's hashlib/hmac and pyca/cryptography, with
// HChaCha20 written out, from the layouts in the doc comments), except the
// X25519 key pair, which is RFC 9180's test vector A.2 (DHKEM(X25519,
// HKDF-SHA256), base mode).

// unhex decodes a hex constant.
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// vecSeed is the seed 00 01 02 … 1f.
func vecSeed() []byte {
	seed := make([]byte, SeedSize)
	for i := range seed {
		seed[i] = byte(i)
	}
	return seed
}

const (
	vecOwner      = "did:plc:alice0000000000000000000"
	vecCollection = "app.example.diary"
)

func TestVectorRFC9180DeriveKeyPair(t *testing.T) {
	ikmR := unhex(t, "1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df")
	id, err := IdentityFromSeed(KEMX25519, ikmR)
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a"); !bytes.Equal(id.Public().Key, want) {
		t.Fatalf("pkR = %x, want %x", id.Public().Key, want)
	}
	if got, want := id.Public().KeyID(), "EQM556ULGNDTRVR6BGXNBA7Q"; got != want {
		t.Fatalf("KeyID = %s, want %s", got, want)
	}
}

func TestVectorDerivations(t *testing.T) {
	id, err := IdentityFromSeed(KEMX25519, vecSeed())
	if err != nil {
		t.Fatal(err)
	}
	mac, err := id.MACKey(vecOwner, vecCollection)
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "e9287eceb01adbe50746003317f60028ce447a06d2f4f2eb45ac20ccaf6420ab"); !bytes.Equal(mac, want) {
		t.Fatalf("MAC key = %x, want %x", mac, want)
	}
	ck, err := NewCollectionKeys(vecOwner, vecCollection, mac)
	if err != nil {
		t.Fatal(err)
	}
	rkeyMAC := ck.RKeyMAC("3kabc")
	if want := unhex(t, "2b6f65ecc4e8249226dc6f125b56f5c49095cdcdf89115b5898f0bdcbb46e268"); !bytes.Equal(rkeyMAC, want) {
		t.Fatalf("rkey MAC = %x, want %x", rkeyMAC, want)
	}
	rk, err := RecordContext{Owner: vecOwner, Collection: vecCollection, RKeyMAC: rkeyMAC, Epoch: 3}.recordKey(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "ce09940496e1b2715fcc4081b99f6ea57c057fab9456d50a1f7de07ed550592b"); !bytes.Equal(rk, want) {
		t.Fatalf("record key = %x, want %x", rk, want)
	}
	if got, want := id.RecoveryCode(), "AEAA-CAQD-AQCQ-MBYI-BEFA-WDAN-BYHR-AEIS-CMKB-KFQX-DAMR-UGY4-DUPB-72BI-JBH3-4EBB"; got != want {
		t.Fatalf("recovery code = %s, want %s", got, want)
	}
}

// TestVectorEnvelope opens an envelope made by the independent reference
// (epoch 3, epoch key 07×32, nonce 64 65 … 7b).
func TestVectorEnvelope(t *testing.T) {
	env := unhex(t, "010100000000000000036465666768696a6b6c6d6e6f707172737475767778797a7b7a1e678547c690d8f5d30edc0ab00448e71fd310eea85d6533dd96e043df2a6b2e8e9c8674ea822a38999164ab9776a84064fb91ffc490629dbad651985c")
	id, err := IdentityFromSeed(KEMX25519, vecSeed())
	if err != nil {
		t.Fatal(err)
	}
	mac, _ := id.MACKey(vecOwner, vecCollection)
	ck, _ := NewCollectionKeys(vecOwner, vecCollection, mac)
	if err := ck.AddEpoch(3, bytes.Repeat([]byte{7}, 32)); err != nil {
		t.Fatal(err)
	}
	rec, err := ck.OpenRecord(ck.RKeyMAC("3kabc"), env)
	if err != nil {
		t.Fatalf("open reference envelope: %v", err)
	}
	if rec.RKey != "3kabc" || string(rec.Value) != `{"text":"dear diary"}` {
		t.Fatalf("opened %+v", rec)
	}
}

func TestIdentityRefusesUnknownKEMAndBadSeed(t *testing.T) {
	_, err := IdentityFromSeed(KEMMLKEM768X25519, vecSeed())
	isErr(t, "post-quantum KEM not enabled yet", err, ErrUnsupportedKEM)
	_, err = IdentityFromSeed(KEMX25519, vecSeed()[:31])
	isErr(t, "short seed", err, ErrMalformed)
	err = PublicKey{KEMID: KEMX25519, Key: []byte{1, 2, 3}}.Validate()
	isErr(t, "short public key", err, ErrMalformed)
	a, _ := IdentityFromSeed(KEMX25519, vecSeed())
	b, _ := IdentityFromSeed(KEMX25519, vecSeed())
	if !bytes.Equal(a.Public().Key, b.Public().Key) {
		t.Fatal("the same seed gave two keys")
	}
}
