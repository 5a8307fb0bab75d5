package store

import "errors"

// Sentinel errors returned by every backend. Callers test them with errors.Is;
// backends wrap them with context.
var (
	// ErrNotFound: the account, token, record, block or repo does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a unique value (DID, handle, email, app password name,
	// invite code) is already taken.
	ErrConflict = errors.New("store: conflict")
	// ErrRootMismatch: a commit's expected previous root is not the repo's
	// current root (another writer moved it), or a genesis commit found the
	// repo already present.
	ErrRootMismatch = errors.New("store: repo root changed")
	// ErrInviteUnavailable: the invite code does not exist, is disabled or
	// has no uses left.
	ErrInviteUnavailable = errors.New("store: invite code unavailable")
)
