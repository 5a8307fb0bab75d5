package blobs_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/hearthpds/hearth/backend/blobs"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/store/storetest"
	"github.com/hearthpds/hearth/internal/testdb"
)

const (
	alice = "did:plc:aliceaaaaaaaaaaaaaaaaaaa"
	bob   = "did:plc:bobbbbbbbbbbbbbbbbbbbbbb"
	grace = time.Hour
)

// clock is a settable clock for the collector.
type clock struct{ t atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.t.Store(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *clock) now() time.Time          { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) advance(d time.Duration) { c.t.Add(int64(d)) }

// env is a Service over a real store and a disk blob store.
type env struct {
	st    store.Store
	disk  *blobs.Disk
	svc   *blobs.Service
	clock *clock
}

func newEnv(t *testing.T, st store.Store, wrap func(*blobs.Disk) blobs.BlobStore) *env {
	t.Helper()
	disk, err := blobs.NewDisk(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	var bs blobs.BlobStore = disk
	if wrap != nil {
		bs = wrap(disk)
	}
	e := &env{st: st, disk: disk, clock: newClock()}
	e.svc, err = blobs.New(blobs.Config{Meta: st, Bytes: bs, Grace: grace, Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) upload(t *testing.T, did string, data []byte) store.Blob {
	t.Helper()
	b, err := e.svc.Upload(context.Background(), did, "application/octet-stream", bytes.NewReader(data), 1<<20)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	return b
}

// hasMeta reports whether did has metadata for c.
func (e *env) hasMeta(t *testing.T, did string, c cid.Cid) bool {
	t.Helper()
	_, err := e.st.GetBlob(context.Background(), did, c)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func (e *env) hasBytes(t *testing.T, c cid.Cid) bool {
	t.Helper()
	has, err := e.disk.Has(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return has
}

func (e *env) collect(t *testing.T) int {
	t.Helper()
	n, err := e.svc.Collect(context.Background())
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	return n
}

// reference commits a record of did that references the blobs and returns
// the repo's new root.
func (e *env) reference(t *testing.T, did string, prev *store.RepoRoot, rkey string, cids ...cid.Cid) store.RepoRoot {
	t.Helper()
	c := storetest.NewCommit(did, prev)
	storetest.PutRecord(&c, "app.bsky.actor.profile", rkey, storetest.RandomBytes(20), cids...)
	res, err := e.st.ApplyCommits(context.Background(), []store.Commit{c})
	if err != nil || res[0].Err != nil {
		t.Fatalf("apply commit: %v %v", err, res)
	}
	return c.Root
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func TestUpload(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		plain := func(d *blobs.Disk) blobs.BlobStore { return struct{ blobs.BlobStore }{d} }
		for name, wrap := range map[string]func(*blobs.Disk) blobs.BlobStore{"adopt": nil, "put": plain} {
			t.Run(name, func(t *testing.T) {
				e := newEnv(t, open(t), wrap)
				data := random(300 << 10)
				b := e.upload(t, alice, data)
				if b.CID != blobs.CID(data) || b.Size != int64(len(data)) || b.MimeType != "application/octet-stream" {
					t.Errorf("upload returned %+v", b)
				}
				meta, f, err := e.svc.Open(context.Background(), alice, b.CID)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				got, _ := io.ReadAll(f)
				if !bytes.Equal(got, data) || meta.Size != b.Size || !meta.CreatedAt.Equal(e.clock.now()) {
					t.Errorf("read back %d bytes, meta %+v", len(got), meta)
				}
				if _, _, err := e.svc.Open(context.Background(), bob, b.CID); !errors.Is(err, blobs.ErrNotFound) {
					t.Errorf("another account opened alice's blob: %v", err)
				}
				checkNoTemp(t, e.disk)
			})
		}
	})
}

func TestUploadLimit(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := newEnv(t, open(t), nil)
		ctx := context.Background()
		data := random(1000)
		if _, err := e.svc.Upload(ctx, alice, "", bytes.NewReader(data), 999); !errors.Is(err, blobs.ErrTooLarge) {
			t.Fatalf("upload over the limit: %v, want ErrTooLarge", err)
		}
		if e.hasMeta(t, alice, blobs.CID(data)) || e.hasBytes(t, blobs.CID(data)) {
			t.Error("a refused upload was stored")
		}
		if _, err := e.svc.Upload(ctx, alice, "", bytes.NewReader(data), 1000); err != nil {
			t.Fatalf("upload of exactly the limit: %v", err)
		}
		broken := iotest.TimeoutReader(bytes.NewReader(random(100 << 10)))
		if _, err := e.svc.Upload(ctx, alice, "", broken, 1<<20); !errors.Is(err, blobs.ErrBodyRead) {
			t.Fatalf("upload of a broken body: %v, want ErrBodyRead", err)
		}
		checkNoTemp(t, e.disk)
	})
}

func checkNoTemp(t *testing.T, d *blobs.Disk) {
	t.Helper()
	if entries, _ := os.ReadDir(d.TempDir()); len(entries) != 0 {
		t.Errorf("%d temporary files left", len(entries))
	}
}

func TestCollectAfterGrace(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := newEnv(t, open(t), nil)
		loose, kept, refreshed := e.upload(t, alice, random(100)), e.upload(t, alice, random(100)), random(100)
		e.upload(t, alice, refreshed)
		e.reference(t, alice, nil, "self", kept.CID)
		e.clock.advance(grace - time.Second)
		if n := e.collect(t); n != 0 || !e.hasBytes(t, loose.CID) {
			t.Fatalf("collected %d blobs within the grace period", n)
		}
		e.upload(t, alice, refreshed) // a re-upload starts the grace period over
		e.clock.advance(2 * time.Second)
		if n := e.collect(t); n != 1 {
			t.Errorf("collected %d blobs, want 1", n)
		}
		if e.hasMeta(t, alice, loose.CID) || e.hasBytes(t, loose.CID) {
			t.Error("the unreferenced blob survived its grace period")
		}
		if !e.hasMeta(t, alice, kept.CID) || !e.hasBytes(t, kept.CID) {
			t.Error("the referenced blob was deleted")
		}
		if !e.hasBytes(t, blobs.CID(refreshed)) {
			t.Error("the re-uploaded blob was deleted")
		}
	})
}

func TestCollectSharedBytes(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := newEnv(t, open(t), nil)
		data := random(100)
		c := e.upload(t, alice, data).CID
		e.upload(t, bob, data)
		root := e.reference(t, bob, nil, "self", c)
		e.clock.advance(2 * grace)
		if n := e.collect(t); n != 1 {
			t.Fatalf("collected %d, want alice's copy only", n)
		}
		if e.hasMeta(t, alice, c) || !e.hasMeta(t, bob, c) {
			t.Fatal("wrong metadata deleted")
		}
		if _, f, err := e.svc.Open(context.Background(), bob, c); err != nil {
			t.Fatalf("bob's blob lost its bytes with alice's metadata: %v", err)
		} else {
			_ = f.Close()
		}
		// bob drops the reference: now the bytes go too.
		next := storetest.NewCommit(bob, &root)
		next.Records = append(next.Records, store.RecordChange{Collection: "app.bsky.actor.profile", RKey: "self"})
		if _, err := e.st.ApplyCommits(context.Background(), []store.Commit{next}); err != nil {
			t.Fatal(err)
		}
		if n := e.collect(t); n != 1 || e.hasBytes(t, c) {
			t.Errorf("after the last reference went: collected %d, bytes present %v", n, e.hasBytes(t, c))
		}
	})
}

func TestSweep(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := newEnv(t, open(t), nil)
		ctx := context.Background()
		orphan := random(50) // bytes stored, metadata never written (a crash)
		if err := e.disk.Put(ctx, blobs.CID(orphan), bytes.NewReader(orphan)); err != nil {
			t.Fatal(err)
		}
		gone := e.upload(t, bob, random(50)) // metadata deleted with bob's account
		if _, err := e.st.DeleteBlob(ctx, bob, gone.CID); err != nil {
			t.Fatal(err)
		}
		live := e.upload(t, alice, random(50))
		n, err := e.svc.Sweep(ctx)
		if err != nil || n != 2 {
			t.Fatalf("Sweep = %d, %v; want 2", n, err)
		}
		if e.hasBytes(t, blobs.CID(orphan)) || e.hasBytes(t, gone.CID) || !e.hasBytes(t, live.CID) {
			t.Error("Sweep deleted the wrong bytes")
		}
		if owners, _ := e.disk.ListOwners(ctx, gone.CID); len(owners) != 0 {
			t.Errorf("stale owners kept: %v", owners)
		}
	})
}

// TestCollectRacesUpload collects alice's old copy of a blob while bob
// uploads the same bytes: bob's copy must always keep its bytes.
func TestCollectRacesUpload(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := newEnv(t, open(t), nil)
		ctx := context.Background()
		for range 20 {
			data := random(64)
			e.upload(t, alice, data)
			e.clock.advance(2 * grace)
			done := make(chan error, 1)
			go func() { _, err := e.svc.Collect(ctx); done <- err }()
			e.upload(t, bob, data)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if _, f, err := e.svc.Open(ctx, bob, blobs.CID(data)); err != nil {
				t.Fatalf("bob's fresh upload lost its bytes: %v", err)
			} else {
				_ = f.Close()
			}
		}
	})
}
