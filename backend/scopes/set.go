package scopes

import (
	"maps"
	"strings"
)

// Scope strings that are not resource permissions.
const (
	ScopeAtproto      = "atproto"
	TransitionGeneric = "transition:generic"
	TransitionChat    = "transition:chat.bsky"
	TransitionEmail   = "transition:email"
)

// Account attributes and actions (account:<attr>?action=<action>).
const (
	AccountEmail  = "email"
	AccountRepo   = "repo"
	AccountStatus = "status"

	AccountRead   = "read"
	AccountManage = "manage"
)

// Identity attributes (identity:<attr>).
const (
	IdentityHandle = "handle"
	IdentityAll    = "*"
)

// accountAttrs lists the account attributes Hearth knows, in canonical order.
var accountAttrs = []string{AccountEmail, AccountRepo, AccountStatus}

// transition is a bit set of transition scopes.
type transition uint8

const (
	transGeneric transition = 1 << iota
	transChat
	transEmail
)

// transitionNames maps each transition bit to its scope, in canonical order.
var transitionNames = []struct {
	bit   transition
	scope string
}{
	{transGeneric, TransitionGeneric},
	{transChat, TransitionChat},
	{transEmail, TransitionEmail},
}

// level is an account action as an order: manage includes read.
type level uint8

const (
	levelNone level = iota
	levelRead
	levelManage
)

func parseLevel(action string) (level, bool) {
	switch action {
	case "", AccountRead:
		return levelRead, true
	case AccountManage:
		return levelManage, true
	}
	return levelNone, false
}

func (l level) String() string {
	if l == levelManage {
		return AccountManage
	}
	return AccountRead
}

// rpcPerm is one (method, audience) pair of an rpc permission.
type rpcPerm struct{ lxm, aud string }

// Include is an include:<nsid>[?aud=...] scope not yet expanded.
type Include struct {
	NSID string
	Aud  string // "" when the include names no audience
}

// Set is a parsed, normalised OAuth scope, or the rights of a legacy session.
// The zero Set allows nothing. Sets are values: no method changes its
// receiver, so they may be shared freely.
type Set struct {
	atproto  bool
	trans    transition
	legacy   LegacyKind
	repo     map[string]Action // collection or "*" -> actions
	blob     map[string]bool   // accept patterns
	rpc      map[rpcPerm]bool
	account  map[string]level // attribute -> highest action
	identity map[string]bool  // "handle" or "*"
	include  map[Include]bool
}

// empty returns a Set with its maps allocated, ready to be filled.
func empty() Set {
	return Set{
		repo:     map[string]Action{},
		blob:     map[string]bool{},
		rpc:      map[rpcPerm]bool{},
		account:  map[string]level{},
		identity: map[string]bool{},
		include:  map[Include]bool{},
	}
}

// clone returns a deep copy of s whose maps may be changed.
func (s Set) clone() Set {
	c := empty()
	c.atproto, c.trans, c.legacy = s.atproto, s.trans, s.legacy
	maps.Copy(c.repo, s.repo)
	maps.Copy(c.blob, s.blob)
	maps.Copy(c.rpc, s.rpc)
	maps.Copy(c.account, s.account)
	maps.Copy(c.identity, s.identity)
	maps.Copy(c.include, s.include)
	return c
}

// HasAtproto reports whether s carries the required "atproto" scope (legacy
// Sets do too).
func (s Set) HasAtproto() bool { return s.atproto }

// Has reports whether s carries the transition scope t (one of the
// Transition constants).
func (s Set) Has(t string) bool {
	for _, n := range transitionNames {
		if n.scope == t {
			return s.trans&n.bit != 0
		}
	}
	return false
}

// Includes returns the permission sets s names but has not expanded, sorted.
func (s Set) Includes() []Include {
	out := make([]Include, 0, len(s.include))
	for inc := range s.include {
		out = append(out, inc)
	}
	sortIncludes(out)
	return out
}

// IsEmpty reports whether s grants nothing beyond identifying the account.
func (s Set) IsEmpty() bool {
	return s.legacy == NotLegacy && s.trans == 0 && len(s.repo) == 0 &&
		len(s.blob) == 0 && len(s.rpc) == 0 && len(s.account) == 0 &&
		len(s.identity) == 0 && len(s.include) == 0
}

// Equal reports whether s and t grant the same rights in the same form.
func (s Set) Equal(t Set) bool { return s.String() == t.String() }

// normalize removes permissions that others in s already cover, so String is
// canonical. It changes s's maps: call it only on a Set being built.
func (s *Set) normalize() {
	generic := s.trans&transGeneric != 0
	if generic {
		clear(s.repo)
		clear(s.blob)
	}
	if all := s.repo["*"]; all != 0 {
		for c, a := range s.repo {
			if c == "*" {
				continue
			}
			if rest := a &^ all; rest == 0 {
				delete(s.repo, c)
			} else {
				s.repo[c] = rest
			}
		}
	}
	for p := range s.blob {
		for q := range s.blob {
			if p != q && patternCovers(q, p) {
				delete(s.blob, p)
				break
			}
		}
	}
	for p := range s.rpc {
		if transCoversRPC(s.trans, p) {
			delete(s.rpc, p)
			continue
		}
		for q := range s.rpc {
			if p != q && rpcCovers(q, p) {
				delete(s.rpc, p)
				break
			}
		}
	}
	if s.trans&transEmail != 0 && s.account[AccountEmail] == levelRead {
		delete(s.account, AccountEmail)
	}
	if s.identity[IdentityAll] {
		delete(s.identity, IdentityHandle)
	}
}

// isChat reports whether lxm is a chat method, which transition:generic does
// not reach.
func isChat(lxm string) bool { return strings.HasPrefix(lxm, "chat.bsky.") }

// transCoversRPC reports whether the transition scopes t allow every call
// that p allows.
func transCoversRPC(t transition, p rpcPerm) bool {
	switch {
	case p.lxm == "*":
		return t&transGeneric != 0 && t&transChat != 0
	case isChat(p.lxm):
		return t&transChat != 0
	default:
		return t&transGeneric != 0
	}
}

// rpcCovers reports whether p allows every call q allows.
func rpcCovers(p, q rpcPerm) bool {
	return (p.lxm == "*" || p.lxm == q.lxm) && (p.aud == "*" || p.aud == q.aud)
}

// rpcIntersect returns the calls both p and q allow, if any.
func rpcIntersect(p, q rpcPerm) (rpcPerm, bool) {
	lxm, ok := meetWildcard(p.lxm, q.lxm)
	if !ok {
		return rpcPerm{}, false
	}
	aud, ok := meetWildcard(p.aud, q.aud)
	if !ok {
		return rpcPerm{}, false
	}
	return rpcPerm{lxm, aud}, true
}

// meetWildcard intersects two values of which either may be the wildcard "*".
func meetWildcard(a, b string) (string, bool) {
	switch {
	case a == "*":
		return b, true
	case b == "*" || a == b:
		return a, true
	}
	return "", false
}
