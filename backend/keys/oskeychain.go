package keys

import (
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"
)

// OSKeychain is the operating system's keychain through
// github.com/zalando/go-keyring: the Secret Service over D-Bus on Linux and
// the BSDs (gnome-keyring, KeePassXC), the login Keychain on macOS, the
// Credential Manager on Windows. Its zero value is ready to use.
//
// A call can block for as long as the keychain waits on the user (an unlock
// prompt), so check it first with [ProbeKeychain], which bounds the wait.
//
// On Linux and the BSDs it never starts a D-Bus session bus: when none is
// advertised (DBUS_SESSION_BUS_ADDRESS unset and no /run/user/<uid>/bus),
// every call fails with ErrKeychainUnavailable instead of letting the D-Bus
// library run dbus-launch, which would leave a stray bus and keyring daemon
// behind after the app quits.
type OSKeychain struct{}

var _ Keychain = OSKeychain{}

// Get returns the secret stored for service and user, or an error matching
// ErrKeychainNotFound, or ErrKeychainUnavailable when there is no session bus.
func (OSKeychain) Get(service, user string) (string, error) {
	if err := sessionBusPresent(); err != nil {
		return "", err
	}
	s, err := keyring.Get(service, user)
	if err != nil {
		return "", osKeychainError("get", service, user, err)
	}
	return s, nil
}

// Set stores secret for service and user, replacing any previous one.
func (OSKeychain) Set(service, user, secret string) error {
	if err := sessionBusPresent(); err != nil {
		return err
	}
	if err := keyring.Set(service, user, secret); err != nil {
		return osKeychainError("set", service, user, err)
	}
	return nil
}

// Delete removes the secret for service and user, or returns an error
// matching ErrKeychainNotFound.
func (OSKeychain) Delete(service, user string) error {
	if err := sessionBusPresent(); err != nil {
		return err
	}
	if err := keyring.Delete(service, user); err != nil {
		return osKeychainError("delete", service, user, err)
	}
	return nil
}

// osKeychainError wraps a go-keyring error with the operation and the item's
// names (never the secret), mapping keyring.ErrNotFound to
// ErrKeychainNotFound.
func osKeychainError(op, service, user string, err error) error {
	if errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("%w: service %q, user %q", ErrKeychainNotFound, service, user)
	}
	return fmt.Errorf("keys: keychain %s (service %q, user %q): %w", op, service, user, err)
}
