package delegation

import (
	"context"
	"fmt"

	"github.com/hearthpds/hearth/backend/scopes"
	"github.com/hearthpds/hearth/backend/store"
)

// ActAsScope returns what a request made with an act-as token may do now:
// the token's scope intersected with the controller's current grant. A
// grant narrowed since the token was issued narrows the request; a revoked
// one refuses it (ErrNoGrant). The resource server calls it on every request
// whose token has an actor, so revocation takes effect at once.
func (s *Service) ActAsScope(ctx context.Context, delegated, controller, tokenScope string) (scopes.Set, error) {
	g, err := s.ActiveGrant(ctx, delegated, controller)
	if err != nil {
		return scopes.Set{}, err
	}
	req, _, err := scopes.Parse(tokenScope)
	if err != nil {
		return scopes.Set{}, fmt.Errorf("%w: the token's scope: %w", ErrInvalidScope, err)
	}
	eff, _ := EffectiveScope(req, g)
	return eff, nil
}

// RefreshCheck re-checks the grant behind an OAuth session before each
// refresh, with the signature of oauth.Config.RefreshCheck: a session of the
// account itself is left alone (""), an act-as session whose grant was
// revoked is refused (ErrNoGrant, and the OAuth server revokes the session),
// and one whose grant changed continues with its scope intersected with the
// current grant.
func (s *Service) RefreshCheck(ctx context.Context, t store.OAuthToken) (string, error) {
	if t.ActorDID == "" {
		return "", nil
	}
	eff, err := s.ActAsScope(ctx, t.DID, t.ActorDID, t.Scope)
	if err != nil {
		return "", err
	}
	return eff.String(), nil
}
