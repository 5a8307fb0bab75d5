package privacy

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
)

func TestDiskBlobs(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "private-blobs")
	d, err := NewDiskBlobs(dir)
	must(t, err)
	key, _ := crypt.NewBlobKey()
	var enc bytes.Buffer
	res, err := crypt.EncryptBlob(&enc, bytes.NewReader(bytes.Repeat([]byte("x"), 100000)), key, alice)
	must(t, err)

	c, n, err := d.Put(ctx, bytes.NewReader(enc.Bytes()))
	must(t, err)
	if c != res.CID || n != res.Size {
		t.Fatalf("Put = %s, %d; want %s, %d", c, n, res.CID, res.Size)
	}
	rc, err := d.Open(ctx, c)
	must(t, err)
	got, err := io.ReadAll(rc)
	must(t, err)
	must(t, rc.Close())
	if !bytes.Equal(got, enc.Bytes()) {
		t.Fatal("read back other bytes")
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v, %v", st.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d files, want the blob only (no temporary left)", len(entries))
	}

	// A cancelled upload leaves nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := d.Put(cctx, bytes.NewReader(enc.Bytes())); err == nil {
		t.Fatal("cancelled Put succeeded")
	}
	entries, _ = os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d files after a cancelled upload", len(entries))
	}

	must(t, d.Delete(ctx, c))
	must(t, d.Delete(ctx, c))
	_, err = d.Open(ctx, c)
	isErr(t, "deleted blob", err, store.ErrNotFound)
}
