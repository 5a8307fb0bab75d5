package plugin

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/pelletier/go-toml/v2"
)

// APIVersion is the contract major version this host implements.
const APIVersion = 1

// Manifest is a parsed, validated plugin.toml.
type Manifest struct {
	ID           string                 `toml:"id" json:"id"`
	Name         string                 `toml:"name" json:"name"`
	Version      string                 `toml:"version" json:"version"`
	API          int                    `toml:"api" json:"api"`
	Wasm         string                 `toml:"wasm" json:"wasm"`
	SHA256       string                 `toml:"sha256" json:"sha256"`
	Capabilities []Capability           `toml:"capabilities" json:"capabilities"`
	Hooks        map[string]HookSpec    `toml:"hooks" json:"hooks"`
	Limits       Limits                 `toml:"limits" json:"limits"`
	Config       map[string]ConfigField `toml:"config" json:"config,omitempty"`
}

// Capability is one right a plugin asks for (or is granted). Which lists
// apply depends on Kind: Hosts and Methods for http:fetch, Collections for
// record:read, NSIDs for xrpc:register.
type Capability struct {
	Kind        string   `toml:"kind" json:"kind"`
	Hosts       []string `toml:"hosts,omitempty" json:"hosts,omitempty"`
	Methods     []string `toml:"methods,omitempty" json:"methods,omitempty"`
	Collections []string `toml:"collections,omitempty" json:"collections,omitempty"`
	NSIDs       []string `toml:"nsids,omitempty" json:"nsids,omitempty"`
}

// HookSpec says when a hook runs: for which collections (record hooks) or
// NSIDs (xrpc hooks), and in which order (lower priority runs first).
type HookSpec struct {
	Collections []string `toml:"collections" json:"collections,omitempty"`
	NSIDs       []string `toml:"nsids" json:"nsids,omitempty"`
	Priority    int      `toml:"priority" json:"priority"`
}

// Limits bound a plugin's resources.
type Limits struct {
	MemoryMiB       int    `toml:"memory_mib" json:"memoryMiB"`
	BeforeTimeoutMS int    `toml:"before_timeout_ms" json:"beforeTimeoutMs"`
	AfterTimeoutMS  int    `toml:"after_timeout_ms" json:"afterTimeoutMs"`
	OnError         string `toml:"on_error" json:"onError"` // before-hooks: reject | allow
	KVQuotaKiB      int    `toml:"kv_quota_kib" json:"kvQuotaKiB"`
}

// Defaults and ceilings of Limits.
const (
	DefaultMemoryMiB       = 64
	MaxMemoryMiB           = 1024
	DefaultBeforeTimeoutMS = 250
	DefaultAfterTimeoutMS  = 2000
	MaxTimeoutMS           = 60000
	DefaultKVQuotaKiB      = 1024
)

// ConfigField is one entry of the operator-editable configuration schema.
type ConfigField struct {
	Type    string `toml:"type" json:"type"` // string | string[] | int | number | bool
	Default any    `toml:"default" json:"default"`
}

// ErrManifest wraps every manifest problem.
var ErrManifest = errors.New("invalid plugin.toml")

// FieldError is a manifest problem at one field.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s: %s", ErrManifest, e.Field, e.Msg) }

// Unwrap makes errors.Is(err, ErrManifest) hold.
func (e *FieldError) Unwrap() error { return ErrManifest }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// ParseManifest parses and validates plugin.toml. Unknown keys are errors.
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) && len(strict.Errors) > 0 {
			return nil, fieldErr(keyString(strict.Errors[0].Key()), "unknown key")
		}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, fieldErr(keyString(de.Key()), "line %d column %d: %s", row, col, de.Error())
		}
		return nil, fmt.Errorf("%w: %w", ErrManifest, err)
	}
	m.applyDefaults()
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

func keyString(k toml.Key) string {
	s := ""
	for i, p := range k {
		if i > 0 {
			s += "."
		}
		s += p
	}
	if s == "" {
		return "(document)"
	}
	return s
}

func (m *Manifest) applyDefaults() {
	l := &m.Limits
	if l.MemoryMiB == 0 {
		l.MemoryMiB = DefaultMemoryMiB
	}
	if l.BeforeTimeoutMS == 0 {
		l.BeforeTimeoutMS = DefaultBeforeTimeoutMS
	}
	if l.AfterTimeoutMS == 0 {
		l.AfterTimeoutMS = DefaultAfterTimeoutMS
	}
	if l.OnError == "" {
		l.OnError = "reject"
	}
	if l.KVQuotaKiB == 0 {
		l.KVQuotaKiB = DefaultKVQuotaKiB
	}
	if m.Wasm == "" {
		m.Wasm = "plugin.wasm"
	}
}

// Capability returns the manifest's capability of kind, if declared.
func (m *Manifest) Capability(kind string) (Capability, bool) {
	return findCap(m.Capabilities, kind)
}

func findCap(caps []Capability, kind string) (Capability, bool) {
	for _, c := range caps {
		if c.Kind == kind {
			return c, true
		}
	}
	return Capability{}, false
}
