package blobs

import (
	"context"
	"errors"
	"io"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
)

// Sentinel errors. Callers test them with errors.Is.
var (
	// ErrNotFound: no bytes (or no metadata) for this CID.
	ErrNotFound = errors.New("blobs: not found")
	// ErrTooLarge: the upload is larger than the limit.
	ErrTooLarge = errors.New("blobs: blob too large")
	// ErrTakenDown: the blob was taken down by the operator and may be
	// neither served nor uploaded again.
	ErrTakenDown = errors.New("blobs: blob taken down")
	// ErrBodyRead: the upload's body could not be read (the client went
	// away, or its compression is corrupt). It wraps the cause.
	ErrBodyRead = errors.New("blobs: reading the upload failed")
	// ErrCIDMismatch: bytes given to Put do not hash to the CID.
	ErrCIDMismatch = errors.New("blobs: bytes do not match the CID")
)

// File is a stored blob opened for reading.
type File interface {
	io.ReadSeekCloser
	// Size is the blob's length in bytes.
	Size() int64
}

// BlobStore holds blob bytes by CID, shared by every account, with an index
// of the accounts that uploaded each CID. Implementations are safe for
// concurrent use; the Service orders operations on one CID itself.
type BlobStore interface {
	// Put stores the bytes read from r under c, atomically: a reader sees
	// all of them or none. It returns ErrCIDMismatch if they do not hash to
	// c. Putting a CID already present is not an error.
	Put(ctx context.Context, c cid.Cid, r io.Reader) error
	// Open opens the bytes of c, or returns ErrNotFound.
	Open(ctx context.Context, c cid.Cid) (File, error)
	// Has reports whether the bytes of c are present.
	Has(ctx context.Context, c cid.Cid) (bool, error)
	// Delete removes the bytes of c; deleting absent bytes is not an error.
	// It leaves the owner index alone.
	Delete(ctx context.Context, c cid.Cid) error
	// List calls fn for every CID that has bytes or owners, in no
	// particular order, stopping at the first error fn returns.
	List(ctx context.Context, fn func(cid.Cid) error) error

	Owners
}

// Owners is a BlobStore's index of which accounts uploaded a CID. It may
// name accounts that have since let go of the CID (the database decides);
// it must never miss one that has not.
type Owners interface {
	// AddOwner records that did uploaded c. Adding twice is not an error.
	AddOwner(ctx context.Context, c cid.Cid, did string) error
	// RemoveOwner forgets that did uploaded c; forgetting an absent owner is
	// not an error.
	RemoveOwner(ctx context.Context, c cid.Cid, did string) error
	// ListOwners returns the DIDs recorded for c.
	ListOwners(ctx context.Context, c cid.Cid) ([]string, error)
}

// Adopter is implemented by blob stores that can take a finished temporary
// file without copying it: the Service then writes uploads into TempDir and
// hands the file over by path. Disk renames it into place.
type Adopter interface {
	// TempDir is the directory for temporary files Adopt accepts.
	TempDir() string
	// Adopt makes the file at path (in TempDir, closed) durable and stores it
	// under c, which the caller has computed from its bytes. The file is gone
	// from path afterwards, whether or not Adopt succeeds.
	Adopt(ctx context.Context, c cid.Cid, path string) error
}

// cidPrefix is the kind of CID a blob has: CIDv1, raw, SHA2-256.
var cidPrefix = cid.NewPrefixV1(cid.Raw, multihash.SHA2_256)

// CIDForSHA256 returns the blob CID of bytes whose SHA-256 digest is sum.
func CIDForSHA256(sum []byte) (cid.Cid, error) {
	mh, err := multihash.Encode(sum, multihash.SHA2_256)
	if err != nil {
		return cid.Undef, err
	}
	return cid.NewCidV1(cid.Raw, mh), nil
}

// CID returns the blob CID of data (for tests and small blobs).
func CID(data []byte) cid.Cid {
	c, err := cidPrefix.Sum(data)
	if err != nil {
		panic("blobs: sha2-256 failed: " + err.Error()) // cannot happen
	}
	return c
}
