package identity

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

// Errors from handle validation; the XRPC layer maps ErrInvalidHandle to
// InvalidHandle, ErrUnsupportedDomain to UnsupportedDomain and
// ErrHandleReserved to HandleNotAvailable, as the reference PDS does.
var (
	ErrInvalidHandle     = errors.New("invalid handle")
	ErrUnsupportedDomain = errors.New("not a supported handle domain")
	ErrHandleReserved    = errors.New("handle is reserved")
)

// Length bounds of the name part of a handle under a service domain.
const (
	MinHandleNameLen = 3
	MaxHandleNameLen = 18
)

// reservedNames may not be taken as the name part of a handle under a
// service domain. The reference PDS keeps a much longer list; this one
// covers the names that would let someone pose as the operator.
var reservedNames = map[string]bool{
	"abuse": true, "account": true, "accounts": true, "admin": true, "administrator": true,
	"api": true, "atproto": true, "auth": true, "help": true, "hearth": true,
	"hostmaster": true, "mod": true, "moderator": true, "moderation": true, "oauth": true,
	"pds": true, "plc": true, "postmaster": true, "root": true, "security": true,
	"support": true, "system": true, "webmaster": true, "well-known": true, "www": true,
	"xrpc": true,
}

// NormalizeHandle trims surrounding space and lower-cases a handle. It does
// not validate it.
func NormalizeHandle(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// HandleURI returns the alsoKnownAs entry declaring a handle: at://<handle>.
func HandleURI(h syntax.Handle) string {
	return "at://" + h.Normalize().String()
}

// ServiceDomain returns the entry of domains (suffixes such as ".test" or
// "example.com"; a leading dot is implied) that the normalized handle sits
// under, and whether there is one.
func ServiceDomain(handle string, domains []string) (string, bool) {
	h := NormalizeHandle(handle)
	for _, d := range domains {
		suffix := normalizeDomain(d)
		if suffix != "." && strings.HasSuffix(h, suffix) && len(h) > len(suffix) {
			return suffix, true
		}
	}
	return "", false
}

func normalizeDomain(d string) string {
	return "." + strings.TrimPrefix(NormalizeHandle(d), ".")
}

// ValidateHandle normalizes and checks a handle that is to live under one
// of the PDS's service domains: valid handle syntax, an allowed TLD, under
// one of domains, and a name part (what precedes the domain) that is a
// single DNS label of MinHandleNameLen to MaxHandleNameLen characters and
// not reserved.
func ValidateHandle(handle string, domains []string) (syntax.Handle, error) {
	h, err := parseAllowedHandle(handle)
	if err != nil {
		return "", err
	}
	suffix, ok := ServiceDomain(h.String(), domains)
	if !ok {
		return "", fmt.Errorf("%w: %s is not under %s", ErrUnsupportedDomain, h, strings.Join(domains, ", "))
	}
	name := strings.TrimSuffix(h.String(), suffix)
	if err := checkName(name); err != nil {
		return "", err
	}
	return h, nil
}

// ValidateUserDomainHandle normalizes and checks a handle on a domain the
// user controls: valid syntax, an allowed TLD, and not under one of the
// PDS's service domains (those go through ValidateHandle). Proving control
// (DNS TXT _atproto or /.well-known/atproto-did) is the caller's job.
func ValidateUserDomainHandle(handle string, domains []string) (syntax.Handle, error) {
	h, err := parseAllowedHandle(handle)
	if err != nil {
		return "", err
	}
	if suffix, ok := ServiceDomain(h.String(), domains); ok {
		return "", fmt.Errorf("%w: %s is under the service domain %s", ErrInvalidHandle, h, suffix)
	}
	return h, nil
}

func parseAllowedHandle(handle string) (syntax.Handle, error) {
	h, err := syntax.ParseHandle(NormalizeHandle(handle))
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidHandle, err)
	}
	if !h.AllowedTLD() {
		return "", fmt.Errorf("%w: top-level domain .%s is disallowed", ErrInvalidHandle, h.TLD())
	}
	return h, nil
}

func checkName(name string) error {
	switch {
	case strings.Contains(name, "."):
		return fmt.Errorf("%w: %q has more than one label before the service domain", ErrInvalidHandle, name)
	case len(name) < MinHandleNameLen:
		return fmt.Errorf("%w: %q is too short (min %d characters)", ErrInvalidHandle, name, MinHandleNameLen)
	case len(name) > MaxHandleNameLen:
		return fmt.Errorf("%w: %q is too long (max %d characters)", ErrInvalidHandle, name, MaxHandleNameLen)
	case reservedNames[name]:
		return fmt.Errorf("%w: %s", ErrHandleReserved, name)
	}
	return nil
}
