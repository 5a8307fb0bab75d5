package scopes

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bluesky-social/indigo/atproto/auth"
)

// ErrNoAtproto is returned by Parse for a scope without "atproto", which the
// atproto OAuth profile requires of every request and token.
var ErrNoAtproto = errors.New(`scopes: scope lacks the required "atproto"`)

// Invalid is a scope token Parse left out, with the reason.
type Invalid struct {
	Token string
	Err   error
}

func (i Invalid) Error() string { return fmt.Sprintf("%q: %v", i.Token, i.Err) }

// Parse parses a space-separated OAuth scope string. Tokens that are unknown
// or invalid are left out of the Set and returned, in order, so the caller
// can report them; the spec asks servers to skip such tokens rather than
// refuse the request. The error is ErrNoAtproto when "atproto" is missing, and
// the Set is then the zero Set.
func Parse(scope string) (Set, []Invalid, error) {
	s := empty()
	var invalid []Invalid
	for _, tok := range strings.Fields(scope) {
		if err := s.addToken(tok); err != nil {
			invalid = append(invalid, Invalid{Token: tok, Err: err})
		}
	}
	if !s.atproto {
		return Set{}, invalid, ErrNoAtproto
	}
	s.normalize()
	return s, invalid, nil
}

// MustParse is Parse for scope strings written in the program (presets,
// tests); it panics on an invalid token or a missing "atproto".
func MustParse(scope string) Set {
	s, invalid, err := Parse(scope)
	if err != nil {
		panic(err)
	}
	if len(invalid) > 0 {
		panic(fmt.Sprintf("scopes: invalid token in %q: %v", scope, invalid[0]))
	}
	return s
}

// addToken adds one scope token to s (not normalised).
func (s *Set) addToken(tok string) error {
	if tok == ScopeAtproto {
		s.atproto = true
		return nil
	}
	for _, n := range transitionNames {
		if tok == n.scope {
			s.trans |= n.bit
			return nil
		}
	}
	if strings.HasPrefix(tok, "transition:") {
		return errors.New("unknown transition scope")
	}
	p, err := auth.ParsePermissionString(tok)
	if err != nil {
		if ok, xerr := s.addAccountExtension(tok); ok {
			return xerr
		}
		return err
	}
	s.addPermission(p)
	return nil
}

// addPermission adds a permission indigo has parsed and validated.
func (s *Set) addPermission(p *auth.Permission) {
	switch p.Resource {
	case "repo":
		acts := actionsOf(p.Action)
		for _, c := range p.Collection {
			s.repo[c] |= acts
		}
	case "blob":
		for _, a := range p.Accept {
			s.blob[a] = true
		}
	case "rpc":
		for _, l := range p.Endpoint {
			s.rpc[rpcPerm{lxm: l, aud: p.Audience}] = true
		}
	case "account":
		action := ""
		if len(p.Action) > 0 {
			action = p.Action[0]
		}
		if lvl, ok := parseLevel(action); ok {
			s.account[p.Attribute] = max(s.account[p.Attribute], lvl)
		}
	case "identity":
		s.identity[p.Attribute] = true
	case "include":
		s.include[Include{NSID: p.NSID, Aud: p.Audience}] = true
	}
}

// addAccountExtension accepts the account forms indigo refuses but Hearth
// knows: account:status (defined by the reference implementation) and the
// shorthand account:* for every attribute. It reports whether tok was one of
// them, and if so whether it was valid.
func (s *Set) addAccountExtension(tok string) (bool, error) {
	g, err := auth.ParseGenericScope(tok)
	if err != nil || g.Resource != "account" {
		return false, nil
	}
	attr := g.Positional
	if vs, ok := g.Params["attr"]; ok {
		if attr != "" || len(vs) != 1 {
			return false, nil
		}
		attr = vs[0]
	}
	if attr != AccountStatus && attr != "*" {
		return false, nil
	}
	for k := range g.Params {
		if k != "attr" && k != "action" {
			return true, fmt.Errorf("%w: unsupported 'account' param: %s", auth.ErrInvalidPermissionParams, k)
		}
	}
	actions := g.Params["action"]
	if len(actions) > 1 {
		return true, auth.ErrInvalidPermissionParams
	}
	action := ""
	if len(actions) == 1 {
		action = actions[0]
	}
	lvl, ok := parseLevel(action)
	if !ok || (len(actions) == 1 && action == "") {
		return true, auth.ErrInvalidPermissionParams
	}
	attrs := []string{attr}
	if attr == "*" {
		attrs = slices.Clone(accountAttrs)
	}
	for _, a := range attrs {
		s.account[a] = max(s.account[a], lvl)
	}
	return true, nil
}
