package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/hearthpds/hearth/backend/delegation"
	"github.com/hearthpds/hearth/backend/oauth"
	"github.com/hearthpds/hearth/backend/scopes"
	"github.com/hearthpds/hearth/backend/store"
)

// actAs adapts the delegation service to the authorization server's
// oauth.ActAs: which controllers an account has, what a controller may do
// as it now, and the token.issued audit rows.
type actAs struct {
	svc   *delegation.Service
	store store.Store
}

// Controllers lists the active grants' controllers of delegated.
func (a actAs) Controllers(ctx context.Context, delegated string) ([]oauth.Controller, error) {
	grants, err := a.svc.ListControllers(ctx, delegated)
	if err != nil {
		return nil, err
	}
	out := make([]oauth.Controller, 0, len(grants))
	for _, g := range grants {
		c := oauth.Controller{DID: g.Controller, Handle: a.svc.HandleOf(ctx, g.Controller)}
		_, err := a.store.GetAccount(ctx, g.Controller)
		switch {
		case err == nil:
			c.Local = true
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Scope is requested (include: sets expanded; "" for the whole grant)
// intersected with the current grant of (delegated, controller).
func (a actAs) Scope(ctx context.Context, delegated, controller, requested string) (string, []string, error) {
	g, err := a.svc.ActiveGrant(ctx, delegated, controller)
	if errors.Is(err, delegation.ErrNoGrant) {
		return "", nil, fmt.Errorf("%w: %w", oauth.ErrNoGrant, err)
	}
	if err != nil {
		return "", nil, err
	}
	if requested == "" {
		requested = g.Scope.String()
	}
	req, _, err := scopes.Parse(requested)
	if err != nil {
		return "", nil, fmt.Errorf("%w: the requested scope: %w", oauth.ErrNoGrant, err)
	}
	req, _ = req.Expand(ctx, scopes.LexiconExpander{})
	eff, dropped := delegation.EffectiveScope(req, g)
	return eff.String(), dropped, nil
}

// Issued appends a token.issued audit row naming the controller and the
// client.
func (a actAs) Issued(ctx context.Context, delegated, controller, clientID, scope string) error {
	return a.svc.Audit(ctx, delegation.Entry{
		Delegated: delegated, Controller: controller, Kind: store.AuditTokenIssued,
		Detail: delegation.Detail{ClientID: clientID, Scope: scope},
	})
}
