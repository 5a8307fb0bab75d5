package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ipfs/go-cid"
)

// Privacy stores the server's side of private records (docs/private-records.md):
// encryption identities with their seeds wrapped under the master key,
// per-collection epochs, sealed grants, and opaque envelopes and encrypted
// blobs. Nothing here is readable without keys the store never holds in
// clear: private records are keyed by an HMAC of their rkey, and their
// envelopes, grants, wrapped seeds and backups are ciphertext.
//
// Private data never joins the repo: no MST, CAR, firehose event or public
// blob listing includes it. Every owner_did is a hosted account (rows go
// with it); grantee DIDs may live on another PDS and are no foreign key.
type Privacy interface {
	// CreateUserKey stores an account's active encryption key. It returns
	// ErrConflict when the account already has an active key (or this
	// key_id), ErrNotFound when the account does not exist.
	CreateUserKey(ctx context.Context, k UserKey) error
	// GetUserKey returns the account's active (not retired) key, or
	// ErrNotFound.
	GetUserKey(ctx context.Context, did string) (UserKey, error)
	// ListUserKeys lists every key of the account, retired ones too,
	// oldest first.
	ListUserKeys(ctx context.Context, did string) ([]UserKey, error)
	// RewrapUserKey replaces the wrapped seed of the account's key keyID
	// (after recovery, or a new master key). ErrNotFound if absent.
	RewrapUserKey(ctx context.Context, did, keyID string, wrappedSeed []byte) error
	// SetKeyBackup stores (or, with nil, removes) the passphrase backup of
	// the key and when; ErrNotFound if absent.
	SetKeyBackup(ctx context.Context, did, keyID string, backup []byte, at time.Time) error
	// ConfirmRecoveryCode records when the owner confirmed having written
	// the key's recovery code down; ErrNotFound if absent.
	ConfirmRecoveryCode(ctx context.Context, did, keyID string, at time.Time) error

	// CreateKeyEpoch starts epoch r.Epoch of (r.OwnerDID, r.Collection),
	// atomically: the rotation row, every grant in grants (all at this
	// epoch), and every active grant of the DIDs in revoke, at any epoch of
	// the collection, marked revoked at r.CreatedAt. r.Epoch must be the
	// current epoch + 1 (1 for a new collection), else ErrConflict: two
	// concurrent rotations cannot both land. After the revocations, the
	// grants must go to exactly the DIDs with an active grant at the
	// current epoch (from the second epoch on), else ErrConflict: a grant
	// that landed after the caller read the readers is never left behind.
	CreateKeyEpoch(ctx context.Context, r KeyRotation, grants []KeyGrant, revoke []string) error
	// CurrentKeyEpoch returns the newest epoch of the collection, or
	// ErrNotFound when it has none.
	CurrentKeyEpoch(ctx context.Context, owner, collection string) (uint64, error)
	// ListKeyRotations lists a collection's rotations, oldest first
	// (every collection when collection is "").
	ListKeyRotations(ctx context.Context, owner, collection string) ([]KeyRotation, error)
	// AddKeyGrants stores grants of existing epochs, atomically.
	// ErrConflict: one of them is already active for its (owner,
	// collection, epoch, grantee); ErrNotFound: its epoch does not exist.
	AddKeyGrants(ctx context.Context, grants []KeyGrant) error
	// ListKeyGrants lists grants matching the filter, by collection, epoch
	// and grantee.
	ListKeyGrants(ctx context.Context, f KeyGrantFilter) ([]KeyGrant, error)

	// PutPrivateRecord inserts or replaces the envelope stored under (owner,
	// collection, rkey MAC). ErrNotFound: the epoch does not exist.
	PutPrivateRecord(ctx context.Context, r PrivateRecord) error
	// PutPrivateRecords replaces several envelopes atomically (re-encryption
	// after a hard revoke); each must already exist with its Prev epoch
	// unchanged, else ErrConflict and nothing is written.
	PutPrivateRecords(ctx context.Context, rs []PrivateRecordUpdate) error
	// GetPrivateRecord returns one envelope, or ErrNotFound.
	GetPrivateRecord(ctx context.Context, owner, collection string, rkeyMAC []byte) (PrivateRecord, error)
	// ListPrivateRecords pages a collection by rkey MAC, ascending.
	ListPrivateRecords(ctx context.Context, owner, collection string, opts PrivateListOptions) ([]PrivateRecord, error)
	// DeletePrivateRecord removes one envelope (ErrNotFound if absent).
	DeletePrivateRecord(ctx context.Context, owner, collection string, rkeyMAC []byte) error
	// ListPrivateCollections lists the collections that have an epoch, by
	// name, with their current epoch and record count.
	ListPrivateCollections(ctx context.Context, owner string) ([]PrivateCollection, error)

	// PutPrivateBlob records an encrypted blob (idempotent per owner+CID).
	PutPrivateBlob(ctx context.Context, b PrivateBlob) error
	// GetPrivateBlob returns a private blob's metadata, or ErrNotFound.
	GetPrivateBlob(ctx context.Context, owner string, c cid.Cid) (PrivateBlob, error)
	// ListPrivateBlobs pages an owner's private blobs by CID bytes after
	// cursor (nil: from the start).
	ListPrivateBlobs(ctx context.Context, owner string, cursor cid.Cid, limit int) ([]PrivateBlob, error)
	// DeletePrivateBlob removes a private blob's metadata (ErrNotFound if
	// absent).
	DeletePrivateBlob(ctx context.Context, owner string, c cid.Cid) error
}

// UserKey is an account's encryption identity as stored: its public half
// and its seed wrapped under the master key (keys.Sealer).
type UserKey struct {
	DID         string
	KeyID       string // fingerprint of (KEMID, PublicKey)
	KEMID       uint16
	PublicKey   []byte
	WrappedSeed []byte // sealed under the master key; nil when only public
	CreatedAt   time.Time
	RetiredAt   *time.Time
	// Backup is the passphrase-wrapped (Argon2id) seed, opaque here.
	Backup   []byte
	BackupAt *time.Time
	// RecoveryConfirmedAt: when the owner confirmed the recovery code was
	// written down.
	RecoveryConfirmedAt *time.Time
}

// Rotation reasons.
const (
	RotationCreate = "create" // the collection's first epoch
	RotationRevoke = "revoke" // a grantee was revoked
	RotationRotate = "rotate" // a rotation on request
)

// KeyRotation is the start of an epoch of a collection.
type KeyRotation struct {
	OwnerDID   string
	Collection string
	Epoch      uint64
	Reason     string // RotationCreate, RotationRevoke or RotationRotate
	ActorDID   string
	CreatedAt  time.Time
}

// KeyGrant is an epoch key (with the collection's rkey-MAC key) sealed to
// a grantee's public key. The owner is always a grantee of its own epochs.
type KeyGrant struct {
	OwnerDID     string
	Collection   string
	Epoch        uint64
	GranteeDID   string
	GranteeKeyID string
	KEMID        uint16
	SealedKey    []byte
	CreatedAt    time.Time
	RevokedAt    *time.Time
}

// Active reports whether the grant has not been revoked.
func (g KeyGrant) Active() bool { return g.RevokedAt == nil }

// KeyGrantFilter selects grants. Empty fields match everything; OwnerDID
// is required.
type KeyGrantFilter struct {
	OwnerDID       string
	Collection     string
	GranteeDID     string
	Epoch          uint64 // 0: every epoch
	IncludeRevoked bool
}

// PrivateRecord is one encrypted record: its envelope under the row key
// HMAC(rkey), with the envelope's epoch, CID (of the envelope bytes) and
// the rev of its last write.
type PrivateRecord struct {
	OwnerDID   string
	Collection string
	RKeyMAC    []byte
	Epoch      uint64
	Envelope   []byte
	CID        cid.Cid
	Rev        string
}

// PrivateRecordUpdate replaces an existing envelope, provided it is still
// at epoch Prev.
type PrivateRecordUpdate struct {
	PrivateRecord
	Prev uint64
}

// PrivateListOptions pages private records.
type PrivateListOptions struct {
	After    []byte // rkey MAC to start after; nil: from the start
	Limit    int    // <= 0: no limit
	MaxEpoch uint64 // only records at epoch <= MaxEpoch; 0: every epoch
}

// PrivateCollection summarises one private collection.
type PrivateCollection struct {
	Collection string
	Epoch      uint64
	Records    int64
}

// PrivateBlob is an encrypted blob's metadata; its bytes live in a blob
// store of their own, outside the public blob store.
type PrivateBlob struct {
	OwnerDID  string
	CID       cid.Cid
	Size      int64
	CreatedAt time.Time
}

// SameReaders reports whether grants go to exactly the DIDs in readers
// (CreateKeyEpoch's check), and names the difference when they do not.
func SameReaders(readers []string, grants []KeyGrant) error {
	want := make(map[string]bool, len(readers))
	for _, d := range readers {
		want[d] = true
	}
	got := make(map[string]bool, len(grants))
	var extra []string
	for _, g := range grants {
		got[g.GranteeDID] = true
		if !want[g.GranteeDID] {
			extra = append(extra, g.GranteeDID)
		}
	}
	var missing []string
	for _, d := range readers {
		if !got[d] {
			missing = append(missing, d)
		}
	}
	if len(missing)+len(extra) == 0 {
		return nil
	}
	slices.Sort(missing)
	slices.Sort(extra)
	return fmt.Errorf("%w: the readers changed: no grant for %v, grants for %v who hold none", ErrConflict, missing, extra)
}
