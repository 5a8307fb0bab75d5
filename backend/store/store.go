package store

import (
	"context"
	"time"

	"github.com/ipfs/go-cid"
)

// Store is everything Hearth persists. Implementations are safe for
// concurrent use.
type Store interface {
	Accounts
	Sessions
	Invites
	Repos
	Blobs
	Events
	AccountTokens
	Preferences
	Nonces
	ReservedKeys
	Moderation
	Imports
	BlocksSince
	PendingPLC
	OAuth
	Delegation
	Privacy
	PluginKV

	// Dialect names the backend: "sqlite" or "postgres".
	Dialect() string
	// SchemaVersion is the highest applied migration version.
	SchemaVersion(ctx context.Context) (int64, error)
	// Close releases the database handles, waiting for connections in use
	// to be returned.
	Close() error
}

// Accounts stores hosted accounts.
type Accounts interface {
	// CreateAccount inserts the account, consumes one use of the invite code
	// (if NewAccount.InviteCode is set), lands the repo's genesis commit and
	// appends the extra events, all atomically. It returns ErrConflict when
	// the DID, handle or email is taken, ErrInviteUnavailable when the code
	// cannot be used, and ErrRootMismatch when the repo already exists.
	// The returned sequence numbers are the genesis commit's event (if any)
	// followed by NewAccount.Events, in order.
	CreateAccount(ctx context.Context, a NewAccount) ([]int64, error)
	// GetAccount returns the account with this DID, or ErrNotFound.
	GetAccount(ctx context.Context, did string) (Account, error)
	// GetAccountByHandle matches the handle case-insensitively (handles are
	// stored lower-case).
	GetAccountByHandle(ctx context.Context, handle string) (Account, error)
	// GetAccountByEmail matches the email case-insensitively.
	GetAccountByEmail(ctx context.Context, email string) (Account, error)
	// ListAccounts pages accounts by DID, ascending, after cursor ("" = start).
	ListAccounts(ctx context.Context, cursor string, limit int) ([]Account, error)
	// UpdateHandle changes the handle (ErrConflict if taken) and appends the
	// events (e.g. #identity) in the same transaction.
	UpdateHandle(ctx context.Context, did, handle string, events []Event) ([]int64, error)
	// UpdateEmail sets the email and clears its confirmation.
	UpdateEmail(ctx context.Context, did, email string) error
	// ConfirmEmail records when the email was confirmed.
	ConfirmEmail(ctx context.Context, did string, at time.Time) error
	// UpdatePassword replaces the password hash.
	UpdatePassword(ctx context.Context, did, passwordHash string) error
	// SetAccountStatus changes the status and appends the events (e.g.
	// #account) in the same transaction. It sets DeactivatedAt when the
	// status becomes deactivated and clears it otherwise.
	SetAccountStatus(ctx context.Context, did string, status AccountStatus, events []Event) ([]int64, error)
	// DeleteAccount removes the account with its repo, records, blocks,
	// refresh and account tokens, app passwords, preferences, blob metadata
	// and the signing keys reserved for its DID, and appends the events.
	DeleteAccount(ctx context.Context, did string, events []Event) ([]int64, error)
}

// Sessions stores refresh tokens and app passwords. Access tokens are
// stateless and never stored.
type Sessions interface {
	// CreateRefreshToken stores a new refresh token.
	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	// GetRefreshToken returns the token with this ID, or ErrNotFound.
	GetRefreshToken(ctx context.Context, id string) (RefreshToken, error)
	// RotateRefreshToken atomically marks old as replaced by next (setting
	// old.NextID and shortening old's expiry to graceUntil) and stores next.
	// It returns ErrNotFound if old does not exist and ErrConflict if old was
	// already rotated.
	RotateRefreshToken(ctx context.Context, oldID string, graceUntil time.Time, next RefreshToken) error
	// DeleteRefreshToken removes one token (ErrNotFound if absent).
	DeleteRefreshToken(ctx context.Context, id string) error
	// DeleteAccountRefreshTokens removes every refresh token of an account
	// (after a password reset) and returns how many it removed.
	DeleteAccountRefreshTokens(ctx context.Context, did string) (int64, error)
	// DeleteExpiredRefreshTokens removes tokens that expired before now.
	DeleteExpiredRefreshTokens(ctx context.Context, now time.Time) (int64, error)

	// CreateAppPassword stores an app password (ErrConflict if the name is
	// taken for this account).
	CreateAppPassword(ctx context.Context, p AppPassword) error
	// ListAppPasswords lists an account's app passwords, newest first.
	ListAppPasswords(ctx context.Context, did string) ([]AppPassword, error)
	// GetAppPasswordByHash finds an account's app password by its
	// deterministic hash, or ErrNotFound.
	GetAppPasswordByHash(ctx context.Context, did string, hash []byte) (AppPassword, error)
	// RevokeAppPassword deletes the app password and every refresh token
	// issued through it (ErrNotFound if absent).
	RevokeAppPassword(ctx context.Context, did, name string) error
}

// Invites stores invite codes.
type Invites interface {
	// CreateInviteCodes stores new codes (ErrConflict on a duplicate code).
	CreateInviteCodes(ctx context.Context, codes []InviteCode) error
	// GetInviteCode returns a code with its uses, or ErrNotFound.
	GetInviteCode(ctx context.Context, code string) (InviteCode, error)
	// ListInviteCodes lists the codes created for an account (forAccount) with
	// their uses, newest first.
	ListInviteCodes(ctx context.Context, forAccount string) ([]InviteCode, error)
	// DisableInviteCodes disables the named codes and every code created for
	// the named accounts.
	DisableInviteCodes(ctx context.Context, codes, accounts []string) error
}

// Repos stores repository roots, blocks and the record index.
type Repos interface {
	// GetRepoRoot returns the current root of a repo, or ErrNotFound.
	GetRepoRoot(ctx context.Context, did string) (RepoRoot, error)
	// ListRepoRoots pages repo roots by DID, ascending, after cursor.
	ListRepoRoots(ctx context.Context, cursor string, limit int) ([]RepoRoot, error)
	// GetBlock returns one block of a repo, or ErrNotFound.
	GetBlock(ctx context.Context, did string, c cid.Cid) ([]byte, error)
	// GetBlocks returns the blocks of a repo that exist among cids; missing
	// ones are absent from the map.
	GetBlocks(ctx context.Context, did string, cids []cid.Cid) (map[cid.Cid][]byte, error)
	// CountBlocks returns how many blocks a repo holds.
	CountBlocks(ctx context.Context, did string) (int64, error)
	// ForEachBlock calls fn for every block of a repo, in no particular
	// order, stopping at the first error fn returns.
	ForEachBlock(ctx context.Context, did string, fn func(c cid.Cid, data []byte) error) error

	// ApplyCommits lands commits in one database transaction, in order. A
	// commit whose Prev does not match the repo's current root fails alone
	// with ErrRootMismatch, having written nothing (its later commits of the
	// same repo then fail the same way), and the others still land. results[i] is the outcome of commits[i]. A non-nil error
	// means the transaction itself failed and nothing landed.
	ApplyCommits(ctx context.Context, commits []Commit) (results []CommitResult, err error)

	// GetRecord returns a record's index entry and block, or ErrNotFound.
	GetRecord(ctx context.Context, did, collection, rkey string) (Record, error)
	// ListRecords pages one collection by rkey (ascending, or descending when
	// Reverse), strictly after Cursor when it is set.
	ListRecords(ctx context.Context, did, collection string, opts ListRecordsOptions) ([]Record, error)
	// ListCollections lists a repo's collections with record counts, by name.
	ListCollections(ctx context.Context, did string) ([]Collection, error)
}

// Blobs stores blob metadata. Blob bytes live in a separate blob store.
type Blobs interface {
	// PutBlob records an uploaded blob for an account (idempotent per did+cid;
	// a re-upload refreshes CreatedAt).
	PutBlob(ctx context.Context, b Blob) error
	// GetBlob returns a blob's metadata, or ErrNotFound.
	GetBlob(ctx context.Context, did string, c cid.Cid) (Blob, error)
	// ListBlobs pages the CIDs of an account's blobs referenced by at least
	// one record, ordered by CID, after cursor; sinceRev limits them to blobs
	// first referenced by commits with a greater rev.
	ListBlobs(ctx context.Context, did, sinceRev, cursor string, limit int) ([]cid.Cid, error)
	// ListUnreferencedBlobs returns blobs that no record references and that
	// were uploaded before olderThan (candidates for garbage collection).
	ListUnreferencedBlobs(ctx context.Context, olderThan time.Time, limit int) ([]Blob, error)
	// DeleteBlob removes a blob's metadata if no record references it; it
	// reports whether it deleted it.
	DeleteBlob(ctx context.Context, did string, c cid.Cid) (bool, error)
	// ListMissingBlobs pages blobs referenced by records but never uploaded.
	ListMissingBlobs(ctx context.Context, did, cursor string, limit int) ([]MissingBlob, error)
}

// Events stores the firehose event log.
type Events interface {
	// AppendEvents appends events outside a commit (identity, account) and
	// returns their sequence numbers.
	AppendEvents(ctx context.Context, events []Event) ([]int64, error)
	// ListEvents returns up to limit events with seq > after, by seq.
	ListEvents(ctx context.Context, after int64, limit int) ([]StoredEvent, error)
	// LatestSeq returns the highest assigned seq (0 when the log is empty).
	LatestSeq(ctx context.Context) (int64, error)
	// OldestEvent returns the oldest event still stored, or ErrNotFound.
	OldestEvent(ctx context.Context) (StoredEvent, error)
	// DeleteEventsBefore removes the oldest events (retention): every event
	// up to the newest one whose time is before t, so the log stays a
	// contiguous run of seqs even where group commits stamped times out of
	// seq order. It returns how many it removed.
	DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error)
}
