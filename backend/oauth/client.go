package oauth

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// clientMetadata is a client metadata document (the fields Hearth reads).
type clientMetadata struct {
	ClientID                    string   `json:"client_id"`
	ApplicationType             string   `json:"application_type,omitempty"`
	GrantTypes                  []string `json:"grant_types"`
	Scope                       string   `json:"scope"`
	ResponseTypes               []string `json:"response_types"`
	RedirectURIs                []string `json:"redirect_uris"`
	TokenEndpointAuthMethod     string   `json:"token_endpoint_auth_method,omitempty"`
	TokenEndpointAuthSigningAlg string   `json:"token_endpoint_auth_signing_alg,omitempty"`
	DPoPBoundAccessTokens       bool     `json:"dpop_bound_access_tokens"`
	JWKS                        *jwkSet  `json:"jwks,omitempty"`
	JWKSURI                     string   `json:"jwks_uri,omitempty"`
	ClientName                  string   `json:"client_name,omitempty"`
	ClientURI                   string   `json:"client_uri,omitempty"`
}

// jwkSet is a JWKS document.
type jwkSet struct {
	Keys []jwk `json:"keys"`
}

// client is a resolved, validated client.
type client struct {
	ID       string
	Meta     clientMetadata
	Loopback bool  // the http://localhost development form
	Keys     []jwk // the client's authentication keys (private_key_jwt)
}

// confidential reports whether the client authenticates with a key.
func (c *client) confidential() bool { return c.Meta.TokenEndpointAuthMethod == "private_key_jwt" }

// native reports whether the client is a native app.
func (c *client) native() bool { return c.Meta.ApplicationType == "native" }

// allowsGrant reports whether the client declared a grant type.
func (c *client) allowsGrant(g string) bool { return slices.Contains(c.Meta.GrantTypes, g) }

// scopes returns the scope tokens the client declared.
func (c *client) scopes() []string { return strings.Fields(c.Meta.Scope) }

// Client metadata fetching limits.
const (
	clientCacheTTL  = 5 * time.Minute
	clientCacheSize = 512
	maxMetadataSize = 64 << 10
)

// clientCache resolves client_id URLs, keeping documents for a while.
type clientCache struct {
	s       *Server
	mu      sync.Mutex
	entries map[string]clientEntry
}

type clientEntry struct {
	c       *client
	expires time.Time
}

func newClientCache(s *Server) *clientCache {
	return &clientCache{s: s, entries: make(map[string]clientEntry)}
}

// get returns the client with this ID, fetching its metadata when it is
// not cached. Errors are *Error values (invalid_client) or fetch failures
// wrapped in them.
func (cc *clientCache) get(ctx context.Context, clientID string) (*client, error) {
	now := time.Now()
	cc.mu.Lock()
	e, ok := cc.entries[clientID]
	cc.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.c, nil
	}
	c, err := cc.s.resolveClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if len(cc.entries) >= clientCacheSize {
		for k, v := range cc.entries { // drop expired entries, then any
			if now.After(v.expires) {
				delete(cc.entries, k)
			}
		}
		for k := range cc.entries {
			if len(cc.entries) < clientCacheSize {
				break
			}
			delete(cc.entries, k)
		}
	}
	cc.entries[clientID] = clientEntry{c: c, expires: now.Add(clientCacheTTL)}
	return c, nil
}

// resolveClient builds the client of a client_id: the virtual document of
// the localhost form, or the fetched and validated metadata document.
func (s *Server) resolveClient(ctx context.Context, clientID string) (*client, error) {
	if clientID == "" {
		return nil, invalidRequest("client_id is required")
	}
	u, err := url.Parse(clientID)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, invalidClient("client_id must be an absolute URL without credentials or fragment")
	}
	if u.Scheme == "http" && u.Host == "localhost" {
		return loopbackClient(clientID, u)
	}
	if err := s.checkFetchURL(u); err != nil {
		return nil, invalidClient("client_id: %v", err)
	}
	var meta clientMetadata
	if err := s.fetchJSON(ctx, clientID, &meta); err != nil {
		return nil, invalidClient("client metadata: %v", err)
	}
	c := &client{ID: clientID, Meta: meta}
	if err := s.validateClient(c, u); err != nil {
		return nil, err
	}
	if c.confidential() {
		if err := s.loadClientKeys(ctx, c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// loopbackClient is the virtual metadata of an http://localhost client_id
// (atproto OAuth, "Localhost Client Development").
func loopbackClient(clientID string, u *url.URL) (*client, error) {
	if u.Path != "" && u.Path != "/" {
		return nil, invalidClient("a localhost client_id has no path")
	}
	q := u.Query()
	redirects := q["redirect_uri"]
	if len(redirects) == 0 {
		redirects = []string{"http://127.0.0.1/", "http://[::1]/"}
	}
	for _, r := range redirects {
		ru, err := url.Parse(r)
		if err != nil || ru.Scheme != "http" || !loopbackIP(ru.Hostname()) {
			return nil, invalidClient("a localhost client's redirect_uri must be http://127.0.0.1 or http://[::1] (got %q)", r)
		}
	}
	scope := "atproto"
	switch len(q["scope"]) {
	case 0:
	case 1:
		scope = q.Get("scope")
	default:
		return nil, invalidClient("a localhost client_id has at most one scope parameter")
	}
	if !slices.Contains(strings.Fields(scope), "atproto") {
		return nil, invalidClient("the client's scope must include atproto")
	}
	return &client{ID: clientID, Loopback: true, Meta: clientMetadata{
		ClientID: clientID, ClientName: "Development client (localhost)", ApplicationType: "native",
		GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"},
		Scope: scope, RedirectURIs: redirects, TokenEndpointAuthMethod: "none", DPoPBoundAccessTokens: true,
	}}, nil
}

// loopbackIP reports whether host is 127.0.0.1 or ::1 (not "localhost").
func loopbackIP(host string) bool {
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// validateClient checks a fetched metadata document.
func (s *Server) validateClient(c *client, idURL *url.URL) error {
	m := &c.Meta
	switch {
	case m.ClientID != c.ID:
		return invalidClient("client metadata: client_id %q differs from the URL it was fetched from", m.ClientID)
	case !slices.Contains(m.GrantTypes, "authorization_code"):
		return invalidClient("client metadata: grant_types must include authorization_code")
	case !slices.Contains(m.ResponseTypes, "code"):
		return invalidClient("client metadata: response_types must include code")
	case !slices.Contains(strings.Fields(m.Scope), "atproto"):
		return invalidClient("client metadata: scope must include atproto")
	case !m.DPoPBoundAccessTokens:
		return invalidClient("client metadata: dpop_bound_access_tokens must be true")
	case len(m.RedirectURIs) == 0:
		return invalidClient("client metadata: redirect_uris must not be empty")
	}
	for _, g := range m.GrantTypes {
		if g != "authorization_code" && g != "refresh_token" {
			return invalidClient("client metadata: unsupported grant type %q", g)
		}
	}
	switch m.ApplicationType {
	case "":
		m.ApplicationType = "web"
	case "web", "native":
	default:
		return invalidClient("client metadata: application_type must be web or native")
	}
	for _, r := range m.RedirectURIs {
		if err := s.checkRedirectURI(c, idURL, r); err != nil {
			return invalidClient("client metadata: redirect_uri %q: %v", r, err)
		}
	}
	switch m.TokenEndpointAuthMethod {
	case "none":
		if m.TokenEndpointAuthSigningAlg != "" {
			return invalidClient("client metadata: token_endpoint_auth_signing_alg is only for private_key_jwt")
		}
	case "private_key_jwt":
		if m.TokenEndpointAuthSigningAlg != "" && m.TokenEndpointAuthSigningAlg != "ES256" {
			return invalidClient("client metadata: token_endpoint_auth_signing_alg must be ES256")
		}
		if (m.JWKS == nil) == (m.JWKSURI == "") {
			return invalidClient("client metadata: a private_key_jwt client needs exactly one of jwks and jwks_uri")
		}
	case "":
		return invalidClient("client metadata: token_endpoint_auth_method is required (none or private_key_jwt)")
	default:
		return invalidClient("client metadata: unsupported token_endpoint_auth_method %q", m.TokenEndpointAuthMethod)
	}
	return nil
}

// checkRedirectURI applies the atproto rules for a registered redirect
// URI: web clients use https on the client_id's origin; native clients may
// also use a reverse-domain custom scheme or http loopback IPs.
func (s *Server) checkRedirectURI(c *client, idURL *url.URL, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Fragment != "" {
		return fmt.Errorf("not a URL without fragment")
	}
	switch {
	case u.Scheme == "https":
		if u.Host != idURL.Host && !s.cfg.AllowHTTPClients {
			return fmt.Errorf("must have the origin of the client_id")
		}
		return nil
	case u.Scheme == "http":
		if loopbackIP(u.Hostname()) && (c.native() || s.cfg.AllowHTTPClients) {
			return nil
		}
		if s.cfg.AllowHTTPClients && u.Host == idURL.Host {
			return nil
		}
		return fmt.Errorf("http is only for loopback IPs of native clients")
	case c.native():
		if !strings.HasPrefix(raw, u.Scheme+":/") || strings.HasPrefix(raw, u.Scheme+"://") {
			return fmt.Errorf("a custom scheme is followed by a single slash")
		}
		if !reverseDomainOf(u.Scheme, idURL.Hostname()) {
			return fmt.Errorf("the custom scheme must be the client_id's host in reverse order")
		}
		return nil
	}
	return fmt.Errorf("unsupported scheme %q", u.Scheme)
}

// reverseDomainOf reports whether scheme is host's labels reversed
// (com.example.app for app.example.com).
func reverseDomainOf(scheme, host string) bool {
	labels := strings.Split(host, ".")
	slices.Reverse(labels)
	return strings.EqualFold(scheme, strings.Join(labels, "."))
}

// loadClientKeys fills the client's authentication keys from jwks or
// jwks_uri.
func (s *Server) loadClientKeys(ctx context.Context, c *client) error {
	set := c.Meta.JWKS
	if c.Meta.JWKSURI != "" {
		u, err := url.Parse(c.Meta.JWKSURI)
		if err != nil || u.Host == "" {
			return invalidClient("client metadata: jwks_uri is not a URL")
		}
		if err := s.checkFetchURL(u); err != nil {
			return invalidClient("client metadata: jwks_uri: %v", err)
		}
		set = &jwkSet{}
		if err := s.fetchJSON(ctx, c.Meta.JWKSURI, set); err != nil {
			return invalidClient("client jwks_uri: %v", err)
		}
	}
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if k.Alg != "" && k.Alg != "ES256" {
			continue
		}
		if _, err := k.publicKey(); err == nil {
			c.Keys = append(c.Keys, k)
		}
	}
	if len(c.Keys) == 0 {
		return invalidClient("client metadata: no usable ES256 (P-256) public key in the client's JWKS")
	}
	return nil
}
