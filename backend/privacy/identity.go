package privacy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
)

// seedAD is the associated data a seed is sealed with under the master
// key: it binds the wrapped seed to its row (account, key ID, KEM), so a
// wrapped seed copied to another row does not open.
func seedAD(did, keyID string, kemID uint16) []byte {
	return fmt.Appendf(nil, "privacy-seed:%s:%s:%04x", did, keyID, kemID)
}

// NewIdentity is what CreateIdentity returns: the public key record to
// publish in the owner's repo, and the recovery code to show once.
type NewIdentity struct {
	Public crypt.PublicKey
	// Record is dev.hearthpds.crypto.encryptionKey/self; the caller writes
	// it to the public repo.
	Record crypt.KeyRecord
	// RecoveryCode re-derives the identity; show it once, never store it.
	RecoveryCode string
}

// CreateIdentity gives did a new encryption identity: a random seed, its
// X25519 key pair, the seed sealed under the master key in user_keys.
// Owner side. ErrIdentityExists if the account has one.
func (s *Service) CreateIdentity(ctx context.Context, did string) (NewIdentity, error) {
	if s.sealer == nil {
		return NewIdentity{}, ErrLocked
	}
	id, err := crypt.NewIdentity()
	if err != nil {
		return NewIdentity{}, err
	}
	rec := id.Public().Record(s.now())
	undo, err := s.publish(ctx, did, rec)
	if err != nil {
		return NewIdentity{}, err
	}
	if err := s.storeIdentity(ctx, did, id); err != nil {
		if uerr := undo(context.WithoutCancel(ctx)); uerr != nil {
			err = errors.Join(err, fmt.Errorf("privacy: unpublish the key record of %s: %w", did, uerr))
		}
		if errors.Is(err, store.ErrConflict) {
			return NewIdentity{}, fmt.Errorf("%w: %s", ErrIdentityExists, did)
		}
		return NewIdentity{}, err
	}
	return NewIdentity{Public: id.Public(), Record: rec, RecoveryCode: id.RecoveryCode()}, nil
}

// publish writes rec to did's repo through the KeyPublisher (a no-op
// without one) and returns how to undo it. An account that already has an
// identity is refused first, so its published record is never replaced;
// if a concurrent CreateIdentity wins the race anyway, its store write
// fails ours and undo removes our record only if it is still ours.
func (s *Service) publish(ctx context.Context, did string, rec crypt.KeyRecord) (func(context.Context) error, error) {
	nothing := func(context.Context) error { return nil }
	if s.pub == nil {
		return nothing, nil
	}
	if _, err := s.st.GetUserKey(ctx, did); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrIdentityExists, did)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	undo, err := s.pub.PublishKey(ctx, did, rec)
	if err != nil {
		return nil, fmt.Errorf("privacy: publish the key record of %s: %w", did, err)
	}
	return undo, nil
}

// storeIdentity inserts id as did's active key with its wrapped seed.
func (s *Service) storeIdentity(ctx context.Context, did string, id *crypt.Identity) error {
	pub := id.Public()
	wrapped, err := s.wrapSeed(did, id)
	if err != nil {
		return err
	}
	err = s.st.CreateUserKey(ctx, store.UserKey{DID: did, KeyID: pub.KeyID(), KEMID: pub.KEMID, PublicKey: pub.Key,
		WrappedSeed: wrapped, CreatedAt: s.now()})
	if err != nil {
		return fmt.Errorf("privacy: store identity of %s: %w", did, err)
	}
	return nil
}

// wrapSeed seals id's seed under the master key for did's row.
func (s *Service) wrapSeed(did string, id *crypt.Identity) ([]byte, error) {
	seed := id.Seed()
	defer clear(seed)
	pub := id.Public()
	wrapped, err := s.sealer.Seal(seed, seedAD(did, pub.KeyID(), pub.KEMID))
	if err != nil {
		return nil, fmt.Errorf("privacy: wrap seed of %s: %w", did, err)
	}
	return wrapped, nil
}

// PublicKey returns did's active public key and its record. Server side.
func (s *Service) PublicKey(ctx context.Context, did string) (crypt.PublicKey, crypt.KeyRecord, error) {
	k, err := s.st.GetUserKey(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return crypt.PublicKey{}, crypt.KeyRecord{}, fmt.Errorf("%w: %s", ErrNoIdentity, did)
	}
	if err != nil {
		return crypt.PublicKey{}, crypt.KeyRecord{}, err
	}
	pub := crypt.PublicKey{KEMID: k.KEMID, Key: k.PublicKey}
	return pub, pub.Record(k.CreatedAt), nil
}

// resolveKey returns a grantee's key: a local account's from the store,
// else from the KeyResolver.
func (s *Service) resolveKey(ctx context.Context, did string) (crypt.PublicKey, error) {
	pub, _, err := s.PublicKey(ctx, did)
	if err == nil || !errors.Is(err, ErrNoIdentity) || s.keys == nil {
		return pub, err
	}
	pub, err = s.keys.ResolveKey(ctx, did)
	if err != nil {
		return crypt.PublicKey{}, fmt.Errorf("privacy: resolve the key of %s: %w", did, err)
	}
	return pub, pub.Validate()
}

// unlock opens did's identity with the master key. Owner side.
func (s *Service) unlock(ctx context.Context, did string) (*crypt.Identity, error) {
	if s.sealer == nil {
		return nil, ErrLocked
	}
	k, err := s.st.GetUserKey(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNoIdentity, did)
	}
	if err != nil {
		return nil, err
	}
	if k.WrappedSeed == nil {
		return nil, fmt.Errorf("%w: %s", ErrSeedMissing, did)
	}
	seed, err := s.sealer.Open(k.WrappedSeed, seedAD(did, k.KeyID, k.KEMID))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrSeedMissing, did, err)
	}
	defer clear(seed)
	id, err := crypt.IdentityFromSeed(k.KEMID, seed)
	if err != nil {
		return nil, err
	}
	if id.Public().KeyID() != k.KeyID {
		return nil, fmt.Errorf("%w: %s: the seed gives another key", ErrSeedMissing, did)
	}
	return id, nil
}

// Recover restores did's identity from its recovery code (after the
// keychain entry or the wrapped seed was lost): the seed is wrapped again
// under the current master key. The code must give the account's
// published key (ErrWrongIdentity otherwise); a mistyped code fails with
// crypt.ErrRecoveryChecksum. Owner side.
func (s *Service) Recover(ctx context.Context, did, code string) (crypt.PublicKey, error) {
	if s.sealer == nil {
		return crypt.PublicKey{}, ErrLocked
	}
	id, err := crypt.ParseRecoveryCode(code)
	if err != nil {
		return crypt.PublicKey{}, err
	}
	return id.Public(), s.restore(ctx, did, id)
}

// RecoverFromBackup restores did's identity from its passphrase backup:
// the one stored here when backup is nil, else the given bytes (a backup
// fetched before the database was lost). Owner side.
func (s *Service) RecoverFromBackup(ctx context.Context, did, passphrase string, backup []byte) (crypt.PublicKey, error) {
	if s.sealer == nil {
		return crypt.PublicKey{}, ErrLocked
	}
	if backup == nil {
		k, err := s.st.GetUserKey(ctx, did)
		if errors.Is(err, store.ErrNotFound) || (err == nil && k.Backup == nil) {
			return crypt.PublicKey{}, fmt.Errorf("%w: %s", ErrNoBackup, did)
		}
		if err != nil {
			return crypt.PublicKey{}, err
		}
		backup = k.Backup
	}
	id, err := crypt.OpenSeedBackup(backup, did, passphrase)
	if err != nil {
		return crypt.PublicKey{}, err
	}
	return id.Public(), s.restore(ctx, did, id)
}

// restore re-wraps id's seed for did: into its existing row, which must
// hold the same public key, or into a new row when none is left (checked
// against the published key when a resolver is configured).
func (s *Service) restore(ctx context.Context, did string, id *crypt.Identity) error {
	k, err := s.st.GetUserKey(ctx, did)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if s.keys != nil {
			published, err := s.keys.ResolveKey(ctx, did)
			if err != nil {
				return fmt.Errorf("privacy: resolve the published key of %s: %w", did, err)
			}
			if published.KeyID() != id.Public().KeyID() {
				return fmt.Errorf("%w: %s publishes %s", ErrWrongIdentity, did, published.KeyID())
			}
		}
		return s.storeIdentity(ctx, did, id)
	case err != nil:
		return err
	case k.KeyID != id.Public().KeyID():
		return fmt.Errorf("%w: %s uses %s", ErrWrongIdentity, did, k.KeyID)
	}
	wrapped, err := s.wrapSeed(did, id)
	if err != nil {
		return err
	}
	return s.st.RewrapUserKey(ctx, did, k.KeyID, wrapped)
}

// SetPassphraseBackup wraps did's seed under passphrase (Argon2id) and
// stores the backup here (the server cannot open it). Owner side.
func (s *Service) SetPassphraseBackup(ctx context.Context, did, passphrase string) error {
	id, err := s.unlock(ctx, did)
	if err != nil {
		return err
	}
	backup, err := id.WrapSeedBackup(did, passphrase, s.backup)
	if err != nil {
		return err
	}
	return s.PutKeyBackup(ctx, did, backup)
}

// PutKeyBackup stores an opaque passphrase backup made by the owner's
// client (nil removes it). Server side.
func (s *Service) PutKeyBackup(ctx context.Context, did string, backup []byte) error {
	if backup != nil && len(backup) != crypt.BackupSize {
		return fmt.Errorf("%w: a key backup is %d bytes", ErrInvalid, crypt.BackupSize)
	}
	k, err := s.st.GetUserKey(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrNoIdentity, did)
	}
	if err != nil {
		return err
	}
	return s.st.SetKeyBackup(ctx, did, k.KeyID, backup, s.now())
}

// KeyBackup returns the stored passphrase backup (opaque). Server side,
// owner only.
func (s *Service) KeyBackup(ctx context.Context, did string) ([]byte, error) {
	k, err := s.st.GetUserKey(ctx, did)
	if errors.Is(err, store.ErrNotFound) || (err == nil && k.Backup == nil) {
		return nil, fmt.Errorf("%w: %s", ErrNoBackup, did)
	}
	return k.Backup, err
}

// BackupStatus says how the owner's identity can be recovered.
type BackupStatus struct {
	HasIdentity         bool
	KeyID               string
	RecoveryConfirmedAt *time.Time // nil: the code was never confirmed written down
	PassphraseBackupAt  *time.Time // nil: no passphrase backup here
	SeedPresent         bool       // the wrapped seed is in the database
}

// BackupStatus reports did's recovery options. Server side.
func (s *Service) BackupStatus(ctx context.Context, did string) (BackupStatus, error) {
	k, err := s.st.GetUserKey(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return BackupStatus{}, nil
	}
	if err != nil {
		return BackupStatus{}, err
	}
	return BackupStatus{HasIdentity: true, KeyID: k.KeyID, RecoveryConfirmedAt: k.RecoveryConfirmedAt,
		PassphraseBackupAt: k.BackupAt, SeedPresent: k.WrappedSeed != nil}, nil
}

// ConfirmRecoveryCode records that the owner wrote the code down.
func (s *Service) ConfirmRecoveryCode(ctx context.Context, did string) error {
	k, err := s.st.GetUserKey(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrNoIdentity, did)
	}
	if err != nil {
		return err
	}
	return s.st.ConfirmRecoveryCode(ctx, did, k.KeyID, s.now())
}
