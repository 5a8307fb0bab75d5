package remote

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
)

// Network reaches other accounts' PDSes: it finds a PDS from a DID
// document and mints the service-auth JWTs a grantee calls them with.
// Safe for concurrent use.
type Network struct {
	// Dir resolves DIDs (their documents name their PDS).
	Dir indigoid.Directory
	// HTTP sends the requests (http.DefaultClient when nil).
	HTTP *http.Client
	// Mint returns a service-auth JWT issued for iss (the grantee, whose
	// PDS signs it with the account's key), for audience aud and method
	// lxm. Nil: grantees cannot read (only anonymous calls work).
	Mint func(ctx context.Context, iss, aud, lxm string) (string, error)

	mu      sync.Mutex
	clients map[string]*Client // by endpoint and issuer
}

// Endpoint returns did's PDS endpoint from its DID document.
func (n *Network) Endpoint(ctx context.Context, did string) (string, error) {
	d, err := syntax.ParseDID(did)
	if err != nil {
		return "", fmt.Errorf("remote: %q is not a DID: %w", did, err)
	}
	ident, err := n.Dir.LookupDID(ctx, d)
	if err != nil {
		return "", fmt.Errorf("remote: resolve %s: %w", did, err)
	}
	ep := strings.TrimSuffix(ident.PDSEndpoint(), "/")
	if ep == "" {
		return "", fmt.Errorf("remote: the DID document of %s names no PDS", did)
	}
	return ep, nil
}

// ClientFor returns a client of did's PDS whose calls are authenticated as
// iss with fresh service-auth JWTs ("" iss: anonymous). Clients are kept,
// so that each PDS's service DID is read once.
func (n *Network) ClientFor(ctx context.Context, did, iss string) (*Client, error) {
	ep, err := n.Endpoint(ctx, did)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	key := ep + " " + iss
	if c, ok := n.clients[key]; ok {
		return c, nil
	}
	c := NewClient(ep, n.HTTP, nil)
	if iss != "" {
		if n.Mint == nil {
			return nil, fmt.Errorf("remote: no way to mint service-auth tokens for %s", iss)
		}
		c.Tokens = func(ctx context.Context, aud, lxm string) (string, error) { return n.Mint(ctx, iss, aud, lxm) }
	}
	if n.clients == nil {
		n.clients = map[string]*Client{}
	}
	n.clients[key] = c
	return c, nil
}

// Source returns a Source reading owner's private data from its PDS as
// grantee (service auth issued by the grantee).
func (n *Network) Source(ctx context.Context, grantee, owner string) (Source, error) {
	c, err := n.ClientFor(ctx, owner, grantee)
	if err != nil {
		return nil, err
	}
	return NewXRPCSource(c), nil
}

// PublishedKey is an account's encryption key as its PDS serves it
// (dev.hearthpds.crypto.getPublicKey).
type PublishedKey struct {
	DID       string `json:"did"`
	KEMID     int    `json:"kemId"`
	PublicKey string `json:"publicKey"` // base64url without padding
	KeyID     string `json:"keyId"`
	CreatedAt string `json:"createdAt,omitempty"`
}

// Key decodes and checks the published key: a supported KEM, a valid key,
// and a key ID that matches it.
func (p PublishedKey) Key() (crypt.PublicKey, error) {
	b, err := B64.DecodeString(p.PublicKey)
	if err != nil {
		return crypt.PublicKey{}, fmt.Errorf("remote: publicKey of %s: %w", p.DID, err)
	}
	if p.KEMID < 0 || p.KEMID > 0xffff {
		return crypt.PublicKey{}, fmt.Errorf("remote: kemId %d of %s: %w", p.KEMID, p.DID, crypt.ErrUnsupportedKEM)
	}
	k := crypt.PublicKey{KEMID: uint16(p.KEMID), Key: b}
	if err := k.Validate(); err != nil {
		return crypt.PublicKey{}, fmt.Errorf("remote: key of %s: %w", p.DID, err)
	}
	if k.KeyID() != p.KeyID {
		return crypt.PublicKey{}, fmt.Errorf("remote: key of %s: keyId %s does not match the key (%s): %w", p.DID, p.KeyID, k.KeyID(), crypt.ErrMalformed)
	}
	return k, nil
}

// PublicKey fetches did's encryption key from its PDS
// (dev.hearthpds.crypto.getPublicKey), for sealing grants to it; show its
// KeyID to the user to compare before granting.
func (n *Network) PublicKey(ctx context.Context, did string) (crypt.PublicKey, error) {
	c, err := n.ClientFor(ctx, did, "")
	if err != nil {
		return crypt.PublicKey{}, err
	}
	var out PublishedKey
	if err := c.Get(ctx, CryptoNS+"getPublicKey", url.Values{"did": {did}}, &out); err != nil {
		return crypt.PublicKey{}, fmt.Errorf("remote: the key of %s: %w", did, err)
	}
	if out.DID != did {
		return crypt.PublicKey{}, fmt.Errorf("remote: asked for the key of %s, got %s's", did, out.DID)
	}
	return out.Key()
}

// Reader is a grantee's client: it reads, over the network, the private
// collections other accounts granted it, and decrypts them with its own
// identity.
type Reader struct {
	Net      *Network
	Identity *crypt.Identity // the grantee's, unlocked where it lives
	Grantee  string          // the grantee's DID (the issuer of its tokens)
}

// Open fetches the grantee's sealed grants of owner's collection from the
// owner's PDS and opens them.
func (r Reader) Open(ctx context.Context, owner, collection string) (*Collection, error) {
	src, err := r.Net.Source(ctx, r.Grantee, owner)
	if err != nil {
		return nil, err
	}
	return Open(ctx, src, r.Identity, r.Grantee, owner, collection)
}

// Blob fetches and decrypts owner's blob ref (found in a granted record).
func (r Reader) Blob(ctx context.Context, owner string, ref crypt.BlobRef) (io.ReadCloser, error) {
	src, err := r.Net.Source(ctx, r.Grantee, owner)
	if err != nil {
		return nil, err
	}
	return OpenBlob(ctx, src, owner, ref)
}
