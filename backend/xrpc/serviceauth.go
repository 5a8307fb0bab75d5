package xrpc

import (
	"context"
	"errors"
	"net/http"

	"github.com/hearthpds/hearth/backend/auth"
)

// ServiceAuthVerifier is the router's ServiceVerifier over auth.ServiceAuth.
type ServiceAuthVerifier struct {
	Verifier *auth.ServiceAuth
}

var _ ServiceVerifier = (*ServiceAuthVerifier)(nil)

// VerifyService verifies a service-auth token bound to nsid.
func (s *ServiceAuthVerifier) VerifyService(ctx context.Context, token, nsid string) (*Viewer, error) {
	claims, err := s.Verifier.Verify(ctx, token, nsid)
	if err != nil {
		return nil, serviceAuthError(err)
	}
	return &Viewer{DID: claims.Issuer.String(), Service: true}, nil
}

// serviceAuthError maps verification failures to the reference PDS's
// error names (all 401); store failures stay internal errors.
func serviceAuthError(err error) error {
	for _, m := range []struct {
		target error
		name   string
		msg    string
	}{
		{auth.ErrServiceAuthExpired, "JwtExpired", "jwt expired"},
		{auth.ErrServiceAuthAudience, "BadJwtAudience", "jwt audience does not match service did"},
		{auth.ErrServiceAuthMethod, "BadJwtLexiconMethod", "bad or missing jwt lexicon method (\"lxm\")"},
		{auth.ErrServiceAuthIssuer, "BadJwtIss", "jwt iss is not a valid did, or could not be resolved"},
		{auth.ErrServiceAuthSignature, "BadJwtSignature", "jwt signature does not match jwt issuer"},
		{auth.ErrServiceAuthReplayed, "BadJwt", "jwt has already been used"},
		{auth.ErrServiceAuthLifetime, "BadJwt", "jwt expires too far in the future"},
		{auth.ErrServiceAuthMalformed, "BadJwt", "poorly formatted jwt"},
	} {
		if errors.Is(err, m.target) {
			return &Error{Status: http.StatusUnauthorized, Name: m.name, Message: m.msg, Cause: err}
		}
	}
	return err
}
