package actasclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"
)

// The token exchange as backend/oauth serves it (RFC 8693).
const (
	// ExchangeMethod is the lxm of the controller's actor token.
	ExchangeMethod = "dev.hearthpds.oauth.exchange"
	// GrantTokenExchange is the exchange's grant_type.
	GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	// TokenTypeDID is the subject_token_type: the subject token is the DID
	// of the account to act as.
	TokenTypeDID = "urn:hearthpds:params:oauth:token-type:did"
	// TokenTypeJWT is the actor_token_type.
	TokenTypeJWT = "urn:ietf:params:oauth:token-type:jwt"
	// DefaultClientID is the client_id the exchange names: the atproto
	// localhost client form, which needs no metadata document (a desktop
	// app has no public URL to serve one from).
	DefaultClientID = "http://localhost"
)

// maxDoc bounds a JSON document or XRPC answer read.
const maxDoc = 4 << 20

// Resolver finds a DID's document (indigo's identity.Directory is one).
type Resolver interface {
	LookupDID(ctx context.Context, did syntax.DID) (*identity.Identity, error)
}

// Options configure a Client.
type Options struct {
	// Directory resolves the account's DID (required).
	Directory Resolver
	// HTTPClient makes the requests; nil means one with a 20 s timeout
	// that follows no redirects.
	HTTPClient *http.Client
	// ClientID is the OAuth client_id the exchange names;
	// DefaultClientID when empty.
	ClientID string
}

// Client finds accounts' servers and exchanges actor tokens. It is safe
// for concurrent use.
type Client struct {
	dir      Resolver
	hc       *http.Client
	clientID string
}

// New returns a Client for opts.
func New(opts Options) *Client {
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{
			Timeout:       20 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	id := opts.ClientID
	if id == "" {
		id = DefaultClientID
	}
	return &Client{dir: opts.Directory, hc: hc, clientID: id}
}

// Target is an account to act as and where it lives.
type Target struct {
	DID syntax.DID
	// Handle is the handle its DID document declares ("" when none);
	// HandleVerified says whether the directory confirmed it.
	Handle         string
	HandleVerified bool
	// PDS is the account's PDS URL (no trailing slash).
	PDS string
	// ServiceDID is the PDS's own DID (describeServer): the actor token's
	// audience.
	ServiceDID string
	// Issuer is the PDS's authorization server, TokenEndpoint its token
	// endpoint.
	Issuer        string
	TokenEndpoint string
	// RevocationEndpoint is where a token is revoked ("" when the server
	// names none).
	RevocationEndpoint string
}

// Discover resolves did to its PDS, the PDS's authorization server and
// service DID, checking that the server offers the token exchange.
func (c *Client) Discover(ctx context.Context, did syntax.DID) (Target, error) {
	if c.dir == nil {
		return Target{}, errors.New("actasclient: no directory")
	}
	ident, err := c.dir.LookupDID(ctx, did)
	if err != nil {
		return Target{}, fmt.Errorf("%w: %s does not resolve: %w", ErrNotFound, did, err)
	}
	t := Target{DID: did, PDS: strings.TrimSuffix(ident.PDSEndpoint(), "/")}
	if t.PDS == "" {
		return Target{}, fmt.Errorf("%w: the DID document of %s names no PDS", ErrNotFound, did)
	}
	if ident.Handle != "" && ident.Handle != syntax.HandleInvalid {
		t.Handle, t.HandleVerified = ident.Handle.String(), true
	} else if h, err := ident.DeclaredHandle(); err == nil {
		t.Handle = h.String()
	}
	if err := checkURL(t.PDS); err != nil {
		return Target{}, fmt.Errorf("%w: the account's PDS: %w", ErrUnsupported, err)
	}
	var prm struct {
		AuthorizationServers []string `json:"authorization_servers"`
	}
	if err := c.getJSON(ctx, t.PDS+"/.well-known/oauth-protected-resource", &prm); err != nil {
		return Target{}, err
	}
	if len(prm.AuthorizationServers) == 0 {
		return Target{}, fmt.Errorf("%w: the PDS names no authorization server", ErrUnsupported)
	}
	t.Issuer = prm.AuthorizationServers[0]
	if err := checkURL(t.Issuer); err != nil {
		return Target{}, fmt.Errorf("%w: the authorization server: %w", ErrUnsupported, err)
	}
	var meta struct {
		Issuer        string   `json:"issuer"`
		TokenEndpoint string   `json:"token_endpoint"`
		Revocation    string   `json:"revocation_endpoint"`
		GrantTypes    []string `json:"grant_types_supported"`
		DPoPAlgs      []string `json:"dpop_signing_alg_values_supported"`
	}
	if err := c.getJSON(ctx, t.Issuer+"/.well-known/oauth-authorization-server", &meta); err != nil {
		return Target{}, err
	}
	switch {
	case meta.Issuer != t.Issuer:
		return Target{}, fmt.Errorf("%w: the authorization server's issuer %q is not %q", ErrUnsupported, meta.Issuer, t.Issuer)
	case !slices.Contains(meta.GrantTypes, GrantTokenExchange):
		return Target{}, fmt.Errorf("%w: the authorization server does not offer the token exchange", ErrUnsupported)
	case !slices.Contains(meta.DPoPAlgs, "ES256"):
		return Target{}, fmt.Errorf("%w: the authorization server does not take DPoP proofs signed with ES256", ErrUnsupported)
	}
	if err := checkURL(meta.TokenEndpoint); err != nil {
		return Target{}, fmt.Errorf("%w: the token endpoint: %w", ErrUnsupported, err)
	}
	t.TokenEndpoint = meta.TokenEndpoint
	if meta.Revocation != "" && checkURL(meta.Revocation) == nil {
		t.RevocationEndpoint = meta.Revocation
	}
	var ds struct {
		DID string `json:"did"`
	}
	if err := c.getJSON(ctx, t.PDS+"/xrpc/com.atproto.server.describeServer", &ds); err != nil {
		return Target{}, err
	}
	if _, err := syntax.ParseDID(ds.DID); err != nil {
		return Target{}, fmt.Errorf("%w: the PDS's describeServer gives no service DID", ErrUnsupported)
	}
	t.ServiceDID = ds.DID
	return t, nil
}

// checkURL accepts https URLs, and plain http ones to loopback hosts.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.User != nil:
		return fmt.Errorf("%q is not a URL", raw)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && loopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%q is not an https URL", raw)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// getJSON fetches a JSON document: 200 only, bounded.
func (c *Client) getJSON(ctx context.Context, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, u, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDoc))
	switch {
	case err != nil:
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, u, err)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%w: %s answered HTTP %d", ErrUnreachable, u, resp.StatusCode)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, u, err)
	}
	return nil
}

// Query makes a public XRPC query (no credentials) to the PDS at pds,
// such as com.atproto.repo.listRecords. An XRPC error answer is an
// *XRPCError.
func (c *Client) Query(ctx context.Context, pds, nsid string, params url.Values, out any) error {
	if err := checkURL(pds); err != nil {
		return fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	u := strings.TrimSuffix(pds, "/") + "/xrpc/" + nsid
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, nsid, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, nsid, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDoc))
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, nsid, err)
	}
	if resp.StatusCode != http.StatusOK {
		return xrpcError(resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%w: %s: the answer is not the expected JSON: %w", ErrUnreachable, nsid, err)
	}
	return nil
}
