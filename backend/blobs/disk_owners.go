package blobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ipfs/go-cid"
)

// The owner index of Disk: <cid>.owners/ beside the bytes, one small file
// per owner named by a hash of its DID (DIDs may hold characters some file
// systems refuse, and did:web may be long) and holding the DID itself.

func (d *Disk) ownersDir(c cid.Cid) string { return d.path(c) + ownersSuffix }

func ownerFile(did string) string {
	sum := sha256.Sum256([]byte(did))
	return hex.EncodeToString(sum[:16])
}

// AddOwner records that did uploaded c, durably (the file and its
// directory are fsynced before AddOwner returns).
func (d *Disk) AddOwner(_ context.Context, c cid.Cid, did string) error {
	dir := d.ownersDir(c)
	dst := filepath.Join(dir, ownerFile(did))
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("blobs: add owner of %s: %w", c, err)
	}
	f, err := os.CreateTemp(d.tmp, "owner-*")
	if err != nil {
		return fmt.Errorf("blobs: add owner of %s: %w", c, err)
	}
	defer os.Remove(f.Name()) // a no-op once renamed
	_, err = f.WriteString(did)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), dst)
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("blobs: add owner of %s: %w", c, err)
	}
	return nil
}

// RemoveOwner forgets that did uploaded c, and removes c's owner
// directory once it is empty.
func (d *Disk) RemoveOwner(_ context.Context, c cid.Cid, did string) error {
	dir := d.ownersDir(c)
	err := os.Remove(filepath.Join(dir, ownerFile(did)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blobs: remove owner of %s: %w", c, err)
	}
	_ = os.Remove(dir) // fails while other owners remain
	return nil
}

// ListOwners returns the DIDs recorded for c.
func (d *Disk) ListOwners(_ context.Context, c cid.Cid) ([]string, error) {
	dir := d.ownersDir(c)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("blobs: list owners of %s: %w", c, err)
	}
	owners := make([]string, 0, len(entries))
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("blobs: list owners of %s: %w", c, err)
		}
		if len(b) > 0 {
			owners = append(owners, string(b))
		}
	}
	return owners, nil
}
