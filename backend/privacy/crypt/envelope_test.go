package crypt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

const (
	alice = "did:plc:alice0000000000000000000"
	bob   = "did:plc:bob000000000000000000000"
	carol = "did:plc:carol0000000000000000000"
	diary = "app.example.diary"
	notes = "app.example.notes"
)

func TestEnvelopeRoundTrip(t *testing.T) {
	ck := ownerKeys(t, mustIdentity(t), alice, diary, 2)
	value := json.RawMessage(`{"text":"a secret","n":1}`)
	for _, epoch := range []uint64{1, 2} {
		mac, env, err := ck.SealRecord(epoch, "3kabc", value)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := EnvelopeEpoch(env); got != epoch {
			t.Fatalf("EnvelopeEpoch = %d, want %d", got, epoch)
		}
		if bytes.Contains(env, []byte("3kabc")) || bytes.Contains(env, []byte("secret")) {
			t.Fatal("the envelope holds the rkey or the plaintext in clear")
		}
		rec, err := ck.OpenRecord(mac, env)
		if err != nil {
			t.Fatal(err)
		}
		if rec.RKey != "3kabc" || string(rec.Value) != string(value) {
			t.Fatalf("opened %+v", rec)
		}
	}
	if _, _, err := ck.SealRecord(3, "x", value); err == nil {
		t.Fatal("sealed at an epoch without a key")
	}
}

// TestEnvelopeTamper flips every bit position's byte of an envelope, one at
// a time, and truncates it at every length: each is refused.
func TestEnvelopeTamper(t *testing.T) {
	ck := ownerKeys(t, mustIdentity(t), alice, diary, 1)
	mac, env, err := ck.SealRecord(1, "3kabc", json.RawMessage(`{"t":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	for i := range env {
		for _, flip := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(env)
			bad[i] ^= flip
			if _, err := ck.OpenRecord(mac, bad); err == nil {
				t.Fatalf("byte %d ^ %#x: tampered envelope opened", i, flip)
			}
		}
	}
	for n := range len(env) {
		if _, err := ck.OpenRecord(mac, env[:n]); err == nil {
			t.Fatalf("envelope truncated to %d bytes opened", n)
		}
	}
	if _, err := ck.OpenRecord(mac, append(bytes.Clone(env), 0)); err == nil {
		t.Fatal("envelope with a byte appended opened")
	}
	for i := range mac {
		bad := bytes.Clone(mac)
		bad[i] ^= 1
		_, err := ck.OpenRecord(bad, env)
		isErr(t, fmt.Sprintf("rkey MAC byte %d flipped", i), err, ErrDecrypt)
	}
}

// TestEnvelopeWrongContext moves an envelope to another rkey, collection,
// owner and epoch: it never opens.
func TestEnvelopeWrongContext(t *testing.T) {
	id := mustIdentity(t)
	ck := ownerKeys(t, id, alice, diary, 2)
	mac, env, err := ck.SealRecord(1, "3kabc", json.RawMessage(`{"t":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ck.EpochKey(1)

	_, err = ck.OpenRecord(ck.RKeyMAC("3kother"), env)
	isErr(t, "moved to another rkey", err, ErrDecrypt)

	// Same epoch key, other collection or owner: the context differs.
	for _, other := range []struct{ owner, coll string }{{alice, notes}, {bob, diary}} {
		ok := ownerKeys(t, id, other.owner, other.coll, 0)
		if err := ok.AddEpoch(1, key); err != nil {
			t.Fatal(err)
		}
		_, err = ok.OpenRecord(ok.RKeyMAC("3kabc"), env)
		isErr(t, "moved to "+other.owner+" "+other.coll, err, ErrDecrypt)
		_, err = ok.OpenRecord(mac, env)
		isErr(t, "moved with its MAC to "+other.owner+" "+other.coll, err, ErrDecrypt)
	}

	// The header claims another epoch: the epoch is authenticated.
	bad := bytes.Clone(env)
	bad[9] = 2
	_, err = ck.OpenRecord(mac, bad)
	isErr(t, "epoch rewritten", err, ErrDecrypt)
	_, err = OpenEnvelope(key, RecordContext{Owner: alice, Collection: diary, RKeyMAC: mac, Epoch: 2}, env)
	isErr(t, "opened as epoch 2", err, ErrDecrypt)

	// Another epoch's key.
	k2, _ := ck.EpochKey(2)
	_, err = OpenEnvelope(k2, RecordContext{Owner: alice, Collection: diary, RKeyMAC: mac, Epoch: 1}, env)
	isErr(t, "another epoch key", err, ErrDecrypt)

	// A grantee without epoch 1.
	late := ownerKeys(t, id, alice, diary, 0)
	_, err = late.OpenRecord(mac, env)
	isErr(t, "no key for the epoch", err, ErrNoEpochKey)
}

// TestEnvelopeInnerRKeyChecked: an envelope sealed (by a holder of the
// keys) under one row's MAC with another rkey inside is refused.
func TestEnvelopeInnerRKeyChecked(t *testing.T) {
	ck := ownerKeys(t, mustIdentity(t), alice, diary, 1)
	key, _ := ck.EpochKey(1)
	mac := ck.RKeyMAC("3kone")
	pt, _ := json.Marshal(RecordPlaintext{RKey: "3ktwo", Value: json.RawMessage(`{}`)})
	env, err := SealEnvelope(key, RecordContext{Owner: alice, Collection: diary, RKeyMAC: mac, Epoch: 1}, pt)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ck.OpenRecord(mac, env)
	isErr(t, "inner rkey differs", err, ErrRKeyMismatch)
}

func TestKeysDoNotPrint(t *testing.T) {
	id := mustIdentity(t)
	ck := ownerKeys(t, id, alice, diary, 1)
	key, _ := ck.EpochKey(1)
	seed := id.Seed()
	for _, v := range []any{id, ck} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
			out := fmt.Sprintf(verb, v)
			for _, secret := range [][]byte{seed, key, ck.MACKey()} {
				if strings.Contains(out, fmt.Sprintf("%x", secret)) || strings.Contains(out, string(secret)) {
					t.Fatalf("%s of %T prints key material: %s", verb, v, out)
				}
			}
		}
	}
}
