//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package keys

// sessionBusPresent is a no-op where the keychain does not go through D-Bus.
func sessionBusPresent() error { return nil }

// platformKeychainReason recognises no platform-specific errors here; the
// generic reasons in keychainReason apply.
func platformKeychainReason(error) string { return "" }
