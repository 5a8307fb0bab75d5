package server_test

import (
	"context"
	"testing"

	"github.com/hearthpds/hearth/backend/server"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestLocalKeyResolvedFromTheRepo: the published key of an account hosted
// here is read from its own repo, without the network: an account whose
// DID is not published yet (local-first) can still be checked at recovery.
func TestLocalKeyResolvedFromTheRepo(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{})
	alice := pds.Account(t, "alice.test")
	nk, err := pds.Server.Privacy().CreateIdentity(context.Background(), alice.DID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := server.ResolveLocalKey(pds.Server, alice.DID)
	if err != nil || got != nk.Public.KeyID() {
		t.Fatalf("local key = %q, %v; want %q", got, err, nk.Public.KeyID())
	}
}
