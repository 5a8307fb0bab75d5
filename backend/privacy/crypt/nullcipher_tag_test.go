//go:build hearth_nullcipher

package crypt

import (
	"bytes"
	"testing"
)

// TestNullCipherSwitch: with the null cipher an envelope carries its
// plaintext in clear and still opens; switched off, envelopes are
// encrypted again.
func TestNullCipherSwitch(t *testing.T) {
	ck := ownerKeys(t, mustIdentity(t), alice, diary, 1)
	SetNullCipher(true)
	mac, env, err := ck.SealRecord(1, "3kabc", []byte(`{"text":"in clear"}`))
	SetNullCipher(false)
	if err != nil || !bytes.Contains(env, []byte("in clear")) {
		t.Fatalf("null-cipher envelope: %v, %q", err, env)
	}
	SetNullCipher(true)
	rec, err := ck.OpenRecord(mac, env)
	SetNullCipher(false)
	if err != nil || rec.RKey != "3kabc" {
		t.Fatalf("open a null-cipher envelope: %+v, %v", rec, err)
	}
	if _, err := ck.OpenRecord(mac, env); err == nil {
		t.Fatal("the real cipher opened a null-cipher envelope")
	}
	_, env, err = ck.SealRecord(1, "3kabc", []byte(`{"text":"in clear"}`))
	if err != nil || bytes.Contains(env, []byte("in clear")) {
		t.Fatalf("switched off, the envelope is still in clear: %v", err)
	}
}
