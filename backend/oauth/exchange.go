package oauth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/store"
)

// The headless act-as login: an RFC 8693 token exchange at the token
// endpoint. The subject is the delegated account, named by its DID; the
// actor token is the controller's service-auth JWT, minted by its own PDS
// (com.atproto.server.getServiceAuth) for this server's service DID and the
// method ExchangeMethod.
const (
	grantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	// TokenTypeDID is the subject_token_type of the exchange: the
	// subject_token is the DID of the account to act as. Hearth defines it;
	// RFC 8693 lets servers define token type URIs.
	TokenTypeDID = "urn:hearthpds:params:oauth:token-type:did"
	// TokenTypeJWT is the actor_token_type: a JWT (RFC 8693 section 3).
	TokenTypeJWT = "urn:ietf:params:oauth:token-type:jwt"
	// TokenTypeAccess is the issued_token_type (and the only
	// requested_token_type accepted).
	TokenTypeAccess = "urn:ietf:params:oauth:token-type:access_token"
	// ExchangeMethod is the lxm the actor token must be bound to.
	ExchangeMethod = "dev.hearthpds.oauth.exchange"
	// ActorTokenMaxAge is how old (by its iat) an actor token may be.
	ActorTokenMaxAge = 60 * time.Second
	// exchangeTTL is the life of an exchanged access token; no refresh
	// token is issued (the controller exchanges a fresh actor token).
	exchangeTTL = 5 * time.Minute
)

// exchange is the token-exchange grant. The client authenticates as for
// the other grants and DPoP binds the token; the rights come from the
// controller's grant: scope = requested ∩ grant.
func (s *Server) exchange(r *http.Request, call tokenCall) (*tokenResponse, error) {
	ctx := r.Context()
	p := map[string]string{}
	for _, name := range []string{"subject_token", "subject_token_type", "actor_token", "actor_token_type", "requested_token_type", "scope", "resource", "audience"} {
		v, err := single(r, name)
		if err != nil {
			return nil, err
		}
		p[name] = v
	}
	switch {
	case p["subject_token"] == "" || p["actor_token"] == "":
		return nil, invalidRequest("subject_token (the DID to act as) and actor_token (the controller's service-auth JWT) are required")
	case p["subject_token_type"] != TokenTypeDID:
		return nil, invalidRequest("subject_token_type must be %s", TokenTypeDID)
	case p["actor_token_type"] != TokenTypeJWT:
		return nil, invalidRequest("actor_token_type must be %s", TokenTypeJWT)
	case p["requested_token_type"] != "" && p["requested_token_type"] != TokenTypeAccess:
		return nil, invalidRequest("requested_token_type must be %s", TokenTypeAccess)
	case p["resource"] != "" || p["audience"] != "":
		return nil, errorf(http.StatusBadRequest, "invalid_target", "resource and audience are not supported: the token is for this server")
	case s.cfg.ServiceAuth == nil || s.cfg.ActAs == nil:
		return nil, errorf(http.StatusBadRequest, "unsupported_grant_type", "this server does not exchange tokens")
	}
	delegated, err := syntax.ParseDID(p["subject_token"])
	if err != nil {
		return nil, invalidRequest("subject_token must be a DID")
	}
	if hasActClaim(p["actor_token"]) {
		return nil, invalidGrant("the actor token carries an act claim: acting as an account is one level deep")
	}
	claims, err := s.cfg.ServiceAuth.Verify(ctx, p["actor_token"], ExchangeMethod)
	if err != nil {
		return nil, actorTokenError(err)
	}
	now := s.clock()
	switch {
	case claims.IssuedAt.IsZero():
		return nil, invalidGrant("the actor token has no iat")
	case now.Sub(claims.IssuedAt) > ActorTokenMaxAge:
		return nil, invalidGrant("the actor token is older than %d seconds; mint a fresh one", int(ActorTokenMaxAge.Seconds()))
	case claims.Issuer == delegated:
		return nil, invalidGrant("an account cannot act as itself; sign in as it instead")
	}
	if err := s.accountUsable(ctx, delegated.String()); err != nil {
		return nil, err
	}
	requested := p["scope"]
	if requested != "" && !strings.Contains(" "+requested+" ", " atproto ") {
		return nil, invalidScope("the scope must include atproto")
	}
	scope, _, err := s.actAsScope(ctx, delegated.String(), claims.Issuer.String(), requested)
	if err != nil {
		return nil, err
	}
	t := store.OAuthToken{
		FamilyID: randomToken(16), DID: delegated.String(), ActorDID: claims.Issuer.String(), ClientID: call.client.ID,
		ClientAuth: call.clientAuth, DPoPJKT: call.jkt, Scope: scope, CreatedAt: now,
		ExpiresAt: now.Add(exchangeTTL), FamilyExpiresAt: now.Add(exchangeTTL),
	}
	out, err := s.issue(ctx, t, false, nil)
	if err != nil {
		return nil, err
	}
	out.IssuedTokenType = TokenTypeAccess
	return out, nil
}

// hasActClaim reports whether a JWT's payload has an act claim (read
// without verification: the token is refused either way).
func hasActClaim(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(parts[1]) > maxJWSLen {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var c struct {
		Act json.RawMessage `json:"act"`
	}
	return json.Unmarshal(b, &c) == nil && len(c.Act) > 0 && string(c.Act) != "null"
}

// actorTokenError maps a service-auth verification failure to an OAuth
// error naming the reason; store failures stay server errors.
func actorTokenError(err error) error {
	reasons := []struct {
		err error
		msg string
	}{
		{auth.ErrServiceAuthAudience, "the actor token's aud is not this server's service DID"},
		{auth.ErrServiceAuthMethod, "the actor token's lxm must be " + ExchangeMethod},
		{auth.ErrServiceAuthReplayed, "the actor token was already used"},
		{auth.ErrServiceAuthExpired, "the actor token has expired"},
		{auth.ErrServiceAuthSignature, "the actor token's signature does not match the controller's signing key"},
		{auth.ErrServiceAuthIssuer, "the actor token's issuer could not be resolved"},
		{auth.ErrServiceAuthLifetime, "the actor token lives too long"},
		{auth.ErrServiceAuthMalformed, "the actor token is not a service-auth JWT"},
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return invalidGrant("%s", r.msg)
		}
	}
	return err
}
