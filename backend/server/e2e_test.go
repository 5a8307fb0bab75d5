package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	comatproto "github.com/bluesky-social/indigo/api/atproto"
	"github.com/bluesky-social/indigo/atproto/atclient"
	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	indigorepo "github.com/bluesky-social/indigo/atproto/repo"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"
	car "github.com/ipld/go-car"
	carutil "github.com/ipld/go-car/util"

	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

func post(text string) map[string]any {
	return map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-25T00:00:00.000Z"}
}

type writeOut struct {
	URI    string `json:"uri"`
	CID    string `json:"cid"`
	Commit struct {
		CID string `json:"cid"`
		Rev string `json:"rev"`
	} `json:"commit"`
	ValidationStatus string `json:"validationStatus"`
}

// TestEndToEndWithIndigoClient drives a real server over loopback HTTP with
// indigo's atclient: invite, sign-up, login, record writes, a batch with
// swapCommit, listing, and finally loads the repo from the store's blocks
// with indigo and verifies the commit signature against the key in the DID
// document published to the PLC directory.
func TestEndToEndWithIndigoClient(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		ctx := context.Background()
		pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t), InviteRequired: true})

		admin := atclient.NewAdminClient(pds.URL, testpds.AdminPassword)
		inv, err := comatproto.ServerCreateInviteCode(ctx, admin, &comatproto.ServerCreateInviteCode_Input{UseCount: 1})
		if err != nil {
			t.Fatalf("createInviteCode: %v", err)
		}
		anon := atclient.NewAPIClient(pds.URL)
		email, pw := "alice@example.com", "correct horse battery staple"
		_, err = comatproto.ServerCreateAccount(ctx, anon, &comatproto.ServerCreateAccount_Input{Handle: "alice.test", Email: &email, Password: &pw})
		assertAPIError(t, err, "InvalidInviteCode")
		acct, err := comatproto.ServerCreateAccount(ctx, anon, &comatproto.ServerCreateAccount_Input{Handle: "alice.test", Email: &email, Password: &pw, InviteCode: &inv.Code})
		if err != nil {
			t.Fatalf("createAccount: %v", err)
		}
		if doc, ok := (*acct.DidDoc).(map[string]any); !ok || doc["id"] != acct.Did {
			t.Errorf("createAccount didDoc = %v", acct.DidDoc)
		}
		_, err = comatproto.ServerCreateAccount(ctx, anon, &comatproto.ServerCreateAccount_Input{Handle: "bob.test", Password: &pw, InviteCode: &inv.Code})
		assertAPIError(t, err, "InvalidInviteCode") // single use

		client, err := atclient.LoginWithPasswordHost(ctx, pds.URL, "alice.test", pw, "", nil)
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		did := acct.Did
		_, err = atclient.LoginWithPasswordHost(ctx, pds.URL, "alice.test", "wrong password", "", nil)
		assertAPIError(t, err, "AuthenticationRequired")

		var created writeOut
		must(t, client.Post(ctx, "com.atproto.repo.createRecord", map[string]any{"repo": did, "collection": "app.bsky.feed.post", "record": post("first")}, &created))
		if created.ValidationStatus != "valid" {
			t.Errorf("validationStatus = %q", created.ValidationStatus)
		}
		var put writeOut
		must(t, client.Post(ctx, "com.atproto.repo.putRecord", map[string]any{"repo": did, "collection": "app.bsky.actor.profile", "rkey": "self",
			"record": map[string]any{"$type": "app.bsky.actor.profile", "displayName": "Alice"}}, &put))
		var doomed writeOut
		must(t, client.Post(ctx, "com.atproto.repo.createRecord", map[string]any{"repo": did, "collection": "app.bsky.feed.post", "record": post("doomed")}, &doomed))
		must(t, client.Post(ctx, "com.atproto.repo.deleteRecord", map[string]any{"repo": did, "collection": "app.bsky.feed.post", "rkey": rkeyOf(doomed.URI)}, nil))

		// A batch with a stale swapCommit fails; with the current one it lands.
		batch := func(swap string) map[string]any {
			return map[string]any{"repo": did, "swapCommit": swap, "writes": []any{
				map[string]any{"$type": "com.atproto.repo.applyWrites#create", "collection": "app.bsky.feed.post", "rkey": "batch1", "value": post("b1")},
				map[string]any{"$type": "com.atproto.repo.applyWrites#update", "collection": "app.bsky.actor.profile", "rkey": "self",
					"value": map[string]any{"$type": "app.bsky.actor.profile", "displayName": "Alice B."}},
				map[string]any{"$type": "com.atproto.repo.applyWrites#delete", "collection": "app.bsky.feed.post", "rkey": rkeyOf(created.URI)},
			}}
		}
		err = client.Post(ctx, "com.atproto.repo.applyWrites", batch(created.Commit.CID), nil)
		assertAPIError(t, err, "InvalidSwap")
		must(t, client.Post(ctx, "com.atproto.repo.applyWrites", batch(latestCommit(t, pds, did)), nil))

		var list struct {
			Records []struct {
				URI   string         `json:"uri"`
				Value map[string]any `json:"value"`
			} `json:"records"`
		}
		must(t, client.Get(ctx, "com.atproto.repo.listRecords", map[string]any{"repo": did, "collection": "app.bsky.feed.post"}, &list))
		if len(list.Records) != 1 || list.Records[0].Value["text"] != "b1" {
			t.Fatalf("listRecords = %+v", list.Records)
		}
		verifyRepoFromStoreBlocks(t, pds, did, map[string]bool{"app.bsky.feed.post/batch1": true, "app.bsky.actor.profile/self": true})
	})
}

// latestCommit reads the repo's current commit CID from the store.
func latestCommit(t *testing.T, pds *testpds.PDS, did string) string {
	root, err := pds.Server.Store().GetRepoRoot(context.Background(), did)
	if err != nil {
		t.Fatal(err)
	}
	return root.Commit.String()
}

// verifyRepoFromStoreBlocks writes every block the store holds for the
// repo into a CAR rooted at its commit, loads it with indigo, checks the
// signature with the key from the DID document, and compares the records.
func verifyRepoFromStoreBlocks(t *testing.T, pds *testpds.PDS, did string, want map[string]bool) {
	t.Helper()
	ctx := context.Background()
	st := pds.Server.Store()
	root, err := st.GetRepoRoot(ctx, did)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	must(t, car.WriteHeader(&car.CarHeader{Roots: []cid.Cid{root.Commit}, Version: 1}, &buf))
	must(t, st.ForEachBlock(ctx, did, func(c cid.Cid, data []byte) error { return carutil.LdWrite(&buf, c.Bytes(), data) }))
	commit, r, err := indigorepo.LoadRepoFromCAR(ctx, bufio.NewReader(&buf))
	if err != nil {
		t.Fatalf("LoadRepoFromCAR: %v", err)
	}
	dir := &indigoid.BaseDirectory{PLCURL: pds.PLCURL, HTTPClient: *http.DefaultClient}
	ident, err := dir.LookupDID(ctx, syntax.DID(did))
	if err != nil {
		t.Fatalf("resolve %s: %v", did, err)
	}
	if ident.PDSEndpoint() != pds.URL {
		t.Errorf("DID document names PDS %q, want %q", ident.PDSEndpoint(), pds.URL)
	}
	pub, err := ident.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := commit.VerifySignature(pub); err != nil {
		t.Fatalf("commit signature: %v", err)
	}
	got := map[string]bool{}
	must(t, r.MST.Walk(func(k []byte, _ cid.Cid) error { got[string(k)] = true; return nil }))
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("repo records = %v, want %v", got, want)
	}
}

func rkeyOf(uri string) string {
	u, err := syntax.ParseATURI(uri)
	if err != nil {
		panic(err)
	}
	return u.RecordKey().String()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func assertAPIError(t *testing.T, err error, name string) {
	t.Helper()
	var apiErr *atclient.APIError
	if !errors.As(err, &apiErr) || apiErr.Name != name {
		t.Fatalf("error = %v, want API error %s", err, name)
	}
}
