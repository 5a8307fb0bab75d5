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
	// local, when set, renders the document of a local-first account whose
	// genesis operation is not published yet (ok false otherwise).
	local func(ctx context.Context, did string) (doc json.RawMessage, ok bool)
}

func newDIDDocs(resolver *indigoid.BaseDirectory) *didDocs {
	return &didDocs{resolver: resolver, cache: expirable.NewLRU[string, json.RawMessage](10_000, nil, didDocTTL)}
}

// DIDDocument returns the DID's current document.
func (d *didDocs) DIDDocument(ctx context.Context, did string) (any, error) {
	if doc, ok := d.cache.Get(did); ok {
		return doc, nil
	}
	if d.local != nil {
		if doc, ok := d.local(ctx, did); ok {
			return doc, nil
		}
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

// localDIDDoc renders a local-first account's unpublished DID document.
func (s *Server) localDIDDoc(ctx context.Context, did string) (json.RawMessage, bool) {
	if !s.opts.LocalFirst {
		return nil, false
	}
	doc, err := s.accounts.LocalDocument(ctx, did)
	if err != nil {
		return nil, false
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, false
	}
	return raw, true
}
