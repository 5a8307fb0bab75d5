package repo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/ipfs/go-cid"
	car "github.com/ipld/go-car"
	carutil "github.com/ipld/go-car/util"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// exportCAR writes did's repo as a CAR and returns it with its blocks.
func (f *fixture) exportCAR(t *testing.T, did string) ([]byte, cid.Cid, []carBlock) {
	t.Helper()
	var buf bytes.Buffer
	root, err := f.engine.ExportCAR(context.Background(), did, &buf)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := car.NewCarReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var bs []carBlock
	for {
		b, err := cr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, carBlock{b.Cid(), b.RawData()})
	}
	return buf.Bytes(), root.Commit, bs
}

type carBlock struct {
	c    cid.Cid
	data []byte
}

// buildCAR writes a CAR with the given roots and blocks.
func buildCAR(t *testing.T, roots []cid.Cid, bs []carBlock) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := car.WriteHeader(&car.CarHeader{Roots: roots, Version: 1}, &buf); err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if err := carutil.LdWrite(&buf, b.c.Bytes(), b.data); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// importFixture is a source repo with records and a destination store
// holding the same DID with a fresh key (the new PDS).
type importFixture struct {
	src, dst *fixture
	did      string
	srcKey   atcrypto.PublicKey
}

func newImportFixture(t *testing.T, open func(testing.TB) store.Store) *importFixture {
	ctx := context.Background()
	f := &importFixture{src: newFixture(t, open), dst: newFixture(t, open)}
	f.did = f.src.newRepo(t, 7)
	var writes []repo.Write
	for i := range 40 {
		writes = append(writes, create("app.bsky.feed.post", fmt.Sprintf("r%03d", i), post(fmt.Sprint("post ", i))))
	}
	writes = append(writes, create("app.bsky.feed.post", "dup", post("post 1"))) // shares a block with r001
	if _, err := f.src.engine.Apply(ctx, f.did, writes, repo.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := f.dst.newRepo(t, 7); got != f.did {
		t.Fatalf("destination DID %s", got)
	}
	key, _ := f.src.keys.SigningKey(ctx, f.did)
	f.srcKey, _ = key.PublicKey()
	return f
}

func (f *importFixture) opts() repo.ImportOptions {
	return repo.ImportOptions{Store: f.dst.st, TrustedKeys: []atcrypto.PublicKey{f.srcKey}}
}

func TestImport(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := context.Background()
		f := newImportFixture(t, open)
		carBytes, _, _ := f.src.exportCAR(t, f.did)
		srcRoot, _ := f.src.st.GetRepoRoot(ctx, f.did)

		info, err := f.dst.engine.Import(ctx, f.did, bytes.NewReader(carBytes), f.opts())
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		root, _ := f.dst.st.GetRepoRoot(ctx, f.did)
		if root.Commit != info.CID || root.Data != srcRoot.Data || root.Rev <= srcRoot.Rev || info.Seq == 0 {
			t.Errorf("root after import %+v (source %+v, info %+v)", root, srcRoot, info)
		}
		records, _ := f.dst.exportAndVerify(t, f.did) // signed with the destination's key
		if len(records) != 41 {
			t.Errorf("%d records after import", len(records))
		}
		if got, _ := f.dst.st.ListRecords(ctx, f.did, "app.bsky.feed.post", store.ListRecordsOptions{Limit: 100}); len(got) != 41 {
			t.Errorf("record index: %d posts", len(got))
		}
		evs, _ := f.dst.st.ListEvents(ctx, info.Seq-1, 10)
		if len(evs) != 1 || evs[0].Type != firehose.TypeSync {
			t.Errorf("import event: %+v", evs)
		}
		// The engine reloads the imported repo for the next write.
		if _, err := f.dst.engine.Apply(ctx, f.did, []repo.Write{create("app.bsky.feed.post", "after", post("after"))}, repo.ApplyOptions{}); err != nil {
			t.Fatalf("write after import: %v", err)
		}
		if records, _ := f.dst.exportAndVerify(t, f.did); len(records) != 42 {
			t.Errorf("%d records after a write on the imported repo", len(records))
		}
		// Importing again replaces the repo (the write above is gone).
		if _, err := f.dst.engine.Import(ctx, f.did, bytes.NewReader(carBytes), f.opts()); err != nil {
			t.Fatalf("re-import: %v", err)
		}
		if records, _ := f.dst.exportAndVerify(t, f.did); len(records) != 41 {
			t.Errorf("%d records after re-import", len(records))
		}
	})
}

func TestImportRefusals(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := context.Background()
		f := newImportFixture(t, open)
		good, root, bs := f.src.exportCAR(t, f.did)
		other := f.src.newRepo(t, 8)
		otherCAR, _, _ := f.src.exportCAR(t, other)
		tampered := append([]carBlock{}, bs...)
		last := tampered[len(tampered)-1]
		tampered[len(tampered)-1] = carBlock{last.c, append(append([]byte{}, last.data...), 0)}
		stranger, _ := atcrypto.GeneratePrivateKeyK256()
		strangerPub, _ := stranger.PublicKey()
		cases := []struct {
			name string
			car  []byte
			opts func(*repo.ImportOptions)
			want error
		}{
			{"garbage", []byte("not a car"), nil, repo.ErrInvalidRepo},
			{"empty", nil, nil, repo.ErrInvalidRepo},
			{"two roots", buildCAR(t, []cid.Cid{root, root}, bs), nil, repo.ErrInvalidRepo},
			{"root missing", buildCAR(t, []cid.Cid{root}, bs[1:]), nil, repo.ErrInvalidRepo},
			{"record missing", buildCAR(t, []cid.Cid{root}, bs[:len(bs)-1]), nil, repo.ErrInvalidRepo},
			{"MST node missing", buildCAR(t, []cid.Cid{root}, append([]carBlock{bs[0]}, bs[2:]...)), nil, repo.ErrInvalidRepo},
			{"block does not match its CID", buildCAR(t, []cid.Cid{root}, tampered), nil, repo.ErrInvalidRepo},
			{"another account's repo", otherCAR, nil, repo.ErrInvalidRepo},
			{"signed by an untrusted key", good, func(o *repo.ImportOptions) { o.TrustedKeys = []atcrypto.PublicKey{strangerPub} }, repo.ErrInvalidRepo},
			{"too large", good, func(o *repo.ImportOptions) { o.MaxBytes = int64(len(good) / 2) }, repo.ErrImportTooLarge},
		}
		before, _ := f.dst.st.GetRepoRoot(ctx, f.did)
		for _, c := range cases {
			opts := f.opts()
			if c.opts != nil {
				c.opts(&opts)
			}
			if _, err := f.dst.engine.Import(ctx, f.did, bytes.NewReader(c.car), opts); !errors.Is(err, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, err, c.want)
			}
		}
		if after, _ := f.dst.st.GetRepoRoot(ctx, f.did); after != before {
			t.Errorf("a refused import moved the root")
		}
		// Exactly at the limit is fine.
		if _, err := f.dst.engine.Import(ctx, f.did, bytes.NewReader(good), repo.ImportOptions{Store: f.dst.st, TrustedKeys: []atcrypto.PublicKey{f.srcKey}, MaxBytes: int64(len(good))}); err != nil {
			t.Errorf("import at exactly the limit: %v", err)
		}
	})
}
