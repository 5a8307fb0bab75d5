package oauth

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	indigooauth "github.com/bluesky-social/indigo/atproto/auth/oauth"

	"github.com/hearthpds/hearth/backend/store"
)

// remoteTokens is the controller's server's token response.
type remoteTokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	Sub          string `json:"sub"`
	nonce        string // the server's last DPoP nonce, for the revocation
}

// remoteCallback is GET /oauth/delegated/callback: the controller's
// server sends the browser back here. The state is single-use, at most 10
// minutes old and bound to this browser; iss must be the server the trip
// went to, the token DPoP-bound and its sub the controller. The remote
// session is revoked at once, the grant checked again, and the consent
// page of the app's request shown.
func (s *Server) remoteCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	fail := func(status int, msg string) {
		s.errorPage(w, status, "This sign-in cannot continue", msg)
	}
	st, err := s.takeRemoteState(ctx, q.Get("state"))
	if err != nil {
		var oe *Error
		if errors.As(err, &oe) {
			fail(oe.Status, oe.Description)
			return
		}
		s.log.Error("oauth: cross-PDS callback state", "err", err)
		fail(http.StatusInternalServerError, "Something went wrong; please try again.")
		return
	}
	device := s.device(w, r, false)
	if device == "" || !hmac.Equal(hashSecret(device), st.Device) {
		fail(http.StatusForbidden, "This sign-in was started in another browser.")
		return
	}
	if e := q.Get("error"); e != "" {
		fail(http.StatusForbidden, "Signing in at the controller's server did not complete ("+e+").")
		return
	}
	iss, code := q.Get("iss"), q.Get("code")
	switch {
	case iss == "":
		fail(http.StatusBadRequest, "The controller's server did not say who it is (no iss).")
		return
	case iss != st.Auth.AuthServerURL:
		fail(http.StatusBadRequest, "The answer came from another server than the controller's (iss mismatch).")
		return
	case code == "":
		fail(http.StatusBadRequest, "The controller's server sent no authorization code.")
		return
	}
	tok, err := s.remoteToken(ctx, st.Auth, code)
	if err != nil {
		s.log.Warn("oauth: cross-PDS token request", "controller", st.Controller, "issuer", iss, "err", err)
		fail(http.StatusBadGateway, "The controller's server did not complete the sign-in.")
		return
	}
	// The remote session only proved who the controller is: end it.
	s.revokeRemote(ctx, st, tok)
	switch {
	case !strings.EqualFold(tok.TokenType, "DPoP"):
		fail(http.StatusBadRequest, "The controller's server issued a "+tok.TokenType+" token, not a DPoP-bound one.")
		return
	case tok.Sub != st.Controller:
		fail(http.StatusForbidden, "Another account than the controller signed in.")
		return
	}
	pd, perr := s.loadPending(ctx, st.ClientID, requestURIPrefix+st.RequestID)
	if perr != nil {
		fail(perr.Status, perr.Description)
		return
	}
	base := s.basePage(pd, device)
	granted, dropped, err := s.actAsScope(ctx, st.Delegated, st.Controller, pd.params.Scope)
	if err != nil {
		var oe *Error
		if errors.As(err, &oe) {
			fail(http.StatusForbidden, "The grant does not allow this: "+oe.Description+".")
			return
		}
		s.log.Error("oauth: controller grant", "err", err)
		fail(http.StatusInternalServerError, "Something went wrong; please try again.")
		return
	}
	delegated, controller := pageAccount{DID: st.Delegated, Handle: st.Delegated}, pageAccount{DID: st.Controller, Handle: st.Controller}
	if a, err := s.cfg.Accounts.Lookup(ctx, st.Delegated); err == nil {
		delegated.Handle = a.Handle
	}
	if list, err := s.cfg.ActAs.Controllers(ctx, st.Delegated); err == nil {
		for _, c := range list {
			if c.DID == st.Controller {
				controller.Handle = displayHandle(c)
			}
		}
	}
	s.consentAs(w, base, pd, device, delegated, controller, granted, dropped)
}

// takeRemoteState loads and consumes a trip's state: unknown, used and
// expired states are *Error.
func (s *Server) takeRemoteState(ctx context.Context, state string) (remoteState, error) {
	var st remoteState
	if state == "" || len(state) > 256 || strings.Contains(state, ":") {
		return st, invalidRequest("the callback has no valid state")
	}
	id := remoteStatePrefix + state
	row, err := s.cfg.Store.GetOAuthRequest(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return st, invalidRequest("this sign-in is unknown, was already completed, or has expired")
	}
	if err != nil {
		return st, err
	}
	if row.ClientID != remoteStateClient {
		return st, invalidRequest("the callback has no valid state")
	}
	// Deleting it is what makes it single-use: of two concurrent
	// callbacks, one finds it gone.
	if err := s.cfg.Store.DeleteOAuthRequest(ctx, id); errors.Is(err, store.ErrNotFound) {
		return st, invalidRequest("this sign-in was already completed")
	} else if err != nil {
		return st, err
	}
	if !s.clock().Before(row.ExpiresAt) {
		return st, invalidRequest("this sign-in took more than %d minutes; start again from the app", int(remoteStateTTL.Minutes()))
	}
	if err := json.Unmarshal(row.Params, &st); err != nil {
		return st, fmt.Errorf("decode a cross-PDS sign-in: %w", err)
	}
	return st, nil
}

// remoteToken redeems the code at the controller's server (PKCE, DPoP
// with its nonce). indigo's SendInitialTokenRequest drops token_type,
// which the callback must check, so the request is made here with
// indigo's DPoP proofs.
func (s *Server) remoteToken(ctx context.Context, info indigooauth.AuthRequestData, code string) (*remoteTokens, error) {
	key, err := atcrypto.ParsePrivateMultibase(info.DPoPPrivateKeyMultibase)
	if err != nil {
		return nil, err
	}
	cfg := s.remoteConfig()
	body := url.Values{
		"client_id": {cfg.ClientID}, "redirect_uri": {cfg.CallbackURL}, "grant_type": {"authorization_code"},
		"code": {code}, "code_verifier": {info.PKCEVerifier},
	}.Encode()
	nonce := info.DPoPAuthServerNonce
	for range 2 {
		proof, err := indigooauth.NewAuthDPoP(http.MethodPost, info.AuthServerTokenEndpoint, nonce, key)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, info.AuthServerTokenEndpoint, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("DPoP", proof)
		resp, err := s.remoteClient().Do(req)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxRemoteDocBytes))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if n := resp.Header.Get("DPoP-Nonce"); n != "" {
			nonce = n
		}
		if resp.StatusCode == http.StatusBadRequest && bytes.Contains(b, []byte(`"use_dpop_nonce"`)) {
			continue
		}
		if resp.StatusCode != http.StatusOK {
			var e struct {
				Error string `json:"error"`
			}
			_ = json.Unmarshal(b, &e)
			return nil, fmt.Errorf("token request: HTTP %d %s", resp.StatusCode, e.Error)
		}
		var out remoteTokens
		if err := json.Unmarshal(b, &out); err != nil {
			return nil, fmt.Errorf("token response: %w", err)
		}
		out.nonce = nonce
		return &out, nil
	}
	return nil, errors.New("token request: the server kept asking for a new DPoP nonce")
}

// revokeRemote ends the controller's session at its server (a failure is
// logged: the tokens are never used and expire).
func (s *Server) revokeRemote(ctx context.Context, st remoteState, tok *remoteTokens) {
	if st.Auth.AuthServerRevocationEndpoint == "" {
		s.log.Warn("oauth: the controller's server has no revocation endpoint", "issuer", st.Auth.AuthServerURL)
		return
	}
	key, err := atcrypto.ParsePrivateMultibase(st.Auth.DPoPPrivateKeyMultibase)
	if err != nil {
		s.log.Warn("oauth: revoke the controller's session", "err", err)
		return
	}
	sess := &indigooauth.ClientSession{
		Client: s.remoteClient(), Config: s.remoteConfig(), DPoPPrivateKey: key,
		Data: &indigooauth.ClientSessionData{
			AuthServerURL: st.Auth.AuthServerURL, AuthServerTokenEndpoint: st.Auth.AuthServerTokenEndpoint,
			AuthServerRevocationEndpoint: st.Auth.AuthServerRevocationEndpoint,
			AccessToken:                  tok.AccessToken, RefreshToken: tok.RefreshToken, DPoPAuthServerNonce: tok.nonce,
		},
	}
	if err := sess.RevokeSession(ctx); err != nil {
		s.log.Warn("oauth: revoke the controller's session", "controller", st.Controller, "issuer", st.Auth.AuthServerURL, "err", err)
	}
}
