package crypt

import (
	"go/build"
	"slices"
	"testing"
)

// TestNullCipherOnlyWithItsTag: the benchmark-only null cipher is compiled
// only with the hearth_nullcipher build tag, so no ordinary build (a
// release, the desktop app) can switch record encryption off.
func TestNullCipherOnlyWithItsTag(t *testing.T) {
	plain, err := build.Default.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(plain.GoFiles, "nullcipher.go") || !slices.Contains(plain.IgnoredGoFiles, "nullcipher.go") {
		t.Fatalf("nullcipher.go is part of an untagged build: %v", plain.GoFiles)
	}
	ctx := build.Default
	ctx.BuildTags = []string{"hearth_nullcipher"}
	tagged, err := ctx.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(tagged.GoFiles, "nullcipher.go") {
		t.Fatalf("nullcipher.go is missing from the tagged build: %v", tagged.GoFiles)
	}
}

// TestSealedGrantSize: a sealed grant has the size SealedGrantSize
// announces, and other KEMs are refused.
func TestSealedGrantSize(t *testing.T) {
	id, owner := mustIdentity(t), mustIdentity(t)
	ck := ownerKeys(t, owner, alice, diary, 1)
	key, _ := ck.EpochKey(1)
	sealed, err := SealGrant(id.Public(), GrantContext{Owner: alice, Grantee: bob, Collection: diary, Epoch: 1}, key, ck.MACKey())
	if err != nil {
		t.Fatal(err)
	}
	n, err := SealedGrantSize(KEMX25519)
	if err != nil || n != len(sealed) {
		t.Fatalf("SealedGrantSize = %d, %v; a grant is %d bytes", n, err, len(sealed))
	}
	if _, err := SealedGrantSize(KEMMLKEM768X25519); err == nil {
		t.Fatal("a size for a KEM that is not accepted")
	}
}
