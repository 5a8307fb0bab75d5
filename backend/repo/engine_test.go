package repo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	indigorepo "github.com/bluesky-social/indigo/atproto/repo"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// keyring is a KeySource over in-memory keys.
type keyring struct {
	mu   sync.Mutex
	keys map[string]atcrypto.PrivateKey
}

func (k *keyring) SigningKey(_ context.Context, did string) (atcrypto.PrivateKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	key, ok := k.keys[did]
	if !ok {
		return nil, fmt.Errorf("no key for %s", did)
	}
	return key, nil
}

type fixture struct {
	st     store.Store
	engine *repo.Engine
	keys   *keyring
}

func newFixture(t *testing.T, open func(t testing.TB) store.Store) *fixture {
	st := open(t)
	f := &fixture{st: st, keys: &keyring{keys: map[string]atcrypto.PrivateKey{}}}
	f.engine = repo.NewEngine(repo.Config{Store: st, Keys: f.keys})
	t.Cleanup(f.engine.Close)
	return f
}

// newRepo lands a genesis commit for a new DID and returns the DID.
func (f *fixture) newRepo(t *testing.T, n int) string {
	t.Helper()
	did := fmt.Sprintf("did:plc:test%020d", n)
	key, err := atcrypto.GeneratePrivateKeyK256()
	if err != nil {
		t.Fatal(err)
	}
	f.keys.mu.Lock()
	f.keys.keys[did] = key
	f.keys.mu.Unlock()
	g, err := f.engine.Genesis(context.Background(), did, key)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.st.ApplyCommits(context.Background(), []store.Commit{*g})
	if err != nil || res[0].Err != nil {
		t.Fatalf("genesis: %v %v", err, res)
	}
	return did
}

func post(text string) map[string]any {
	return map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-01-01T00:00:00.000Z"}
}

func create(coll, rkey string, rec map[string]any) repo.Write {
	return repo.Write{Action: repo.Create, Collection: coll, RKey: rkey, Record: rec}
}

// exportAndVerify exports the repo, loads it with indigo, checks the
// signature, and returns its records (path → CID) and block count.
func (f *fixture) exportAndVerify(t *testing.T, did string) (map[string]cid.Cid, int) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := f.engine.ExportCAR(context.Background(), did, &buf); err != nil {
		t.Fatalf("export: %v", err)
	}
	blocks := countCARBlocks(t, buf.Bytes())
	commit, r, err := indigorepo.LoadRepoFromCAR(context.Background(), bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("LoadRepoFromCAR: %v", err)
	}
	key, _ := f.keys.SigningKey(context.Background(), did)
	pub, _ := key.PublicKey()
	if err := commit.VerifySignature(pub); err != nil {
		t.Fatalf("commit signature: %v", err)
	}
	records := map[string]cid.Cid{}
	err = r.MST.Walk(func(k []byte, v cid.Cid) error {
		records[string(k)] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return records, blocks
}

func countCARBlocks(t *testing.T, car []byte) int {
	t.Helper()
	n := 0
	r := bytes.NewReader(car)
	cr, err := newCARReader(r)
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err := cr.Next()
		if err != nil {
			break
		}
		n++
	}
	return n
}

func TestWritePathBasics(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		f := newFixture(t, open)
		ctx := context.Background()
		did := f.newRepo(t, 1)

		res, err := f.engine.Apply(ctx, did, []repo.Write{create("app.bsky.feed.post", "", post("hello"))}, repo.ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Commit == nil || res.Commit.Seq == 0 || res.Writes[0].RKey == "" {
			t.Fatalf("result = %+v", res)
		}
		rkey := res.Writes[0].RKey
		if _, err := syntax.ParseTID(rkey); err != nil {
			t.Errorf("generated rkey %q is not a TID", rkey)
		}
		// Create on an existing key fails; update with a wrong swap fails.
		_, err = f.engine.Apply(ctx, did, []repo.Write{create("app.bsky.feed.post", rkey, post("again"))}, repo.ApplyOptions{})
		if !errors.Is(err, repo.ErrRecordExists) {
			t.Fatalf("duplicate create: %v", err)
		}
		other := res.Commit.CID // any CID that is not the record's
		_, err = f.engine.Apply(ctx, did, []repo.Write{{Action: repo.Update, Collection: "app.bsky.feed.post", RKey: rkey, Record: post("x"), Swap: &repo.Swap{CID: &other}}}, repo.ApplyOptions{})
		if !errors.Is(err, repo.ErrInvalidSwap) {
			t.Fatalf("bad swapRecord: %v", err)
		}
		stale := res.Commit.CID
		if _, err := f.engine.Apply(ctx, did, []repo.Write{{Action: repo.Put, Collection: "app.bsky.feed.post", RKey: rkey, Record: post("edited")}}, repo.ApplyOptions{SwapCommit: &stale}); err != nil {
			t.Fatalf("put with current swapCommit: %v", err)
		}
		_, err = f.engine.Apply(ctx, did, []repo.Write{create("app.bsky.feed.post", "", post("late"))}, repo.ApplyOptions{SwapCommit: &stale})
		if !errors.Is(err, repo.ErrInvalidSwap) {
			t.Fatalf("stale swapCommit: %v", err)
		}
		rec, err := f.st.GetRecord(ctx, did, "app.bsky.feed.post", rkey)
		if err != nil {
			t.Fatal(err)
		}
		records, _ := f.exportAndVerify(t, did)
		if len(records) != 1 || records["app.bsky.feed.post/"+rkey] != rec.CID {
			t.Fatalf("exported records = %v, index has %s", records, rec.CID)
		}
		if _, err := f.engine.Apply(ctx, did, []repo.Write{{Action: repo.Delete, Collection: "app.bsky.feed.post", RKey: rkey}}, repo.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		records, blocks := f.exportAndVerify(t, did)
		if len(records) != 0 {
			t.Fatalf("records after delete = %v", records)
		}
		if n, _ := f.st.CountBlocks(ctx, did); int(n) != blocks {
			t.Fatalf("store holds %d blocks, the live tree %d", n, blocks)
		}
	})
}

func TestInvalidWritesLeaveRepoUnchanged(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		f := newFixture(t, open)
		ctx := context.Background()
		did := f.newRepo(t, 1)
		before, _ := f.st.GetRepoRoot(ctx, did)
		bad := [][]repo.Write{
			{create("not an nsid", "", post("x"))},
			{create("app.bsky.feed.post", "bad/key", post("x"))},
			{create("app.bsky.feed.post", "", map[string]any{"$type": "app.bsky.feed.like"})},
			{create("app.bsky.feed.post", "a", post("x")), create("app.bsky.feed.post", "a", post("y"))},
			{create("app.bsky.feed.post", "a", post("x")), {Action: repo.Delete, Collection: "app.bsky.feed.post", RKey: "missing"}},
		}
		for i, ws := range bad {
			if _, err := f.engine.Apply(ctx, did, ws, repo.ApplyOptions{}); err == nil {
				t.Errorf("case %d: no error", i)
			}
		}
		after, _ := f.st.GetRepoRoot(ctx, did)
		if after != before {
			t.Fatalf("root moved from %v to %v", before, after)
		}
		if _, err := f.engine.Apply(ctx, did, []repo.Write{create("app.bsky.feed.post", "a", post("ok"))}, repo.ApplyOptions{}); err != nil {
			t.Fatalf("write after failures: %v", err)
		}
	})
}

// TestRandomOpsKeepOnlyLiveBlocks runs random creates, updates and deletes
// (including identical records sharing a block) and checks after each batch
// that the store holds exactly the blocks of the live tree, and that every
// #commit event verifies with indigo.
func TestRandomOpsKeepOnlyLiveBlocks(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		f := newFixture(t, open)
		ctx := context.Background()
		did := f.newRepo(t, 1)
		rng := rand.New(rand.NewSource(7))
		live := map[string]bool{}
		var keys []string
		for round := 0; round < 60; round++ {
			var ws []repo.Write
			used := map[string]bool{}
			for i := 0; i < 1+rng.Intn(8); i++ {
				w := randomWrite(rng, live, keys, used)
				if w.RKey != "" {
					used[w.RKey] = true
				}
				ws = append(ws, w)
			}
			res, err := f.engine.Apply(ctx, did, ws, repo.ApplyOptions{})
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			for _, w := range res.Writes {
				if w.Action == repo.Delete {
					delete(live, w.RKey)
				} else if !live[w.RKey] {
					live[w.RKey] = true
					keys = append(keys, w.RKey)
				}
			}
		}
		records, blocks := f.exportAndVerify(t, did)
		if len(records) != len(live) {
			t.Fatalf("tree has %d records, expected %d", len(records), len(live))
		}
		if n, _ := f.st.CountBlocks(ctx, did); int(n) != blocks {
			t.Fatalf("store holds %d blocks, the live tree %d (garbage left behind)", n, blocks)
		}
		verifyEvents(t, f.st, 1)
	})
}

func randomWrite(rng *rand.Rand, live map[string]bool, keys []string, used map[string]bool) repo.Write {
	texts := []string{"same", "same", "other", fmt.Sprint(rng.Int())}
	rec := post(texts[rng.Intn(len(texts))])
	if len(keys) > 0 && rng.Intn(3) > 0 {
		k := keys[rng.Intn(len(keys))]
		if !used[k] {
			if live[k] && rng.Intn(2) == 0 {
				return repo.Write{Action: repo.Delete, Collection: "app.bsky.feed.post", RKey: k}
			}
			return repo.Write{Action: repo.Put, Collection: "app.bsky.feed.post", RKey: k, Record: rec}
		}
	}
	return create("app.bsky.feed.post", fmt.Sprintf("k%06d", rng.Intn(1_000_000)), rec)
}

// verifyEvents checks every #commit in the log with indigo's Sync 1.1
// verification and that seqs start at first and have no gaps.
func verifyEvents(t *testing.T, st store.Store, first int64) {
	t.Helper()
	evs, err := st.ListEvents(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range evs {
		if ev.Seq != first+int64(i) {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
		h, body, err := firehose.DecodeFrame(ev.Body)
		if err != nil {
			t.Fatal(err)
		}
		if h.Type != firehose.TypeCommit {
			continue
		}
		var msg firehose.Commit
		if err := msg.UnmarshalCBOR(bytes.NewReader(body)); err != nil {
			t.Fatal(err)
		}
		if msg.Seq != ev.Seq {
			t.Fatalf("frame seq %d in row %d", msg.Seq, ev.Seq)
		}
		if _, err := indigorepo.VerifyCommitMessage(context.Background(), &msg); err != nil {
			t.Fatalf("seq %d: VerifyCommitMessage: %v", ev.Seq, err)
		}
	}
}

// TestConcurrentWritersLoseNothing runs 8 writers × 200 creates on one repo
// and checks that the signed tree holds every acknowledged record.
func TestConcurrentWritersLoseNothing(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		f := newFixture(t, open)
		ctx := context.Background()
		did := f.newRepo(t, 1)
		const writers, each = 8, 200
		acked := make(chan string, writers*each)
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			wg.Go(func() {
				for i := 0; i < each; i++ {
					res, err := f.engine.Apply(ctx, did, []repo.Write{create("app.bsky.feed.post", "", post(fmt.Sprintf("w%d-%d", w, i)))}, repo.ApplyOptions{})
					if err != nil {
						t.Errorf("writer %d: %v", w, err)
						return
					}
					acked <- "app.bsky.feed.post/" + res.Writes[0].RKey
				}
			})
		}
		wg.Wait()
		close(acked)
		records, _ := f.exportAndVerify(t, did)
		n := 0
		for path := range acked {
			n++
			if _, ok := records[path]; !ok {
				t.Errorf("acknowledged record %s is missing", path)
			}
		}
		if n != writers*each || len(records) != n {
			t.Fatalf("acked %d, tree has %d", n, len(records))
		}
		verifyEvents(t, f.st, 1)
	})
}
