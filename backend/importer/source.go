package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	indigorepo "github.com/bluesky-social/indigo/atproto/repo"
	"github.com/bluesky-social/indigo/atproto/syntax"
	car "github.com/ipld/go-car"
)

// Source kinds.
const (
	KindPDS = "pds" // log in to the current PDS and download from it
	KindCAR = "car" // a CAR file; blobs from the PDS the DID document names
)

// Source says where an account comes from.
type Source struct {
	// Kind is KindPDS or KindCAR.
	Kind string
	// PDSURL is the current PDS (KindPDS); when empty it is resolved from
	// Identifier through the identity directory.
	PDSURL string
	// Identifier (handle, DID or email) and Password (the account password
	// or an app password) log in to the current PDS (KindPDS).
	Identifier string
	Password   string
	// CARPath is the repository file (KindCAR).
	CARPath string
	// Handle overrides the handle the account gets here; by default it is
	// the handle the DID document declares. A handle outside this server's
	// domains must resolve to the DID.
	Handle string
	// LocalPassword is the account's password here. When empty, a KindPDS
	// import uses Password; a KindCAR import needs it.
	LocalPassword string
}

// check validates the fields the kind needs.
func (s Source) check() error {
	switch s.Kind {
	case KindPDS:
		if strings.TrimSpace(s.Identifier) == "" || s.Password == "" {
			return fmt.Errorf("%w: signing in to the current PDS needs an identifier and a password", ErrInvalidSource)
		}
		if s.PDSURL == "" {
			if _, err := syntax.ParseAtIdentifier(strings.TrimSpace(s.Identifier)); err != nil {
				return fmt.Errorf("%w: without a PDS URL the identifier must be a handle or DID: %q", ErrInvalidSource, s.Identifier)
			}
		}
	case KindCAR:
		if s.CARPath == "" {
			return fmt.Errorf("%w: no CAR file given", ErrInvalidSource)
		}
		if s.LocalPassword == "" {
			return fmt.Errorf("%w: importing a CAR file needs a password for the account here", ErrInvalidSource)
		}
	default:
		return fmt.Errorf("%w: kind %q (want %q or %q)", ErrInvalidSource, s.Kind, KindPDS, KindCAR)
	}
	return nil
}

// localPassword is the password the account gets here.
func (s Source) localPassword() string {
	if s.LocalPassword != "" {
		return s.LocalPassword
	}
	return s.Password
}

// resolvePDS finds the PDS of a handle or DID.
func resolvePDS(ctx context.Context, dir indigoid.Directory, identifier string) (string, error) {
	id, err := syntax.ParseAtIdentifier(strings.TrimSpace(identifier))
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrResolve, identifier, err)
	}
	ident, err := dir.Lookup(ctx, id)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrResolve, id, err)
	}
	if ident.PDSEndpoint() == "" {
		return "", fmt.Errorf("%w: the DID document of %s names no PDS", ErrResolve, ident.DID)
	}
	return ident.PDSEndpoint(), nil
}

// lookupDID resolves a DID afresh (a cached document may be stale).
func lookupDID(ctx context.Context, dir indigoid.Directory, did string) (*indigoid.Identity, error) {
	d, err := syntax.ParseDID(did)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a DID", ErrResolve, did)
	}
	_ = dir.Purge(ctx, d.AtIdentifier())
	ident, err := dir.LookupDID(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("%w: DID document of %s: %w", ErrResolve, d, err)
	}
	return ident, nil
}

// carDID reads the DID of the repository in a CAR file: the DID of its
// root commit. The whole file is verified later, by the import.
func carDID(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%w: CAR file: %w", ErrInvalidSource, err)
	}
	defer f.Close()
	cr, err := car.NewCarReader(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		return "", fmt.Errorf("%w: %s is not a CAR file: %v", ErrInvalidSource, path, err)
	}
	if len(cr.Header.Roots) != 1 {
		return "", fmt.Errorf("%w: %s has %d roots, a repository has one", ErrInvalidSource, path, len(cr.Header.Roots))
	}
	root := cr.Header.Roots[0]
	for {
		blk, err := cr.Next()
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("%w: %s does not hold its root block %s", ErrInvalidSource, path, root)
		}
		if err != nil {
			return "", fmt.Errorf("%w: %s: %v", ErrInvalidSource, path, err)
		}
		if !blk.Cid().Equals(root) {
			continue
		}
		var c indigorepo.Commit
		if err := c.UnmarshalCBOR(bytes.NewReader(blk.RawData())); err != nil {
			return "", fmt.Errorf("%w: the root of %s is not a repository commit: %v", ErrInvalidSource, path, err)
		}
		if _, err := syntax.ParseDID(c.DID); err != nil {
			return "", fmt.Errorf("%w: the commit in %s names no valid DID: %q", ErrInvalidSource, path, c.DID)
		}
		return c.DID, nil
	}
}
