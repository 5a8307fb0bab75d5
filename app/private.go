package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/atdata"

	"github.com/hearthpds/hearth/backend/privacy"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
)

// The Private page's bindings: the owner's encryption key (its recovery
// code, passphrase backup and recovery), private collections and their
// records, decrypted here, grants per collection, revocation, rotation
// history (private_key.go, private_records.go, private_sharing.go; the
// shared types and error wording here). They call the owner-side methods
// of the server's privacy service in-process: the app's Go side is the "client" of
// docs/private-records.md, the one place that holds the master key, so plaintext
// and keys never cross the PDS's HTTP layer. Only a grantee's published
// key is fetched over the network.

// privateCall bounds one binding call (a grantee's key may be fetched
// from another PDS; a hard revoke re-encrypts a whole collection).
const privateCall = 60 * time.Second

// minBackupPassphrase is the shortest passphrase a key backup takes. The
// backup is stored on the PDS, so whoever copies the database can try
// passphrases against it offline (Argon2id slows each guess down).
const minBackupPassphrase = 12

// PrivateStatus is the Private page's key card: whether the account has
// an encryption key, how it can be recovered, and whether the page may
// write.
type PrivateStatus struct {
	HasIdentity bool `json:"hasIdentity"`
	// KeyID is the key's fingerprint (24 base32 characters); "" without a
	// key.
	KeyID string `json:"keyId"`
	KEMID int    `json:"kemId"`
	// PublishedKeyID is the key the account's public
	// dev.hearthpds.crypto.encryptionKey/self record names ("" when none).
	PublishedKeyID string `json:"publishedKeyId"`
	// RecoveryConfirmedAt: when the owner confirmed writing the recovery
	// code down ("" never).
	RecoveryConfirmedAt string `json:"recoveryConfirmedAt"`
	// PassphraseBackupAt: when the passphrase backup was made ("" none).
	PassphraseBackupAt string `json:"passphraseBackupAt"`
	// SeedPresent: the key's secret half is in the database (wrapped).
	SeedPresent bool `json:"seedPresent"`
	// NeedsRecovery: the account has a key that cannot be opened here;
	// restore it from the recovery code or the passphrase backup.
	NeedsRecovery bool `json:"needsRecovery"`
	// WarningAcknowledgedAt: when the owner accepted that losing both the
	// recovery code and the passphrase backup loses the data ("" not yet:
	// nothing private can be written until then).
	WarningAcknowledgedAt string `json:"warningAcknowledgedAt"`
}

// NewPrivateKey is CreatePrivateIdentity's answer. The recovery code is
// shown once and kept nowhere.
type NewPrivateKey struct {
	KeyID string `json:"keyId"`
	// RecoveryCode is 64 characters in 16 dash-separated groups of four.
	RecoveryCode string `json:"recoveryCode"`
}

// PrivateCollectionInfo is a row of the private collections list.
type PrivateCollectionInfo struct {
	Collection string `json:"collection"`
	// Epoch is the collection's current key epoch (1 at first, one more
	// per revocation or rotation).
	Epoch   uint64 `json:"epoch"`
	Records int64  `json:"records"`
	// Grantees counts the people who can read it now (the owner aside).
	Grantees int `json:"grantees"`
	// HasLexicon: records are checked against a known lexicon.
	HasLexicon bool `json:"hasLexicon"`
}

// PrivateRecordSummary is a row of a private collection's records.
type PrivateRecordSummary struct {
	RKey      string `json:"rkey"`
	Preview   string `json:"preview"`
	CreatedAt string `json:"createdAt,omitempty"`
	// Epoch is the key epoch the record is encrypted at.
	Epoch uint64 `json:"epoch"`
}

// PrivateRecordPage is a page of decrypted records: in the order of their
// row keys (an HMAC of the rkey, so no meaningful order), each page sorted
// by rkey, newest TIDs first.
type PrivateRecordPage struct {
	Records []PrivateRecordSummary `json:"records"`
	// Cursor continues the listing; "" at the end.
	Cursor string `json:"cursor"`
}

// PrivateRecordDetail is a decrypted record.
type PrivateRecordDetail struct {
	Collection string `json:"collection"`
	RKey       string `json:"rkey"`
	// JSON is the record pretty-printed.
	JSON string `json:"json"`
	// Epoch is the key epoch it is encrypted at; CurrentEpoch the
	// collection's (older records were written before a rotation).
	Epoch        uint64 `json:"epoch"`
	CurrentEpoch uint64 `json:"currentEpoch"`
	// CID is the envelope's (the ciphertext's) CID.
	CID string `json:"cid"`
	Rev string `json:"rev"`
}

// PrivateRecordRef is a written private record.
type PrivateRecordRef struct {
	Collection string `json:"collection"`
	RKey       string `json:"rkey"`
	CID        string `json:"cid"`
	Epoch      uint64 `json:"epoch"`
	Rev        string `json:"rev"`
	// ValidationStatus is "valid" (checked against its lexicon) or
	// "unknown" (no lexicon known for the collection).
	ValidationStatus string `json:"validationStatus"`
}

// GranteeKeyInfo is what the owner checks before granting: the key a grant
// would be sealed to.
type GranteeKeyInfo struct {
	DID    string `json:"did"`
	Handle string `json:"handle"`
	// KeyID is the fingerprint of the key they publish now: compare it
	// with the one they see in their own app.
	KeyID string `json:"keyId"`
	KEMID int    `json:"kemId"`
	// PreviousKeyID is the key their grants of this collection are sealed
	// to ("" when they hold none).
	PreviousKeyID string `json:"previousKeyId"`
	// KeyChanged: they hold grants sealed to another key than the one they
	// publish now; granting again re-seals everything to the new key.
	KeyChanged bool `json:"keyChanged"`
	// AlreadyGranted: they can read the collection with this very key.
	AlreadyGranted bool `json:"alreadyGranted"`
}

// PrivateGrantInput is the "Give access" confirmation: the key the owner
// saw (KeyID), and for a changed key the explicit confirmation.
type PrivateGrantInput struct {
	Collection       string `json:"collection"`
	DID              string `json:"did"`
	KeyID            string `json:"keyId"`
	ConfirmKeyChange bool   `json:"confirmKeyChange"`
}

// PrivateGrantee is someone who can (or could) read a private collection.
type PrivateGrantee struct {
	DID    string `json:"did"`
	Handle string `json:"handle"`
	KeyID  string `json:"keyId"`
	// Epochs are the key epochs they hold (every epoch of the collection
	// while their access lasts).
	Epochs    []uint64 `json:"epochs"`
	GrantedAt string   `json:"grantedAt"`
	Active    bool     `json:"active"`
	// RevokedAt is set for people whose access was revoked.
	RevokedAt string `json:"revokedAt,omitempty"`
}

// PrivateRevokeResult tells what a revocation or rotation did.
type PrivateRevokeResult struct {
	// Epoch is the new key epoch.
	Epoch uint64 `json:"epoch"`
	// Resealed counts the people the new key was sealed to, you included.
	Resealed int `json:"resealed"`
	// Reencrypted counts the older records re-encrypted under the new key
	// (a hard revoke).
	Reencrypted int `json:"reencrypted"`
}

// PersonRef names an account.
type PersonRef struct {
	DID    string `json:"did"`
	Handle string `json:"handle"`
}

// PrivateRotation is a row of a collection's key history.
type PrivateRotation struct {
	Epoch uint64 `json:"epoch"`
	// Reason is "create" (first key), "revoke" or "rotate".
	Reason    string `json:"reason"`
	CreatedAt string `json:"createdAt"`
	// Revoked are the people whose access ended with this epoch.
	Revoked []PersonRef `json:"revoked"`
}

// privateOp is one binding call's context: the running server's privacy
// service, the owner's DID and a deadline.
type privateOp struct {
	a   *App
	run *running
	svc *privacy.Service
	did string
	ctx context.Context
}

// openPrivate returns the context of one call; cancel it when done.
func (a *App) openPrivate() (*privateOp, context.CancelFunc, error) {
	run, did, err := a.ownerRun()
	if err != nil {
		return nil, nil, err
	}
	svc := run.srv.Privacy()
	if svc == nil {
		return nil, nil, errors.New("private records are not available on this server (Unavailable)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), privateCall)
	return &privateOp{a: a, run: run, svc: svc, did: did, ctx: ctx}, cancel, nil
}

// openPrivateCollection is openPrivate for a binding about one collection,
// whose name it checks first.
func (a *App) openPrivateCollection(collection string) (*privateOp, context.CancelFunc, error) {
	if err := checkPrivateCollection(collection); err != nil {
		return nil, nil, err
	}
	return a.openPrivate()
}

// PrivateStatus reports the owner's encryption key and how it can be
// recovered.
func (a *App) PrivateStatus() (PrivateStatus, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateStatus{}, err
	}
	defer cancel()
	return op.status()
}

func (op *privateOp) status() (PrivateStatus, error) {
	bs, err := op.svc.BackupStatus(op.ctx, op.did)
	if err != nil {
		return PrivateStatus{}, privateError(err)
	}
	st := PrivateStatus{HasIdentity: bs.HasIdentity, KeyID: bs.KeyID, SeedPresent: bs.SeedPresent,
		RecoveryConfirmedAt: optTime(bs.RecoveryConfirmedAt), PassphraseBackupAt: optTime(bs.PassphraseBackupAt)}
	if pub, ok, err := op.publishedKey(); err != nil {
		return PrivateStatus{}, privateError(err)
	} else if ok {
		st.PublishedKeyID = pub.KeyID()
		st.KEMID = int(pub.KEMID)
	}
	if bs.HasIdentity {
		pub, _, err := op.svc.PublicKey(op.ctx, op.did)
		if err != nil {
			return PrivateStatus{}, privateError(err)
		}
		st.KEMID = int(pub.KEMID)
	}
	st.NeedsRecovery = (bs.HasIdentity && !op.seedOpens(bs)) || (!bs.HasIdentity && st.PublishedKeyID != "")
	if ack, err := op.a.privateAck(op.did); err == nil {
		st.WarningAcknowledgedAt = ack
	}
	return st, nil
}

// probeCollection is a collection no one writes: listing it unlocks the
// owner's key and finds nothing, which tells whether the key opens here.
const probeCollection = "dev.hearthpds.private.keyProbe"

// seedOpens reports whether the owner's wrapped seed opens under this
// install's master key.
func (op *privateOp) seedOpens(bs privacy.BackupStatus) bool {
	if !bs.SeedPresent {
		return false
	}
	_, err := op.svc.ListRecords(op.ctx, op.did, probeCollection, "", 1)
	return !errors.Is(err, privacy.ErrSeedMissing)
}

// publishedKey reads the key the owner's public repo publishes.
func (op *privateOp) publishedKey() (crypt.PublicKey, bool, error) {
	r, err := op.run.srv.Store().GetRecord(op.ctx, op.did, crypt.KeyRecordNSID, crypt.KeyRecordRKey)
	if errors.Is(err, store.ErrNotFound) {
		return crypt.PublicKey{}, false, nil
	}
	if err != nil {
		return crypt.PublicKey{}, false, fmt.Errorf("read the published key record: %w", err)
	}
	v, err := atdata.UnmarshalCBOR(r.Value)
	if err != nil {
		return crypt.PublicKey{}, false, fmt.Errorf("decode the published key record: %w", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return crypt.PublicKey{}, false, fmt.Errorf("encode the published key record: %w", err)
	}
	pub, err := crypt.ParseKeyRecord(b)
	if err != nil {
		return crypt.PublicKey{}, false, fmt.Errorf("the published key record: %w", err)
	}
	return pub, true, nil
}

// privateError puts the privacy service's errors in the user's words, with
// an error name for support; other errors go to uiError.
func privateError(err error) error {
	if err == nil {
		return nil
	}
	if words, name, ok := explainPrivate(err); ok {
		return errors.New(words + " (" + name + ")")
	}
	return uiError(err)
}

func explainPrivate(err error) (words, name string, ok bool) {
	switch {
	case errors.Is(err, privacy.ErrNoIdentity):
		return "You have no encryption key yet: create one first", "NoIdentity", true
	case errors.Is(err, privacy.ErrIdentityExists):
		return "Your account already has an encryption key", "IdentityExists", true
	case errors.Is(err, privacy.ErrSeedMissing):
		return "Your encryption key cannot be opened on this computer: recover it with your recovery code or passphrase backup", "SeedMissing", true
	case errors.Is(err, privacy.ErrWrongIdentity):
		return "This recovery code or backup holds another key than the one your account publishes", "WrongIdentity", true
	case errors.Is(err, crypt.ErrRecoveryChecksum):
		return "That recovery code has a typo: its check characters do not match. Compare it with what you wrote down", "InvalidRecoveryCode", true
	case errors.Is(err, crypt.ErrRecoveryCode):
		return "That is not a recovery code: it is 64 letters and digits in groups of four", "InvalidRecoveryCode", true
	case errors.Is(err, crypt.ErrBackupOpen):
		return "That passphrase does not open the backup", "WrongPassphrase", true
	case errors.Is(err, privacy.ErrNoBackup):
		return "There is no passphrase backup of your key here", "NoBackup", true
	case errors.Is(err, privacy.ErrKeyChanged):
		return "Someone you share this collection with now publishes a different key (" + afterSentinel(err, privacy.ErrKeyChanged) +
			"): check their new key and share with them again, or revoke them, first", "KeyChanged", true
	case errors.Is(err, privacy.ErrStaleEpoch):
		return "The collection's key changed while saving: save again", "StaleEpoch", true
	case errors.Is(err, crypt.ErrDecrypt), errors.Is(err, crypt.ErrRKeyMismatch), errors.Is(err, crypt.ErrGrantOpen), errors.Is(err, crypt.ErrNoEpochKey):
		return "A stored private record does not decrypt: it was altered or does not belong here", "DecryptFailed", true
	case errors.Is(err, privacy.ErrLocked):
		return "The master key is not open here, so private records cannot be read", "Locked", true
	case errors.Is(err, privacy.ErrInvalid):
		return capitalize(strings.TrimPrefix(err.Error(), "privacy: ")), "InvalidRequest", true
	}
	return "", "", false
}

// afterSentinel is the detail err adds after sentinel's text.
func afterSentinel(err, sentinel error) string {
	s := err.Error()
	if i := strings.Index(s, sentinel.Error()+": "); i >= 0 {
		return s[i+len(sentinel.Error())+2:]
	}
	return ""
}
