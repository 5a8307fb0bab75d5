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
	// same purpose for the account. It returns ErrNotFound for an unknown
	// account and ErrConflict when another account's token of the purpose
	// has the same hash.
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
	// namespace, in the order they were put. A type is in the namespace
	// when it is the namespace or starts with the namespace and a dot
	// ("app.bsky" holds "app.bsky.actor.defs#savedFeedsPref", not
	// "app.bskyx.pref"), compared bytewise; every type is in "".
	GetPreferences(ctx context.Context, did, namespace string) ([]Preference, error)
	// PutPreferences replaces every preference of the namespace (ErrNotFound
	// for an unknown account). The caller checks that each preference's
	// type is in the namespace.
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
	// ReserveSigningKey stores a sealed key under its public did:key
	// (ErrConflict if that key is already reserved). The DID needs no
	// account: keys are reserved before an account migrates in.
	ReserveSigningKey(ctx context.Context, k ReservedKey) error
	// GetReservedKey returns a reserved key by its public did:key, or
	// ErrNotFound.
	GetReservedKey(ctx context.Context, keyDID string) (ReservedKey, error)
	// GetReservedKeyForDID returns the newest key reserved for a DID (by
	// CreatedAt), or ErrNotFound; "" names no DID and finds nothing.
	GetReservedKeyForDID(ctx context.Context, did string) (ReservedKey, error)
	// DeleteReservedKey removes a reserved key (ErrNotFound if absent).
	DeleteReservedKey(ctx context.Context, keyDID string) error
}

// Moderation stores operator actions on accounts, records and blobs.
type Moderation interface {
	// SetTakedown applies (ref != "") or lifts (ref == "") a takedown of a
	// subject and appends the events, atomically. An account takedown also
	// sets its status to takendown (or back to active when lifted), which
	// clears DeactivatedAt. ErrNotFound (and no events) if the subject does
	// not exist; a blob subject is the account's uploaded blob metadata.
	SetTakedown(ctx context.Context, s Subject, ref string, events []Event) ([]int64, error)
	// GetTakedown returns a subject's takedown ref ("" when none), or
	// ErrNotFound if the subject does not exist.
	GetTakedown(ctx context.Context, s Subject) (string, error)
	// SetInvitesDisabled disables or enables an account's ability to make
	// invite codes (ErrNotFound for an unknown account).
	SetInvitesDisabled(ctx context.Context, did string, disabled bool) error
	// SearchAccounts pages accounts whose handle or email starts with query
	// (matched case-insensitively and literally: no wildcards; all accounts
	// when query is ""), by DID after cursor.
	SearchAccounts(ctx context.Context, query, cursor string, limit int) ([]Account, error)
	// ListAllInviteCodes pages every invite code with its uses, newest first
	// (sort "recent", or "") or by most uses (sort "usage"; ties newest
	// first), ties broken by code. It returns the cursor of the next page,
	// "" after a page shorter than limit (limit <= 0: every code, one page).
	// Cursors are opaque; an unknown sort or a malformed cursor is an error.
	ListAllInviteCodes(ctx context.Context, sort, cursor string, limit int) ([]InviteCode, string, error)
	// UpdateSigningKey replaces an account's sealed signing key (ErrNotFound
	// for an unknown account).
	UpdateSigningKey(ctx context.Context, did string, sealed []byte) error
}

// Imports replaces whole repositories (com.atproto.repo.importRepo and
// account migration).
type Imports interface {
	// ImportRepo replaces a repo's content — every block, the whole record
	// index with its blob references, and the root — in one transaction. The
	// compare-and-swap on Prev works as in ApplyCommits (nil Prev: the repo
	// must not exist yet, or must be the account's empty genesis repo when
	// ReplaceEmpty is set), failing with ErrRootMismatch. Every block is
	// stamped with Root.Rev and every record gets Root.Rev; blob metadata and
	// the account are left alone. It returns the event's seq (0 without
	// event); when the event's Encode fails, nothing changes.
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
