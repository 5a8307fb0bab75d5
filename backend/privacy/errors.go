package privacy

import "errors"

// Sentinel errors. Callers test them with errors.Is; crypt's errors
// (crypt.ErrDecrypt, crypt.ErrGrantOpen, crypt.ErrRecoveryChecksum…) and
// store's (store.ErrNotFound, store.ErrConflict) pass through wrapped.
var (
	// ErrForbidden: the requester is neither the owner nor an active
	// grantee of the collection at its current epoch.
	ErrForbidden = errors.New("privacy: not granted")
	// ErrLocked: an owner-side operation on a Service without the master
	// key (a server that must not open seeds).
	ErrLocked = errors.New("privacy: the master key is not available here")
	// ErrNoIdentity: the account has no encryption identity yet.
	ErrNoIdentity = errors.New("privacy: the account has no encryption identity")
	// ErrIdentityExists: the account already has an encryption identity.
	ErrIdentityExists = errors.New("privacy: the account already has an encryption identity")
	// ErrSeedMissing: the identity's wrapped seed is gone or does not open
	// under this master key; recover it from the recovery code or backup.
	ErrSeedMissing = errors.New("privacy: the identity's seed is missing or does not open here; recover it")
	// ErrWrongIdentity: a recovery code or backup holds another identity
	// than the one published for the account.
	ErrWrongIdentity = errors.New("privacy: this recovery code or backup belongs to another key")
	// ErrStaleEpoch: an envelope is not at the collection's current epoch
	// (the collection was rotated meanwhile: fetch the new grant, re-seal).
	ErrStaleEpoch = errors.New("privacy: envelope is not at the collection's current epoch")
	// ErrKeyChanged: a grantee's published key differs from the key its
	// grants were sealed to; the owner must confirm the new key (Grant)
	// before anything is sealed to it.
	ErrKeyChanged = errors.New("privacy: the grantee's key changed; confirm it before re-sealing")
	// ErrGrantSet: the grants of a new epoch are not sealed to exactly the
	// owner and the grantees that remain (someone is missing or extra).
	ErrGrantSet = errors.New("privacy: the new epoch's grants do not match the remaining grantees")
	// ErrNoBackup: the account has no passphrase backup.
	ErrNoBackup = errors.New("privacy: no passphrase backup")
	// ErrInvalid: an argument is malformed (an empty collection, a grant
	// to oneself, an envelope that is not one).
	ErrInvalid = errors.New("privacy: invalid argument")
)
