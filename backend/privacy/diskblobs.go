package privacy

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/hearthpds/hearth/backend/store"
)

// DiskBlobs is a BlobBytes in a directory of its own (not the public blob
// store's): one file per CID, written to a temporary file while hashing
// and renamed into place, so a reader sees a whole blob or none.
type DiskBlobs struct {
	dir string
}

// NewDiskBlobs returns a DiskBlobs in dir, created with mode 0700.
func NewDiskBlobs(dir string) (*DiskBlobs, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("privacy: private blob directory: %w", err)
	}
	return &DiskBlobs{dir: dir}, nil
}

// path is the file of c.
func (d *DiskBlobs) path(c cid.Cid) string { return filepath.Join(d.dir, c.String()) }

// Put streams r to a temporary file, hashing it, and renames it to its CID.
func (d *DiskBlobs) Put(ctx context.Context, r io.Reader) (cid.Cid, int64, error) {
	var suffix [8]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return cid.Undef, 0, fmt.Errorf("privacy: temporary name: %w", err)
	}
	tmp := filepath.Join(d.dir, ".upload-"+hex.EncodeToString(suffix[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return cid.Undef, 0, fmt.Errorf("privacy: create private blob file: %w", err)
	}
	defer os.Remove(tmp)
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), contextReader{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return cid.Undef, 0, fmt.Errorf("privacy: write private blob: %w", err)
	}
	mh, err := multihash.Encode(h.Sum(nil), multihash.SHA2_256)
	if err != nil {
		return cid.Undef, 0, fmt.Errorf("privacy: private blob hash: %w", err)
	}
	c := cid.NewCidV1(cid.Raw, mh)
	if err := os.Rename(tmp, d.path(c)); err != nil {
		return cid.Undef, 0, fmt.Errorf("privacy: store private blob %s: %w", c, err)
	}
	return c, n, nil
}

// Open opens the bytes of c.
func (d *DiskBlobs) Open(_ context.Context, c cid.Cid) (io.ReadCloser, error) {
	f, err := os.Open(d.path(c))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("privacy: private blob %s: %w", c, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("privacy: open private blob %s: %w", c, err)
	}
	return f, nil
}

// Delete removes the bytes of c.
func (d *DiskBlobs) Delete(_ context.Context, c cid.Cid) error {
	if err := os.Remove(d.path(c)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("privacy: delete private blob %s: %w", c, err)
	}
	return nil
}

// contextReader stops reading once ctx is done.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Sweep removes the blob files for which keep reports false, skipping files
// younger than grace (an upload stores its file before its row). It
// returns how many files it removed.
func (d *DiskBlobs) Sweep(ctx context.Context, keep func(cid.Cid) bool, grace time.Duration) (int, error) {
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return 0, fmt.Errorf("privacy: list private blobs: %w", err)
	}
	n := 0
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		c, err := cid.Decode(e.Name())
		if err != nil || e.IsDir() || keep(c) {
			continue // temporary uploads and foreign files are not ours to judge
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < grace {
			continue
		}
		if err := d.Delete(ctx, c); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
