package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	indigoauth "github.com/bluesky-social/indigo/atproto/auth"
	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/golang-jwt/jwt/v5"

	"github.com/hearthpds/hearth/backend/store"
)

// Service-auth limits.
const (
	// DefaultServiceAuthTTL is the lifetime of a minted service-auth token
	// when the caller names no expiry, as the reference PDS sets it.
	DefaultServiceAuthTTL = time.Minute
	// MaxServiceAuthTTL is the longest lifetime a minted token may have, and
	// the furthest in the future an accepted token may expire.
	MaxServiceAuthTTL = time.Hour
	// MaxMethodlessServiceAuthTTL is the longest lifetime of a minted token
	// bound to no method (no lxm).
	MaxMethodlessServiceAuthTTL = time.Minute
	// DefaultServiceAuthLeeway is the clock skew tolerated on exp and iat.
	DefaultServiceAuthLeeway = 5 * time.Second
)

// Service-auth verification errors. Each names one reason a token was
// refused; the XRPC layer maps them to the reference PDS's error names
// (in parentheses), all 401.
var (
	// ErrServiceAuthMalformed: not a JWT, a session token, or a payload
	// without iss, aud, exp or jti (BadJwt).
	ErrServiceAuthMalformed = errors.New("auth: malformed service auth token")
	// ErrServiceAuthExpired: past its exp, or issued in the future (JwtExpired).
	ErrServiceAuthExpired = errors.New("auth: service auth token has expired")
	// ErrServiceAuthAudience: aud is not this service (BadJwtAudience).
	ErrServiceAuthAudience = errors.New("auth: service auth token is for another service")
	// ErrServiceAuthMethod: lxm is missing or names another method
	// (BadJwtLexiconMethod).
	ErrServiceAuthMethod = errors.New("auth: service auth token is bound to another method")
	// ErrServiceAuthIssuer: iss is not a DID or does not resolve (BadJwtIss).
	ErrServiceAuthIssuer = errors.New("auth: service auth issuer could not be resolved")
	// ErrServiceAuthSignature: the signature does not match the issuer's
	// current atproto signing key (BadJwtSignature).
	ErrServiceAuthSignature = errors.New("auth: service auth signature does not match the issuer's key")
	// ErrServiceAuthReplayed: the token's jti was already accepted once
	// (BadJwt).
	ErrServiceAuthReplayed = errors.New("auth: service auth token was already used")
	// ErrServiceAuthLifetime: exp is further in the future than
	// MaxServiceAuthTTL (BadJwt).
	ErrServiceAuthLifetime = errors.New("auth: service auth token lives too long")
)

// ServiceAuthConfig configures a ServiceAuth verifier.
type ServiceAuthConfig struct {
	// ServiceDID is this PDS's DID: the only audience accepted.
	ServiceDID string
	// Directory resolves issuers' DID documents (their signing keys).
	Directory indigoid.Directory
	// Nonces remembers the jti of every accepted token until it expires,
	// so a token is accepted once, across every instance sharing the store.
	Nonces store.Nonces
	// Leeway is the clock skew tolerated (DefaultServiceAuthLeeway).
	Leeway time.Duration
	// Now is the clock (time.Now).
	Now func() time.Time
}

// ServiceAuth verifies incoming service-auth JWTs: tokens another service
// (or a user's PDS, during an account migration) signs with an account's
// atproto signing key to call this PDS on that account's behalf. The
// signature, audience, expiry and issue time are checked by indigo's
// ServiceAuthValidator; ServiceAuth adds the lexicon-method binding, a bound
// on the lifetime and a jti replay cache. It is safe for concurrent use.
type ServiceAuth struct {
	validator *indigoauth.ServiceAuthValidator
	nonces    store.Nonces
	leeway    time.Duration
	now       func() time.Time
}

// ServiceClaims are the verified contents of a service-auth token.
type ServiceClaims struct {
	Issuer    syntax.DID // the account the token speaks for
	Audience  string
	Method    string // lxm; "" when the token is bound to no method
	TokenID   string // jti
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// NewServiceAuth checks cfg and returns a verifier.
func NewServiceAuth(cfg ServiceAuthConfig) (*ServiceAuth, error) {
	if _, err := syntax.ParseDID(cfg.ServiceDID); err != nil {
		return nil, fmt.Errorf("auth: service DID: %w", err)
	}
	if cfg.Directory == nil || cfg.Nonces == nil {
		return nil, errors.New("auth: service auth needs a directory and a nonce store")
	}
	v := &ServiceAuth{nonces: cfg.Nonces, leeway: cfg.Leeway, now: cfg.Now}
	if v.leeway <= 0 {
		v.leeway = DefaultServiceAuthLeeway
	}
	if v.now == nil {
		v.now = time.Now
	}
	v.validator = &indigoauth.ServiceAuthValidator{Audience: cfg.ServiceDID, Dir: cfg.Directory, TimestampLeeway: v.leeway}
	return v, nil
}

// Verify checks a service-auth token for a call of method (an NSID; ""
// accepts a token bound to any method or none) and, once everything else
// holds, records its jti so that it is never accepted again. Errors match
// one of the ErrServiceAuth… values, or are store failures.
func (v *ServiceAuth) Verify(ctx context.Context, token, method string) (ServiceClaims, error) {
	claims, err := peekServiceClaims(token)
	if err != nil {
		return ServiceClaims{}, err
	}
	if _, err := v.validator.Validate(ctx, token, nil); err != nil {
		return ServiceClaims{}, classifyValidateErr(err)
	}
	if method != "" && claims.Method != method {
		return ServiceClaims{}, fmt.Errorf("%w: token lxm %q, method %s", ErrServiceAuthMethod, claims.Method, method)
	}
	if claims.ExpiresAt.After(v.now().Add(MaxServiceAuthTTL + v.leeway)) {
		return ServiceClaims{}, fmt.Errorf("%w: expires %s", ErrServiceAuthLifetime, claims.ExpiresAt.Format(time.RFC3339))
	}
	err = v.nonces.UseNonce(ctx, serviceNonceID(claims), claims.ExpiresAt.Add(v.leeway))
	if errors.Is(err, store.ErrConflict) {
		return ServiceClaims{}, ErrServiceAuthReplayed
	}
	if err != nil {
		return ServiceClaims{}, fmt.Errorf("auth: record service auth jti: %w", err)
	}
	return claims, nil
}

// serviceNonceID scopes a jti to its issuer: jtis are random per issuer,
// and one issuer cannot burn another's.
func serviceNonceID(c ServiceClaims) string {
	return "service-auth:" + c.Issuer.String() + ":" + c.TokenID
}

// serviceJWTClaims is the payload of a service-auth token as read before
// verification.
type serviceJWTClaims struct {
	jwt.RegisteredClaims
	LexMethod string `json:"lxm,omitempty"`
}

// peekServiceClaims decodes a token without verifying it and checks that
// it has the shape of a service-auth token. Session tokens (typ at+jwt or
// refresh+jwt) and DPoP proofs are refused, as the reference PDS does.
func peekServiceClaims(token string) (ServiceClaims, error) {
	var c serviceJWTClaims
	tok, _, err := jwt.NewParser(jwt.WithoutClaimsValidation()).ParseUnverified(token, &c)
	if err != nil {
		return ServiceClaims{}, fmt.Errorf("%w: %w", ErrServiceAuthMalformed, err)
	}
	switch typ, _ := tok.Header["typ"].(string); typ {
	case typAccess, typRefresh, "dpop+jwt":
		return ServiceClaims{}, fmt.Errorf("%w: token type %q", ErrServiceAuthMalformed, typ)
	}
	iss, err := syntax.ParseDID(c.Issuer)
	if err != nil {
		return ServiceClaims{}, fmt.Errorf("%w: iss is not a DID", ErrServiceAuthIssuer)
	}
	switch {
	case len(c.Audience) != 1:
		return ServiceClaims{}, fmt.Errorf("%w: aud must be one string", ErrServiceAuthMalformed)
	case c.ExpiresAt == nil:
		return ServiceClaims{}, fmt.Errorf("%w: no exp", ErrServiceAuthMalformed)
	case c.ID == "":
		return ServiceClaims{}, fmt.Errorf("%w: no jti", ErrServiceAuthMalformed)
	}
	out := ServiceClaims{Issuer: iss, Audience: c.Audience[0], Method: c.LexMethod, TokenID: c.ID, ExpiresAt: c.ExpiresAt.Time}
	if c.IssuedAt != nil {
		out.IssuedAt = c.IssuedAt.Time
	}
	return out, nil
}

// classifyValidateErr maps indigo's (golang-jwt's) errors to ours.
func classifyValidateErr(err error) error {
	var target error
	switch {
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenUsedBeforeIssued), errors.Is(err, jwt.ErrTokenNotValidYet):
		target = ErrServiceAuthExpired
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		target = ErrServiceAuthAudience
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		target = ErrServiceAuthIssuer
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		target = ErrServiceAuthSignature
	default:
		target = ErrServiceAuthMalformed
	}
	return fmt.Errorf("%w: %w", target, err)
}

// IsServiceAuthToken reports whether a bearer token is certainly a
// service-auth token rather than a session token: its payload carries an
// lxm claim, the test the reference PDS applies where both are accepted.
// It verifies nothing.
func IsServiceAuthToken(token string) bool {
	var c serviceJWTClaims
	if _, _, err := jwt.NewParser(jwt.WithoutClaimsValidation()).ParseUnverified(token, &c); err != nil {
		return false
	}
	return c.LexMethod != ""
}
