package xrpc

import (
	"context"
	"strings"

	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/scopes"
)

// AuditedWrite is one record write a controller made while acting as an
// account (a Viewer with an Actor).
type AuditedWrite struct {
	Delegated  string // the account written to (Viewer.DID)
	Controller string // Viewer.Actor
	ClientID   string // the OAuth client
	Method     string // the XRPC method
	Collection string
	RKey       string
	Action     string // create, update or delete
}

// WriteAuditor records the writes controllers make (the delegation audit
// log). The server wires it; the xrpc layer does not import delegation.
type WriteAuditor interface {
	AuditWrite(ctx context.Context, w AuditedWrite) error
}

// SetWriteAuditor makes every successful repo write by a controller append
// an audit entry through a. Call it before serving.
func (rt *Router) SetWriteAuditor(a WriteAuditor) { rt.auditor = a }

// auditWrites records the writes of a successful call when the caller is a
// controller acting as the account. The writes have landed, so a failure to
// record them is logged, not returned.
func (c *Call) auditWrites(ctx context.Context, writes []repo.WriteResult) {
	v := c.Viewer
	if v == nil || v.Actor == "" || c.rt == nil || c.rt.auditor == nil {
		return
	}
	method := strings.TrimPrefix(c.r.URL.Path, "/xrpc/")
	for _, w := range writes {
		e := AuditedWrite{
			Delegated: v.DID, Controller: v.Actor, ClientID: v.ClientID, Method: method,
			Collection: w.Collection, RKey: w.RKey, Action: w.Action.String(),
		}
		if err := c.rt.auditor.AuditWrite(ctx, e); err != nil {
			c.rt.log.Error("delegation: audit a controller's write", "did", v.DID, "controller", v.Actor,
				"collection", w.Collection, "rkey", w.RKey, "err", err)
		}
	}
}

// writeScopeAction is the repo permission action a write needs.
func writeScopeAction(a repo.Action) scopes.Action {
	switch a {
	case repo.Create:
		return scopes.ActionCreate
	case repo.Update:
		return scopes.ActionUpdate
	case repo.Delete:
		return scopes.ActionDelete
	}
	return 0 // a put is checked as create and update by putRecord
}
