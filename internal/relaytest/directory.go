package relaytest

import (
	"context"
	"sync"

	"github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"
)

// Directory resolves DIDs through a PLC directory and trusts the handle a
// DID document declares: test handles (".test") cannot be verified over
// DNS or HTTPS. Resolved identities are cached until Purge.
type Directory struct {
	// Base resolves DID documents (its PLCURL and a plain HTTP client).
	Base *identity.BaseDirectory

	mu    sync.Mutex
	cache map[syntax.DID]*identity.Identity
}

var _ identity.Directory = (*Directory)(nil)

// LookupDID resolves a DID and takes its declared handle as verified.
func (d *Directory) LookupDID(ctx context.Context, did syntax.DID) (*identity.Identity, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ident, ok := d.cache[did]; ok {
		return ident, nil
	}
	doc, err := d.Base.ResolveDID(ctx, did)
	if err != nil {
		return nil, err
	}
	ident := identity.ParseIdentity(doc)
	if h, err := ident.DeclaredHandle(); err == nil {
		ident.Handle = h
	}
	if d.cache == nil {
		d.cache = map[syntax.DID]*identity.Identity{}
	}
	d.cache[did] = &ident
	return &ident, nil
}

// LookupHandle is not supported: the relay resolves DIDs only.
func (d *Directory) LookupHandle(context.Context, syntax.Handle) (*identity.Identity, error) {
	return nil, identity.ErrHandleNotFound
}

// Lookup resolves a DID (handles are not supported).
func (d *Directory) Lookup(ctx context.Context, a syntax.AtIdentifier) (*identity.Identity, error) {
	did, err := a.AsDID()
	if err != nil {
		return nil, identity.ErrHandleNotFound
	}
	return d.LookupDID(ctx, did)
}

// Purge forgets a cached DID.
func (d *Directory) Purge(_ context.Context, a syntax.AtIdentifier) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if did, err := a.AsDID(); err == nil {
		delete(d.cache, did)
	}
	return nil
}
