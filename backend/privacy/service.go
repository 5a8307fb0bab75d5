package privacy

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/privacy/remote"
	"github.com/hearthpds/hearth/backend/store"
)

// Store is the storage the Service needs.
type Store interface {
	store.Privacy
}

// BlobBytes holds the bytes of encrypted blobs, content-addressed. It must
// be apart from the public blob store, so that public getBlob, listBlobs
// and blob garbage collection never see private blobs.
type BlobBytes interface {
	// Put stores the bytes read from r and returns their CID (raw codec,
	// SHA-256) and length. Putting bytes already present is not an error.
	Put(ctx context.Context, r io.Reader) (cid.Cid, int64, error)
	// Open returns the bytes of c, or an error matching store.ErrNotFound.
	Open(ctx context.Context, c cid.Cid) (io.ReadCloser, error)
	// Delete removes the bytes of c; absent bytes are not an error.
	Delete(ctx context.Context, c cid.Cid) error
}

// KeyResolver finds a DID's published encryption key: its
// dev.hearthpds.crypto.encryptionKey/self record, from this PDS or another.
type KeyResolver interface {
	ResolveKey(ctx context.Context, did string) (crypt.PublicKey, error)
}

// KeyPublisher writes an account's public key record
// (dev.hearthpds.crypto.encryptionKey/self) into its public repo.
type KeyPublisher interface {
	// PublishKey puts rec in did's repo and returns undo, which removes
	// it again unless it changed meanwhile.
	PublishKey(ctx context.Context, did string, rec crypt.KeyRecord) (undo func(context.Context) error, err error)
}

// Config assembles a Service.
type Config struct {
	Store Store
	// Sealer holds the master key; nil on a server that must never open
	// seeds (owner-side methods then return ErrLocked).
	Sealer *keys.Sealer
	// Blobs holds private blob bytes; nil disables private blobs.
	Blobs BlobBytes
	// Keys resolves remote grantees' keys; local accounts' keys are read
	// from the store first. Nil: local accounts only.
	Keys KeyResolver
	// Publisher publishes the key record of a new identity; nil: the
	// caller publishes NewIdentity.Record itself.
	Publisher KeyPublisher
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// BackupParams are the Argon2id costs of new passphrase backups
	// (crypt.DefaultBackupParams when zero).
	BackupParams crypt.BackupParams
	// Hooks are the plugin hooks of grants and rotations; nil: none.
	Hooks Hooks
	// Network reaches other PDSes for ReadGranted (owners hosted
	// elsewhere), minting the grantee's service-auth JWTs. Nil: only
	// owners hosted here can be read.
	Network *remote.Network
}

// Service stores private records and grants and authorises their reading;
// with the master key it is also the owner's client. Safe for concurrent
// use.
type Service struct {
	st     Store
	sealer *keys.Sealer
	blobs  BlobBytes
	keys   KeyResolver
	pub    KeyPublisher
	now    func() time.Time
	backup crypt.BackupParams
	clock  *syntax.TIDClock
	hooks  Hooks
	net    *remote.Network
}

// New returns a Service.
func New(c Config) (*Service, error) {
	if c.Store == nil {
		return nil, fmt.Errorf("%w: privacy: no store", ErrInvalid)
	}
	s := &Service{st: c.Store, sealer: c.Sealer, blobs: c.Blobs, keys: c.Keys, pub: c.Publisher, now: c.Now, backup: c.BackupParams,
		clock: syntax.NewTIDClock(0), hooks: c.Hooks, net: c.Network}
	if s.now == nil {
		s.now = time.Now
	}
	if s.backup == (crypt.BackupParams{}) {
		s.backup = crypt.DefaultBackupParams
	}
	return s, nil
}

// rev returns a new rev (a TID) for a private write.
func (s *Service) rev() string { return s.clock.Next().String() }

// cidOf is the CID (raw, SHA-256) of b.
func cidOf(b []byte) cid.Cid {
	sum := sha256.Sum256(b)
	mh, err := multihash.Encode(sum[:], multihash.SHA2_256)
	if err != nil {
		// Unreachable: SHA2_256 with a 32-byte digest always encodes.
		panic(fmt.Sprintf("privacy: multihash: %v", err))
	}
	return cid.NewCidV1(cid.Raw, mh)
}

// checkCollection validates a collection NSID.
func checkCollection(collection string) error {
	if _, err := syntax.ParseNSID(collection); err != nil {
		return fmt.Errorf("%w: collection %q: %w", ErrInvalid, collection, err)
	}
	return nil
}
