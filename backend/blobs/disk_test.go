package blobs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
)

func newDisk(t *testing.T) *Disk {
	t.Helper()
	d, err := NewDisk(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDiskPutOpenDelete(t *testing.T) {
	ctx := context.Background()
	d := newDisk(t)
	data := []byte("hello, blob")
	c := CID(data)
	if has, err := d.Has(ctx, c); err != nil || has {
		t.Fatalf("Has before Put = %v, %v", has, err)
	}
	if _, err := d.Open(ctx, c); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open before Put: %v, want ErrNotFound", err)
	}
	for range 2 { // a second Put of the same bytes is fine
		if err := d.Put(ctx, c, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
	}
	f, err := d.Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	if !bytes.Equal(got, data) || f.Size() != int64(len(data)) {
		t.Errorf("read %q (size %d), want %q", got, f.Size(), data)
	}
	if _, err := f.Seek(7, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(f)
	if string(rest) != "blob" {
		t.Errorf("after Seek: %q", rest)
	}
	_ = f.Close()
	if err := d.Delete(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, c); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if has, _ := d.Has(ctx, c); has {
		t.Error("bytes still present after Delete")
	}
}

func TestDiskPutChecksCID(t *testing.T) {
	ctx := context.Background()
	d := newDisk(t)
	c := CID([]byte("one thing"))
	if err := d.Put(ctx, c, strings.NewReader("another")); !errors.Is(err, ErrCIDMismatch) {
		t.Fatalf("Put of wrong bytes: %v, want ErrCIDMismatch", err)
	}
	if has, _ := d.Has(ctx, c); has {
		t.Error("mismatched bytes were stored")
	}
	if entries, _ := os.ReadDir(d.TempDir()); len(entries) != 0 {
		t.Errorf("temporary files left: %d", len(entries))
	}
	other, _ := cid.Decode("bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm")
	if err := d.Put(ctx, other, strings.NewReader("x")); err == nil {
		t.Error("Put accepted bytes for a CID they do not hash to")
	}
}

func TestDiskAdoptOnlyFromTempDir(t *testing.T) {
	ctx := context.Background()
	d := newDisk(t)
	outside := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(outside, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := d.Adopt(ctx, CID([]byte("x")), outside); err == nil {
		t.Error("Adopt took a file from outside its temp directory")
	}
}

func TestNewDiskClearsTemp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "blobs")
	d, err := NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.TempDir(), "upload-123"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewDisk(dir); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(d.TempDir()); len(entries) != 0 {
		t.Errorf("NewDisk left %d temporary files", len(entries))
	}
}

func TestDiskOwners(t *testing.T) {
	ctx := context.Background()
	d := newDisk(t)
	c := CID([]byte("shared"))
	alice, bob := "did:plc:alice", "did:web:bob.example.com"
	for _, did := range []string{alice, bob, alice} {
		if err := d.AddOwner(ctx, c, did); err != nil {
			t.Fatal(err)
		}
	}
	owners, err := d.ListOwners(ctx, c)
	slices.Sort(owners)
	if err != nil || !slices.Equal(owners, []string{alice, bob}) {
		t.Fatalf("ListOwners = %v, %v", owners, err)
	}
	for _, did := range []string{alice, alice} {
		if err := d.RemoveOwner(ctx, c, did); err != nil {
			t.Fatal(err)
		}
	}
	if owners, _ := d.ListOwners(ctx, c); !slices.Equal(owners, []string{bob}) {
		t.Fatalf("after removing alice: %v", owners)
	}
	_ = d.RemoveOwner(ctx, c, bob)
	if _, err := os.Stat(d.ownersDir(c)); !os.IsNotExist(err) {
		t.Errorf("empty owner directory kept: %v", err)
	}
	if owners, err := d.ListOwners(ctx, CID([]byte("nobody"))); err != nil || len(owners) != 0 {
		t.Errorf("owners of an unknown CID: %v, %v", owners, err)
	}
}

func TestDiskList(t *testing.T) {
	ctx := context.Background()
	d := newDisk(t)
	want := map[cid.Cid]bool{}
	for _, s := range []string{"a", "b", "c"} {
		c := CID([]byte(s))
		if err := d.Put(ctx, c, strings.NewReader(s)); err != nil {
			t.Fatal(err)
		}
		want[c] = true
	}
	ownerOnly := CID([]byte("owner only"))
	if err := d.AddOwner(ctx, ownerOnly, "did:plc:x"); err != nil {
		t.Fatal(err)
	}
	want[ownerOnly] = true
	both := CID([]byte("a"))
	if err := d.AddOwner(ctx, both, "did:plc:x"); err != nil { // bytes and owners: listed once
		t.Fatal(err)
	}
	got := map[cid.Cid]int{}
	err := d.List(ctx, func(c cid.Cid) error { got[c]++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	for c := range want {
		if got[c] != 1 {
			t.Errorf("%s listed %d times", c, got[c])
		}
	}
	if len(got) != len(want) {
		t.Errorf("listed %d CIDs, want %d", len(got), len(want))
	}
	stop := errors.New("stop")
	if err := d.List(ctx, func(cid.Cid) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("List did not return fn's error: %v", err)
	}
}

func TestCIDMatchesReferencePDS(t *testing.T) {
	// Vectors computed with @atproto/lex-data's cidForRawHash(sha256(bytes)).
	png := mustHex(t, "89504e470d0a1a0a0000000d4948445200000001000000010806000000"+
		"1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082")
	for _, v := range []struct {
		data []byte
		want string
	}{
		{png, "bafkreicdpmk572qop6kfyed3hbksqg32ikezhorvb34h3q6jdz4d5natie"},
		{nil, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"},
	} {
		if got := CID(v.data).String(); got != v.want {
			t.Errorf("CID = %s, want %s", got, v.want)
		}
	}
}
