package config

import (
	"crypto/subtle"
	"log/slog"
)

// redacted is what a set secret prints as.
const redacted = "[redacted]"

// Secret holds a configuration value that must never be printed or logged.
// Its String, GoString, LogValue and MarshalText all return a placeholder;
// only Reveal returns the value. The zero Secret is unset.
type Secret struct {
	value string
}

// NewSecret wraps s; an empty s gives an unset Secret.
func NewSecret(s string) Secret { return Secret{value: s} }

// IsSet reports whether the secret has a value.
func (s Secret) IsSet() bool { return s.value != "" }

// Reveal returns the secret's value, "" when unset.
func (s Secret) Reveal() string { return s.value }

// Matches reports, in constant time, whether candidate equals the secret. An
// unset secret matches nothing.
func (s Secret) Matches(candidate string) bool {
	return s.IsSet() && subtle.ConstantTimeCompare([]byte(s.value), []byte(candidate)) == 1
}

// String returns "[redacted]", or "" when unset.
func (s Secret) String() string {
	if s.IsSet() {
		return redacted
	}
	return ""
}

// GoString returns the same as String, so %#v does not reveal the value.
func (s Secret) GoString() string { return s.String() }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText implements encoding.TextMarshaler, so encoders do not reveal
// the value either.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
