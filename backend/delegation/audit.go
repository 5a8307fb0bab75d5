package delegation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/store"
)

// Detail is what an audit entry records beyond who and when. Fields that do
// not apply are empty.
type Detail struct {
	Scope         string `json:"scope,omitempty"`         // the grant's or the token's scope
	Preset        string `json:"preset,omitempty"`        // the grant's preset
	PreviousScope string `json:"previousScope,omitempty"` // grant.update: the scope before
	ClientID      string `json:"clientId,omitempty"`      // token.issued, write: the OAuth client
	Method        string `json:"method,omitempty"`        // write: the XRPC method
	Collection    string `json:"collection,omitempty"`    // write
	Rkey          string `json:"rkey,omitempty"`          // write
	Action        string `json:"action,omitempty"`        // write: create, update or delete
}

// Entry is one line of an account's audit log.
type Entry struct {
	ID         int64
	At         time.Time
	Delegated  string
	Controller string
	Actor      string // who did it: the account itself or the controller
	Kind       string // store.AuditGrantAdd ... store.AuditWrite
	Detail     Detail
}

// entry builds a stored audit entry.
func (s *Service) entry(at time.Time, delegated, controller, actor, kind string, d Detail) store.DelegationAuditEntry {
	b, _ := json.Marshal(d) // a struct of strings always marshals
	return store.DelegationAuditEntry{At: at, DelegatedDID: delegated, ControllerDID: controller, ActorDID: actor, Kind: kind, Detail: b}
}

// Audit records a token issued to a controller (store.AuditTokenIssued) or
// a write a controller made (store.AuditWrite) for a delegated account. A
// zero e.At is now; an empty e.Actor is the controller. Grant changes are
// recorded by the Service itself and are refused here (ErrInvalidEntry).
func (s *Service) Audit(ctx context.Context, e Entry) error {
	if e.Kind != store.AuditTokenIssued && e.Kind != store.AuditWrite {
		return fmt.Errorf("%w: kind %q (want %s or %s)", ErrInvalidEntry, e.Kind, store.AuditTokenIssued, store.AuditWrite)
	}
	if e.Actor == "" {
		e.Actor = e.Controller
	}
	for _, d := range []string{e.Delegated, e.Controller, e.Actor} {
		if _, err := syntax.ParseDID(d); err != nil {
			return fmt.Errorf("%w: %q is not a DID", ErrInvalidEntry, d)
		}
	}
	at := e.At
	if at.IsZero() {
		at = s.now()
	}
	if _, err := s.cfg.Store.AppendDelegationAudit(ctx, s.entry(at, e.Delegated, e.Controller, e.Actor, e.Kind, e.Detail)); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: %s is not hosted here", ErrAccountNotFound, e.Delegated)
		}
		return fmt.Errorf("delegation: audit: %w", err)
	}
	return nil
}

// AuditFilter selects a page of an account's audit log.
type AuditFilter struct {
	Delegated  string   // required
	Controller string   // "" for every controller
	Kinds      []string // nil for every kind
	Since      time.Time
	Cursor     string // from the previous page; "" for the newest
	Limit      int    // 1..100; 0 is 50
}

// Audit log page sizes.
const (
	DefaultAuditLimit = 50
	MaxAuditLimit     = 100
)

// AuditLog returns a page of an account's audit log, newest first, and the
// cursor of the next page ("" after the last).
func (s *Service) AuditLog(ctx context.Context, f AuditFilter) ([]Entry, string, error) {
	if _, err := syntax.ParseDID(f.Delegated); err != nil {
		return nil, "", fmt.Errorf("%w: %q is not a DID", ErrAccountNotFound, f.Delegated)
	}
	for _, k := range f.Kinds {
		if !slices.Contains(store.AuditKinds(), k) {
			return nil, "", fmt.Errorf("%w: unknown kind %q", ErrInvalidFilter, k)
		}
	}
	limit := f.Limit
	switch {
	case limit == 0:
		limit = DefaultAuditLimit
	case limit < 0 || limit > MaxAuditLimit:
		return nil, "", fmt.Errorf("%w: limit %d is not in 1..%d", ErrInvalidFilter, limit, MaxAuditLimit)
	}
	var before int64
	if f.Cursor != "" {
		n, err := strconv.ParseInt(f.Cursor, 10, 64)
		if err != nil || n <= 0 {
			return nil, "", fmt.Errorf("%w: malformed cursor %q", ErrInvalidFilter, f.Cursor)
		}
		before = n
	}
	stored, err := s.cfg.Store.ListDelegationAudit(ctx, store.DelegationAuditFilter{
		DelegatedDID: f.Delegated, ControllerDID: f.Controller, Kinds: f.Kinds, Since: f.Since,
		Before: before, Limit: limit + 1,
	})
	if err != nil {
		return nil, "", fmt.Errorf("delegation: audit log: %w", err)
	}
	cursor := ""
	if len(stored) > limit {
		stored = stored[:limit]
		cursor = strconv.FormatInt(stored[limit-1].ID, 10)
	}
	out := make([]Entry, len(stored))
	for i, e := range stored {
		out[i] = Entry{ID: e.ID, At: e.At, Delegated: e.DelegatedDID, Controller: e.ControllerDID, Actor: e.ActorDID, Kind: e.Kind}
		if err := json.Unmarshal(e.Detail, &out[i].Detail); err != nil {
			s.log.Warn("delegation audit entry with an unreadable detail", "id", e.ID, "err", err)
		}
	}
	return out, cursor, nil
}
