package store

import (
	"context"
	"errors"
	"time"
)

// ErrDelegationDepth is returned when a grant would make delegation more
// than one level deep: the controller is itself controlled by someone, or
// the delegated account already controls another account.
var ErrDelegationDepth = errors.New("store: delegation is one level deep")

// Delegation stores the grants that let a controller act as a delegated
// account, the audit log of what happened under them, and which app
// passwords a controller created for the delegated account (so revoking
// the grant can delete them).
//
// The delegated account is hosted here (its rows go with it when it is
// deleted); the controller may live on another PDS, so its DID is not a
// foreign key. At most one grant per (delegated, controller) pair is
// active (not revoked); revoked grants stay as history.
type Delegation interface {
	// CreateDelegationGrant stores g as a new active grant and appends the
	// audit entry, atomically, and returns the grant with its ID. It
	// returns ErrConflict when the pair already has an active grant,
	// ErrDelegationDepth when g.ControllerDID is itself controlled or
	// g.DelegatedDID controls an account, and ErrNotFound when the
	// delegated account does not exist. The checks and the insert are one
	// step: two concurrent grants cannot together break the rules.
	CreateDelegationGrant(ctx context.Context, g DelegationGrant, audit DelegationAuditEntry) (DelegationGrant, error)
	// UpdateDelegationGrant replaces the scope and preset of the pair's
	// active grant, records who changed it and when, and appends the audit
	// entry, atomically. It returns ErrNotFound when the pair has no active
	// grant.
	UpdateDelegationGrant(ctx context.Context, u DelegationGrantUpdate, audit DelegationAuditEntry) (DelegationGrant, error)
	// RevokeDelegationGrant marks the pair's active grant revoked, deletes
	// every app password the controller created for the delegated account
	// (CreateDelegatedAppPassword) with the refresh tokens issued through
	// them, and appends the audit entry, atomically. It returns the revoked
	// grant and the deleted app passwords' names, or ErrNotFound when the
	// pair has no active grant.
	RevokeDelegationGrant(ctx context.Context, r DelegationRevoke, audit DelegationAuditEntry) (DelegationGrant, []string, error)
	// GetActiveDelegationGrant returns the pair's active grant, or
	// ErrNotFound.
	GetActiveDelegationGrant(ctx context.Context, delegatedDID, controllerDID string) (DelegationGrant, error)
	// ListDelegationGrants lists grants matching the filter, oldest first.
	ListDelegationGrants(ctx context.Context, f DelegationGrantFilter) ([]DelegationGrant, error)

	// AppendDelegationAudit appends one audit entry and returns its ID.
	// ErrNotFound: the delegated account does not exist.
	AppendDelegationAudit(ctx context.Context, e DelegationAuditEntry) (int64, error)
	// ListDelegationAudit pages audit entries matching the filter, newest
	// first.
	ListDelegationAudit(ctx context.Context, f DelegationAuditFilter) ([]DelegationAuditEntry, error)

	// CreateDelegatedAppPassword stores an app password that a controller
	// created for the delegated account p.DID, remembering the controller,
	// atomically (ErrConflict if the name is taken for this account).
	CreateDelegatedAppPassword(ctx context.Context, p AppPassword, controllerDID string) error
	// ListDelegatedAppPasswords names the app passwords of delegatedDID
	// that controllerDID created and that still exist, by name.
	ListDelegatedAppPasswords(ctx context.Context, delegatedDID, controllerDID string) ([]string, error)
}

// PresetCustom is DelegationGrant.Preset for scopes that match no preset.
const PresetCustom = "custom"

// DelegationGrant lets ControllerDID act as DelegatedDID within Scope.
type DelegationGrant struct {
	ID            int64
	DelegatedDID  string
	ControllerDID string
	Scope         string // the granted scope, in canonical form (scopes.Set.String)
	Preset        string // the preset Scope equals, or PresetCustom
	GrantedAt     time.Time
	GrantedBy     string // the DID that created the grant
	UpdatedAt     *time.Time
	UpdatedBy     string
	RevokedAt     *time.Time
	RevokedBy     string
}

// Active reports whether the grant has not been revoked.
func (g DelegationGrant) Active() bool { return g.RevokedAt == nil }

// DelegationGrantUpdate is a new scope for a pair's active grant.
type DelegationGrantUpdate struct {
	DelegatedDID  string
	ControllerDID string
	Scope         string
	Preset        string
	At            time.Time
	By            string
}

// DelegationRevoke ends a pair's active grant.
type DelegationRevoke struct {
	DelegatedDID  string
	ControllerDID string
	At            time.Time
	By            string
}

// DelegationGrantFilter selects grants. Empty fields match everything.
type DelegationGrantFilter struct {
	DelegatedDID   string
	ControllerDID  string
	IncludeRevoked bool
}

// Audit entry kinds.
const (
	AuditGrantAdd    = "grant.add"
	AuditGrantUpdate = "grant.update"
	AuditGrantRevoke = "grant.revoke"
	AuditTokenIssued = "token.issued"
	AuditWrite       = "write"
)

// AuditKinds lists the audit entry kinds.
func AuditKinds() []string {
	return []string{AuditGrantAdd, AuditGrantUpdate, AuditGrantRevoke, AuditTokenIssued, AuditWrite}
}

// DelegationAuditEntry is one line of a delegated account's audit log.
type DelegationAuditEntry struct {
	ID            int64 // assigned by the store, increasing
	At            time.Time
	DelegatedDID  string
	ControllerDID string
	ActorDID      string // who did it: the account itself or the controller
	Kind          string // one of AuditKinds
	Detail        []byte // a JSON object (owned by package delegation); nil is {}
}

// DelegationAuditFilter selects audit entries. Empty fields match
// everything.
type DelegationAuditFilter struct {
	DelegatedDID  string
	ControllerDID string
	Kinds         []string
	Since         time.Time // entries at or after; zero: all
	Before        int64     // entries with ID < Before (the paging cursor); 0: from the newest
	Limit         int       // at most this many; <= 0: no limit
}
