package keys

import (
	"fmt"
	"log/slog"
)

// redacted is what a Secret prints, logs and marshals as.
const redacted = "[redacted]"

// Secret holds key material that must never reach a log, an error string or
// a JSON response. It formats (with every fmt verb), logs (log/slog) and
// marshals (encoding/json, encoding/text) as "[redacted]".
//
// The bytes are held by a closure rather than a slice or pointer field: fmt
// prints a func as an address whatever the verb and however deep it is
// nested, so even a Secret in an unexported field of a struct printed with
// %s or %x (where fmt cannot call Secret's methods) shows no key material.
//
// The zero Secret is empty. A Secret is immutable once made.
type Secret struct {
	get func() []byte
}

// NewSecret returns a Secret holding a copy of b.
func NewSecret(b []byte) Secret {
	c := make([]byte, len(b))
	copy(c, b)
	return Secret{get: func() []byte { return c }}
}

// Bytes returns a copy of the secret bytes. Callers should not keep or log it.
func (s Secret) Bytes() []byte {
	if s.get == nil {
		return nil
	}
	b := s.get()
	c := make([]byte, len(b))
	copy(c, b)
	return c
}

// Len returns the length of the secret in bytes.
func (s Secret) Len() int {
	if s.get == nil {
		return 0
	}
	return len(s.get())
}

// String returns "[redacted]".
func (s Secret) String() string { return redacted }

// GoString returns "[redacted]", for %#v.
func (s Secret) GoString() string { return redacted }

// Format writes "[redacted]" whatever the verb, so %x or %d cannot dump the
// bytes either.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue makes log/slog print "[redacted]".
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns "[redacted]"; encoding/json uses it too.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

var (
	_ fmt.Stringer   = Secret{}
	_ fmt.GoStringer = Secret{}
	_ fmt.Formatter  = Secret{}
	_ slog.LogValuer = Secret{}
)
