package scopes

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bluesky-social/indigo/atproto/auth"
)

// ErrUnknownPermissionSet is returned by an Expander that has no permission
// set of the NSID asked for.
var ErrUnknownPermissionSet = errors.New("scopes: unknown permission set")

// Expander resolves a permission-set lexicon by NSID.
type Expander interface {
	PermissionSet(ctx context.Context, nsid string) (PermissionSet, error)
}

// PermissionSet is the main definition of a permission-set lexicon.
type PermissionSet struct {
	Title       string          `json:"title,omitempty"`
	Detail      string          `json:"detail,omitempty"`
	Permissions []SetPermission `json:"permissions"`
}

// SetPermission is one entry of a permission set's "permissions", in the
// lexicon's JSON form.
type SetPermission struct {
	Type       string   `json:"type"`
	Resource   string   `json:"resource"`
	Collection []string `json:"collection,omitempty"`
	Action     []string `json:"action,omitempty"`
	LXM        []string `json:"lxm,omitempty"`
	Aud        string   `json:"aud,omitempty"`
	InheritAud bool     `json:"inheritAud,omitempty"`

	// Invalid, when not empty, says why the entry must be ignored (an
	// unexpected field, a field of the wrong type). Decoders set it.
	Invalid string `json:"-"`
}

// Expand returns s with every include: scope replaced by the permissions of
// its set, and the include tokens that could not be expanded (no Expander,
// or the set could not be resolved); those are dropped, never granted. The
// spec's rules are applied to each set entry, and an entry that breaks one is
// ignored:
//   - only repo and rpc permissions may appear in a set;
//   - no wildcard collection or method;
//   - every collection and method lies under the set's namespace (the set's
//     NSID without its last segment, recursively deep);
//   - rpc: "aud" is "*" or absent with inheritAud true, in which case the
//     include's aud is used; an inheriting entry under an include without aud
//     is ignored, as is one with both aud and inheritAud;
//   - unknown fields or values make the entry invalid.
//
// Each resulting permission is validated again with indigo's
// ParsePermissionString.
func (s Set) Expand(ctx context.Context, exp Expander) (Set, []string) {
	if len(s.include) == 0 {
		return s, nil
	}
	out := s.clone()
	clear(out.include)
	var dropped []string
	for _, inc := range s.Includes() {
		if exp == nil {
			dropped = append(dropped, inc.String())
			continue
		}
		ps, err := exp.PermissionSet(ctx, inc.NSID)
		if err != nil {
			dropped = append(dropped, inc.String())
			continue
		}
		for _, sp := range ps.Permissions {
			if p, ok := expandEntry(inc, sp); ok {
				out.addPermission(p)
			}
		}
	}
	out.normalize()
	return out, dropped
}

// expandEntry turns one set entry into a permission under include inc.
func expandEntry(inc Include, sp SetPermission) (*auth.Permission, bool) {
	if sp.Invalid != "" || sp.Type != "permission" {
		return nil, false
	}
	var p auth.Permission
	switch sp.Resource {
	case "repo":
		if len(sp.LXM) > 0 || sp.Aud != "" || sp.InheritAud || !underAuthority(inc.NSID, sp.Collection) {
			return nil, false
		}
		p = auth.Permission{Resource: "repo", Collection: sp.Collection, Action: sp.Action}
	case "rpc":
		if len(sp.Collection) > 0 || len(sp.Action) > 0 || !underAuthority(inc.NSID, sp.LXM) {
			return nil, false
		}
		aud := sp.Aud
		switch {
		case sp.InheritAud && sp.Aud != "":
			return nil, false
		case sp.InheritAud:
			if inc.Aud == "" {
				return nil, false
			}
			aud = inc.Aud
		case aud != "*":
			return nil, false
		}
		p = auth.Permission{Resource: "rpc", Endpoint: sp.LXM, Audience: aud}
	default:
		return nil, false
	}
	parsed, err := auth.ParsePermissionString(p.ScopeString())
	if err != nil {
		return nil, false
	}
	return parsed, true
}

// underAuthority reports whether every NSID in names lies under the
// namespace of the permission set setNSID: it starts with the set's NSID up
// to and including its last dot, and has more after it. Wildcards never do.
func underAuthority(setNSID string, names []string) bool {
	dot := strings.LastIndexByte(setNSID, '.')
	if dot < 0 || len(names) == 0 {
		return false
	}
	group := setNSID[:dot+1]
	for _, n := range names {
		if n == "*" || len(n) <= len(group) || !strings.HasPrefix(n, group) {
			return false
		}
	}
	return true
}

// MapExpander is an Expander over a fixed map from NSID to set, for tests and
// for sets compiled into the program.
type MapExpander map[string]PermissionSet

var _ Expander = MapExpander(nil)

// PermissionSet returns m[nsid] or ErrUnknownPermissionSet.
func (m MapExpander) PermissionSet(_ context.Context, nsid string) (PermissionSet, error) {
	ps, ok := m[nsid]
	if !ok {
		return PermissionSet{}, fmt.Errorf("%w: %s", ErrUnknownPermissionSet, nsid)
	}
	return ps, nil
}
