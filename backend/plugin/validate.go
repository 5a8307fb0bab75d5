package plugin

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

var (
	reID      = regexp.MustCompile(`^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$`)
	reSemver  = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	reSHA256  = regexp.MustCompile(`^[0-9a-f]{64}$`)
	reNSIDPat = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+)+(\.\*)?$|^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+)*\.\*$`)
)

// reservedNSIDs may never be registered by a plugin.
var reservedNSIDs = []string{"com.atproto.", "app.bsky.", "chat.bsky."}

// Validate checks every field, naming the first bad one.
func (m *Manifest) Validate() error {
	if !reID.MatchString(m.ID) || len(m.ID) > 128 {
		return fieldErr("id", "%q is not a reverse-DNS id (e.g. dev.example.myplugin)", m.ID)
	}
	if strings.TrimSpace(m.Name) == "" || len(m.Name) > 100 {
		return fieldErr("name", "required, at most 100 characters")
	}
	if !reSemver.MatchString(m.Version) {
		return fieldErr("version", "%q is not a semantic version", m.Version)
	}
	if m.API != APIVersion {
		return fieldErr("api", "%d is not supported (this host implements %d)", m.API, APIVersion)
	}
	if m.Wasm != path.Clean(m.Wasm) || path.IsAbs(m.Wasm) || strings.HasPrefix(m.Wasm, "..") || !strings.HasSuffix(m.Wasm, ".wasm") {
		return fieldErr("wasm", "%q must be a relative path to a .wasm file inside the bundle", m.Wasm)
	}
	if !reSHA256.MatchString(m.SHA256) {
		return fieldErr("sha256", "must be the 64 lowercase hex digits of the wasm file's SHA-256")
	}
	seen := map[string]bool{}
	for i, c := range m.Capabilities {
		f := fmt.Sprintf("capabilities[%d]", i)
		if seen[c.Kind] {
			return fieldErr(f+".kind", "%q declared twice", c.Kind)
		}
		seen[c.Kind] = true
		if err := validateCap(f, c); err != nil {
			return err
		}
	}
	for name, h := range m.Hooks {
		f := "hooks." + name
		need, ok := hookNames[name]
		if !ok {
			return fieldErr(f, "unknown hook")
		}
		if need != "" && !seen[need] {
			return fieldErr(f, "needs capability %q", need)
		}
		for j, c := range h.Collections {
			if !validGlob(c) {
				return fieldErr(fmt.Sprintf("%s.collections[%d]", f, j), "%q is not an NSID or NSID glob", c)
			}
		}
		for j, n := range h.NSIDs {
			if !validGlob(n) {
				return fieldErr(fmt.Sprintf("%s.nsids[%d]", f, j), "%q is not an NSID or NSID glob", n)
			}
		}
	}
	if err := m.Limits.validate(); err != nil {
		return err
	}
	for k, c := range m.Config {
		if c.Type == "secret" && c.Default != nil {
			return fieldErr("config."+k+".default", "a secret has no default: the operator sets it")
		}
		if err := checkConfigValue("config."+k+".default", c.Type, c.Default, true); err != nil {
			return err
		}
	}
	return nil
}

func (l Limits) validate() error {
	switch {
	case l.MemoryMiB < 1 || l.MemoryMiB > MaxMemoryMiB:
		return fieldErr("limits.memory_mib", "%d is outside 1..%d", l.MemoryMiB, MaxMemoryMiB)
	case l.BeforeTimeoutMS < 1 || l.BeforeTimeoutMS > MaxTimeoutMS:
		return fieldErr("limits.before_timeout_ms", "%d is outside 1..%d", l.BeforeTimeoutMS, MaxTimeoutMS)
	case l.AfterTimeoutMS < 1 || l.AfterTimeoutMS > MaxTimeoutMS:
		return fieldErr("limits.after_timeout_ms", "%d is outside 1..%d", l.AfterTimeoutMS, MaxTimeoutMS)
	case l.OnError != "reject" && l.OnError != "allow":
		return fieldErr("limits.on_error", "%q is neither reject nor allow", l.OnError)
	case l.KVQuotaKiB < 1:
		return fieldErr("limits.kv_quota_kib", "must be positive")
	}
	return nil
}

func validateCap(f string, c Capability) error {
	if _, ok := capKinds[c.Kind]; !ok {
		return fieldErr(f+".kind", "unknown capability %q", c.Kind)
	}
	if len(c.Hosts)+len(c.Methods) > 0 && c.Kind != CapHTTPFetch {
		return fieldErr(f, "hosts and methods apply to http:fetch only")
	}
	if len(c.Collections) > 0 && c.Kind != CapRecordRead {
		return fieldErr(f+".collections", "applies to record:read only")
	}
	if len(c.NSIDs) > 0 && c.Kind != CapXRPCRegister {
		return fieldErr(f+".nsids", "applies to xrpc:register only")
	}
	switch c.Kind {
	case CapHTTPFetch:
		if len(c.Hosts) == 0 {
			return fieldErr(f+".hosts", "http:fetch needs at least one host")
		}
		for j, h := range c.Hosts {
			if h == "" || strings.ContainsAny(h, "/:@ ") || (strings.Contains(h, "*") && h != AnyHost && !strings.HasPrefix(h, "*.")) {
				return fieldErr(fmt.Sprintf("%s.hosts[%d]", f, j), "%q is not a host name (or *.domain, or *)", h)
			}
		}
		for j, meth := range c.Methods {
			if meth != strings.ToUpper(meth) || meth == "" {
				return fieldErr(fmt.Sprintf("%s.methods[%d]", f, j), "%q is not an upper-case HTTP method", meth)
			}
		}
	case CapRecordRead:
		if len(c.Collections) == 0 {
			return fieldErr(f+".collections", "record:read needs at least one collection or glob")
		}
		for j, g := range c.Collections {
			if g != "*" && !validGlob(g) {
				return fieldErr(fmt.Sprintf("%s.collections[%d]", f, j), "%q is not an NSID or NSID glob", g)
			}
		}
	case CapXRPCRegister:
		if len(c.NSIDs) == 0 {
			return fieldErr(f+".nsids", "xrpc:register needs at least one NSID")
		}
		for j, n := range c.NSIDs {
			field := fmt.Sprintf("%s.nsids[%d]", f, j)
			if !validGlob(n) {
				return fieldErr(field, "%q is not an NSID or NSID glob", n)
			}
			for _, r := range reservedNSIDs {
				if strings.HasPrefix(n+".", r) || strings.HasPrefix(r, strings.TrimSuffix(n, "*")) {
					return fieldErr(field, "%q is under %s*, which plugins may not register", n, r)
				}
			}
		}
	}
	return nil
}

func validGlob(s string) bool { return reNSIDPat.MatchString(s) }

// globMatch reports whether name matches pattern: exact, "*", or "prefix.*".
func globMatch(pattern, name string) bool {
	if pattern == "*" || pattern == name {
		return true
	}
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(name, p)
	}
	return false
}

func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if globMatch(p, name) {
			return true
		}
	}
	return false
}

// globsOverlap reports whether some name could match both patterns.
func globsOverlap(a, b string) bool {
	return globMatch(a, strings.TrimSuffix(b, "*")) || globMatch(b, strings.TrimSuffix(a, "*")) || globMatch(a, b) || globMatch(b, a)
}

var configTypes = map[string]bool{"string": true, "string[]": true, "int": true, "number": true, "bool": true, "secret": true}

func checkConfigValue(field, typ string, v any, allowNil bool) error {
	if !configTypes[typ] {
		return fieldErr(strings.TrimSuffix(field, ".default")+".type", "unknown config type %q (string, string[], int, number, bool, secret)", typ)
	}
	if v == nil {
		if allowNil {
			return nil
		}
		return fieldErr(field, "missing value")
	}
	ok := false
	switch typ {
	case "string", "secret":
		_, ok = v.(string)
	case "int":
		switch x := v.(type) {
		case int64, int:
			ok = true
		case float64:
			ok = x == float64(int64(x))
		}
	case "number":
		switch v.(type) {
		case int64, int, float64:
			ok = true
		}
	case "bool":
		_, ok = v.(bool)
	case "string[]":
		switch x := v.(type) {
		case []string:
			ok = true
		case []any:
			ok = true
			for _, e := range x {
				if _, s := e.(string); !s {
					ok = false
				}
			}
		}
	default:
		return fieldErr(field, "unknown config type %q (string, string[], int, number, bool)", typ)
	}
	if !ok {
		return fieldErr(field, "value is not of type %s", typ)
	}
	return nil
}
