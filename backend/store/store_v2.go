package store

import (
	"context"
	"time"

	"github.com/ipfs/go-cid"
)

// AccountTokens stores single-use tokens sent to an account's email
// (confirm email, update email, reset password, delete account, sign a PLC
// operation). Only a hash of each token is stored.
type AccountTokens interface {
	// PutAccountToken stores a token, replacing any earlier token of the
	// same purpose for the account.
	PutAccountToken(ctx context.Context, t AccountToken) error
	// GetAccountToken returns the account's token of a purpose, or
	// ErrNotFound.
	GetAccountToken(ctx context.Context, purpose TokenPurpose, did string) (AccountToken, error)
	// FindAccountToken finds a token of a purpose by its hash (a password
	// reset names no account), or ErrNotFound.
	FindAccountToken(ctx context.Context, purpose TokenPurpose, hash []byte) (AccountToken, error)
	// DeleteAccountToken removes the account's token of a purpose
	// (ErrNotFound if absent).
	DeleteAccountToken(ctx context.Context, purpose TokenPurpose, did string) error
}

// Preferences stores an account's private preferences
// (app.bsky.actor.getPreferences/putPreferences).
type Preferences interface {
	// GetPreferences returns the account's preferences whose type is in the
	// namespace (e.g. "app.bsky"), in the order they were put.
	GetPreferences(ctx context.Context, did, namespace string) ([]Preference, error)
	// PutPreferences replaces every preference of the namespace.
	PutPreferences(ctx context.Context, did, namespace string, prefs []Preference) error
}

// Nonces remembers used single-use identifiers (service-auth JWT `jti`s)
// until they expire, across every instance sharing the database.
type Nonces interface {
	// UseNonce records id as used until expires; it returns ErrConflict if
	// id is already recorded and not yet expired.
	UseNonce(ctx context.Context, id string, expires time.Time) error
	// DeleteExpiredNonces forgets nonces that expired before now.
	DeleteExpiredNonces(ctx context.Context, now time.Time) (int64, error)
}

// ReservedKeys stores signing keys reserved ahead of an account migration
// (com.atproto.server.reserveSigningKey).
type ReservedKeys interface {
	// ReserveSigningKey stores a sealed key under its public did:key.
	ReserveSigningKey(ctx context.Context, k ReservedKey) error
	// GetReservedKey returns a reserved key by its public did:key, or
	// ErrNotFound.
	GetReservedKey(ctx context.Context, keyDID string) (ReservedKey, error)
	// GetReservedKeyForDID returns the newest key reserved for a DID, or
	// ErrNotFound.
	GetReservedKeyForDID(ctx context.Context, did string) (ReservedKey, error)
	// DeleteReservedKey removes a reserved key (ErrNotFound if absent).
	DeleteReservedKey(ctx context.Context, keyDID string) error
}

// Moderation stores operator actions on accounts, records and blobs.
type Moderation interface {
	// SetTakedown applies (ref != "") or lifts (ref == "") a takedown of a
	// subject. An account takedown also sets its status to takendown (or back
	// to active when lifted) and appends events, atomically. ErrNotFound if
	// the subject does not exist.
	SetTakedown(ctx context.Context, s Subject, ref string, events []Event) ([]int64, error)
	// GetTakedown returns a subject's takedown ref ("" when none), or
	// ErrNotFound if the subject does not exist.
	GetTakedown(ctx context.Context, s Subject) (string, error)
	// SetInvitesDisabled disables or enables an account's ability to make
	// invite codes (ErrNotFound for an unknown account).
	SetInvitesDisabled(ctx context.Context, did string, disabled bool) error
	// SearchAccounts pages accounts whose handle or email starts with query
	// (all accounts when query is ""), by DID after cursor.
	SearchAccounts(ctx context.Context, query, cursor string, limit int) ([]Account, error)
	// ListAllInviteCodes pages every invite code, newest first (sort
	// "recent") or by most uses (sort "usage"); cursor is opaque.
	ListAllInviteCodes(ctx context.Context, sort, cursor string, limit int) ([]InviteCode, string, error)
	// UpdateSigningKey replaces an account's sealed signing key.
	UpdateSigningKey(ctx context.Context, did string, sealed []byte) error
}

// Imports replaces whole repositories (com.atproto.repo.importRepo and
// account migration).
type Imports interface {
	// ImportRepo replaces a repo's content — every block, the whole record
	// index with its blob references, and the root — in one transaction. The
	// compare-and-swap on Prev works as in ApplyCommits (nil Prev: the repo
	// must not exist yet, or must be the account's empty genesis repo when
	// ReplaceEmpty is set). It returns the event's seq (0 without event).
	ImportRepo(ctx context.Context, imp RepoImport) (int64, error)
}

// BlocksSince streams the blocks written after a rev (getRepo with since).
type BlocksSince interface {
	// ForEachBlockSince calls fn for every block of the repo first written by
	// a commit whose rev is greater than sinceRev (every block when sinceRev
	// is ""), in no particular order. Blocks are stamped with the rev of the
	// commit that first wrote them (ApplyCommits, ImportRepo).
	ForEachBlockSince(ctx context.Context, did, sinceRev string, fn func(c cid.Cid, data []byte) error) error
}
