package keys

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// failingKeychain fails every call with err, as a keychain with no service
// behind it does.
type failingKeychain struct{ err error }

func (f failingKeychain) Get(string, string) (string, error) { return "", f.err }
func (f failingKeychain) Set(string, string, string) error   { return f.err }
func (f failingKeychain) Delete(string, string) error        { return f.err }

// blockingKeychain never answers until released, as a Secret Service
// waiting on an unlock prompt does.
type blockingKeychain struct{ release chan struct{} }

func (b blockingKeychain) Get(string, string) (string, error) {
	<-b.release
	return "", errors.New("released")
}

func (b blockingKeychain) Set(string, string, string) error {
	<-b.release
	return errors.New("released")
}

func (b blockingKeychain) Delete(string, string) error {
	<-b.release
	return errors.New("released")
}

// alteringKeychain stores values but returns something else, or nothing.
type alteringKeychain struct {
	mu    sync.Mutex
	alter func(stored string) (string, error)
	vals  map[string]string
}

func (a *alteringKeychain) Get(service, user string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	v, ok := a.vals[service+"\x00"+user]
	if !ok {
		return "", ErrKeychainNotFound
	}
	return a.alter(v)
}

func (a *alteringKeychain) Set(service, user, secret string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.vals == nil {
		a.vals = map[string]string{}
	}
	a.vals[service+"\x00"+user] = secret
	return nil
}

func (a *alteringKeychain) Delete(service, user string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.vals, service+"\x00"+user)
	return nil
}

func TestProbeKeychainUsable(t *testing.T) {
	kc := NewMemKeychain()
	if err := ProbeKeychain(kc); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Get(ProbeService, ProbeUser); !errors.Is(err, ErrKeychainNotFound) {
		t.Fatalf("the probe item was left behind: %v", err)
	}
}

func TestProbeKeychainUnavailable(t *testing.T) {
	cause := errors.New("org.freedesktop.DBus.Error.ServiceUnknown")
	tests := []struct {
		name   string
		kc     Keychain
		reason string
		cause  error
	}{
		{"nil", nil, "no keychain is configured", nil},
		{"failing", failingKeychain{cause}, "the keychain failed", cause},
		{"unsupported platform", failingKeychain{keyring.ErrUnsupportedPlatform}, "no keychain Hearth can use", keyring.ErrUnsupportedPlatform},
		{"already explained", failingKeychain{&KeychainUnavailableError{Reason: "explained"}}, "explained", nil},
		{"drops values", &alteringKeychain{alter: func(string) (string, error) { return "", ErrKeychainNotFound }},
			"lost a value right after storing it", ErrKeychainNotFound},
		{"changes values", &alteringKeychain{alter: func(v string) (string, error) { return v + "x", nil }},
			"returned a different value", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ProbeKeychain(tt.kc)
			if !errors.Is(err, ErrKeychainUnavailable) {
				t.Fatalf("err = %v, want ErrKeychainUnavailable", err)
			}
			var ue *KeychainUnavailableError
			if !errors.As(err, &ue) {
				t.Fatalf("err is a %T, want *KeychainUnavailableError", err)
			}
			if !strings.Contains(ue.Reason, tt.reason) {
				t.Fatalf("reason %q does not say %q", ue.Reason, tt.reason)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Fatalf("err %v does not wrap the keychain's error", err)
			}
			if !strings.HasPrefix(err.Error(), "keys: keychain unavailable: "+ue.Reason) {
				t.Fatalf("message %q", err)
			}
		})
	}
}

// TestProbeKeychainTimeout: a keychain that never answers costs the probe
// its timeout, not forever.
func TestProbeKeychainTimeout(t *testing.T) {
	kc := blockingKeychain{release: make(chan struct{})}
	defer close(kc.release)
	start := time.Now()
	err := ProbeKeychainTimeout(kc, 100*time.Millisecond)
	elapsed := time.Since(start)
	if !errors.Is(err, ErrKeychainUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "did not answer within 100ms") {
		t.Fatalf("message %q does not give the wait", err)
	}
	if elapsed > 2*time.Second {
		t.Fatalf("probe took %s with a 100ms timeout", elapsed)
	}
}

func TestKeychainMasterKeyCreatedThenLoaded(t *testing.T) {
	kc := NewMemKeychain()
	key, created, err := LoadOrCreateKeychainMasterKey(kc, "hearth", "master-key")
	if err != nil || !created || len(key) != MasterKeySize {
		t.Fatalf("create: %d bytes, created %v, %v", len(key), created, err)
	}
	stored, err := kc.Get("hearth", "master-key")
	if err != nil {
		t.Fatal(err)
	}
	if stored != base64.StdEncoding.EncodeToString(key) {
		t.Fatal("the keychain does not hold the key in standard base64")
	}
	again, created, err := LoadOrCreateKeychainMasterKey(kc, "hearth", "master-key")
	if err != nil || created || string(again) != string(key) {
		t.Fatalf("reload: created %v, same %v, %v", created, string(again) == string(key), err)
	}
	other, _, err := LoadOrCreateKeychainMasterKey(kc, "hearth", "other-user")
	if err != nil || string(other) == string(key) {
		t.Fatalf("a second item got the same key (%v)", err)
	}
}

func TestKeychainMasterKeyRefusesInvalidValue(t *testing.T) {
	for _, v := range []string{
		"",
		"not base64 at all!",
		base64.StdEncoding.EncodeToString(make([]byte, MasterKeySize-1)),
		base64.StdEncoding.EncodeToString(make([]byte, MasterKeySize+1)),
		base64.RawStdEncoding.EncodeToString(make([]byte, MasterKeySize)),            // unpadded
		base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, MasterKeySize)), // "____…", not standard base64
	} {
		kc := NewMemKeychain()
		if err := kc.Set("hearth", "master-key", v); err != nil {
			t.Fatal(err)
		}
		_, created, err := LoadOrCreateKeychainMasterKey(kc, "hearth", "master-key")
		if !errors.Is(err, ErrKeychainValueInvalid) || created {
			t.Fatalf("value %q: created %v, err = %v, want ErrKeychainValueInvalid", v, created, err)
		}
		if v != "" && strings.Contains(err.Error(), v) {
			t.Fatalf("error %q contains the stored value", err)
		}
		if got, _ := kc.Get("hearth", "master-key"); got != v {
			t.Fatal("the invalid value was replaced")
		}
	}
}

func TestKeychainMasterKeyStoreFailures(t *testing.T) {
	cause := errors.New("denied")
	if _, _, err := LoadOrCreateKeychainMasterKey(failingKeychain{cause}, "s", "u"); !errors.Is(err, cause) {
		t.Fatalf("failing keychain: err = %v", err)
	}
	drops := &alteringKeychain{alter: func(string) (string, error) { return "", ErrKeychainNotFound }}
	if _, _, err := LoadOrCreateKeychainMasterKey(drops, "s", "u"); err == nil || !strings.Contains(err.Error(), "read back") {
		t.Fatalf("keychain that drops values: err = %v", err)
	}
	swaps := &alteringKeychain{alter: func(string) (string, error) {
		return base64.StdEncoding.EncodeToString(make([]byte, MasterKeySize)), nil
	}}
	if _, _, err := LoadOrCreateKeychainMasterKey(swaps, "s", "u"); err == nil || !strings.Contains(err.Error(), "different master key") {
		t.Fatalf("keychain that returns another key: err = %v", err)
	}
}

func TestKeychainUnavailableErrorPrintsNoSecret(t *testing.T) {
	err := &KeychainUnavailableError{Reason: "r", Err: fmt.Errorf("wrapped: %w", keyring.ErrNotFound)}
	if got := err.Error(); got != "keys: keychain unavailable: r (wrapped: secret not found in keyring)" {
		t.Fatalf("Error() = %q", got)
	}
}
