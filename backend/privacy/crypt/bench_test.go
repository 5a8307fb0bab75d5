package crypt

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

// record1KiB is a 1 KiB JSON record value.
var record1KiB = json.RawMessage(`{"text":"` + string(bytes.Repeat([]byte("x"), 1024-11)) + `"}`)

func BenchmarkSealRecord1KiB(b *testing.B) {
	ck := ownerKeys(b, mustIdentity(b), alice, diary, 1)
	b.SetBytes(int64(len(record1KiB)))
	for b.Loop() {
		if _, _, err := ck.SealRecord(1, "3kabc", record1KiB); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenRecord1KiB(b *testing.B) {
	ck := ownerKeys(b, mustIdentity(b), alice, diary, 1)
	mac, env, err := ck.SealRecord(1, "3kabc", record1KiB)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(record1KiB)))
	for b.Loop() {
		if _, err := ck.OpenRecord(mac, env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealGrant1000 seals one epoch key to 1,000 grantees (the
// acceptance bound is 0.5 s per operation).
func BenchmarkSealGrant1000(b *testing.B) {
	ck := ownerKeys(b, mustIdentity(b), alice, diary, 1)
	key, _ := ck.EpochKey(1)
	pubs := make([]PublicKey, 1000)
	for i := range pubs {
		pubs[i] = mustIdentity(b).Public()
	}
	for b.Loop() {
		for i, p := range pubs {
			if _, err := SealGrant(p, GrantContext{Owner: alice, Grantee: string(rune(i)), Collection: diary, Epoch: 1}, key, ck.MACKey()); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkBlobEncrypt1MiB(b *testing.B) {
	key, _ := NewBlobKey()
	plain := make([]byte, 1<<20)
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		if _, err := EncryptBlob(io.Discard, bytes.NewReader(plain), key, alice); err != nil {
			b.Fatal(err)
		}
	}
}
