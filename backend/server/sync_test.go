package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atclient"
	indigorepo "github.com/bluesky-social/indigo/atproto/repo"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"
	car "github.com/ipld/go-car"

	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// signUp creates an account and returns its DID and a logged-in client.
func signUp(t *testing.T, pds *testpds.PDS, handle string) (string, *atclient.APIClient) {
	t.Helper()
	ctx := context.Background()
	var acct struct {
		DID string `json:"did"`
	}
	must(t, atclient.NewAPIClient(pds.URL).Post(ctx, "com.atproto.server.createAccount", map[string]any{"handle": handle, "password": "a long enough password"}, &acct))
	client, err := atclient.LoginWithPasswordHost(ctx, pds.URL, handle, "a long enough password", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return acct.DID, client
}

func getCAR(t *testing.T, pds *testpds.PDS, nsid string, params url.Values) []byte {
	t.Helper()
	resp, err := http.Get(pds.URL + "/xrpc/" + nsid + "?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.ipld.car" {
		t.Fatalf("%s: %d %s %s", nsid, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	return body
}

func countBlocks(t *testing.T, b []byte) int {
	t.Helper()
	r, err := car.NewCarReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		if _, err := r.Next(); err == io.EOF {
			return n
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
}

// TestGetRepoHoldsOnlyLiveBlocks builds a repo with 10,000 creates and
// 9,000 deletes (applyWrites batches of 200), exports it with
// sync.getRepo, and checks the CAR holds exactly the blocks of the live
// tree (commit + MST nodes + records), that indigo loads it, and that the
// store holds nothing more.
func TestGetRepoHoldsOnlyLiveBlocks(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		ctx := context.Background()
		pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
		did, client := signUp(t, pds, "big.test")
		batch := func(action string, from int) {
			var ws []any
			for i := from; i < from+200; i++ {
				w := map[string]any{"$type": "com.atproto.repo.applyWrites#" + action, "collection": "app.bsky.feed.post", "rkey": fmt.Sprintf("r%06d", i)}
				if action == "create" {
					w["value"] = post(fmt.Sprintf("post %d", i))
				}
				ws = append(ws, w)
			}
			must(t, client.Post(ctx, "com.atproto.repo.applyWrites", map[string]any{"repo": did, "writes": ws}, nil))
		}
		for i := 0; i < 10000; i += 200 {
			batch("create", i)
		}
		for i := 0; i < 9000; i += 200 {
			batch("delete", i)
		}
		carBytes := getCAR(t, pds, "com.atproto.sync.getRepo", url.Values{"did": {did}})
		commit, r, err := indigorepo.LoadRepoFromCAR(ctx, bytes.NewReader(carBytes))
		if err != nil {
			t.Fatalf("LoadRepoFromCAR: %v", err)
		}
		records, nodes := 0, 0
		must(t, r.MST.Walk(func([]byte, cid.Cid) error { records++; return nil }))
		nodes = countNodes(t, r)
		inCAR := countBlocks(t, carBytes)
		if records != 1000 {
			t.Fatalf("tree holds %d records, want 1000", records)
		}
		if want := 1 + nodes + records; inCAR != want {
			t.Fatalf("CAR holds %d blocks; the live tree has %d (commit + %d nodes + %d records)", inCAR, want, nodes, records)
		}
		stored, err := pds.Server.Store().CountBlocks(ctx, did)
		must(t, err)
		if int(stored) != inCAR {
			t.Fatalf("store holds %d blocks, the live tree %d", stored, inCAR)
		}
		var latest struct{ CID, Rev string }
		must(t, client.Get(ctx, "com.atproto.sync.getLatestCommit", map[string]any{"did": did}, &latest))
		if latest.Rev != commit.Rev {
			t.Errorf("getLatestCommit rev %s, CAR commit rev %s", latest.Rev, commit.Rev)
		}
	})
}

// countNodes counts the MST nodes of a loaded tree by re-encoding it.
func countNodes(t *testing.T, r *indigorepo.Repo) int {
	t.Helper()
	n := 0
	rec := &countingStore{n: &n}
	tree := r.MST.Copy()
	markDirty(tree.Root)
	if _, err := tree.WriteDiffBlocks(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSyncGetRecordProof checks the getRecord CAR: indigo loads it, the
// commit signature verifies, and the record is found through the proof.
func TestSyncGetRecordProof(t *testing.T) {
	ctx := context.Background()
	pds := testpds.Start(t, testpds.Options{})
	did, client := signUp(t, pds, "proof.test")
	for i := 0; i < 300; i++ {
		must(t, client.Post(ctx, "com.atproto.repo.createRecord", map[string]any{"repo": did, "collection": "app.bsky.feed.post", "rkey": fmt.Sprintf("p%04d", i), "record": post(fmt.Sprint(i))}, nil))
	}
	carBytes := getCAR(t, pds, "com.atproto.sync.getRecord", url.Values{"did": {did}, "collection": {"app.bsky.feed.post"}, "rkey": {"p0150"}})
	commit, r, err := indigorepo.LoadRepoFromCAR(ctx, bytes.NewReader(carBytes))
	if err != nil {
		t.Fatalf("LoadRepoFromCAR: %v", err)
	}
	if countBlocks(t, carBytes) > 12 {
		t.Errorf("proof CAR has %d blocks; a path proof should be small", countBlocks(t, carBytes))
	}
	data, _, err := r.GetRecordBytes(ctx, syntax.NSID("app.bsky.feed.post"), syntax.RecordKey("p0150"))
	if err != nil {
		t.Fatalf("record not provable from the CAR: %v", err)
	}
	if !bytes.Contains(data, []byte("150")) {
		t.Errorf("record bytes %x", data)
	}
	verifyCommitSig(t, pds, did, commit)
}
