package server_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atclient"
	car "github.com/ipld/go-car"
	carutil "github.com/ipld/go-car/util"

	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestSyncRepoMethods calls the repo sync methods with valid input:
// getRepoStatus, listRepos (paged), getHead, getCheckout, getBlocks, and
// getRepo?since= (only blocks newer than the given rev).
func TestSyncRepoMethods(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		ctx := context.Background()
		pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
		var dids []string
		var client *atclient.APIClient
		for i := 0; i < 3; i++ {
			var did string
			did, client = signUp(t, pds, fmt.Sprintf("sync%d.test", i))
			dids = append(dids, did)
		}
		did := dids[2]
		must(t, client.Post(ctx, "com.atproto.repo.createRecord", map[string]any{"repo": did, "collection": "app.bsky.feed.post", "rkey": "a", "record": post("a")}, nil))
		var mid struct{ CID, Rev string }
		must(t, client.Get(ctx, "com.atproto.sync.getLatestCommit", map[string]any{"did": did}, &mid))
		must(t, client.Post(ctx, "com.atproto.repo.createRecord", map[string]any{"repo": did, "collection": "app.bsky.feed.post", "rkey": "b", "record": post("b")}, nil))

		var status struct {
			DID    string `json:"did"`
			Active bool   `json:"active"`
			Rev    string `json:"rev"`
		}
		must(t, client.Get(ctx, "com.atproto.sync.getRepoStatus", map[string]any{"did": did}, &status))
		if status.DID != did || !status.Active || status.Rev <= mid.Rev {
			t.Errorf("getRepoStatus = %+v", status)
		}
		var head struct{ Root string }
		must(t, client.Get(ctx, "com.atproto.sync.getHead", map[string]any{"did": did}, &head))
		var latest struct{ CID string }
		must(t, client.Get(ctx, "com.atproto.sync.getLatestCommit", map[string]any{"did": did}, &latest))
		if head.Root != latest.CID {
			t.Errorf("getHead %s, getLatestCommit %s", head.Root, latest.CID)
		}

		var seen []string
		cursor := ""
		for {
			var page struct {
				Cursor string `json:"cursor"`
				Repos  []struct {
					DID  string `json:"did"`
					Head string `json:"head"`
				} `json:"repos"`
			}
			params := map[string]any{"limit": 2}
			if cursor != "" {
				params["cursor"] = cursor
			}
			must(t, client.Get(ctx, "com.atproto.sync.listRepos", params, &page))
			for _, r := range page.Repos {
				if r.Head == "" {
					t.Errorf("listRepos: %s has no head", r.DID)
				}
				seen = append(seen, r.DID)
			}
			if page.Cursor == "" {
				break
			}
			cursor = page.Cursor
		}
		if len(seen) != 3 {
			t.Errorf("listRepos paged through %v, want 3 repos", seen)
		}

		checkout := getCAR(t, pds, "com.atproto.sync.getCheckout", url.Values{"did": {did}})
		full := getCAR(t, pds, "com.atproto.sync.getRepo", url.Values{"did": {did}})
		if countBlocks(t, checkout) != countBlocks(t, full) {
			t.Errorf("getCheckout has %d blocks, getRepo %d", countBlocks(t, checkout), countBlocks(t, full))
		}
		diff := getCAR(t, pds, "com.atproto.sync.getRepo", url.Values{"did": {did}, "since": {mid.Rev}})
		if n, all := countBlocks(t, diff), countBlocks(t, full); n == 0 || n >= all {
			t.Errorf("getRepo?since has %d blocks of %d", n, all)
		}

		r, err := car.NewCarReader(bytes.NewReader(full))
		must(t, err)
		var cids []string
		for i := 0; i < 3; i++ {
			b, err := r.Next()
			must(t, err)
			cids = append(cids, b.Cid().String())
		}
		// getBlocks' CAR has no root (as the reference PDS writes it), which
		// go-car's reader refuses: read it block by block.
		blocks := getCAR(t, pds, "com.atproto.sync.getBlocks", url.Values{"did": {did}, "cids": cids})
		br := bufio.NewReader(bytes.NewReader(blocks))
		h, err := car.ReadHeader(br)
		must(t, err)
		var got []string
		for {
			c, _, err := carutil.ReadNode(br)
			if err == io.EOF {
				break
			}
			must(t, err)
			got = append(got, c.String())
		}
		if len(h.Roots) != 0 || strings.Join(got, ",") != strings.Join(cids, ",") {
			t.Errorf("getBlocks: roots %v, blocks %v, want %v", h.Roots, got, cids)
		}
	})
}

// TestDeleteSession logs out: the refresh token stops working.
func TestDeleteSession(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{})
	signUp(t, pds, "bye.test")
	var sess struct {
		RefreshJwt string `json:"refreshJwt"`
	}
	must(t, atclient.NewAPIClient(pds.URL).Post(context.Background(), "com.atproto.server.createSession", map[string]any{"identifier": "bye.test", "password": "a long enough password"}, &sess))
	call := func(nsid string) int {
		req, _ := http.NewRequest(http.MethodPost, pds.URL+"/xrpc/"+nsid, nil)
		req.Header.Set("Authorization", "Bearer "+sess.RefreshJwt)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := call("com.atproto.server.deleteSession"); got != 200 {
		t.Fatalf("deleteSession: %d", got)
	}
	if got := call("com.atproto.server.refreshSession"); got != 401 {
		t.Fatalf("refreshSession after deleteSession: %d, want 401", got)
	}
}

// TestNoReferenceMethodIsUnimplemented sends every method the reference
// PDS serves a request (valid-input calls are in each area's tests) and
// checks none answers MethodNotImplemented or a server error.
func TestNoReferenceMethodIsUnimplemented(t *testing.T) {
	pds := testpds.Start(t, testpds.Options{})
	for _, nsid := range referencePDSMethods {
		method := http.MethodGet
		var body io.Reader
		if isProcedure(nsid) {
			method, body = http.MethodPost, strings.NewReader("{}")
		}
		req, _ := http.NewRequest(method, pds.URL+"/xrpc/"+nsid, body)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotImplemented || bytes.Contains(raw, []byte("MethodNotImplemented")) || resp.StatusCode >= 500 {
			t.Errorf("%s: %d %s", nsid, resp.StatusCode, raw)
		}
	}
}
