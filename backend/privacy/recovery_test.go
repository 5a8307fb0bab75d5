package privacy

import (
	"strings"
	"testing"

	"github.com/hearthpds/hearth/backend/privacy/crypt"
	"github.com/hearthpds/hearth/backend/store"
	"github.com/hearthpds/hearth/internal/testdb"
)

// TestRecoverFromCode: after the keychain's master key is lost (a new one
// in its place) the seed no longer opens; the recovery code restores it,
// a mistyped code is rejected by its checksum, and another account's code
// is refused.
func TestRecoverFromCode(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newEnv(t, open(t))
		_, err := e.svc.PutRecord(ctx, alice, diary, "3kabc", note("keep me"))
		must(t, err)
		_, err = e.svc.Grant(ctx, alice, diary, bob, e.bob.Public())
		must(t, err)

		// The keychain entry is gone: a fresh master key.
		fresh := e.service(t, newSealer(t))
		_, err = fresh.GetRecord(ctx, alice, diary, "3kabc")
		isErr(t, "read with a new master key", err, ErrSeedMissing)

		typo := []byte(e.code)
		if typo[0] == 'A' {
			typo[0] = 'B'
		} else {
			typo[0] = 'A'
		}
		_, err = fresh.Recover(ctx, alice, string(typo))
		isErr(t, "mistyped code", err, crypt.ErrRecoveryChecksum)
		other, _ := crypt.NewIdentity()
		_, err = fresh.Recover(ctx, alice, other.RecoveryCode())
		isErr(t, "another identity's code", err, ErrWrongIdentity)

		pub, err := fresh.Recover(ctx, alice, strings.ToLower(e.code))
		must(t, err)
		published, _, err := fresh.PublicKey(ctx, alice)
		must(t, err)
		if pub.KeyID() != published.KeyID() {
			t.Fatal("recovered another key")
		}
		rec, err := fresh.GetRecord(ctx, alice, diary, "3kabc")
		must(t, err)
		if string(rec.Value) != `{"text":"keep me"}` {
			t.Fatalf("recovered record = %s", rec.Value)
		}
		// Grants keep working after recovery: a rotation re-seals to bob.
		res, err := fresh.Rotate(ctx, alice, diary, false)
		must(t, err)
		if res.Resealed != 2 {
			t.Fatalf("rotation after recovery resealed %d grants", res.Resealed)
		}
	})
}

// TestRecoverFromBackup: with the wrapped seed wiped and the master key
// replaced, the passphrase backup stored on the PDS restores everything.
func TestRecoverFromBackup(t *testing.T) {
	testdb.Run(t, func(t *testing.T, open func(testing.TB) store.Store) {
		ctx := t.Context()
		e := newEnv(t, open(t))
		st, err := e.svc.BackupStatus(ctx, alice)
		must(t, err)
		if !st.HasIdentity || !st.SeedPresent || st.PassphraseBackupAt != nil || st.RecoveryConfirmedAt != nil {
			t.Fatalf("status before backup = %+v", st)
		}
		_, err = e.svc.RecoverFromBackup(ctx, alice, "pass phrase", nil)
		isErr(t, "no backup yet", err, ErrNoBackup)
		must(t, e.svc.SetPassphraseBackup(ctx, alice, "pass phrase"))
		must(t, e.svc.ConfirmRecoveryCode(ctx, alice))
		_, err = e.svc.PutRecord(ctx, alice, diary, "3kabc", note("backed up"))
		must(t, err)
		backup, err := e.svc.KeyBackup(ctx, alice)
		must(t, err)
		isErr(t, "junk backup", e.svc.PutKeyBackup(ctx, alice, []byte("junk")), ErrInvalid)

		// Wipe the wrapped seed and lose the master key.
		k, err := e.st.GetUserKey(ctx, alice)
		must(t, err)
		must(t, e.st.RewrapUserKey(ctx, alice, k.KeyID, nil))
		fresh := e.service(t, newSealer(t))
		st, err = fresh.BackupStatus(ctx, alice)
		must(t, err)
		if st.SeedPresent || st.PassphraseBackupAt == nil || st.RecoveryConfirmedAt == nil {
			t.Fatalf("status after wipe = %+v", st)
		}
		_, err = fresh.GetRecord(ctx, alice, diary, "3kabc")
		isErr(t, "read after wipe", err, ErrSeedMissing)

		_, err = fresh.RecoverFromBackup(ctx, alice, "wrong phrase", nil)
		isErr(t, "wrong passphrase", err, crypt.ErrBackupOpen)
		_, err = fresh.RecoverFromBackup(ctx, alice, "pass phrase", nil)
		must(t, err)
		rec, err := fresh.GetRecord(ctx, alice, diary, "3kabc")
		must(t, err)
		if string(rec.Value) != `{"text":"backed up"}` {
			t.Fatalf("record after backup recovery = %s", rec.Value)
		}

		// The whole key row gone too: the backup bytes kept elsewhere
		// restore it, checked against the published key.
		_, err = e.st.DeleteAccount(ctx, alice, nil)
		must(t, err)
		_, err = e.st.CreateAccount(ctx, storetestAccount(alice))
		must(t, err)
		e.remote.set(alice, k2pub(k))
		pub, err := fresh.RecoverFromBackup(ctx, alice, "pass phrase", backup)
		must(t, err)
		if pub.KeyID() != k.KeyID {
			t.Fatal("restored another key")
		}
		e.remote.set(alice, e.bob.Public())
		other := e.service(t, newSealer(t))
		k3, _ := e.st.GetUserKey(ctx, alice)
		must(t, e.st.RewrapUserKey(ctx, alice, k3.KeyID, nil))
		_, err = e.st.DeleteAccount(ctx, alice, nil)
		must(t, err)
		_, err = e.st.CreateAccount(ctx, storetestAccount(alice))
		must(t, err)
		_, err = other.RecoverFromBackup(ctx, alice, "pass phrase", backup)
		isErr(t, "backup of a key other than the published one", err, ErrWrongIdentity)
	})
}

// k2pub is the public key of a stored key row.
func k2pub(k store.UserKey) crypt.PublicKey { return crypt.PublicKey{KEMID: k.KEMID, Key: k.PublicKey} }
