package store

import (
	"time"

	"github.com/ipfs/go-cid"
)

// AccountStatus is an account's hosting status.
type AccountStatus string

// Account statuses, as com.atproto.sync.getRepoStatus names them.
const (
	StatusActive      AccountStatus = "active"
	StatusDeactivated AccountStatus = "deactivated"
	StatusTakendown   AccountStatus = "takendown"
	StatusSuspended   AccountStatus = "suspended"
)

// Account is a hosted account. SigningKey and RotationKey are sealed
// (encrypted under the master key); this package never sees them in clear.
type Account struct {
	DID              string
	Handle           string // lower-case
	Email            string // "" when none; lower-case
	EmailConfirmedAt *time.Time
	PasswordHash     string // PHC-encoded hash, never the password
	SigningKey       []byte // sealed
	RotationKey      []byte // sealed; nil when the DID's rotation keys live elsewhere
	Status           AccountStatus
	InviteCode       string // the code used at sign-up, if any
	CreatedAt        time.Time
	TakedownRef      string // "" unless taken down
	InvitesDisabled  bool   // the account may not make invite codes
	DeactivatedAt    *time.Time
}

// NewAccount is what CreateAccount lands atomically.
type NewAccount struct {
	Account    Account
	InviteCode string  // consumed when set
	Genesis    *Commit // the repo's first commit (Prev nil); nil to create no repo
	Events     []Event // appended after the genesis commit's event
	// PendingPLCOp, when set, is the account's signed did:plc genesis
	// operation (JSON), kept until it is submitted (see PendingPLC).
	PendingPLCOp []byte
}

// RefreshToken is a stored refresh token. ID is the token's jti.
type RefreshToken struct {
	ID              string
	DID             string
	AppPasswordName string // "" for a full session
	ExpiresAt       time.Time
	NextID          string // set once the token was rotated
}

// AppPassword is an account's app password. Hash is a keyed, deterministic
// hash of the password (app passwords are server-generated with high
// entropy), so a login finds it by lookup.
type AppPassword struct {
	DID        string
	Name       string
	Hash       []byte
	Privileged bool
	CreatedAt  time.Time
}

// InviteCode is an invite code with its uses.
type InviteCode struct {
	Code          string
	ForAccount    string // DID, or "admin" for operator-made codes
	CreatedBy     string
	AvailableUses int
	Disabled      bool
	CreatedAt     time.Time
	Uses          []InviteUse
}

// InviteUse records one account created with a code.
type InviteUse struct {
	UsedBy string
	UsedAt time.Time
}

// RepoRoot is a repo's current signed commit.
type RepoRoot struct {
	DID    string
	Commit cid.Cid // CID of the signed commit block
	Rev    string  // the commit's rev (a TID)
	Data   cid.Cid // the MST root the commit points to
}

// Block is one content-addressed block.
type Block struct {
	CID  cid.Cid
	Data []byte
}

// Commit is one repository commit to land atomically.
type Commit struct {
	DID string
	// Prev is the root the writer built on; the commit lands only if it is
	// still the repo's current root. Nil for a genesis commit, which lands
	// only if the repo does not exist.
	Prev *cid.Cid
	// Root is the new root.
	Root RepoRoot
	// Blocks are the commit's new blocks (commit, changed MST nodes, new
	// records); blocks already present are kept as they are.
	Blocks []Block
	// Released are blocks that the new root no longer references through
	// the MST (the previous commit, replaced MST nodes, records that were
	// deleted or overwritten). Each is deleted unless a record of the repo
	// still points at it after this commit (blocks are shared by identical
	// records).
	Released []cid.Cid
	// Records are the record index changes, applied in order.
	Records []RecordChange
	// Event is the firehose event of this commit; nil for none.
	Event *Event
}

// RecordChange creates, updates (CID set) or deletes (CID nil) one record
// index row.
type RecordChange struct {
	Collection string
	RKey       string
	CID        *cid.Cid
	// Blobs are the blob CIDs the record references (ignored on delete).
	Blobs []cid.Cid
}

// CommitResult is the outcome of one commit of ApplyCommits.
type CommitResult struct {
	Seq int64 // the event's seq, 0 when the commit had no event
	Err error // nil, or ErrRootMismatch
}

// Record is a record index row with its block.
type Record struct {
	Collection string
	RKey       string
	CID        cid.Cid
	Rev        string // rev of the commit that last wrote it
	Value      []byte // DAG-CBOR block
}

// ListRecordsOptions pages a collection.
type ListRecordsOptions struct {
	Limit   int
	Cursor  string // rkey; results start strictly after (or before, when Reverse) it
	Reverse bool   // descending rkey order
}

// Collection is a collection name with its record count.
type Collection struct {
	Name  string
	Count int64
}

// Blob is an uploaded blob's metadata.
type Blob struct {
	DID       string
	CID       cid.Cid
	MimeType  string
	Size      int64
	CreatedAt time.Time
}

// MissingBlob is a blob a record references that was never uploaded.
type MissingBlob struct {
	CID       cid.Cid
	RecordURI string
}

// Event is a firehose event to append. Encode builds the frame once the
// sequence number is known. It is called inside the transaction that assigns
// it — on PostgreSQL while every writer waits on the sequence row — so it
// must be fast, do no I/O and not touch the store.
type Event struct {
	DID    string
	Type   string // "#commit", "#sync", "#identity", "#account"
	Time   time.Time
	Encode func(seq int64) ([]byte, error)
}

// StoredEvent is an event in the log, with its encoded frame body.
type StoredEvent struct {
	Seq  int64
	DID  string
	Type string
	Time time.Time
	Body []byte
}
