package server_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atclient"

	"github.com/hearthpds/hearth/internal/testdb"
	"github.com/hearthpds/hearth/internal/testpds"
)

// TestConcurrentClientsOneRepo runs 8 HTTP clients × 200 createRecord
// calls against one repo and checks that the signed MST rebuilt from the
// store's blocks holds every acknowledged record, on both backends.
func TestConcurrentClientsOneRepo(t *testing.T) {
	testdb.RunURL(t, func(t *testing.T, dbURL func(testing.TB) string) {
		ctx := context.Background()
		pds := testpds.Start(t, testpds.Options{DBURL: dbURL(t)})
		anon := atclient.NewAPIClient(pds.URL)
		var acct struct {
			DID string `json:"did"`
		}
		must(t, anon.Post(ctx, "com.atproto.server.createAccount", map[string]any{"handle": "busy.test", "password": "a long enough password"}, &acct))
		const clients, each = 8, 200
		var mu sync.Mutex
		acked := map[string]bool{}
		var wg sync.WaitGroup
		for c := 0; c < clients; c++ {
			wg.Go(func() {
				client, err := atclient.LoginWithPasswordHost(ctx, pds.URL, "busy.test", "a long enough password", "", nil)
				if err != nil {
					t.Errorf("client %d login: %v", c, err)
					return
				}
				for i := 0; i < each; i++ {
					var out writeOut
					err := client.Post(ctx, "com.atproto.repo.createRecord", map[string]any{"repo": acct.DID, "collection": "app.bsky.feed.post", "record": post(fmt.Sprintf("c%d #%d", c, i))}, &out)
					if err != nil {
						t.Errorf("client %d write %d: %v", c, i, err)
						return
					}
					mu.Lock()
					acked["app.bsky.feed.post/"+rkeyOf(out.URI)] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(acked) != clients*each {
			t.Fatalf("%d writes acknowledged, want %d", len(acked), clients*each)
		}
		verifyRepoFromStoreBlocks(t, pds, acct.DID, acked)
	})
}
