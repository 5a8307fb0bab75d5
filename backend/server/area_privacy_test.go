package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/server"
	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// uploadPrivateBlob encrypts data for did and uploads it with token.
func uploadPrivateBlob(t *testing.T, pds *testpds.PDS, did, token string, data []byte) cid.Cid {
	t.Helper()
	key := make([]byte, crypt.EpochKeySize)
	_, _ = rand.Read(key)
	var ct bytes.Buffer
	if _, err := crypt.EncryptBlob(&ct, bytes.NewReader(data), key, did); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, pds.URL+"/xrpc/dev.hearthpds.private.uploadBlob", &ct)
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ CID string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("uploadBlob: %d %v", resp.StatusCode, err)
	}
	c, err := cid.Decode(out.CID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPrivateBlobsGoWithTheAccount: private blob bytes live under
// <data>/private-blobs; deleting an account removes its files and keeps
// the other accounts' ones.
func TestPrivateBlobsGoWithTheAccount(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
		server.SetPrivateBlobGrace(pds.Server, 0)
		_, alice := lcSignUp(t, pds, "alice.test", "alice@example.com")
		_, bob := lcSignUp(t, pds, "bob.test", "bob@example.com")
		a := uploadPrivateBlob(t, pds, alice.DID, alice.AccessJwt, []byte("alice's private bytes"))
		b := uploadPrivateBlob(t, pds, bob.DID, bob.AccessJwt, []byte("bob's private bytes"))
		for _, c := range []cid.Cid{a, b} {
			if _, err := os.Stat(server.PrivateBlobPath(pds.Server, c)); err != nil {
				t.Fatalf("private blob file: %v", err)
			}
		}
		if _, err := pds.Server.Privacy().OpenBlob(context.Background(), alice.DID, alice.DID, a); err != nil {
			t.Fatalf("OpenBlob: %v", err)
		}
		admin := admClient{pxClient{t: t, base: pds.URL}}
		admin.must("com.atproto.admin.deleteAccount", "", map[string]any{"did": bob.DID})
		if _, err := os.Stat(server.PrivateBlobPath(pds.Server, b)); !os.IsNotExist(err) {
			t.Errorf("the deleted account's private blob file remains: %v", err)
		}
		if _, err := os.Stat(server.PrivateBlobPath(pds.Server, a)); err != nil {
			t.Errorf("another account's private blob file went: %v", err)
		}
	})
}
