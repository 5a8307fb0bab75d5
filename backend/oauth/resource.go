package oauth

import (
	"errors"
	"net/http"
)

// ResourceClaims are what a verified DPoP-bound access token grants.
type ResourceClaims struct {
	DID      string // sub
	Scope    string
	ClientID string
	Actor    string // act.sub: the controller acting as DID, or ""
	TokenID  string // the access token's jti
	Session  string // the sign-in (refresh-token family)
}

// ResourceError is a refused resource request, to be answered 401 with
// "WWW-Authenticate: DPoP error=Code" and the DPoP-Nonce header.
type ResourceError struct {
	Code        string // invalid_token, use_dpop_nonce, invalid_dpop_proof
	Description string
	Nonce       string // the current DPoP nonce
	Expired     bool   // the token is genuine but expired
}

// Error returns the code and description.
func (e *ResourceError) Error() string { return e.Code + ": " + e.Description }

// VerifyResource checks a request to this server's XRPC API made with
// "Authorization: DPoP <token>": the access token (signature, issuer,
// audience, expiry, revocation) and the request's DPoP proof (signature,
// htm, htu, iat, nonce, ath, replay, and its key against the token's
// cnf.jkt). Refusals are *ResourceError; other errors are failures.
func (s *Server) VerifyResource(r *http.Request, token string) (ResourceClaims, error) {
	nonce := s.Nonce()
	refuse := func(code, desc string) (ResourceClaims, error) {
		return ResourceClaims{}, &ResourceError{Code: code, Description: desc, Nonce: nonce}
	}
	c, err := s.parseAccess(token, true)
	if errors.Is(err, errTokenExpired) {
		return ResourceClaims{}, &ResourceError{Code: "invalid_token", Description: "the access token has expired", Nonce: nonce, Expired: true}
	}
	if err != nil {
		return refuse("invalid_token", "bad access token: "+err.Error())
	}
	jkt, err := s.checkProof(r.Context(), r, s.endpoint(r.URL.Path), token)
	if err != nil {
		var pe *proofError
		if !errors.As(err, &pe) {
			return ResourceClaims{}, err
		}
		if pe.Nonce {
			return refuse("use_dpop_nonce", pe.Msg)
		}
		return refuse("invalid_dpop_proof", pe.Msg)
	}
	if jkt != c.Cnf.JKT {
		return refuse("invalid_token", "the DPoP proof's key is not the one the token is bound to")
	}
	active, err := s.cfg.Store.OAuthFamilyActive(r.Context(), c.SID, s.clock())
	if err != nil {
		return ResourceClaims{}, err
	}
	if !active {
		return refuse("invalid_token", "the session was revoked or has ended")
	}
	out := ResourceClaims{DID: c.Sub, Scope: c.Scope, ClientID: c.ClientID, TokenID: c.JTI, Session: c.SID}
	if c.Act != nil {
		// An act-as token is worth what the controller's grant allows
		// now: a narrowed grant narrows it, a revoked one refuses it.
		scope, _, err := s.actAsScope(r.Context(), c.Sub, c.Act.Sub, c.Scope)
		var oe *Error
		if errors.As(err, &oe) {
			return refuse("invalid_token", "the controller's grant no longer allows this token: "+oe.Description)
		}
		if err != nil {
			return ResourceClaims{}, err
		}
		out.Actor, out.Scope = c.Act.Sub, scope
	}
	return out, nil
}
