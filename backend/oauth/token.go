package oauth

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// tokenResponse is the token endpoint's answer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
	Sub          string `json:"sub"`
	// IssuedTokenType answers a token exchange (RFC 8693 section 2.2.1).
	IssuedTokenType string `json:"issued_token_type,omitempty"`
}

// token is POST /oauth/token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.setNonce(w)
	out, err := s.tokenRequest(w, r)
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// tokenCall is a token request's verified parts.
type tokenCall struct {
	client     *client
	clientAuth string
	jkt        string
}

func (s *Server) tokenRequest(w http.ResponseWriter, r *http.Request) (*tokenResponse, error) {
	if err := readForm(w, r); err != nil {
		return nil, err
	}
	grant, err := single(r, "grant_type")
	if err != nil {
		return nil, err
	}
	if grant != "authorization_code" && grant != "refresh_token" && grant != grantTokenExchange {
		return nil, errorf(http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code, refresh_token or "+grantTokenExchange)
	}
	call, err := s.tokenCaller(r)
	if err != nil {
		return nil, err
	}
	if grant == grantTokenExchange {
		// No client declares this grant type (atproto client metadata
		// has no value for it): the rights come from the actor token.
		return s.exchange(r, call)
	}
	if !call.client.allowsGrant(grant) {
		return nil, errorf(http.StatusBadRequest, "unauthorized_client", "the client did not declare the %s grant type", grant)
	}
	if grant == "authorization_code" {
		return s.exchangeCode(r, call)
	}
	return s.refresh(r, call)
}

// tokenCaller checks the DPoP proof, then the client and its
// authentication.
func (s *Server) tokenCaller(r *http.Request) (tokenCall, error) {
	var call tokenCall
	clientID, err := single(r, "client_id")
	if err != nil {
		return call, err
	}
	if clientID == "" {
		return call, invalidRequest("client_id is required")
	}
	jkt, err := s.checkProof(r.Context(), r, s.endpoint(r.URL.Path), "")
	if err != nil {
		return call, asProofError(err)
	}
	c, err := s.clients.get(r.Context(), clientID)
	if err != nil {
		return call, err
	}
	auth, err := s.authenticateClient(r.Context(), r, c)
	if err != nil {
		return call, err
	}
	return tokenCall{client: c, clientAuth: auth, jkt: jkt}, nil
}

// exchangeCode is the authorization_code grant.
func (s *Server) exchangeCode(r *http.Request, call tokenCall) (*tokenResponse, error) {
	ctx := r.Context()
	code, _ := single(r, "code")
	verifier, _ := single(r, "code_verifier")
	redirect, _ := single(r, "redirect_uri")
	if code == "" || verifier == "" {
		return nil, invalidRequest("code and code_verifier are required")
	}
	now := s.clock()
	family := randomToken(16)
	req, err := s.cfg.Store.UseOAuthCode(ctx, hashSecret(code), family, now)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, invalidGrant("unknown or expired authorization code")
	case errors.Is(err, store.ErrConflict):
		// A code used twice may have leaked: end what its first use began.
		if req.FamilyID != "" {
			if _, rerr := s.cfg.Store.RevokeOAuthFamily(ctx, req.FamilyID, now); rerr != nil {
				return nil, rerr
			}
		}
		return nil, invalidGrant("the authorization code was already used; the tokens it gave are revoked")
	case err != nil:
		return nil, err
	}
	p, err := decodeParams(req)
	if err != nil {
		return nil, err
	}
	switch {
	case req.ClientID != call.client.ID:
		return nil, invalidGrant("the code was issued to another client")
	case !now.Before(req.ExpiresAt):
		return nil, invalidGrant("the authorization code has expired")
	case req.DPoPJKT != call.jkt:
		return nil, invalidGrant("the DPoP key differs from the one of the authorization request")
	case redirect != "" && redirect != p.RedirectURI:
		return nil, invalidGrant("redirect_uri differs from the authorization request's")
	case !pkcePattern.MatchString(verifier):
		return nil, invalidGrant("code_verifier is not a valid PKCE verifier")
	case subtle.ConstantTimeCompare([]byte(s256(verifier)), []byte(p.CodeChallenge)) != 1:
		return nil, invalidGrant("code_verifier does not match the code_challenge (PKCE)")
	}
	if err := sameClientAuth(req.ClientAuth, call.clientAuth); err != nil {
		return nil, err
	}
	if err := s.accountUsable(ctx, req.DID); err != nil {
		return nil, err
	}
	if req.ActorDID != "" {
		// The grant may have changed since the controller approved.
		if req.Scope, _, err = s.actAsScope(ctx, req.DID, req.ActorDID, req.Scope); err != nil {
			return nil, err
		}
	}
	refreshTTL, sessionTTL := publicRefreshTTL, publicSessionTTL
	if call.client.confidential() {
		refreshTTL, sessionTTL = confidRefreshTTL, confidSessionTTL
	}
	t := store.OAuthToken{
		FamilyID: family, DID: req.DID, ActorDID: req.ActorDID, ClientID: call.client.ID,
		ClientAuth: call.clientAuth, DPoPJKT: call.jkt, Scope: req.Scope, CreatedAt: now,
		ExpiresAt: now.Add(refreshTTL), FamilyExpiresAt: now.Add(sessionTTL),
	}
	return s.issue(ctx, t, call.client.allowsGrant("refresh_token"), nil)
}

// refresh is the refresh_token grant: the token is rotated; presenting a
// rotated token again revokes its whole family.
func (s *Server) refresh(r *http.Request, call tokenCall) (*tokenResponse, error) {
	ctx := r.Context()
	value, _ := single(r, "refresh_token")
	if value == "" {
		return nil, invalidRequest("refresh_token is required")
	}
	now := s.clock()
	old, err := s.cfg.Store.GetOAuthToken(ctx, hashSecret(value))
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidGrant("unknown or expired refresh token")
	}
	if err != nil {
		return nil, err
	}
	switch {
	case old.ClientID != call.client.ID:
		return nil, invalidGrant("the refresh token was issued to another client")
	case old.RevokedAt != nil:
		return nil, invalidGrant("the refresh token was revoked")
	case old.RotatedAt != nil:
		if _, err := s.cfg.Store.RevokeOAuthFamily(ctx, old.FamilyID, now); err != nil {
			return nil, err
		}
		return nil, invalidGrant("the refresh token was already used; the session is revoked")
	case old.DPoPJKT != call.jkt:
		return nil, invalidGrant("the DPoP key differs from the session's")
	case !now.Before(old.ExpiresAt) || !now.Before(old.FamilyExpiresAt):
		return nil, invalidGrant("the refresh token has expired")
	}
	if err := sameClientAuth(old.ClientAuth, call.clientAuth); err != nil {
		return nil, err
	}
	if err := s.accountUsable(ctx, old.DID); err != nil {
		return nil, err
	}
	if s.cfg.RefreshCheck != nil {
		scope, err := s.cfg.RefreshCheck(ctx, old)
		if err != nil {
			if _, rerr := s.cfg.Store.RevokeOAuthFamily(ctx, old.FamilyID, now); rerr != nil {
				return nil, rerr
			}
			var e *Error
			if errors.As(err, &e) {
				return nil, e
			}
			return nil, invalidGrant("the session may no longer be refreshed: %v", err)
		}
		if scope != "" {
			old.Scope = scope
		}
	}
	ttl := publicRefreshTTL
	if call.client.confidential() {
		ttl = confidRefreshTTL
	}
	next := old
	next.CreatedAt, next.ExpiresAt, next.RotatedAt, next.RevokedAt = now, minTime(now.Add(ttl), old.FamilyExpiresAt), nil, nil
	return s.issue(ctx, next, true, old.Hash)
}

// issue stores the refresh token t (new, or rotating oldHash) and mints
// the access token.
func (s *Server) issue(ctx context.Context, t store.OAuthToken, withRefresh bool, oldHash []byte) (*tokenResponse, error) {
	out := &tokenResponse{TokenType: "DPoP", Scope: t.Scope, Sub: t.DID}
	// The row is stored even without a refresh grant: it is the sign-in
	// that access tokens are checked against (and revoked with).
	refresh := randomToken(32)
	t.Hash = hashSecret(refresh)
	if withRefresh {
		out.RefreshToken = refresh
	}
	{
		var err error
		if oldHash == nil {
			err = s.cfg.Store.CreateOAuthToken(ctx, t)
		} else {
			err = s.cfg.Store.RotateOAuthToken(ctx, oldHash, t.CreatedAt, t)
		}
		if errors.Is(err, store.ErrConflict) {
			if _, rerr := s.cfg.Store.RevokeOAuthFamily(ctx, t.FamilyID, t.CreatedAt); rerr != nil {
				return nil, rerr
			}
			return nil, invalidGrant("the refresh token was used concurrently; the session is revoked")
		}
		if err != nil {
			return nil, err
		}
	}
	ttl := min(accessTTL, t.FamilyExpiresAt.Sub(t.CreatedAt))
	access, err := s.mintAccess(t.DID, t.ActorDID, t.Scope, t.ClientID, t.DPoPJKT, t.FamilyID, t.CreatedAt, ttl)
	if err != nil {
		return nil, err
	}
	out.AccessToken, out.ExpiresIn = access, int(ttl.Seconds())
	s.auditIssued(ctx, t.DID, t.ActorDID, t.ClientID, t.Scope)
	return out, nil
}

// accountUsable refuses tokens for accounts that are gone or taken down.
func (s *Server) accountUsable(ctx context.Context, did string) error {
	a, err := s.cfg.Store.GetAccount(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return invalidGrant("the account no longer exists")
	}
	if err != nil {
		return err
	}
	if a.Status == store.StatusTakendown || a.TakedownRef != "" {
		return invalidGrant("the account has been taken down")
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
