package keys

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// KeyLocation says where the master key lives, for the app to show ("where
// the master key lives" in Settings).
type KeyLocation string

// The places a master key can live.
const (
	// KeyInKeychain: the OS keychain ([LoadOrCreateKeychainMasterKey]).
	KeyInKeychain KeyLocation = "keychain"
	// KeyInPassphraseFile: a passphrase-protected key file
	// ([OpenPassphraseKeyFile]).
	KeyInPassphraseFile KeyLocation = "passphrase-file"
	// KeyInFile: a raw key file with mode 0600, for headless servers
	// ([LoadOrCreateMasterKeyFile]).
	KeyInFile KeyLocation = "file"
)

// DesktopKeyOptions says where the desktop app may keep its master key.
type DesktopKeyOptions struct {
	// Keychain is the OS keychain, normally OSKeychain{}. Nil means none.
	Keychain Keychain
	// Service and User name the keychain item; empty means
	// DefaultKeychainService and DefaultKeychainUser.
	Service, User string
	// PassphraseFile is the path of the passphrase key file used when
	// there is no keychain, or the one already in use. Required.
	PassphraseFile string
	// ProbeTimeout bounds each wait on the keychain; zero means
	// DefaultProbeTimeout.
	ProbeTimeout time.Duration
	// HaveData says that data sealed under the master key already exists
	// (for example, the database file does). A new master key is then never
	// created: if the key is in neither place, or its place cannot be
	// reached, unlocking fails instead of making a key that would not open
	// the data.
	HaveData bool
}

// DesktopKeyStatus is what DesktopKeyState found.
type DesktopKeyStatus struct {
	// Location is where the key is, or will be once created.
	Location KeyLocation
	// NeedsPassphrase: ask the person for a passphrase (to open the file
	// when FileExists, or to create it) and pass it to
	// UnlockDesktopMasterKey.
	NeedsPassphrase bool
	// FileExists: the passphrase key file exists.
	FileExists bool
	// Reason says in plain words why the keychain is not used, for the app
	// to show next to the passphrase prompt. It is empty when the keychain
	// is used and usable. When Location is KeyInKeychain and Reason is not
	// empty, the key is in an unusable keychain (HaveData was set) and
	// unlocking will fail until the keychain is available again.
	Reason string
}

// withDefaults fills in the optional fields.
func (o DesktopKeyOptions) withDefaults() DesktopKeyOptions {
	if o.Service == "" {
		o.Service = DefaultKeychainService
	}
	if o.User == "" {
		o.User = DefaultKeychainUser
	}
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = DefaultProbeTimeout
	}
	return o
}

// DesktopKeyState decides where the desktop app's master key lives, in this
// order:
//
//  1. If the passphrase key file exists, there: the key must not change
//     under existing data, even if a keychain has appeared since.
//  2. Else, if ProbeKeychain succeeds, the keychain (which holds the key
//     already, or will once it is created).
//  3. Else, if HaveData is set, still the keychain: the key can only be
//     there, and Reason says why it cannot be reached.
//  4. Else a new passphrase key file, and Reason says why the keychain is
//     not used.
//
// It writes nothing but the keychain's probe item, which it removes again.
func DesktopKeyState(opts DesktopKeyOptions) DesktopKeyStatus {
	opts = opts.withDefaults()
	if fileExists(opts.PassphraseFile) {
		return DesktopKeyStatus{
			Location:        KeyInPassphraseFile,
			NeedsPassphrase: true,
			FileExists:      true,
			Reason:          "the master key is in a passphrase-protected file, which stays in use so that the key does not change",
		}
	}
	err := ProbeKeychainTimeout(opts.Keychain, opts.ProbeTimeout)
	if err == nil {
		return DesktopKeyStatus{Location: KeyInKeychain}
	}
	reason := err.Error()
	var ue *KeychainUnavailableError
	if errors.As(err, &ue) {
		reason = ue.Reason
	}
	if opts.HaveData {
		return DesktopKeyStatus{Location: KeyInKeychain, Reason: reason}
	}
	return DesktopKeyStatus{Location: KeyInPassphraseFile, NeedsPassphrase: true, Reason: reason}
}

// UnlockDesktopMasterKey returns the desktop app's master key and where it
// lives, as DesktopKeyState decides: from the keychain (created there the
// first time, unless HaveData is set), or from the passphrase key file,
// opened with passphrase, or created with it the first time. passphrase is
// ignored when the keychain is used.
//
// Errors match ErrWrongPassphrase, ErrWeakPassphrase (a new file's
// passphrase is too short), ErrKeyFileInvalid, ErrKeyFileInsecure,
// ErrKeychainUnavailable, ErrKeychainValueInvalid or ErrMasterKeyMissing
// (HaveData is set but the keychain holds no key). Keychain calls are
// bounded by ProbeTimeout.
func UnlockDesktopMasterKey(opts DesktopKeyOptions, passphrase []byte) ([]byte, KeyLocation, error) {
	opts = opts.withDefaults()
	if opts.PassphraseFile == "" {
		return nil, "", errors.New("keys: DesktopKeyOptions.PassphraseFile is required")
	}
	st := DesktopKeyState(opts)
	switch {
	case st.Location == KeyInKeychain && st.Reason != "":
		return nil, KeyInKeychain, &KeychainUnavailableError{
			Reason: st.Reason + "; the master key of the existing data is in the keychain",
		}
	case st.Location == KeyInKeychain:
		key, err := unlockKeychain(opts)
		return key, KeyInKeychain, err
	case st.FileExists:
		key, err := OpenPassphraseKeyFile(opts.PassphraseFile, passphrase)
		return key, KeyInPassphraseFile, err
	default:
		key, err := CreatePassphraseKeyFile(opts.PassphraseFile, passphrase)
		return key, KeyInPassphraseFile, err
	}
}

// unlockKeychain loads (or, without HaveData, loads or creates) the key in
// the keychain, bounded by ProbeTimeout.
func unlockKeychain(opts DesktopKeyOptions) ([]byte, error) {
	key, err := callWithTimeout(opts.ProbeTimeout, func() ([]byte, error) {
		if opts.HaveData {
			return loadKeychainMasterKey(opts.Keychain, opts.Service, opts.User)
		}
		key, _, err := LoadOrCreateKeychainMasterKey(opts.Keychain, opts.Service, opts.User)
		return key, err
	})
	switch {
	case err == nil:
		return key, nil
	case opts.HaveData && errors.Is(err, ErrKeychainNotFound):
		return nil, fmt.Errorf("%w: the keychain holds no master key (service %q, user %q) but data sealed under one exists: %w",
			ErrMasterKeyMissing, opts.Service, opts.User, err)
	case errors.Is(err, ErrKeychainValueInvalid):
		return nil, err
	default:
		// A timeout, or the keychain failing between the probe and now.
		return nil, unavailable(err)
	}
}

// fileExists reports whether anything is at path. An error other than "does
// not exist" (a permission problem, say) counts as existing, so that a file
// that cannot be checked is never silently replaced by a new key elsewhere;
// opening it then reports the problem.
func fileExists(path string) bool {
	if path == "" {
		return false
	}
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
