package server

import (
	"context"
	"encoding/json"
	"time"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/hashicorp/golang-lru/v2/expirable"
)

// didDocTTL bounds how stale a DID document in a session or describeRepo
// response may be.
const didDocTTL = time.Minute

// didDocs serves the DID documents of accounts (createSession, getSession,
// describeRepo) as their method's resolver returns them. It resolves the DID
// only: unlike a directory lookup it does not verify the handle, which for a
// local handle (.test) would wait on DNS for nothing.
type didDocs struct {
	resolver *indigoid.BaseDirectory
	cache    *expirable.LRU[string, json.RawMessage]
}

func newDIDDocs(resolver *indigoid.BaseDirectory) *didDocs {
	return &didDocs{resolver: resolver, cache: expirable.NewLRU[string, json.RawMessage](10_000, nil, didDocTTL)}
}

// DIDDocument returns the DID's current document.
func (d *didDocs) DIDDocument(ctx context.Context, did string) (any, error) {
	if doc, ok := d.cache.Get(did); ok {
		return doc, nil
	}
	parsed, err := syntax.ParseDID(did)
	if err != nil {
		return nil, err
	}
	doc, err := d.resolver.ResolveDIDRaw(ctx, parsed)
	if err != nil {
		return nil, err
	}
	d.cache.Add(did, doc)
	return doc, nil
}

// Forget drops a cached document (after the DID document changed).
func (d *didDocs) Forget(did string) { d.cache.Remove(did) }

// forgetfulDirectory is a directory whose Purge also drops the cached DID
// document, so lifecycle changes (handle, migration) show at once.
type forgetfulDirectory struct {
	indigoid.Directory
	docs *didDocs
}

func (f forgetfulDirectory) Purge(ctx context.Context, id syntax.AtIdentifier) error {
	if id.IsDID() {
		f.docs.Forget(id.String())
	}
	return f.Directory.Purge(ctx, id)
}
