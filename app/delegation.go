package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/delegation"
	"github.com/hearthpds/hearth/backend/store"
)

// The Delegation page's bindings: who may act for the owner's account
// (grants), the accounts hosted here the owner may act for, the audit log
// and the presets. They call the server's delegation service in-process,
// on the owner's authority, as dev.hearthpds.delegation.* does over XRPC
// for a session opened with the account password.

// ControllerInfo is a row of "People who can act for me".
type ControllerInfo struct {
	DID string `json:"did"`
	// Handle is the controller's handle when it resolves ("" otherwise:
	// show the DID).
	Handle string `json:"handle"`
	// Preset is "owner", "admin", "editor", "viewer" or "custom".
	Preset string `json:"preset"`
	Scope  string `json:"scope"`
	// Description says what the scope allows, one plain-words line per
	// permission.
	Description []string `json:"description"`
	GrantedAt   string   `json:"grantedAt"`
	GrantedBy   string   `json:"grantedBy"`
	UpdatedAt   string   `json:"updatedAt,omitempty"`
	// LastUsed is the latest token issued to or write made by the
	// controller for this account ("" when never used).
	LastUsed string `json:"lastUsed,omitempty"`
	// RevokedAt is set on the answer of RemoveController.
	RevokedAt string `json:"revokedAt,omitempty"`
}

// ControllerInput is the "Add someone" and "Change" forms: who (a handle
// or DID), and either a preset or a custom scope.
type ControllerInput struct {
	Who    string `json:"who"`
	Preset string `json:"preset"`
	Scope  string `json:"scope"`
}

// ControlledInfo is a row of "Accounts I can act for".
type ControlledInfo struct {
	DID         string   `json:"did"`
	Handle      string   `json:"handle"`
	Preset      string   `json:"preset"`
	Scope       string   `json:"scope"`
	Description []string `json:"description"`
	GrantedAt   string   `json:"grantedAt"`
}

// PresetInfo is a preset with what it allows in plain words.
type PresetInfo struct {
	Name        string   `json:"name"`
	Scope       string   `json:"scope"`
	Description []string `json:"description"`
}

// AuditFilterInput selects a page of the audit log.
type AuditFilterInput struct {
	// Kinds keeps only these kinds (grant.add, grant.update, grant.revoke,
	// token.issued, write); empty for all.
	Kinds []string `json:"kinds"`
	// Controller keeps one controller's entries: a handle or DID; "" for
	// all.
	Controller string `json:"controller"`
	// Cursor continues from a previous page; "" for the newest.
	Cursor string `json:"cursor"`
	// Limit is the page size, 1..100 (0: 50).
	Limit int `json:"limit"`
}

// AuditEntryInfo is a row of the audit log.
type AuditEntryInfo struct {
	ID               string `json:"id"`
	At               string `json:"at"`
	Kind             string `json:"kind"`
	Controller       string `json:"controller"`
	ControllerHandle string `json:"controllerHandle"`
	// Actor is who did it: the account itself (grant changes) or the
	// controller.
	Actor         string `json:"actor"`
	Scope         string `json:"scope,omitempty"`
	Preset        string `json:"preset,omitempty"`
	PreviousScope string `json:"previousScope,omitempty"`
	ClientID      string `json:"clientId,omitempty"`
	Method        string `json:"method,omitempty"`
	Collection    string `json:"collection,omitempty"`
	Rkey          string `json:"rkey,omitempty"`
	Action        string `json:"action,omitempty"`
}

// AuditPage is a page of the audit log, newest first.
type AuditPage struct {
	Entries []AuditEntryInfo `json:"entries"`
	// Cursor continues the log; "" after the last page.
	Cursor string `json:"cursor"`
}

// delegationCall bounds one binding call (a handle or DID lookup may go to
// the network).
const delegationCall = 20 * time.Second

// ownerDelegation returns the delegation service, the owner's DID and a
// context for one call.
func (a *App) ownerDelegation() (*delegation.Service, string, context.Context, context.CancelFunc, error) {
	run, did, err := a.ownerRun()
	if err != nil {
		return nil, "", nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), delegationCall)
	return run.srv.Delegation(), did, ctx, cancel, nil
}

// ListControllers lists the people who can act for the owner's account,
// oldest grant first.
func (a *App) ListControllers() ([]ControllerInfo, error) {
	svc, did, ctx, cancel, err := a.ownerDelegation()
	if err != nil {
		return nil, err
	}
	defer cancel()
	gs, err := svc.ListControllers(ctx, did)
	if err != nil {
		return nil, uiError(err)
	}
	out := make([]ControllerInfo, len(gs))
	for i, g := range gs {
		out[i] = controllerInfo(ctx, svc, g)
		out[i].LastUsed = lastUsed(ctx, svc, did, g.Controller)
	}
	return out, nil
}

// AddController lets someone (a handle or DID, here or on another PDS) act
// for the owner's account with a preset or a custom scope.
func (a *App) AddController(in ControllerInput) (ControllerInfo, error) {
	svc, did, ctx, cancel, err := a.ownerDelegation()
	if err != nil {
		return ControllerInfo{}, err
	}
	defer cancel()
	rights, err := rightsOf(in)
	if err != nil {
		return ControllerInfo{}, err
	}
	who := strings.TrimSpace(in.Who)
	if who == "" {
		return ControllerInfo{}, invalid("give the handle or DID of the person who may act for you")
	}
	controller, err := svc.ResolveAccount(ctx, who)
	if err != nil {
		return ControllerInfo{}, uiError(err)
	}
	g, err := svc.AddController(ctx, did, controller, rights, did)
	if err != nil {
		return ControllerInfo{}, uiError(err)
	}
	a.log.Info("controller added", "controller", controller, "preset", g.Preset)
	return controllerInfo(ctx, svc, g), nil
}

// UpdateController changes what a controller may do.
func (a *App) UpdateController(in ControllerInput) (ControllerInfo, error) {
	svc, did, ctx, cancel, err := a.ownerDelegation()
	if err != nil {
		return ControllerInfo{}, err
	}
	defer cancel()
	rights, err := rightsOf(in)
	if err != nil {
		return ControllerInfo{}, err
	}
	controller, err := existingController(ctx, svc, in.Who)
	if err != nil {
		return ControllerInfo{}, err
	}
	g, err := svc.UpdateController(ctx, did, controller, rights, did)
	if err != nil {
		return ControllerInfo{}, uiError(err)
	}
	a.log.Info("controller changed", "controller", controller, "preset", g.Preset)
	info := controllerInfo(ctx, svc, g)
	info.LastUsed = lastUsed(ctx, svc, did, controller)
	return info, nil
}

// RemoveController revokes a controller's grant, with the app passwords
// and sign-ins it obtained for the owner's account.
func (a *App) RemoveController(who string) (ControllerInfo, error) {
	svc, did, ctx, cancel, err := a.ownerDelegation()
	if err != nil {
		return ControllerInfo{}, err
	}
	defer cancel()
	controller, err := existingController(ctx, svc, who)
	if err != nil {
		return ControllerInfo{}, err
	}
	g, err := svc.RemoveController(ctx, did, controller, did)
	if err != nil && g.ID == 0 {
		return ControllerInfo{}, uiError(err)
	}
	a.log.Info("controller removed", "controller", controller)
	info := controllerInfo(ctx, svc, g)
	if err != nil {
		// Revoked, but a revocation hook failed: say so.
		return info, uiError(err)
	}
	return info, nil
}

// ListControlledAccounts lists the accounts hosted here that the owner can
// act for.
func (a *App) ListControlledAccounts() ([]ControlledInfo, error) {
	svc, did, ctx, cancel, err := a.ownerDelegation()
	if err != nil {
		return nil, err
	}
	defer cancel()
	gs, err := svc.ListControlled(ctx, did)
	if err != nil {
		return nil, uiError(err)
	}
	out := make([]ControlledInfo, len(gs))
	for i, g := range gs {
		out[i] = ControlledInfo{
			DID: g.Delegated, Handle: svc.HandleOf(ctx, g.Delegated), Preset: g.Preset, Scope: g.Scope.String(),
			Description: nonNil(g.Scope.Describe()), GrantedAt: timeString(g.GrantedAt),
		}
	}
	return out, nil
}

// DelegationAuditLog pages the owner's delegation audit log, newest first.
func (a *App) DelegationAuditLog(f AuditFilterInput) (AuditPage, error) {
	svc, did, ctx, cancel, err := a.ownerDelegation()
	if err != nil {
		return AuditPage{}, err
	}
	defer cancel()
	filter := delegation.AuditFilter{Delegated: did, Kinds: f.Kinds, Cursor: f.Cursor, Limit: f.Limit}
	if len(filter.Kinds) == 0 {
		filter.Kinds = nil
	}
	if who := strings.TrimPrefix(strings.TrimSpace(f.Controller), "@"); who != "" {
		if d, err := syntax.ParseDID(who); err == nil {
			filter.Controller = d.String() // a former controller's DID may no longer resolve
		} else if filter.Controller, err = svc.ResolveAccount(ctx, who); err != nil {
			return AuditPage{}, uiError(err)
		}
	}
	entries, cursor, err := svc.AuditLog(ctx, filter)
	if err != nil {
		return AuditPage{}, uiError(err)
	}
	page := AuditPage{Entries: make([]AuditEntryInfo, len(entries)), Cursor: cursor}
	handles := map[string]string{}
	for i, e := range entries {
		h, ok := handles[e.Controller]
		if !ok {
			h = svc.HandleOf(ctx, e.Controller)
			handles[e.Controller] = h
		}
		page.Entries[i] = AuditEntryInfo{
			ID: strconv.FormatInt(e.ID, 10), At: timeString(e.At), Kind: e.Kind, Controller: e.Controller, ControllerHandle: h, Actor: e.Actor,
			Scope: e.Detail.Scope, Preset: e.Detail.Preset, PreviousScope: e.Detail.PreviousScope, ClientID: e.Detail.ClientID,
			Method: e.Detail.Method, Collection: e.Detail.Collection, Rkey: e.Detail.Rkey, Action: e.Detail.Action,
		}
	}
	return page, nil
}

// DelegationPresets lists the presets, from most to least powerful, with
// what each allows in plain words.
func (a *App) DelegationPresets() ([]PresetInfo, error) {
	ps := delegation.Presets()
	out := make([]PresetInfo, len(ps))
	for i, p := range ps {
		out[i] = PresetInfo{Name: p.Name, Scope: p.Scope, Description: nonNil(p.Description)}
	}
	return out, nil
}

// rightsOf reads the preset or custom scope of a form.
func rightsOf(in ControllerInput) (delegation.Rights, error) {
	preset, scope := strings.TrimSpace(in.Preset), strings.Join(strings.Fields(in.Scope), " ")
	if preset == store.PresetCustom {
		preset = ""
	}
	switch {
	case preset != "" && scope != "":
		return delegation.Rights{}, invalid("choose a preset or write a custom scope, not both")
	case preset == "" && scope == "":
		return delegation.Rights{}, invalid("choose a preset or write a custom scope")
	}
	return delegation.Rights{Preset: preset, Scope: scope}, nil
}

// existingController turns the who of a change or a revocation into a DID.
// A DID is taken as written (a grant stays changeable and removable after
// its controller's DID stopped resolving); a handle is resolved.
func existingController(ctx context.Context, svc *delegation.Service, who string) (string, error) {
	who = strings.TrimPrefix(strings.TrimSpace(who), "@")
	if who == "" {
		return "", invalid("say whose access to change")
	}
	if d, err := syntax.ParseDID(who); err == nil {
		return d.String(), nil
	}
	did, err := svc.ResolveAccount(ctx, who)
	if err != nil {
		return "", uiError(err)
	}
	return did, nil
}

func controllerInfo(ctx context.Context, svc *delegation.Service, g delegation.Grant) ControllerInfo {
	info := ControllerInfo{
		DID: g.Controller, Handle: svc.HandleOf(ctx, g.Controller), Preset: g.Preset, Scope: g.Scope.String(),
		Description: nonNil(g.Scope.Describe()), GrantedAt: timeString(g.GrantedAt), GrantedBy: g.GrantedBy,
	}
	if g.UpdatedAt != nil {
		info.UpdatedAt = timeString(*g.UpdatedAt)
	}
	if g.RevokedAt != nil {
		info.RevokedAt = timeString(*g.RevokedAt)
	}
	return info
}

// lastUsed is when the controller last obtained a token for or wrote to
// the account: the newest such audit entry (one indexed row).
func lastUsed(ctx context.Context, svc *delegation.Service, delegated, controller string) string {
	es, _, err := svc.AuditLog(ctx, delegation.AuditFilter{
		Delegated: delegated, Controller: controller, Kinds: []string{store.AuditTokenIssued, store.AuditWrite}, Limit: 1,
	})
	if err != nil || len(es) == 0 {
		return ""
	}
	return timeString(es[0].At)
}

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// explainDelegation puts the delegation service's errors in the user's
// words, with the error names of the dev.hearthpds.delegation lexicons.
func explainDelegation(err error) (words, name string, ok bool) {
	detail := func(sentinel error) string {
		s := err.Error()
		if i := strings.Index(s, sentinel.Error()+": "); i >= 0 {
			return s[i+len(sentinel.Error())+2:]
		}
		return ""
	}
	with := func(words, more string) string {
		if more == "" {
			return words
		}
		return words + ": " + more
	}
	switch {
	case errors.Is(err, delegation.ErrRevokeIncomplete):
		return with("Access was revoked, but ending the sign-ins they already had failed", detail(delegation.ErrRevokeIncomplete)), "InternalError", true
	case errors.Is(err, delegation.ErrSelf):
		return "Your account cannot act for itself: name someone else", "SelfControl", true
	case errors.Is(err, delegation.ErrTooDeep):
		return with("Delegation is one level deep", detail(delegation.ErrTooDeep)), "DelegationTooDeep", true
	case errors.Is(err, delegation.ErrGrantExists):
		return "This person can already act for you: change what they may do instead", "GrantExists", true
	case errors.Is(err, delegation.ErrNoGrant):
		return "This person cannot act for you (any more)", "GrantNotFound", true
	case errors.Is(err, delegation.ErrNotDelegable):
		return with("Deciding who can act for you can never be handed to someone else", detail(delegation.ErrNotDelegable)), "NotDelegable", true
	case errors.Is(err, delegation.ErrInvalidScope):
		return with("That scope cannot be used", detail(delegation.ErrInvalidScope)), "InvalidScope", true
	case errors.Is(err, delegation.ErrUnknownPreset):
		return with("There is no such preset", detail(delegation.ErrUnknownPreset)), "UnknownPreset", true
	case errors.Is(err, delegation.ErrAccountNotFound):
		return with("No account was found", detail(delegation.ErrAccountNotFound)), "ControllerNotFound", true
	case errors.Is(err, delegation.ErrInvalidFilter):
		return with("The audit log filter is not valid", detail(delegation.ErrInvalidFilter)), "InvalidRequest", true
	}
	return "", "", false
}
