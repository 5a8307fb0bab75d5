package keys

// Keychain is the operating system's secret store (macOS Keychain, Windows
// Credential Manager, the Secret Service on Linux), seen through the three
// calls Hearth needs. Its method set matches github.com/zalando/go-keyring,
// which [OSKeychain] wraps; code takes a Keychain explicitly, so tests pass a
// MemKeychain instead of swapping go-keyring's global with its MockInit.
//
// Platforms limit the size of a secret (Windows about 2.5 KB, macOS about
// 3 KB): store only a small key there, such as the base64 master key, and
// seal everything else under it.
type Keychain interface {
	// Get returns the secret stored for service and user, or an error
	// matching ErrKeychainNotFound.
	Get(service, user string) (string, error)
	// Set stores secret for service and user, replacing any previous one.
	Set(service, user, secret string) error
	// Delete removes the secret for service and user, or returns an error
	// matching ErrKeychainNotFound.
	Delete(service, user string) error
}
