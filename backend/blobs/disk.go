package blobs

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
)

// Disk is a BlobStore in a directory (normally <data dir>/blobs):
//
//	tmp/                      uploads being received
//	<xy>/<cid>                the bytes of a blob (xy: the CID's last two characters)
//	<xy>/<cid>.owners/<hash>  one file per owner, holding its DID
//
// CIDs are written in base32 (lower case), so the layout works on
// case-insensitive file systems. Bytes are written to tmp/, fsynced and
// renamed into place, and the directory is fsynced, so a crash leaves
// either the whole blob or none of it. Only one process may use a
// directory at a time: NewDisk clears tmp/.
type Disk struct {
	root string
	tmp  string
}

var (
	_ BlobStore = (*Disk)(nil)
	_ Adopter   = (*Disk)(nil)
)

const (
	ownersSuffix = ".owners"
	tmpName      = "tmp"
)

// NewDisk opens (creating if needed) a disk blob store in dir and removes
// temporary files a previous process left behind.
func NewDisk(dir string) (*Disk, error) {
	d := &Disk{root: dir, tmp: filepath.Join(dir, tmpName)}
	if err := os.MkdirAll(d.tmp, 0o700); err != nil {
		return nil, fmt.Errorf("blobs: create %s: %w", d.tmp, err)
	}
	entries, err := os.ReadDir(d.tmp)
	if err != nil {
		return nil, fmt.Errorf("blobs: read %s: %w", d.tmp, err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(d.tmp, e.Name())); err != nil {
			return nil, fmt.Errorf("blobs: clear %s: %w", d.tmp, err)
		}
	}
	return d, nil
}

// TempDir returns the directory for uploads being received.
func (d *Disk) TempDir() string { return d.tmp }

// key is the file name of c: its CIDv1 in base32.
func key(c cid.Cid) string { return cid.NewCidV1(c.Type(), c.Hash()).String() }

func (d *Disk) path(c cid.Cid) string {
	k := key(c)
	return filepath.Join(d.root, k[len(k)-2:], k)
}

// Put stores the bytes of r under c after checking they hash to c (which
// must be a SHA2-256 CID).
func (d *Disk) Put(ctx context.Context, c cid.Cid, r io.Reader) error {
	want, err := multihash.Decode(c.Hash())
	if err != nil || want.Code != multihash.SHA2_256 {
		return fmt.Errorf("blobs: put %s: only SHA2-256 CIDs are supported", c)
	}
	f, err := os.CreateTemp(d.tmp, "put-*")
	if err != nil {
		return fmt.Errorf("blobs: put %s: %w", c, err)
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && string(h.Sum(nil)) != string(want.Digest) {
		err = ErrCIDMismatch
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("blobs: put %s: %w", c, err)
	}
	return d.Adopt(ctx, c, f.Name())
}

// Adopt fsyncs the file at path (in TempDir) and renames it to c's place.
func (d *Disk) Adopt(_ context.Context, c cid.Cid, path string) error {
	defer os.Remove(path) // a no-op once renamed
	if filepath.Dir(path) != d.tmp {
		return fmt.Errorf("blobs: adopt %s: %s is not in %s", c, path, d.tmp)
	}
	if err := syncFile(path); err != nil {
		return fmt.Errorf("blobs: adopt %s: %w", c, err)
	}
	dst := d.path(c)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("blobs: adopt %s: %w", c, err)
	}
	if err := os.Rename(path, dst); err != nil {
		return fmt.Errorf("blobs: adopt %s: %w", c, err)
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return fmt.Errorf("blobs: adopt %s: %w", c, err)
	}
	return nil
}

// Open opens the bytes of c.
func (d *Disk) Open(_ context.Context, c cid.Cid) (File, error) {
	f, err := os.Open(d.path(c))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("blobs: open %s: %w", c, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("blobs: open %s: %w", c, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("blobs: open %s: %w", c, err)
	}
	return diskFile{File: f, size: st.Size()}, nil
}

type diskFile struct {
	*os.File
	size int64
}

func (f diskFile) Size() int64 { return f.size }

// Has reports whether the bytes of c are present.
func (d *Disk) Has(_ context.Context, c cid.Cid) (bool, error) {
	_, err := os.Stat(d.path(c))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("blobs: stat %s: %w", c, err)
	}
	return true, nil
}

// Delete removes the bytes of c.
func (d *Disk) Delete(_ context.Context, c cid.Cid) error {
	if err := os.Remove(d.path(c)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blobs: delete %s: %w", c, err)
	}
	return nil
}

// List calls fn for every CID with bytes or owners.
func (d *Disk) List(ctx context.Context, fn func(cid.Cid) error) error {
	shards, err := os.ReadDir(d.root)
	if err != nil {
		return fmt.Errorf("blobs: list %s: %w", d.root, err)
	}
	for _, s := range shards {
		if !s.IsDir() || s.Name() == tmpName {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.listShard(filepath.Join(d.root, s.Name()), fn); err != nil {
			return err
		}
	}
	return nil
}

func (d *Disk) listShard(dir string, fn func(cid.Cid) error) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("blobs: list %s: %w", dir, err)
	}
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ownersSuffix)
		if seen[name] {
			continue
		}
		seen[name] = true
		c, err := cid.Decode(name)
		if err != nil {
			continue // not ours
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// syncFile fsyncs the file at path.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir fsyncs a directory so a rename in it is durable. Windows cannot
// open directories for syncing; its renames are journaled by NTFS.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
