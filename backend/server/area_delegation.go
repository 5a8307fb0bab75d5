package server

import (
	"context"
	"net/http"
	"time"

	"github.com/hearthpds/hearth/backend/delegation"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// delegationArea holds the delegation service: grants letting controllers
// act as accounts hosted here, and their audit log.
type delegationArea struct {
	delegation *delegation.Service
}

// initDelegation builds the delegation service. It runs before the OAuth
// area, whose token issuance for act-as checks grants. Two things are wired
// here:
//   - revoking a grant revokes the OAuth refresh tokens the controller
//     obtained for the account (its app passwords go in the revoking
//     transaction itself, see store.Delegation.RevokeDelegationGrant);
//   - deleting a hosted account revokes the grants it holds as a
//     controller (its grants as a delegated account go with its rows).
func (s *Server) initDelegation(context.Context) error {
	s.delegation = delegation.New(delegation.Config{Store: s.store, Directory: s.dir, Logger: s.log})
	s.delegation.OnRevoke(func(ctx context.Context, delegated, controller string) error {
		_, err := s.store.RevokeOAuthTokens(ctx, delegated, controller, time.Now())
		return err
	})
	if s.lifecycle != nil {
		s.lifecycle.OnDelete(func(ctx context.Context, did string) {
			if err := s.delegation.RevokeAllOf(ctx, did); err != nil {
				s.log.Warn("revoke the grants of a deleted controller", "did", did, "err", err)
			}
		})
	}
	return nil
}

// registerDelegation adds the dev.hearthpds.delegation.* methods and makes
// every repo write by a controller acting as an account append a "write"
// row to that account's audit log.
func (s *Server) registerDelegation(rt *xrpc.Router, _ *http.ServeMux) {
	rt.Register((&xrpc.DelegationHandlers{Delegation: s.delegation}).Methods()...)
	rt.SetWriteAuditor(writeAuditor{s.delegation})
}

// writeAuditor adapts the delegation service to the router's WriteAuditor.
type writeAuditor struct{ svc *delegation.Service }

// AuditWrite appends a store.AuditWrite entry for w.
func (a writeAuditor) AuditWrite(ctx context.Context, w xrpc.AuditedWrite) error {
	return a.svc.Audit(ctx, delegation.Entry{
		Delegated: w.Delegated, Controller: w.Controller, Kind: store.AuditWrite,
		Detail: delegation.Detail{ClientID: w.ClientID, Method: w.Method, Collection: w.Collection, Rkey: w.RKey, Action: w.Action},
	})
}

// Delegation returns the delegation service (for the OAuth area, the
// desktop app and tests).
func (s *Server) Delegation() *delegation.Service { return s.delegation }
