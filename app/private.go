package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/atdata"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/lexicon"
	"github.com/hearthpds/hearth/backend/privacy"
	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
)

// The Private page's bindings: the owner's encryption key (its recovery
// code, passphrase backup and recovery), private collections and their
// records, decrypted here, grants per collection, revocation, rotation
// history. They call the owner-side methods of the server's privacy
// service in-process: the app's Go side is the "client" of
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

// CreatePrivateIdentity gives the owner's account its encryption key: the
// public half is published in the repo, the secret half is kept here
// under the master key. The answer's recovery code is the only copy: the
// page shows it once.
func (a *App) CreatePrivateIdentity() (NewPrivateKey, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return NewPrivateKey{}, err
	}
	defer cancel()
	if pub, ok, err := op.publishedKey(); err != nil {
		return NewPrivateKey{}, privateError(err)
	} else if ok {
		if bs, err := op.svc.BackupStatus(op.ctx, op.did); err == nil && !bs.HasIdentity {
			return NewPrivateKey{}, fmt.Errorf("your account already publishes the encryption key %s, which this computer does not hold: "+
				"recover it with its recovery code or passphrase backup instead of making a new one (IdentityExists)", pub.KeyID())
		}
	}
	id, err := op.svc.CreateIdentity(op.ctx, op.did)
	if err != nil {
		return NewPrivateKey{}, privateError(err)
	}
	a.log.Info("encryption key created", "keyId", id.Public.KeyID())
	return NewPrivateKey{KeyID: id.Public.KeyID(), RecoveryCode: id.RecoveryCode}, nil
}

// ConfirmPrivateRecoveryCode records that the owner wrote the recovery
// code down.
func (a *App) ConfirmPrivateRecoveryCode() (PrivateStatus, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateStatus{}, err
	}
	defer cancel()
	if err := op.svc.ConfirmRecoveryCode(op.ctx, op.did); err != nil {
		return PrivateStatus{}, privateError(err)
	}
	return op.status()
}

// privateAckFile records, per install, that the owner accepted the
// warning about losing the key.
type privateAckFile struct {
	DID            string    `json:"did"`
	AcknowledgedAt time.Time `json:"acknowledgedAt"`
}

func (a *App) privateAckPath() string { return filepath.Join(a.opts.DataDir, "private.json") }

// privateAck returns when did accepted the warning, "" if never.
func (a *App) privateAck(did string) (string, error) {
	raw, err := os.ReadFile(a.privateAckPath())
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var f privateAckFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return "", fmt.Errorf("%s: %w", a.privateAckPath(), err)
	}
	if f.DID != did {
		return "", nil
	}
	return timeString(f.AcknowledgedAt), nil
}

// AcknowledgePrivateWarning records that the owner read and accepted that
// losing both the recovery code and the passphrase backup means losing
// the private data. Nothing private is written before.
func (a *App) AcknowledgePrivateWarning() (PrivateStatus, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateStatus{}, err
	}
	defer cancel()
	raw, err := json.Marshal(privateAckFile{DID: op.did, AcknowledgedAt: time.Now().UTC()})
	if err != nil {
		return PrivateStatus{}, uiError(err)
	}
	tmp := a.privateAckPath() + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return PrivateStatus{}, uiError(fmt.Errorf("record the warning was read: %w", err))
	}
	if err := os.Rename(tmp, a.privateAckPath()); err != nil {
		return PrivateStatus{}, uiError(fmt.Errorf("record the warning was read: %w", err))
	}
	return op.status()
}

// mayWrite refuses a private write before the warning was accepted.
func (op *privateOp) mayWrite() error {
	ack, err := op.a.privateAck(op.did)
	if err != nil {
		return uiError(err)
	}
	if ack == "" {
		return errors.New("first read and accept the warning: if you lose both your recovery code and your passphrase backup, " +
			"your private records are gone for good (WarningNotAcknowledged)")
	}
	return nil
}

// SetPrivateBackupPassphrase makes (or replaces) the passphrase backup of
// the owner's key, stored on this PDS: encrypted under the passphrase,
// which the server never sees.
func (a *App) SetPrivateBackupPassphrase(passphrase string) (PrivateStatus, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateStatus{}, err
	}
	defer cancel()
	if len([]rune(passphrase)) < minBackupPassphrase {
		return PrivateStatus{}, fmt.Errorf("choose a backup passphrase of at least %d characters: the backup is kept on the server, "+
			"where anyone with a copy of the database could try to guess it (WeakPassphrase)", minBackupPassphrase)
	}
	if err := op.svc.SetPassphraseBackup(op.ctx, op.did, passphrase); err != nil {
		return PrivateStatus{}, privateError(err)
	}
	a.log.Info("encryption key backup made")
	return op.status()
}

// ExportPrivateBackup returns the passphrase backup as text (base64), to
// keep somewhere else than this computer: with the passphrase it restores
// the key after this computer's data is lost.
func (a *App) ExportPrivateBackup() (string, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return "", err
	}
	defer cancel()
	b, err := op.svc.KeyBackup(op.ctx, op.did)
	if err != nil {
		return "", privateError(err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// RecoverPrivateIdentity restores the owner's key from its recovery code
// (dashes, spaces and case do not matter).
func (a *App) RecoverPrivateIdentity(code string) (PrivateStatus, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateStatus{}, err
	}
	defer cancel()
	if strings.TrimSpace(code) == "" {
		return PrivateStatus{}, invalid("type the recovery code you wrote down")
	}
	pub, err := op.svc.Recover(op.ctx, op.did, code)
	if err != nil {
		return PrivateStatus{}, privateError(err)
	}
	a.log.Info("encryption key recovered from its recovery code", "keyId", pub.KeyID())
	return op.status()
}

// RecoverPrivateIdentityFromBackup restores the owner's key from a
// passphrase backup: the one stored here when backupText is "", else the
// exported text.
func (a *App) RecoverPrivateIdentityFromBackup(passphrase, backupText string) (PrivateStatus, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateStatus{}, err
	}
	defer cancel()
	var backup []byte
	if t := strings.Join(strings.Fields(backupText), ""); t != "" {
		if backup, err = base64.StdEncoding.DecodeString(t); err != nil || len(backup) != crypt.BackupSize {
			return PrivateStatus{}, invalid("that is not an exported key backup (%d bytes of base64 text)", crypt.BackupSize)
		}
	}
	pub, err := op.svc.RecoverFromBackup(op.ctx, op.did, passphrase, backup)
	if err != nil {
		return PrivateStatus{}, privateError(err)
	}
	a.log.Info("encryption key recovered from its passphrase backup", "keyId", pub.KeyID())
	return op.status()
}

// ListPrivateCollections lists the owner's private collections with their
// record counts, current epochs and how many people can read them.
func (a *App) ListPrivateCollections() ([]PrivateCollectionInfo, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return nil, err
	}
	defer cancel()
	cols, err := op.svc.Collections(op.ctx, op.did)
	if err != nil {
		return nil, privateError(err)
	}
	grants, err := op.svc.ListGrants(op.ctx, op.did, "", false)
	if err != nil {
		return nil, privateError(err)
	}
	readers := map[string]map[string]bool{}
	for _, g := range grants {
		if g.GranteeDID == op.did {
			continue
		}
		if readers[g.Collection] == nil {
			readers[g.Collection] = map[string]bool{}
		}
		readers[g.Collection][g.GranteeDID] = true
	}
	out := make([]PrivateCollectionInfo, len(cols))
	for i, c := range cols {
		_, known := lexicon.Schema(c.Collection)
		out[i] = PrivateCollectionInfo{Collection: c.Collection, Epoch: c.Epoch, Records: c.Records,
			Grantees: len(readers[c.Collection]), HasLexicon: known}
	}
	return out, nil
}

// ListPrivateRecords decrypts a page of a private collection (see
// PrivateRecordPage for the order); cursor continues from a previous page.
func (a *App) ListPrivateRecords(collection, cursor string, limit int) (PrivateRecordPage, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateRecordPage{}, err
	}
	defer cancel()
	if err := checkPrivateCollection(collection); err != nil {
		return PrivateRecordPage{}, err
	}
	limit = clampLimit(limit)
	recs, err := op.svc.ListRecords(op.ctx, op.did, collection, cursor, limit+1)
	if err != nil {
		return PrivateRecordPage{}, privateError(err)
	}
	page := PrivateRecordPage{Records: []PrivateRecordSummary{}}
	if len(recs) > limit {
		recs = recs[:limit]
		page.Cursor = recs[limit-1].RKey
	}
	for _, r := range recs {
		page.Records = append(page.Records, summarizePrivate(r))
	}
	slices.SortFunc(page.Records, func(x, y PrivateRecordSummary) int { return strings.Compare(y.RKey, x.RKey) })
	return page, nil
}

func summarizePrivate(r privacy.Record) PrivateRecordSummary {
	s := PrivateRecordSummary{RKey: r.RKey, Epoch: r.Epoch}
	var v map[string]any
	if err := json.Unmarshal(r.Value, &v); err != nil {
		s.Preview = "(not a JSON object)"
		return s
	}
	if c, ok := v["createdAt"].(string); ok {
		s.CreatedAt = c
	}
	s.Preview = preview(v)
	return s
}

// GetPrivateRecord decrypts one private record.
func (a *App) GetPrivateRecord(collection, rkey string) (PrivateRecordDetail, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateRecordDetail{}, err
	}
	defer cancel()
	if err := checkPrivateCollection(collection); err != nil {
		return PrivateRecordDetail{}, err
	}
	r, err := op.svc.GetRecord(op.ctx, op.did, collection, rkey)
	if errors.Is(err, store.ErrNotFound) {
		return PrivateRecordDetail{}, fmt.Errorf("there is no private record %s/%s (RecordNotFound)", collection, rkey)
	}
	if err != nil {
		return PrivateRecordDetail{}, privateError(err)
	}
	var pretty strings.Builder
	if err := indentJSON(&pretty, r.Value); err != nil {
		return PrivateRecordDetail{}, uiError(err)
	}
	d := PrivateRecordDetail{Collection: collection, RKey: r.RKey, JSON: pretty.String(), Epoch: r.Epoch, CID: r.CID, Rev: r.Rev}
	d.CurrentEpoch = op.currentEpoch(collection)
	return d, nil
}

// indentJSON pretty-prints raw JSON.
func indentJSON(w *strings.Builder, raw []byte) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("decode the record: %w", err)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the record: %w", err)
	}
	w.Write(b)
	return nil
}

// currentEpoch is the collection's current epoch (0 when unknown).
func (op *privateOp) currentEpoch(collection string) uint64 {
	cols, err := op.svc.Collections(op.ctx, op.did)
	if err != nil {
		return 0
	}
	for _, c := range cols {
		if c.Collection == collection {
			return c.Epoch
		}
	}
	return 0
}

// CreatePrivateRecord encrypts a new record (rkey "" assigns a TID) after
// checking it against its collection's lexicon when one is known. A
// collection that holds public records cannot hold private ones.
func (a *App) CreatePrivateRecord(collection, rkey, recordJSON string) (PrivateRecordRef, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateRecordRef{}, err
	}
	defer cancel()
	rkey = strings.TrimSpace(rkey)
	if rkey == "" {
		rkey = syntax.NewTIDNow(0).String()
	} else if _, err := op.svc.GetRecord(op.ctx, op.did, collection, rkey); err == nil {
		return PrivateRecordRef{}, fmt.Errorf("there is already a private record %s/%s: open it to edit it (RecordAlreadyExists)", collection, rkey)
	}
	return op.write(collection, rkey, recordJSON)
}

// PutPrivateRecord replaces (or creates) a private record.
func (a *App) PutPrivateRecord(collection, rkey, recordJSON string) (PrivateRecordRef, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateRecordRef{}, err
	}
	defer cancel()
	if strings.TrimSpace(rkey) == "" {
		return PrivateRecordRef{}, invalid("a record key is required")
	}
	return op.write(collection, strings.TrimSpace(rkey), recordJSON)
}

// write validates and encrypts one record.
func (op *privateOp) write(collection, rkey, recordJSON string) (PrivateRecordRef, error) {
	if err := checkPrivateCollection(collection); err != nil {
		return PrivateRecordRef{}, err
	}
	if _, err := syntax.ParseRecordKey(rkey); err != nil {
		return PrivateRecordRef{}, invalid("%q is not a record key: %v", rkey, err)
	}
	if err := op.mayWrite(); err != nil {
		return PrivateRecordRef{}, err
	}
	if err := op.notPublic(collection); err != nil {
		return PrivateRecordRef{}, err
	}
	value, status, err := privateValue(collection, recordJSON)
	if err != nil {
		return PrivateRecordRef{}, err
	}
	r, err := op.svc.PutRecord(op.ctx, op.did, collection, rkey, value)
	if err != nil {
		return PrivateRecordRef{}, privateError(err)
	}
	return PrivateRecordRef{Collection: collection, RKey: rkey, CID: r.CID.String(), Epoch: r.Epoch, Rev: r.Rev,
		ValidationStatus: string(status)}, nil
}

// notPublic refuses a private write to a collection with public records:
// one NSID is either public or private.
func (op *privateOp) notPublic(collection string) error {
	cols, err := op.run.srv.Store().ListCollections(op.ctx, op.did)
	if err != nil {
		return uiError(err)
	}
	for _, c := range cols {
		if c.Name == collection && c.Count > 0 {
			return fmt.Errorf("%s holds public records in your repository: a collection is either public or private, "+
				"so choose another collection for private records (PublicCollection)", collection)
		}
	}
	return nil
}

// privateValue parses a record's JSON as atproto data, fills in its $type
// and checks it against the collection's lexicon as public writes are.
func privateValue(collection, recordJSON string) (json.RawMessage, lexicon.Status, error) {
	rec, err := atdata.UnmarshalJSON([]byte(recordJSON))
	if err != nil {
		return nil, "", invalid("the record is not valid JSON for atproto: %v", err)
	}
	if _, ok := rec["$type"]; !ok {
		rec["$type"] = collection
	}
	status, err := lexicon.ValidateRecord(collection, rec)
	if err != nil {
		return nil, "", uiError(err)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, "", uiError(fmt.Errorf("encode the record: %w", err))
	}
	return b, status, nil
}

// checkPrivateCollection checks a collection name before any work.
func checkPrivateCollection(collection string) error {
	if _, err := syntax.ParseNSID(collection); err != nil {
		return invalid("%q is not a collection name (like com.example.diary.entry)", collection)
	}
	if collection == crypt.KeyRecordNSID {
		return invalid("%s is your public key record's collection and stays public", collection)
	}
	return nil
}

// DeletePrivateRecord deletes a private record.
func (a *App) DeletePrivateRecord(collection, rkey string) error {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return err
	}
	defer cancel()
	if err := checkPrivateCollection(collection); err != nil {
		return err
	}
	err = op.svc.DeleteRecord(op.ctx, op.did, collection, rkey)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("there is no private record %s/%s (RecordNotFound)", collection, rkey)
	}
	return privateError(err)
}

// PreviewPrivateGrant finds the key a grant of collection to who (a handle
// or DID) would be sealed to, for the owner to compare its fingerprint
// with the one the grantee sees, before granting.
func (a *App) PreviewPrivateGrant(collection, who string) (GranteeKeyInfo, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return GranteeKeyInfo{}, err
	}
	defer cancel()
	if err := checkPrivateCollection(collection); err != nil {
		return GranteeKeyInfo{}, err
	}
	if strings.TrimSpace(who) == "" {
		return GranteeKeyInfo{}, invalid("give the handle or DID of the person to share with")
	}
	did, err := op.run.srv.Delegation().ResolveAccount(op.ctx, who)
	if err != nil {
		return GranteeKeyInfo{}, uiError(err)
	}
	if did == op.did {
		return GranteeKeyInfo{}, invalid("you can always read your own private records: name someone else")
	}
	return op.granteeKey(collection, did)
}

// granteeKey resolves did's published key and compares it with its grants.
func (op *privateOp) granteeKey(collection, did string) (GranteeKeyInfo, error) {
	pub, err := op.svc.ResolveGranteeKey(op.ctx, did)
	if err != nil {
		return GranteeKeyInfo{}, keyLookupError(did, err)
	}
	info := GranteeKeyInfo{DID: did, Handle: op.run.srv.Delegation().HandleOf(op.ctx, did), KeyID: pub.KeyID(), KEMID: int(pub.KEMID)}
	held, err := op.grantsOf(collection, did)
	if err != nil {
		return GranteeKeyInfo{}, err
	}
	if len(held) > 0 {
		info.PreviousKeyID = held[0].GranteeKeyID
		info.KeyChanged = info.PreviousKeyID != info.KeyID
		info.AlreadyGranted = !info.KeyChanged
	}
	return info, nil
}

// grantsOf lists did's active grants of collection.
func (op *privateOp) grantsOf(collection, did string) ([]store.KeyGrant, error) {
	gs, err := op.svc.ListGrants(op.ctx, op.did, collection, false)
	if err != nil {
		return nil, privateError(err)
	}
	return slices.DeleteFunc(gs, func(g store.KeyGrant) bool { return g.GranteeDID != did }), nil
}

// keyLookupError explains a grantee key that could not be found.
func keyLookupError(did string, err error) error {
	if errors.Is(err, crypt.ErrMalformed) || errors.Is(err, crypt.ErrUnsupportedKEM) {
		return fmt.Errorf("%s publishes an encryption key this app cannot use: %v (InvalidKey)", did, err)
	}
	return fmt.Errorf("%s has no encryption key that could be fetched: they need to set up private records in their own app first (%v) (KeyNotFound)", did, err)
}

// GrantPrivateAccess lets someone read a private collection (its existing
// records too): every key epoch sealed to the key the owner checked. A
// key that changed since the preview is refused; re-sealing to a key that
// changed since an earlier grant needs ConfirmKeyChange.
func (a *App) GrantPrivateAccess(in PrivateGrantInput) (PrivateGrantee, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateGrantee{}, err
	}
	defer cancel()
	if err := checkPrivateCollection(in.Collection); err != nil {
		return PrivateGrantee{}, err
	}
	if err := op.mayWrite(); err != nil {
		return PrivateGrantee{}, err
	}
	if err := op.notPublic(in.Collection); err != nil {
		return PrivateGrantee{}, err
	}
	key, err := op.confirmedKey(in)
	if err != nil {
		return PrivateGrantee{}, err
	}
	gs, err := op.svc.Grant(op.ctx, op.did, in.Collection, in.DID, key)
	if err != nil {
		return PrivateGrantee{}, privateError(err)
	}
	a.log.Info("private collection shared", "collection", in.Collection, "grantee", in.DID, "keyId", key.KeyID())
	out := granteesOf(gs, op.did, newHandles(op))
	if len(out) == 0 {
		return PrivateGrantee{}, uiError(fmt.Errorf("the grant to %s was not stored", in.DID))
	}
	return out[0], nil
}

// confirmedKey resolves the grantee's key again and checks it is the one
// the owner confirmed.
func (op *privateOp) confirmedKey(in PrivateGrantInput) (crypt.PublicKey, error) {
	if _, err := syntax.ParseDID(in.DID); err != nil || in.DID == op.did {
		return crypt.PublicKey{}, invalid("check the person's key first (a DID other than yours)")
	}
	pub, err := op.svc.ResolveGranteeKey(op.ctx, in.DID)
	if err != nil {
		return crypt.PublicKey{}, keyLookupError(in.DID, err)
	}
	if pub.KeyID() != in.KeyID {
		return crypt.PublicKey{}, fmt.Errorf("%s now publishes the key %s, not the %s you checked: check it again (KeyChanged)",
			in.DID, pub.KeyID(), in.KeyID)
	}
	held, err := op.grantsOf(in.Collection, in.DID)
	if err != nil {
		return crypt.PublicKey{}, err
	}
	if len(held) > 0 && held[0].GranteeKeyID != pub.KeyID() && !in.ConfirmKeyChange {
		return crypt.PublicKey{}, fmt.Errorf("%s's key changed from %s to %s since you shared %s with them: "+
			"confirm the new key to re-seal the collection to it (KeyChanged)", in.DID, held[0].GranteeKeyID, pub.KeyID(), in.Collection)
	}
	return pub, nil
}

// ListPrivateGrants lists who can read a private collection, then whose
// access was revoked.
func (a *App) ListPrivateGrants(collection string) ([]PrivateGrantee, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return nil, err
	}
	defer cancel()
	if err := checkPrivateCollection(collection); err != nil {
		return nil, err
	}
	gs, err := op.svc.ListGrants(op.ctx, op.did, collection, true)
	if err != nil {
		return nil, privateError(err)
	}
	return granteesOf(gs, op.did, newHandles(op)), nil
}

// granteesOf groups grants by grantee: people with active grants first
// (oldest grant first), then revoked ones (latest revocation first).
func granteesOf(gs []store.KeyGrant, owner string, handles func(string) string) []PrivateGrantee {
	by := map[string]*PrivateGrantee{}
	var order []string
	for _, g := range gs {
		if g.GranteeDID == owner {
			continue
		}
		p := by[g.GranteeDID]
		if p == nil {
			p = &PrivateGrantee{DID: g.GranteeDID, Epochs: []uint64{}}
			by[g.GranteeDID] = p
			order = append(order, g.GranteeDID)
		}
		addGrant(p, g)
	}
	out := make([]PrivateGrantee, 0, len(order))
	for _, did := range order {
		p := by[did]
		p.Handle = handles(did)
		slices.Sort(p.Epochs)
		out = append(out, *p)
	}
	slices.SortStableFunc(out, func(x, y PrivateGrantee) int {
		switch {
		case x.Active != y.Active:
			if x.Active {
				return -1
			}
			return 1
		case x.Active:
			return strings.Compare(x.GrantedAt, y.GrantedAt)
		}
		return strings.Compare(y.RevokedAt, x.RevokedAt)
	})
	return out
}

// addGrant folds one grant row into its grantee: active grants win over
// revoked ones (a person revoked, then granted again, is active).
func addGrant(p *PrivateGrantee, g store.KeyGrant) {
	at := timeString(g.CreatedAt)
	switch {
	case g.Active() && !p.Active:
		*p = PrivateGrantee{DID: p.DID, KeyID: g.GranteeKeyID, Epochs: []uint64{}, GrantedAt: at, Active: true}
	case !g.Active() && p.Active:
		return
	}
	p.Epochs = append(p.Epochs, g.Epoch)
	if p.GrantedAt == "" || at < p.GrantedAt {
		p.GrantedAt = at
	}
	if !g.Active() {
		p.KeyID = g.GranteeKeyID
		if r := timeString(*g.RevokedAt); r > p.RevokedAt {
			p.RevokedAt = r
		}
	}
}

// newHandles returns a lookup of handles that asks once per DID.
func newHandles(op *privateOp) func(string) string {
	seen := map[string]string{}
	return func(did string) string {
		h, ok := seen[did]
		if !ok {
			h = op.run.srv.Delegation().HandleOf(op.ctx, did)
			seen[did] = h
		}
		return h
	}
}

// RevokePrivateAccess ends someone's access to a private collection: a new
// key for everything written from now on, sealed to the remaining
// people, and the server refuses them every epoch. With hard, older
// records are also re-encrypted under the new key. What they already
// downloaded stays readable to them.
func (a *App) RevokePrivateAccess(collection, did string, hard bool) (PrivateRevokeResult, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateRevokeResult{}, err
	}
	defer cancel()
	if err := checkPrivateCollection(collection); err != nil {
		return PrivateRevokeResult{}, err
	}
	res, err := op.svc.Revoke(op.ctx, op.did, collection, strings.TrimSpace(did), privacy.RevokeOptions{Reencrypt: hard})
	if errors.Is(err, store.ErrNotFound) {
		return PrivateRevokeResult{}, fmt.Errorf("%s cannot read %s (GrantNotFound)", did, collection)
	}
	if err != nil {
		return PrivateRevokeResult{}, privateError(err)
	}
	a.log.Info("private access revoked", "collection", collection, "grantee", did, "epoch", res.Epoch, "reencrypted", res.Reencrypted)
	return PrivateRevokeResult(res), nil
}

// RotatePrivateCollection starts a new key epoch without revoking anyone
// (records written from now on use the new key); with reencrypt, older
// records are re-encrypted under it.
func (a *App) RotatePrivateCollection(collection string, reencrypt bool) (PrivateRevokeResult, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return PrivateRevokeResult{}, err
	}
	defer cancel()
	if err := checkPrivateCollection(collection); err != nil {
		return PrivateRevokeResult{}, err
	}
	res, err := op.svc.Rotate(op.ctx, op.did, collection, reencrypt)
	if errors.Is(err, store.ErrNotFound) {
		return PrivateRevokeResult{}, fmt.Errorf("%s is not one of your private collections (CollectionNotFound)", collection)
	}
	if err != nil {
		return PrivateRevokeResult{}, privateError(err)
	}
	a.log.Info("private collection key rotated", "collection", collection, "epoch", res.Epoch)
	return PrivateRevokeResult(res), nil
}

// PrivateRotations lists a collection's key epochs, newest first, with the
// people whose access ended with each.
func (a *App) PrivateRotations(collection string) ([]PrivateRotation, error) {
	op, cancel, err := a.openPrivate()
	if err != nil {
		return nil, err
	}
	defer cancel()
	if err := checkPrivateCollection(collection); err != nil {
		return nil, err
	}
	rots, err := op.svc.Rotations(op.ctx, op.did, collection)
	if err != nil {
		return nil, privateError(err)
	}
	gs, err := op.svc.ListGrants(op.ctx, op.did, collection, true)
	if err != nil {
		return nil, privateError(err)
	}
	handles := newHandles(op)
	out := make([]PrivateRotation, 0, len(rots))
	for i := len(rots) - 1; i >= 0; i-- {
		r := rots[i]
		out = append(out, PrivateRotation{Epoch: r.Epoch, Reason: r.Reason, CreatedAt: timeString(r.CreatedAt),
			Revoked: revokedAt(gs, r.CreatedAt, op.did, handles)})
	}
	return out, nil
}

// revokedAt lists the people whose grants were revoked at t (a revocation
// marks them with its rotation's time).
func revokedAt(gs []store.KeyGrant, t time.Time, owner string, handles func(string) string) []PersonRef {
	out := []PersonRef{}
	seen := map[string]bool{}
	for _, g := range gs {
		if g.RevokedAt == nil || !g.RevokedAt.Equal(t) || g.GranteeDID == owner || seen[g.GranteeDID] {
			continue
		}
		seen[g.GranteeDID] = true
		out = append(out, PersonRef{DID: g.GranteeDID, Handle: handles(g.GranteeDID)})
	}
	return out
}

func optTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return timeString(*t)
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
