package repo_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/sqlite"
	"github.com/hearthpds/hearth/backend/store/storetest"
	"github.com/hearthpds/hearth/internal/testdb"
)

// newCachedFixture is a fixture whose engine writes through the record
// cache, as the server wires it.
func newCachedFixture(t *testing.T, open func(t testing.TB) store.Store) (*fixture, store.Store) {
	f := newFixture(t, func(t testing.TB) store.Store { return repo.CacheRecords(open(t), 0) })
	return f, f.st
}

func mustGet(t *testing.T, st store.Store, did, coll, rkey string) store.Record {
	t.Helper()
	rec, err := st.GetRecord(context.Background(), did, coll, rkey)
	if err != nil {
		t.Fatalf("get %s/%s: %v", coll, rkey, err)
	}
	return rec
}

func TestRecordCacheReadAfterWrite(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		f, st := newCachedFixture(t, open)
		ctx := context.Background()
		did := f.newRepo(t, 1)
		const coll = "app.bsky.feed.post"

		res, err := f.engine.Apply(ctx, did, []repo.Write{create(coll, "a", post("one"))}, repo.ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := mustGet(t, st, did, coll, "a"); got.CID != res.Writes[0].CID || got.Rev != res.Commit.Rev {
			t.Fatalf("after create: got %s@%s, want %s@%s", got.CID, got.Rev, res.Writes[0].CID, res.Commit.Rev)
		}
		// Read again (now from the cache) and after an update.
		mustGet(t, st, did, coll, "a")
		res, err = f.engine.Apply(ctx, did, []repo.Write{{Action: repo.Put, Collection: coll, RKey: "a", Record: post("two")}}, repo.ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := mustGet(t, st, did, coll, "a")
		if got.CID != res.Writes[0].CID {
			t.Fatalf("after update: got %s, want %s", got.CID, res.Writes[0].CID)
		}
		// Delete: gone at once.
		if _, err := f.engine.Apply(ctx, did, []repo.Write{{Action: repo.Delete, Collection: coll, RKey: "a"}}, repo.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetRecord(ctx, did, coll, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after delete: got %v, want ErrNotFound", err)
		}
		// Two identical records share a block: the second write does not
		// carry it, and both must still be served.
		if _, err := f.engine.Apply(ctx, did, []repo.Write{create(coll, "b", post("same")), create(coll, "c", post("same"))}, repo.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.engine.Apply(ctx, did, []repo.Write{create(coll, "d", post("same"))}, repo.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, rk := range []string{"b", "c", "d"} {
			if got := mustGet(t, st, did, coll, rk); got.CID != mustGet(t, st, did, coll, "b").CID || len(got.Value) == 0 {
				t.Fatalf("record %s: %v", rk, got)
			}
		}
	})
}

func TestRecordCacheAccountRemoved(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		f, st := newCachedFixture(t, open)
		ctx := context.Background()
		did := "did:plc:cachedaccount0000000001"
		key, err := atcrypto.GeneratePrivateKeyK256()
		if err != nil {
			t.Fatal(err)
		}
		f.keys.keys[did] = key
		acct := storetest.NewAccount(did, "cached.test")
		if acct.Genesis, err = f.engine.Genesis(ctx, did, key); err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		const coll = "app.bsky.feed.post"
		if _, err := f.engine.Apply(ctx, did, []repo.Write{create(coll, "a", post("one"))}, repo.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		mustGet(t, st, did, coll, "a")
		v := st.(repo.AccountsVersioner).AccountsVersion()
		if _, err := st.SetTakedown(ctx, store.Subject{DID: did}, "takedown-1", nil); err != nil {
			t.Fatal(err)
		}
		if st.(repo.AccountsVersioner).AccountsVersion() == v {
			t.Fatal("a takedown did not change the accounts version")
		}
		// The repo row and records go with DeleteAccount; the cache must not
		// keep serving them.
		if _, err := st.DeleteAccount(ctx, did, nil); err != nil {
			t.Fatal(err)
		}
		f.engine.Forget(did)
		if _, err := st.GetRecord(ctx, did, coll, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after the account was deleted: got %v, want ErrNotFound", err)
		}
	})
}

// blockingStore holds GetRecord after it read the database until release
// is closed, to put a write between a cache miss's read and its fill.
type blockingStore struct {
	store.Store
	read    chan struct{}
	release chan struct{}
	once    sync.Once
}

func (b *blockingStore) GetRecord(ctx context.Context, did, coll, rkey string) (store.Record, error) {
	rec, err := b.Store.GetRecord(ctx, did, coll, rkey)
	b.once.Do(func() {
		close(b.read)
		<-b.release
	})
	return rec, err
}

// TestRecordCacheRacingReadDoesNotFill: a read that saw the record before a
// write landed must not put the old record into the cache.
func TestRecordCacheRacingReadDoesNotFill(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		b := &blockingStore{read: make(chan struct{}), release: make(chan struct{})}
		f := newFixture(t, func(t testing.TB) store.Store {
			b.Store = open(t)
			return repo.CacheRecords(b, 0)
		})
		st := f.st
		ctx := context.Background()
		did := f.newRepo(t, 1)
		const coll = "app.bsky.feed.post"
		old, err := f.engine.Apply(ctx, did, []repo.Write{create(coll, "a", post("one"))}, repo.ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// Push the record out of the cache: a reset does.
		if _, err := st.SetTakedown(ctx, store.Subject{DID: did, Collection: coll, RKey: "a"}, "", nil); err != nil {
			t.Fatal(err)
		}
		stale := make(chan store.Record, 1)
		go func() {
			rec, _ := st.GetRecord(ctx, did, coll, "a")
			stale <- rec
		}()
		<-b.read
		res, err := f.engine.Apply(ctx, did, []repo.Write{{Action: repo.Put, Collection: coll, RKey: "a", Record: post("two")}}, repo.ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		close(b.release)
		if got := <-stale; got.CID != old.Writes[0].CID {
			t.Fatalf("the racing read saw %s, want the old %s", got.CID, old.Writes[0].CID)
		}
		if got := mustGet(t, st, did, coll, "a"); got.CID != res.Writes[0].CID {
			t.Fatalf("after the racing read: got %s, want %s", got.CID, res.Writes[0].CID)
		}
	})
}

// TestRecordCacheConcurrent: readers hammer the records while writers
// rewrite them; every read after an acknowledged write sees that write or
// a later one.
func TestRecordCacheConcurrent(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		f, st := newCachedFixture(t, open)
		ctx := context.Background()
		did := f.newRepo(t, 1)
		const coll = "app.bsky.feed.post"
		keys := []string{"a", "b", "c"}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					for _, k := range keys {
						_, _ = st.GetRecord(ctx, did, coll, k)
					}
				}
			}()
		}
		for i := range 60 {
			k := keys[i%len(keys)]
			w := repo.Write{Action: repo.Put, Collection: coll, RKey: k, Record: post("v" + string(rune('a'+i%26)) + k + string(rune('0'+i/26)))}
			if i%7 == 6 {
				w = repo.Write{Action: repo.Delete, Collection: coll, RKey: k}
			}
			res, err := f.engine.Apply(ctx, did, []repo.Write{w}, repo.ApplyOptions{})
			if errors.Is(err, repo.ErrRecordNotFound) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := st.GetRecord(ctx, did, coll, k)
			if w.Action == repo.Delete {
				if !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("write %d: after delete got %v", i, err)
				}
				continue
			}
			if err != nil || got.CID != res.Writes[0].CID {
				t.Fatalf("write %d: got %s (%v), want %s", i, got.CID, err, res.Writes[0].CID)
			}
		}
		close(stop)
		wg.Wait()
	})
}

// TestRecordCacheRestart: the cache lives in the process; after a restart
// every record is read from the database again, and new writes are cached
// as before.
func TestRecordCacheRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hearth.db")
	keys := &keyring{keys: map[string]atcrypto.PrivateKey{}}
	start := func() (store.Store, *repo.Engine) {
		raw, err := sqlite.Open(ctx, path, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		st := repo.CacheRecords(raw, 0)
		return st, repo.NewEngine(repo.Config{Store: st, Keys: keys})
	}
	st, engine := start()
	f := &fixture{st: st, engine: engine, keys: keys}
	did := f.newRepo(t, 1)
	const coll = "app.bsky.feed.post"
	first, err := engine.Apply(ctx, did, []repo.Write{create(coll, "a", post("one")), create(coll, "b", post("two"))}, repo.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustGet(t, st, did, coll, "a")
	engine.Close()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st, engine = start()
	defer func() { engine.Close(); _ = st.Close() }()
	for i, rk := range []string{"a", "b"} {
		if got := mustGet(t, st, did, coll, rk); got.CID != first.Writes[i].CID {
			t.Fatalf("after restart, record %s: got %s, want %s", rk, got.CID, first.Writes[i].CID)
		}
	}
	res, err := engine.Apply(ctx, did, []repo.Write{{Action: repo.Put, Collection: coll, RKey: "a", Record: post("three")}}, repo.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, st, did, coll, "a"); got.CID != res.Writes[0].CID {
		t.Fatalf("write after restart: got %s, want %s", got.CID, res.Writes[0].CID)
	}
}
