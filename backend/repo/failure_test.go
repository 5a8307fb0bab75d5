package repo_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// flakyStore fails every nth ApplyCommits transaction, as a database error
// in the middle of a write load would.
type flakyStore struct {
	store.Store
	calls atomic.Int64
	every int64
}

var errInjected = errors.New("injected database failure")

func (f *flakyStore) ApplyCommits(ctx context.Context, cs []store.Commit) ([]store.CommitResult, error) {
	if f.calls.Add(1)%f.every == 0 {
		return nil, errInjected
	}
	return f.Store.ApplyCommits(ctx, cs)
}

// TestFailedTransactionsLoseNoAcknowledgedWrite makes every 7th group
// transaction fail while 8 writers write one repo. Writes caught in a
// failed transaction report an error; every write reported as done must be
// in the signed tree, and the repo must keep verifying.
func TestFailedTransactionsLoseNoAcknowledgedWrite(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := context.Background()
		flaky := &flakyStore{Store: open(t), every: 7}
		f := &fixture{st: flaky, keys: &keyring{keys: map[string]atcrypto.PrivateKey{}}}
		f.engine = repo.NewEngine(repo.Config{Store: flaky, Keys: f.keys, Logger: slog.New(slog.DiscardHandler)})
		t.Cleanup(f.engine.Close)
		did := f.newRepo(t, 1)

		var mu sync.Mutex
		acked := map[string]bool{}
		var failed atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Go(func() {
				for i := 0; i < 60; i++ {
					res, err := f.engine.Apply(ctx, did, []repo.Write{create("app.bsky.feed.post", "", post(fmt.Sprintf("%d-%d", w, i)))}, repo.ApplyOptions{})
					if err != nil {
						if !errors.Is(err, errInjected) {
							t.Errorf("unexpected error: %v", err)
						}
						failed.Add(1)
						continue
					}
					mu.Lock()
					acked["app.bsky.feed.post/"+res.Writes[0].RKey] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if failed.Load() == 0 {
			t.Fatal("no transaction failed: the test injected nothing")
		}
		records, blocks := f.exportAndVerify(t, did)
		for path := range acked {
			if _, ok := records[path]; !ok {
				t.Errorf("acknowledged %s is missing", path)
			}
		}
		if len(records) != len(acked) {
			t.Errorf("tree has %d records, %d were acknowledged", len(records), len(acked))
		}
		if n, _ := flaky.CountBlocks(ctx, did); int(n) != blocks {
			t.Errorf("store holds %d blocks, the live tree %d", n, blocks)
		}
		t.Logf("%d acknowledged, %d failed by injection", len(acked), failed.Load())
	})
}
