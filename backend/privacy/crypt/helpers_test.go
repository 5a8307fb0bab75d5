package crypt

import (
	"errors"
	"testing"
)

// mustIdentity makes a fresh identity.
func mustIdentity(t testing.TB) *Identity {
	t.Helper()
	id, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// ownerKeys returns the owner's keys for a collection with epochs 1..n.
func ownerKeys(t testing.TB, id *Identity, owner, collection string, n uint64) *CollectionKeys {
	t.Helper()
	mac, err := id.MACKey(owner, collection)
	if err != nil {
		t.Fatal(err)
	}
	ck, err := NewCollectionKeys(owner, collection, mac)
	if err != nil {
		t.Fatal(err)
	}
	for e := uint64(1); e <= n; e++ {
		k, err := NewEpochKey()
		if err != nil {
			t.Fatal(err)
		}
		if err := ck.AddEpoch(e, k); err != nil {
			t.Fatal(err)
		}
	}
	return ck
}

// isErr fails the test unless err wraps target.
func isErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}
