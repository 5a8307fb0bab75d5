package app

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
)

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
// warning about losing the key, and the collections others shared with
// the owner that the owner opened (private_shared.go).
type privateAckFile struct {
	DID            string    `json:"did"`
	AcknowledgedAt time.Time `json:"acknowledgedAt"`
	// Shared are the collections shared with DID it opened, last opened
	// first.
	Shared []SharedRef `json:"shared,omitempty"`
}

func (a *App) privateAckPath() string { return filepath.Join(a.opts.DataDir, "private.json") }

// privateFileMu serialises the read-modify-writes of private.json.
var privateFileMu sync.Mutex

// readPrivateFile reads private.json as did's: empty when absent or when
// it belongs to another account.
func (a *App) readPrivateFile(did string) (privateAckFile, error) {
	raw, err := os.ReadFile(a.privateAckPath())
	if errors.Is(err, os.ErrNotExist) {
		return privateAckFile{DID: did}, nil
	}
	if err != nil {
		return privateAckFile{}, err
	}
	var f privateAckFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return privateAckFile{}, fmt.Errorf("%s: %w", a.privateAckPath(), err)
	}
	if f.DID != did {
		return privateAckFile{DID: did}, nil
	}
	return f, nil
}

// writePrivateFile replaces private.json atomically (a temporary file
// renamed over it).
func (a *App) writePrivateFile(f privateAckFile) error {
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	tmp := a.privateAckPath() + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, a.privateAckPath())
}

// privateAck returns when did accepted the warning, "" if never.
func (a *App) privateAck(did string) (string, error) {
	f, err := a.readPrivateFile(did)
	if err != nil {
		return "", err
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
	privateFileMu.Lock()
	f, err := a.readPrivateFile(op.did)
	if err != nil { // unreadable: start it again
		f = privateAckFile{DID: op.did}
	}
	f.AcknowledgedAt = time.Now().UTC()
	err = a.writePrivateFile(f)
	privateFileMu.Unlock()
	if err != nil {
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
