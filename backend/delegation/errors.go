package delegation

import "errors"

// Errors returned by the Service; callers test them with errors.Is. The
// XRPC layer maps each to an error name of the dev.hearthpds.delegation
// lexicons.
var (
	// ErrSelf: an account cannot control itself.
	ErrSelf = errors.New("an account cannot control itself")
	// ErrTooDeep: the grant would make delegation more than one level
	// deep.
	ErrTooDeep = errors.New("delegation is one level deep")
	// ErrGrantExists: the pair already has an active grant (change it
	// with UpdateController).
	ErrGrantExists = errors.New("this controller already has a grant for the account")
	// ErrNoGrant: the pair has no active grant.
	ErrNoGrant = errors.New("this account has no active grant for the controller")
	// ErrInvalidScope: a custom scope could not be used as written.
	ErrInvalidScope = errors.New("invalid scope")
	// ErrNotDelegable: a custom scope includes grant management, which can
	// never be delegated.
	ErrNotDelegable = errors.New("delegation management can never be delegated")
	// ErrUnknownPreset: no preset has this name.
	ErrUnknownPreset = errors.New("unknown preset")
	// ErrAccountNotFound: a handle or DID does not resolve to an account,
	// or the delegated account is not hosted here.
	ErrAccountNotFound = errors.New("account not found")
	// ErrInvalidEntry: an audit entry passed to Audit is malformed.
	ErrInvalidEntry = errors.New("invalid audit entry")
	// ErrInvalidFilter: an audit log filter is malformed (unknown kind,
	// limit out of range, bad cursor).
	ErrInvalidFilter = errors.New("invalid audit log filter")
	// ErrRevokeIncomplete: the grant was revoked but a revocation hook
	// failed; the cause is joined.
	ErrRevokeIncomplete = errors.New("grant revoked, but revoking what the controller obtained failed")
)
