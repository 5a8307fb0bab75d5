package keys

import (
	"fmt"
	"sync"
)

// MemKeychain is a Keychain held in memory, for tests and for code paths
// that must run without an OS keychain. It is safe for concurrent use. Its
// zero value is ready to use.
type MemKeychain struct {
	mu      sync.Mutex
	secrets map[memKey]Secret
}

type memKey struct{ service, user string }

var _ Keychain = (*MemKeychain)(nil)

// NewMemKeychain returns an empty MemKeychain.
func NewMemKeychain() *MemKeychain { return &MemKeychain{} }

// Get returns the secret for service and user, or ErrKeychainNotFound.
func (m *MemKeychain) Get(service, user string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.secrets[memKey{service, user}]
	if !ok {
		return "", fmt.Errorf("%w: service %q, user %q", ErrKeychainNotFound, service, user)
	}
	return string(s.Bytes()), nil
}

// Set stores secret for service and user.
func (m *MemKeychain) Set(service, user, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.secrets == nil {
		m.secrets = make(map[memKey]Secret)
	}
	m.secrets[memKey{service, user}] = NewSecret([]byte(secret))
	return nil
}

// Delete removes the secret for service and user, or returns
// ErrKeychainNotFound.
func (m *MemKeychain) Delete(service, user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := memKey{service, user}
	if _, ok := m.secrets[k]; !ok {
		return fmt.Errorf("%w: service %q, user %q", ErrKeychainNotFound, service, user)
	}
	delete(m.secrets, k)
	return nil
}
