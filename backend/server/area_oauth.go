package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/hearthpds/hearth/backend/oauth"
	"github.com/hearthpds/hearth/backend/proxy"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// oauthArea holds the OAuth authorization server: its endpoints under
// /oauth/ and /.well-known/, and the check the XRPC router runs for
// "Authorization: DPoP" requests.
type oauthArea struct {
	oauth *oauth.Server
}

// initOAuth builds the authorization server. Its keys derive from the
// master key, so every instance on one database agrees on tokens and
// nonces. Client metadata on loopback or private hosts over plain http is
// accepted only in dev mode or when this server itself is on such a host
// (tests, local development): oauth.Config.AllowHTTPClients.
func (s *Server) initOAuth(context.Context) error {
	allowHTTP := s.cfg.Dev || privateHost(s.cfg.PublicURL.Hostname())
	srv, err := oauth.New(oauth.Config{
		Store: s.store, Issuer: s.cfg.PublicURL.String(), ServiceDID: s.cfg.ServiceDID.String(),
		TokenKey: s.sealer.DeriveKey(oauth.PurposeAccessToken, 32), NonceKey: s.sealer.DeriveKey(oauth.PurposeNonce, 32),
		Accounts: s.accounts, HTTPClient: oauthHTTPClient(allowHTTP), AllowHTTPClients: allowHTTP, Logger: s.log,
		// Act-as: refreshes and every request re-check the controller's
		// grant, tokens issued to controllers are audited, the token
		// exchange verifies actor tokens like any service-auth JWT (the
		// same jti replay cache), and remote controllers are found in
		// the identity directory.
		RefreshCheck: s.delegation.RefreshCheck, ActAs: actAs{svc: s.delegation, store: s.store},
		ServiceAuth: s.serviceAuth, Directory: s.dir,
	})
	if err != nil {
		return fmt.Errorf("oauth: %w", err)
	}
	s.oauth = srv
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.RunCleanup(ctx) }()
	s.closers = append(s.closers, func() error { cancel(); <-done; return nil })
	return nil
}

// registerOAuth adds the OAuth endpoints and lets the router, and the
// proxy behind it, accept OAuth access tokens. It runs after
// registerProxy.
func (s *Server) registerOAuth(rt *xrpc.Router, mux *http.ServeMux) {
	s.oauth.Routes(mux)
	rt.SetOAuthVerifier(oauthVerifier{s.oauth})
	if h, ok := rt.Fallback.(*proxy.Handler); ok {
		rt.Fallback = s.oauthProxy(h)
	}
}

// OAuth returns the authorization server (tests inject its clock).
func (s *Server) OAuth() *oauth.Server { return s.oauth }

// oauthVerifier adapts the authorization server to the router.
type oauthVerifier struct{ srv *oauth.Server }

// VerifyDPoP checks a DPoP-bound access token and its proof.
func (v oauthVerifier) VerifyDPoP(r *http.Request, token string) (xrpc.OAuthClaims, error) {
	c, err := v.srv.VerifyResource(r, token)
	var re *oauth.ResourceError
	if errors.As(err, &re) {
		return xrpc.OAuthClaims{}, &xrpc.OAuthChallenge{Code: re.Code, Description: re.Description, Nonce: re.Nonce, Expired: re.Expired}
	}
	if err != nil {
		return xrpc.OAuthClaims{}, err
	}
	return xrpc.OAuthClaims{DID: c.DID, Scope: c.Scope, ClientID: c.ClientID, Actor: c.Actor, TokenID: c.TokenID}, nil
}

// oauthHTTPClient fetches client metadata: bounded, and refusing private
// and loopback addresses (at connect time, after DNS) unless allowPrivate.
func oauthHTTPClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !proxy.PublicAddr(ap.Addr().Unmap()) {
				return fmt.Errorf("client metadata host %s is not a public address", address)
			}
			return nil
		}
	}
	tr := &http.Transport{
		DialContext: d.DialContext, TLSHandshakeTimeout: 5 * time.Second,
		ResponseHeaderTimeout: 5 * time.Second, MaxIdleConns: 16, IdleConnTimeout: 30 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}
