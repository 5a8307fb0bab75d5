package config

import (
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

// parseDomains splits a comma-separated list of handle suffixes, lower-cases
// each, gives it a leading dot and drops duplicates and empty items.
func parseDomains(s string) ([]string, error) {
	var out []string
	for _, d := range strings.Split(s, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if !isHostname(strings.TrimPrefix(d, ".")) {
			return nil, fmt.Errorf("%q is not a domain suffix", d)
		}
		if !strings.HasPrefix(d, ".") {
			d = "." + d
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%q names no domain", s)
	}
	return out, nil
}

// isHostname reports whether s is a DNS name: dot-separated labels of
// letters, digits and inner hyphens, each 1 to 63 characters.
func isHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return false
			}
		}
	}
	return true
}

func parseDID(s string) (syntax.DID, error) {
	did, err := syntax.ParseDID(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a DID", s)
	}
	return did, nil
}

// deriveServiceDID is did:web:<host>, with a port encoded as %3A<port> as the
// did:web method specifies.
func deriveServiceDID(u *url.URL) (syntax.DID, error) {
	host := strings.ToLower(u.Hostname())
	if !isHostname(host) {
		return "", fmt.Errorf("cannot derive a did:web from the public URL's host %q, set it", host)
	}
	did := "did:web:" + host
	if p := u.Port(); p != "" {
		did += "%3A" + p
	}
	return parseDID(did)
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "t", "true", "yes", "y", "on":
		return true, nil
	case "0", "f", "false", "no", "n", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (true or false)", s)
}

func parseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("%q is not a log level (debug, info, warn or error)", s)
}

// sizeUnits maps a size suffix (lower-cased) to its multiplier: k, M and G
// (optionally followed by B) are decimal, KiB, MiB and GiB binary.
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
}

// parseSize parses a positive whole number of bytes with an optional unit
// suffix, e.g. "1048576", "100MiB", "5M", "512 KiB".
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(t)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	unit, ok := sizeUnits[strings.ToLower(strings.TrimSpace(t[i:]))]
	if err != nil || !ok || n <= 0 {
		return 0, fmt.Errorf("%q is not a size (a positive number of bytes, optionally with k, M, G, KiB, MiB or GiB)", s)
	}
	if n > math.MaxInt64/unit {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n * unit, nil
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration (e.g. 90m, 1h, 72h)", s)
	}
	return d, nil
}
func parseServiceRef(s string) (ServiceRef, error) {
	d, id, ok := strings.Cut(s, "#")
	if !ok || id == "" || strings.ContainsAny(id, "#/ ") {
		return ServiceRef{}, fmt.Errorf("%q is not a did#service reference (e.g. did:web:api.bsky.app#bsky_appview)", s)
	}
	did, err := parseDID(d)
	if err != nil {
		return ServiceRef{}, err
	}
	return ServiceRef{DID: did, ID: id}, nil
}

// parsePrefixList parses comma-separated CIDR ranges ("127.0.0.0/8,
// fd00::/8"); a bare address is its own /32 or /128.
func parsePrefixList(raw string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(raw, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			a, err := netip.ParseAddr(item)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address range such as 127.0.0.0/8", item)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address range such as 127.0.0.0/8", item)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func prefixListString(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}
