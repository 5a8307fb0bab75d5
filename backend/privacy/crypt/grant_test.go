package crypt

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestGrantOpensForRecipientOnly(t *testing.T) {
	owner, bobID, carolID := mustIdentity(t), mustIdentity(t), mustIdentity(t)
	ck := ownerKeys(t, owner, alice, diary, 1)
	key, _ := ck.EpochKey(1)
	c := GrantContext{Owner: alice, Grantee: bob, Collection: diary, Epoch: 1}
	sealed, err := SealGrant(bobID.Public(), c, key, ck.MACKey())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, key) || bytes.Contains(sealed, ck.MACKey()) {
		t.Fatal("sealed grant holds a key in clear")
	}

	// Bob opens it and reads the owner's records.
	g, err := OpenGrant(bobID, c, sealed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g.EpochKey.Bytes(), key) || !bytes.Equal(g.MACKey.Bytes(), ck.MACKey()) || g.Epoch != 1 {
		t.Fatal("opened grant carries other keys")
	}
	bobKeys, err := NewCollectionKeys(alice, diary, g.MACKey.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := bobKeys.AddGrant(g); err != nil {
		t.Fatal(err)
	}
	mac, env, _ := ck.SealRecord(1, "3kabc", json.RawMessage(`{"t":"hi"}`))
	if rec, err := bobKeys.OpenRecord(mac, env); err != nil || rec.RKey != "3kabc" {
		t.Fatalf("grantee opened %+v, %v", rec, err)
	}

	// Carol, with leaked bytes, cannot open them, even claiming to be bob.
	_, err = OpenGrant(carolID, c, sealed)
	isErr(t, "ungranted identity", err, ErrGrantOpen)
	_, err = OpenGrant(carolID, GrantContext{Owner: alice, Grantee: carol, Collection: diary, Epoch: 1}, sealed)
	isErr(t, "ungranted identity, own DID", err, ErrGrantOpen)

	// The right identity with any other context fails.
	for name, other := range map[string]GrantContext{
		"epoch":      {Owner: alice, Grantee: bob, Collection: diary, Epoch: 2},
		"grantee":    {Owner: alice, Grantee: carol, Collection: diary, Epoch: 1},
		"owner":      {Owner: carol, Grantee: bob, Collection: diary, Epoch: 1},
		"collection": {Owner: alice, Grantee: bob, Collection: notes, Epoch: 1},
	} {
		_, err := OpenGrant(bobID, other, sealed)
		isErr(t, "wrong "+name, err, ErrGrantOpen)
	}

	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x40
		if _, err := OpenGrant(bobID, c, bad); err == nil {
			t.Fatalf("grant with byte %d flipped opened", i)
		}
	}
	if _, err := OpenGrant(bobID, c, sealed[:len(sealed)-1]); err == nil {
		t.Fatal("truncated grant opened")
	}
}

func TestGrantMismatchedKeysRefused(t *testing.T) {
	owner, bobID := mustIdentity(t), mustIdentity(t)
	ck := ownerKeys(t, owner, alice, diary, 1)
	key, _ := ck.EpochKey(1)
	c := GrantContext{Owner: alice, Grantee: bob, Collection: diary, Epoch: 1}
	sealed, _ := SealGrant(bobID.Public(), c, key, bytes.Repeat([]byte{9}, 32))
	g, err := OpenGrant(bobID, c, sealed)
	if err != nil {
		t.Fatal(err)
	}
	other := ownerKeys(t, owner, alice, diary, 0)
	isErr(t, "grant with another MAC key", other.AddGrant(g), ErrMalformed)
	notes := ownerKeys(t, owner, alice, notes, 0)
	isErr(t, "grant for another collection", notes.AddGrant(g), ErrMalformed)
}

func TestPublicKeyRecord(t *testing.T) {
	id := mustIdentity(t)
	rec, err := json.Marshal(id.Public().Record(testTime))
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ParseKeyRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	if pk.KEMID != KEMX25519 || !bytes.Equal(pk.Key, id.Public().Key) {
		t.Fatalf("parsed %+v", pk)
	}
	for name, bad := range map[string]string{
		"unknown KEM":  `{"kemId":25722,"publicKey":{"$bytes":"AAAA"}}`,
		"short key":    `{"kemId":32,"publicKey":{"$bytes":"AAAA"}}`,
		"not base64":   `{"kemId":32,"publicKey":{"$bytes":"!!"}}`,
		"other type":   `{"$type":"app.bsky.feed.post","kemId":32}`,
		"wrong key ID": string(bytes.Replace(rec, []byte(id.Public().KeyID()), []byte("AAAAAAAAAAAAAAAAAAAAAAAA"), 1)),
		"not JSON":     `{`,
		"negative kem": `{"kemId":-1}`,
	} {
		if _, err := ParseKeyRecord([]byte(bad)); err == nil {
			t.Fatalf("%s: key record accepted", name)
		}
	}
}
