package adapter

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/atdata"

	"github.com/hearthpds/hearth/backend/plugin"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

type keyring struct {
	mu   sync.Mutex
	keys map[string]atcrypto.PrivateKey
}

func (k *keyring) SigningKey(_ context.Context, did string) (atcrypto.PrivateKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keys[did], nil
}

// TestRecordsAndRepos reads a record written through the engine and the
// repo's CAR export through the adapters, on both drivers.
func TestRecordsAndRepos(t *testing.T) {
	for _, be := range testdb.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			st := be.Open(t)
			keys := &keyring{keys: map[string]atcrypto.PrivateKey{}}
			eng := repo.NewEngine(repo.Config{Store: st, Keys: keys})
			t.Cleanup(eng.Close)
			did := "did:plc:adaptertest000000000000"
			key, err := atcrypto.GeneratePrivateKeyK256()
			if err != nil {
				t.Fatal(err)
			}
			keys.keys[did] = key
			g, err := eng.Genesis(ctx, did, key)
			if err != nil {
				t.Fatal(err)
			}
			if res, err := st.ApplyCommits(ctx, []store.Commit{*g}); err != nil || res[0].Err != nil {
				t.Fatalf("genesis: %v %v", err, res)
			}
			rec := map[string]any{"$type": "app.bsky.feed.post", "text": "hi plugins", "createdAt": "2026-11-25T00:00:00Z"}
			if _, err := eng.Apply(ctx, did, []repo.Write{{Action: repo.Create, Collection: "app.bsky.feed.post", RKey: "3kaaaaaaaaa22", Record: rec}}, repo.ApplyOptions{}); err != nil {
				t.Fatal(err)
			}

			recs := Records{Store: st}
			e, err := recs.GetRecord(ctx, did, "app.bsky.feed.post", "3kaaaaaaaaa22")
			if err != nil {
				t.Fatal(err)
			}
			got, err := atdata.UnmarshalCBOR(e.CBOR)
			if err != nil || got["text"] != "hi plugins" || e.CID == "" {
				t.Fatalf("record = %v (%v), cid %q", got, err, e.CID)
			}
			if _, err := recs.GetRecord(ctx, did, "app.bsky.feed.post", "nope"); !errors.Is(err, plugin.ErrNotFound) {
				t.Fatalf("missing record: %v", err)
			}
			list, err := recs.ListRecords(ctx, did, "app.bsky.feed.post", "", 10)
			if err != nil || len(list) != 1 || list[0].RKey != "3kaaaaaaaaa22" {
				t.Fatalf("list = %+v, %v", list, err)
			}

			var car bytes.Buffer
			if err := (Repos{Engine: eng}).ExportCAR(ctx, did, "", &car); err != nil || car.Len() == 0 {
				t.Fatalf("export: %d bytes, %v", car.Len(), err)
			}
			if err := (Repos{Engine: eng}).ExportCAR(ctx, "did:plc:nobody", "", &car); !errors.Is(err, plugin.ErrNotFound) {
				t.Fatalf("export of an unknown repo: %v", err)
			}
		})
	}
}
