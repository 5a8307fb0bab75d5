package xrpc

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/delegation"
	"github.com/hearthpds/hearth/backend/scopes"
)

// DelegationHandlers serves dev.hearthpds.delegation.*: the grants that let
// other accounts act as the caller's account, the accounts the caller
// controls, the audit log and the presets. Every method needs the account's
// own full rights (see requireOwner).
type DelegationHandlers struct {
	Delegation *delegation.Service
}

// Methods returns the methods to register.
func (h *DelegationHandlers) Methods() []Method {
	ns := scopes.DelegationNSIDPrefix
	return []Method{
		{NSID: ns + "listControllers", Kind: Query, Auth: AccessAuth, Handler: h.owner(h.listControllers)},
		{NSID: ns + "addController", Kind: Procedure, Auth: AccessAuth, Handler: h.owner(h.addController)},
		{NSID: ns + "updateController", Kind: Procedure, Auth: AccessAuth, Handler: h.owner(h.updateController)},
		{NSID: ns + "removeController", Kind: Procedure, Auth: AccessAuth, Handler: h.owner(h.removeController)},
		{NSID: ns + "listControlledAccounts", Kind: Query, Auth: AccessAuth, Handler: h.owner(h.listControlledAccounts)},
		{NSID: ns + "getAuditLog", Kind: Query, Auth: AccessAuth, Handler: h.owner(h.getAuditLog)},
		{NSID: ns + "listPresets", Kind: Query, Auth: AccessAuth, Handler: h.owner(h.listPresets)},
	}
}

// owner wraps a handler with requireOwner.
func (h *DelegationHandlers) owner(fn HandlerFunc) HandlerFunc {
	return func(ctx context.Context, c *Call) (any, error) {
		if err := requireOwner(c.Viewer); err != nil {
			var e *Error
			if c.Viewer != nil && c.Viewer.OAuth && errors.As(err, &e) && e.Status == http.StatusForbidden {
				return nil, insufficientScope(c.Header(), c.Viewer, "%s", e.Message)
			}
			return nil, err
		}
		return fn(ctx, c)
	}
}

// requireOwner admits the account acting for itself with its full rights:
// a session opened with the account password, or an OAuth token whose scope
// manages every account attribute (account:*?action=manage). It refuses app
// passwords (privileged ones too, as the reference PDS keeps account
// settings to password sessions), OAuth tokens without that scope and, above
// all, every act-as token, whatever its scope: a controller must never
// change who controls the account (scopes.CanDelegate).
func requireOwner(v *Viewer) error {
	const insufficient = "InsufficientScope"
	switch {
	case v == nil:
		return authRequired("Authentication Required")
	case v.Service || v.Admin:
		return Errorf(http.StatusForbidden, insufficient, "delegation is managed with the account's own session, not service or admin credentials")
	case v.Actor != "":
		return Errorf(http.StatusForbidden, insufficient, "a controller acting as the account can never manage its delegation")
	case v.OAuth:
		set, _, err := scopes.Parse(v.Scope)
		if err != nil || !set.ManagesAccount() {
			return Errorf(http.StatusForbidden, insufficient, "managing delegation needs the scope account:*?action=manage")
		}
		return nil
	case v.AppPasswordName != "" || v.Scope != string(auth.ScopeAccess):
		return Errorf(http.StatusForbidden, insufficient, "managing delegation needs a session opened with the account password, not an app password")
	}
	return nil
}

// controllerInput is the body of addController, updateController and
// removeController.
type controllerInput struct {
	Controller string `json:"controller"`
	Preset     string `json:"preset,omitempty"`
	Scope      string `json:"scope,omitempty"`
}

// decodeController reads the body and turns its controller into a DID. A
// handle is always resolved. A DID is checked to resolve only when adding a
// controller: an existing grant must stay changeable and removable after its
// controller's DID stopped resolving (a deleted or tombstoned account).
func (h *DelegationHandlers) decodeController(ctx context.Context, c *Call, adding bool) (controllerInput, string, error) {
	var in controllerInput
	if err := c.Decode(&in); err != nil {
		return in, "", err
	}
	if in.Controller == "" {
		return in, "", invalidRequest(`Input must have the property "controller"`)
	}
	id, err := syntax.ParseAtIdentifier(strings.TrimPrefix(in.Controller, "@"))
	if err != nil {
		return in, "", invalidRequest("controller must be a valid handle or did: %q", in.Controller)
	}
	if did, err := id.AsDID(); err == nil && !adding {
		return in, did.String(), nil
	}
	did, err := h.Delegation.ResolveAccount(ctx, id.String())
	if err != nil {
		return in, "", delegationError(err)
	}
	return in, did, nil
}

func (h *DelegationHandlers) addController(ctx context.Context, c *Call) (any, error) {
	in, controller, err := h.decodeController(ctx, c, true)
	if err != nil {
		return nil, err
	}
	g, err := h.Delegation.AddController(ctx, c.Viewer.DID, controller, delegation.Rights{Preset: in.Preset, Scope: in.Scope}, c.Viewer.DID)
	if err != nil {
		return nil, delegationError(err)
	}
	return h.view(ctx, g), nil
}

func (h *DelegationHandlers) updateController(ctx context.Context, c *Call) (any, error) {
	in, controller, err := h.decodeController(ctx, c, false)
	if err != nil {
		return nil, err
	}
	g, err := h.Delegation.UpdateController(ctx, c.Viewer.DID, controller, delegation.Rights{Preset: in.Preset, Scope: in.Scope}, c.Viewer.DID)
	if err != nil {
		return nil, delegationError(err)
	}
	return h.view(ctx, g), nil
}

func (h *DelegationHandlers) removeController(ctx context.Context, c *Call) (any, error) {
	in, controller, err := h.decodeController(ctx, c, false)
	if err != nil {
		return nil, err
	}
	if in.Preset != "" || in.Scope != "" {
		return nil, invalidRequest("removeController takes no preset or scope")
	}
	g, err := h.Delegation.RemoveController(ctx, c.Viewer.DID, controller, c.Viewer.DID)
	if err != nil {
		return nil, delegationError(err)
	}
	return h.view(ctx, g), nil
}

func (h *DelegationHandlers) listControllers(ctx context.Context, c *Call) (any, error) {
	gs, err := h.Delegation.ListControllers(ctx, c.Viewer.DID)
	if err != nil {
		return nil, err
	}
	return map[string][]grantView{"controllers": h.views(ctx, gs)}, nil
}

func (h *DelegationHandlers) listControlledAccounts(ctx context.Context, c *Call) (any, error) {
	gs, err := h.Delegation.ListControlled(ctx, c.Viewer.DID)
	if err != nil {
		return nil, err
	}
	return map[string][]grantView{"accounts": h.views(ctx, gs)}, nil
}

func (h *DelegationHandlers) listPresets(context.Context, *Call) (any, error) {
	ps := delegation.Presets()
	out := make([]presetView, len(ps))
	for i, p := range ps {
		out[i] = presetView{Name: p.Name, Scope: p.Scope, Description: p.Description}
	}
	return map[string][]presetView{"presets": out}, nil
}

// delegationErrors maps the service's errors to the lexicons' error names.
var delegationErrors = []struct {
	target error
	name   string
}{
	{delegation.ErrAccountNotFound, "ControllerNotFound"},
	{delegation.ErrSelf, "SelfControl"},
	{delegation.ErrTooDeep, "DelegationTooDeep"},
	{delegation.ErrGrantExists, "GrantExists"},
	{delegation.ErrNoGrant, "GrantNotFound"},
	{delegation.ErrNotDelegable, "NotDelegable"},
	{delegation.ErrInvalidScope, "InvalidScope"},
	{delegation.ErrUnknownPreset, "UnknownPreset"},
	{delegation.ErrInvalidFilter, "InvalidRequest"},
}

// delegationError maps a service error to an XRPC error (400 with the
// lexicon's name); other errors pass through (a logged 500).
func delegationError(err error) error {
	for _, m := range delegationErrors {
		if errors.Is(err, m.target) {
			return &Error{Status: http.StatusBadRequest, Name: m.name, Message: err.Error(), Cause: err}
		}
	}
	return err
}
