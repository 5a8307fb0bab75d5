package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	indigooauth "github.com/bluesky-social/indigo/atproto/auth/oauth"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/store"
)

// The cross-PDS login. An app asks this server (D's PDS) to sign in with
// login_hint = D; D's controller C lives on another PDS. This server is
// then an OAuth client of C's PDS (indigo's ClientApp, public client, DPoP,
// PKCE, scope atproto, login_hint = C): C signs in there, the callback
// here checks iss, the DPoP token type and sub == C, revokes the remote
// session (it only proved who C is), re-checks the grant and shows the
// consent page for the app's request with the intersected scope.

const (
	// remoteStateTTL bounds the trip to the controller's PDS.
	remoteStateTTL = 10 * time.Minute
	// remoteStatePrefix marks the oauth_requests rows holding a trip's
	// state (pushed requests' IDs never contain ':').
	remoteStatePrefix = "remote:"
	// remoteStateClient is those rows' client_id (no real client_id is
	// a URN).
	remoteStateClient = "urn:hearthpds:delegated-login"
	// maxRemoteDocBytes bounds the documents read from a remote server.
	maxRemoteDocBytes = 64 << 10
)

// remoteState is a trip to a controller's PDS, bound to the app's request
// and to the browser that started it.
type remoteState struct {
	RequestID  string                      `json:"request_id"` // the app's pushed request
	ClientID   string                      `json:"client_id"`  // the app
	Device     []byte                      `json:"device"`     // SHA-256 of the browser's device cookie
	Delegated  string                      `json:"delegated"`
	Controller string                      `json:"controller"`
	Auth       indigooauth.AuthRequestData `json:"auth"` // PKCE verifier and DPoP key: single use, 10 minutes
}

// SetRemoteClient replaces the HTTP client used to talk to controllers'
// servers (tests: loopback servers); nil restores Config.HTTPClient.
func (s *Server) SetRemoteClient(c *http.Client) { s.remote.Store(c) }

// remoteClient is the HTTP client for controllers' servers.
func (s *Server) remoteClient() *http.Client {
	if c := s.remote.Load(); c != nil {
		return c
	}
	return s.cfg.HTTPClient
}

// remoteConfig is this server's client configuration at controllers'
// servers: a public web client whose metadata this server serves.
func (s *Server) remoteConfig() *indigooauth.ClientConfig {
	cfg := indigooauth.NewPublicConfig(s.endpoint(pathRemoteClient), s.endpoint(pathRemoteCallback), []string{"atproto"})
	cfg.UserAgent = "hearth"
	return &cfg
}

// remoteApp is indigo's ClientApp for the trip (its own resolver is not
// used: it refuses loopback servers, and the metadata is read here).
func (s *Server) remoteApp() *indigooauth.ClientApp {
	app := indigooauth.NewClientApp(s.remoteConfig(), indigooauth.NewMemStore())
	app.Client = s.remoteClient()
	app.Resolver.Client = s.remoteClient()
	if s.cfg.Directory != nil {
		app.Dir = s.cfg.Directory
	}
	return app
}

// remoteClientMetadata serves the client metadata document.
func (s *Server) remoteClientMetadata(w http.ResponseWriter, _ *http.Request) {
	m := s.remoteConfig().ClientMetadata()
	name := "Hearth (" + s.cfg.Issuer + "): sign in as a controller"
	m.ClientName = &name
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, m)
}

// startRemote sends the browser to the controller's PDS to sign in.
func (s *Server) startRemote(w http.ResponseWriter, r *http.Request, base page, pd *pending, device, controller string) {
	ctx := r.Context()
	base.View, base.Title, base.Identifier = "login", "Sign in", pd.params.LoginHint
	fail := func(status int, msg string) {
		base.Error = msg
		s.render(w, status, base)
	}
	if base.Delegated.DID == "" || !slices.ContainsFunc(base.RemoteControllers, func(a pageAccount) bool { return a.DID == controller }) {
		fail(http.StatusForbidden, "That account is not a controller of this account.")
		return
	}
	meta, err := s.resolveRemote(ctx, controller)
	if err != nil {
		s.log.Warn("oauth: resolve a controller's server", "controller", controller, "err", err)
		fail(http.StatusBadGateway, "The controller's server could not be reached for sign-in: "+err.Error())
		return
	}
	app := s.remoteApp()
	info, err := app.SendAuthRequest(ctx, meta, []string{"atproto"}, controller)
	if err != nil {
		s.log.Warn("oauth: pushed request to a controller's server", "controller", controller, "issuer", meta.Issuer, "err", err)
		fail(http.StatusBadGateway, "The controller's server refused the sign-in request.")
		return
	}
	did := syntax.DID(controller)
	info.AccountDID = &did
	st := remoteState{
		RequestID: pd.req.ID, ClientID: pd.client.ID, Device: hashSecret(device),
		Delegated: base.Delegated.DID, Controller: controller, Auth: *info,
	}
	params, err := json.Marshal(st)
	if err == nil {
		err = s.cfg.Store.CreateOAuthRequest(ctx, store.OAuthRequest{
			ID: remoteStatePrefix + info.State, ClientID: remoteStateClient, ClientAuth: "none",
			Params: params, ExpiresAt: s.clock().Add(remoteStateTTL),
		})
	}
	if err != nil {
		s.log.Error("oauth: store a cross-PDS sign-in", "err", err)
		fail(http.StatusInternalServerError, "Something went wrong; please try again.")
		return
	}
	q := url.Values{"client_id": {app.Config.ClientID}, "request_uri": {info.RequestURI}}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, meta.AuthorizationEndpoint+"?"+q.Encode(), http.StatusSeeOther)
}

// resolveRemote finds the authorization server of a controller: its DID
// document's PDS, that server's protected-resource document, and the
// authorization server's metadata, whose issuer must be exactly the URL
// the resource document names.
func (s *Server) resolveRemote(ctx context.Context, controller string) (*indigooauth.AuthServerMetadata, error) {
	if s.cfg.Directory == nil {
		return nil, errors.New("no identity directory")
	}
	did, err := syntax.ParseDID(controller)
	if err != nil {
		return nil, fmt.Errorf("controller %q is not a DID", controller)
	}
	ident, err := s.cfg.Directory.LookupDID(ctx, did)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", did, err)
	}
	pds := strings.TrimSuffix(ident.PDSEndpoint(), "/")
	if err := s.remoteURLAllowed(pds); err != nil {
		return nil, fmt.Errorf("the controller's PDS: %w", err)
	}
	var prm indigooauth.ProtectedResourceMetadata
	if err := s.getRemoteJSON(ctx, pds+"/.well-known/oauth-protected-resource", &prm); err != nil {
		return nil, err
	}
	if len(prm.AuthorizationServers) == 0 {
		return nil, errors.New("the controller's PDS names no authorization server")
	}
	issuer := prm.AuthorizationServers[0]
	if err := s.remoteURLAllowed(issuer); err != nil {
		return nil, fmt.Errorf("the authorization server: %w", err)
	}
	var meta indigooauth.AuthServerMetadata
	if err := s.getRemoteJSON(ctx, issuer+"/.well-known/oauth-authorization-server", &meta); err != nil {
		return nil, err
	}
	if meta.Issuer != issuer {
		return nil, fmt.Errorf("the authorization server's issuer %q is not %q", meta.Issuer, issuer)
	}
	if !s.cfg.AllowHTTPClients {
		if err := meta.Validate(issuer); err != nil {
			return nil, err
		}
	}
	switch {
	case meta.PushedAuthorizationRequestEndpoint == "" || meta.TokenEndpoint == "" || meta.AuthorizationEndpoint == "":
		return nil, errors.New("the authorization server's metadata lacks an endpoint")
	case !meta.AuthorizationReponseISSParameterSupported:
		return nil, errors.New("the authorization server does not send iss in its responses")
	case !slices.Contains(meta.DPoPSigningAlgValuesSupported, "ES256"):
		return nil, errors.New("the authorization server does not support DPoP with ES256")
	}
	for _, e := range []string{meta.PushedAuthorizationRequestEndpoint, meta.TokenEndpoint, meta.AuthorizationEndpoint} {
		if err := s.remoteURLAllowed(e); err != nil {
			return nil, fmt.Errorf("the authorization server's endpoint: %w", err)
		}
	}
	return &meta, nil
}

// remoteURLAllowed accepts https URLs, and plain http ones only when
// AllowHTTPClients is set (tests, development).
func (s *Server) remoteURLAllowed(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		return fmt.Errorf("%q is not a URL", raw)
	case u.Scheme == "https", u.Scheme == "http" && s.cfg.AllowHTTPClients:
		return nil
	}
	return fmt.Errorf("%q is not an https URL", raw)
}

// getRemoteJSON fetches a JSON document (200 only, no redirects, bounded).
func (s *Server) getRemoteJSON(ctx context.Context, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	hc := *s.remoteClient()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch %s: HTTP %d", u, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxRemoteDocBytes+1))
	if err != nil {
		return fmt.Errorf("fetch %s: %w", u, err)
	}
	if len(b) > maxRemoteDocBytes {
		return fmt.Errorf("fetch %s: the document is too large", u)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("fetch %s: %w", u, err)
	}
	return nil
}
