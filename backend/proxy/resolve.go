package proxy

import (
	"context"
	"errors"
	"net/url"

	"github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"
)

// DIDLookup resolves a DID to its identity. indigo's identity.Directory
// satisfies it; give the Resolver a cached one (identity.CacheDirectory),
// since every forwarded call resolves its service.
type DIDLookup interface {
	LookupDID(ctx context.Context, did syntax.DID) (*identity.Identity, error)
}

var _ DIDLookup = identity.Directory(nil)

// Resolver finds a service's endpoint in its DID document.
type Resolver struct {
	// Directory resolves DIDs; it should cache.
	Directory DIDLookup
	// AllowPrivate accepts http endpoints as well as https.
	AllowPrivate bool
}

// Endpoint returns the base URL of a service. Its errors are 400
// InvalidRequest *Error values naming what failed, as in the reference PDS.
func (r Resolver) Endpoint(ctx context.Context, s Service) (*url.URL, error) {
	ident, err := r.Directory.LookupDID(ctx, s.DID)
	if err != nil {
		e := invalidRequest("could not resolve proxy did")
		e.Cause = err
		return nil, e
	}
	raw := ident.GetServiceEndpoint(s.ID)
	if raw == "" {
		return nil, invalidRequest("could not resolve proxy did service url")
	}
	u, err := r.checkEndpoint(raw)
	if err != nil {
		e := invalidRequest("proxy did service url is not usable")
		e.Cause = err
		return nil, e
	}
	return u, nil
}

var (
	errEndpointScheme = errors.New("service endpoint must be an https URL")
	errEndpointForm   = errors.New("service endpoint must be a plain URL: scheme, host and optional path")
)

// checkEndpoint parses a service endpoint: https (or http when allowed),
// a host, no credentials, query or fragment.
func (r Resolver) checkEndpoint(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "https" && (u.Scheme != "http" || !r.AllowPrivate) {
		return nil, errEndpointScheme
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, errEndpointForm
	}
	return u, nil
}
