package keys

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"
)

// DefaultProbeTimeout bounds ProbeKeychain: long enough for a busy Secret
// Service, short enough that a keychain stuck on an unlock prompt does not
// hold up the app's start.
const DefaultProbeTimeout = 5 * time.Second

// The item ProbeKeychain writes and removes again. Its user name differs
// from any master key's, so a probe never touches a real key.
const (
	ProbeService = "hearth"
	ProbeUser    = "keychain-probe"
)

// KeychainUnavailableError is the error of a keychain that cannot be used.
// It matches ErrKeychainUnavailable with errors.Is, and also the underlying
// error, if any.
type KeychainUnavailableError struct {
	// Reason says why, in plain words a person can act on, for example
	// "there is no Secret Service on the D-Bus session bus (…)".
	Reason string
	// Err is the keychain's own error, if there was one.
	Err error
}

// Error returns "keys: keychain unavailable: " and the reason, then the
// underlying error in parentheses.
func (e *KeychainUnavailableError) Error() string {
	s := ErrKeychainUnavailable.Error() + ": " + e.Reason
	if e.Err != nil {
		s += " (" + e.Err.Error() + ")"
	}
	return s
}

// Unwrap returns ErrKeychainUnavailable and the underlying error.
func (e *KeychainUnavailableError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrKeychainUnavailable}
	}
	return []error{ErrKeychainUnavailable, e.Err}
}

// ProbeKeychain tells whether kc is usable right now, waiting at most
// DefaultProbeTimeout. See [ProbeKeychainTimeout].
func ProbeKeychain(kc Keychain) error {
	return ProbeKeychainTimeout(kc, DefaultProbeTimeout)
}

// ProbeKeychainTimeout tells whether kc is usable right now: it stores a
// random value under ProbeService and ProbeUser, reads it back, and deletes
// it. It returns nil when all three work, and otherwise a
// *KeychainUnavailableError (matching ErrKeychainUnavailable) whose Reason
// says why in plain words. A timeout of zero or less means
// DefaultProbeTimeout.
//
// The round trip runs in its own goroutine and ProbeKeychainTimeout returns
// when the timeout passes, even if the keychain has not answered (a Secret
// Service can wait indefinitely on an unlock prompt). That goroutine then
// stays blocked until the keychain answers; the process cannot cancel a
// D-Bus call that go-keyring made. Two probes of one keychain at the same
// time can disturb each other (they share the probe item), so the app
// probes from one place.
func ProbeKeychainTimeout(kc Keychain, timeout time.Duration) error {
	if kc == nil {
		return &KeychainUnavailableError{Reason: "no keychain is configured"}
	}
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	_, err := callWithTimeout(timeout, func() (struct{}, error) {
		return struct{}{}, probeRoundTrip(kc)
	})
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// probeRoundTrip sets, gets and deletes the probe item.
func probeRoundTrip(kc Keychain) error {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("keys: probe value: %w", err)
	}
	want := base64.StdEncoding.EncodeToString(b[:])
	if err := kc.Set(ProbeService, ProbeUser, want); err != nil {
		return err
	}
	got, err := kc.Get(ProbeService, ProbeUser)
	if err != nil {
		_ = kc.Delete(ProbeService, ProbeUser)
		return err
	}
	if err := kc.Delete(ProbeService, ProbeUser); err != nil {
		return err
	}
	if got != want {
		return &KeychainUnavailableError{Reason: "the keychain returned a different value than the one just stored"}
	}
	return nil
}

// timeoutError is what callWithTimeout returns when the call outlasts it.
type timeoutError struct{ d time.Duration }

func (e timeoutError) Error() string {
	return fmt.Sprintf("keys: keychain call timed out after %s", e.d)
}

// unavailable turns a keychain failure into a *KeychainUnavailableError,
// keeping one that already is.
func unavailable(err error) error {
	var ue *KeychainUnavailableError
	if errors.As(err, &ue) {
		return ue
	}
	var te timeoutError
	if errors.As(err, &te) {
		return &KeychainUnavailableError{Reason: fmt.Sprintf(
			"the keychain did not answer within %s (it may be waiting for someone to unlock it)", te.d)}
	}
	return &KeychainUnavailableError{Reason: keychainReason(err), Err: err}
}

// keychainReason explains a keychain failure in plain words.
func keychainReason(err error) string {
	switch {
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return "this operating system has no keychain Hearth can use"
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return "the keychain refused the value as too big"
	case errors.Is(err, ErrKeychainNotFound):
		return "the keychain lost a value right after storing it"
	}
	if r := platformKeychainReason(err); r != "" {
		return r
	}
	return "the keychain failed"
}

// callWithTimeout runs f in a goroutine and returns its results, or
// a timeoutError once d has passed. The goroutine is then left to finish on its
// own and its results are dropped.
func callWithTimeout[T any](d time.Duration, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1) // buffered: a late result does not block the goroutine
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-timer.C:
		var zero T
		return zero, timeoutError{d}
	}
}
