package xrpc

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/delegation"
	"github.com/hearthpds/hearth/backend/store"
)

// grantView is dev.hearthpds.delegation.defs#grantView.
type grantView struct {
	Delegated        string   `json:"delegated"`
	DelegatedHandle  string   `json:"delegatedHandle,omitempty"`
	Controller       string   `json:"controller"`
	ControllerHandle string   `json:"controllerHandle,omitempty"`
	Preset           string   `json:"preset"`
	Scope            string   `json:"scope"`
	Description      []string `json:"description"`
	GrantedAt        string   `json:"grantedAt"`
	GrantedBy        string   `json:"grantedBy"`
	UpdatedAt        string   `json:"updatedAt,omitempty"`
	UpdatedBy        string   `json:"updatedBy,omitempty"`
	RevokedAt        string   `json:"revokedAt,omitempty"`
	RevokedBy        string   `json:"revokedBy,omitempty"`
}

// presetView is dev.hearthpds.delegation.defs#presetView.
type presetView struct {
	Name        string   `json:"name"`
	Scope       string   `json:"scope"`
	Description []string `json:"description"`
}

// auditEntryView is dev.hearthpds.delegation.defs#auditEntry.
type auditEntryView struct {
	ID         string             `json:"id"`
	CreatedAt  string             `json:"createdAt"`
	Controller string             `json:"controller"`
	Actor      string             `json:"actor"`
	Kind       string             `json:"kind"`
	Detail     *delegation.Detail `json:"detail"`
}

// view renders a grant with the two accounts' handles.
func (h *DelegationHandlers) view(ctx context.Context, g delegation.Grant) grantView {
	v := grantView{
		Delegated: g.Delegated, DelegatedHandle: h.Delegation.HandleOf(ctx, g.Delegated),
		Controller: g.Controller, ControllerHandle: h.Delegation.HandleOf(ctx, g.Controller),
		Preset: g.Preset, Scope: g.Scope.String(), Description: g.Scope.Describe(),
		GrantedAt: formatTime(g.GrantedAt), GrantedBy: g.GrantedBy,
		UpdatedAt: optTime(g.UpdatedAt), UpdatedBy: g.UpdatedBy,
		RevokedAt: optTime(g.RevokedAt), RevokedBy: g.RevokedBy,
	}
	if v.Description == nil {
		v.Description = []string{}
	}
	return v
}

// views renders grants.
func (h *DelegationHandlers) views(ctx context.Context, gs []delegation.Grant) []grantView {
	out := make([]grantView, len(gs))
	for i, g := range gs {
		out[i] = h.view(ctx, g)
	}
	return out
}

// optTime formats an optional time; nil is "".
func optTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return formatTime(*t)
}

// getAuditLog pages the caller's audit log, newest first, filtered by
// controller (handle or DID), kinds and a start time.
func (h *DelegationHandlers) getAuditLog(ctx context.Context, c *Call) (any, error) {
	f := delegation.AuditFilter{Delegated: c.Viewer.DID}
	id, err := c.AtIdentifier("controller", false)
	if err != nil {
		return nil, err
	}
	if did, err := id.AsDID(); err == nil {
		f.Controller = did.String() // a former controller's DID may no longer resolve
	} else if id != "" {
		if f.Controller, err = h.Delegation.ResolveAccount(ctx, id.String()); err != nil {
			return nil, delegationError(err)
		}
	}
	for _, k := range c.query()["kinds"] {
		if !isAuditKind(k) {
			return nil, invalidRequest("kinds: unknown kind %q (known: %v)", k, store.AuditKinds())
		}
		f.Kinds = append(f.Kinds, k)
	}
	if since, err := c.Str("since", false); err != nil {
		return nil, err
	} else if since != "" {
		dt, err := syntax.ParseDatetimeLenient(since)
		if err != nil {
			return nil, invalidRequest("since must be a datetime: %q", since)
		}
		f.Since = dt.Time()
	}
	if f.Limit, err = c.Int("limit", delegation.DefaultAuditLimit, 1, delegation.MaxAuditLimit); err != nil {
		return nil, err
	}
	if f.Cursor, err = c.Str("cursor", false); err != nil {
		return nil, err
	}
	entries, cursor, err := h.Delegation.AuditLog(ctx, f)
	if err != nil {
		return nil, delegationError(err)
	}
	out := struct {
		Cursor  string           `json:"cursor,omitempty"`
		Entries []auditEntryView `json:"entries"`
	}{Cursor: cursor, Entries: make([]auditEntryView, len(entries))}
	for i, e := range entries {
		out.Entries[i] = auditEntryView{
			ID: formatID(e.ID), CreatedAt: formatTime(e.At), Controller: e.Controller, Actor: e.Actor, Kind: e.Kind, Detail: &e.Detail,
		}
	}
	return out, nil
}

// isAuditKind reports whether k is a kind of audit entry.
func isAuditKind(k string) bool { return slices.Contains(store.AuditKinds(), k) }

// formatID renders an audit entry's ID.
func formatID(id int64) string { return strconv.FormatInt(id, 10) }
