package xrpc

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// OAuthClaims are what a verified OAuth (DPoP-bound) access token grants.
type OAuthClaims struct {
	DID      string // sub
	Scope    string // the granted scope
	ClientID string
	Actor    string // act.sub: a controller acting as DID, or ""
	TokenID  string // the access token's jti
}

// OAuthVerifier checks requests made with "Authorization: DPoP <token>"
// (the resource-server side of the OAuth authorization server). Refusals
// are *OAuthChallenge values; other errors are server failures.
type OAuthVerifier interface {
	VerifyDPoP(r *http.Request, token string) (OAuthClaims, error)
}

// SetOAuthVerifier enables OAuth access tokens. Without one, the DPoP
// scheme is refused like any unknown scheme. Call it before serving.
func (rt *Router) SetOAuthVerifier(v OAuthVerifier) { rt.oauth = v }

// OAuthChallenge is a refused OAuth request: 401 with
// "WWW-Authenticate: DPoP error=Code" and a DPoP-Nonce header (RFC 9449).
type OAuthChallenge struct {
	Code        string // invalid_token, use_dpop_nonce, invalid_dpop_proof
	Description string
	Nonce       string
	Expired     bool
}

// Error returns the code and description.
func (c *OAuthChallenge) Error() string { return c.Code + ": " + c.Description }

// oauthError is an OAuthChallenge as an XRPC error.
type oauthError struct {
	xe        *Error
	challenge *OAuthChallenge
}

func (e *oauthError) Error() string { return e.xe.Error() }
func (e *oauthError) Unwrap() error { return e.xe }

// challengeError turns a verifier refusal into the XRPC error sent, whose
// headers setChallenge writes.
func challengeError(c *OAuthChallenge) error {
	name := "InvalidToken"
	switch {
	case c.Expired:
		name = "ExpiredToken"
	case c.Code == "use_dpop_nonce":
		name = "UseDpopNonce"
	case c.Code == "invalid_dpop_proof":
		name = "InvalidDpopProof"
	}
	return &oauthError{xe: Errorf(http.StatusUnauthorized, name, "%s", c.Description), challenge: c}
}

// setChallenge sets the WWW-Authenticate header of a 401: the DPoP
// challenge of an OAuth refusal, Bearer otherwise.
func setChallenge(h http.Header, err error) {
	var oe *oauthError
	if !errors.As(err, &oe) {
		h.Set("WWW-Authenticate", `Bearer realm="hearth"`)
		return
	}
	c := oe.challenge
	h.Set("WWW-Authenticate", `DPoP algs="ES256", error=`+strconv.Quote(c.Code)+`, error_description=`+strconv.Quote(c.Description))
	if c.Nonce != "" {
		h.Set("DPoP-Nonce", c.Nonce)
	}
	h.Add("Access-Control-Expose-Headers", "WWW-Authenticate, DPoP-Nonce")
}

// oauthAuth authenticates "Authorization: DPoP <token>" requests; handled
// is false for other schemes. OAuth tokens serve the access levels
// (AccessAuth, FullAccessAuth, OptionalAuth, AccessOrServiceAuth), within
// their scope (checkPermissions); never refresh or service tokens.
func (rt *Router) oauthAuth(r *http.Request, level AuthLevel) (v *Viewer, err error, handled bool) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "DPoP") {
		return nil, nil, false
	}
	switch {
	case rt.oauth == nil:
		return nil, Errorf(http.StatusUnauthorized, "InvalidToken", "OAuth tokens are not accepted by this server"), true
	case level == RefreshAuth || level == ServiceAuth:
		return nil, Errorf(http.StatusUnauthorized, "InvalidToken", "this method does not take an OAuth access token"), true
	}
	claims, err := rt.oauth.VerifyDPoP(r, strings.TrimSpace(token))
	if err != nil {
		var c *OAuthChallenge
		if errors.As(err, &c) {
			return nil, challengeError(c), true
		}
		return nil, err, true
	}
	v = &Viewer{DID: claims.DID, Scope: claims.Scope, ClientID: claims.ClientID, Actor: claims.Actor, OAuth: true, TokenID: claims.TokenID}
	if ta, ok := rt.auth.(*TokenAuth); ok {
		if v.account, err = ta.checkAccount(r.Context(), claims.DID); err != nil {
			return nil, err, true
		}
	}
	// FullAccessAuth methods are open to OAuth tokens whose scope allows
	// them: the router's permission table (permissions.go) decides.
	return v, nil, true
}
