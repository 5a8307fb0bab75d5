package delegation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hearthpds/hearth/backend/scopes"
	"github.com/hearthpds/hearth/backend/store"
)

// Rights is what a grant allows: a preset by name, or a custom scope
// string. Exactly one is set.
type Rights struct {
	Preset string // "owner", "admin", "editor" or "viewer"
	Scope  string // a space-separated OAuth scope, "atproto" included
}

// rights resolves r to the scope to store and the preset it equals.
func (s *Service) rights(ctx context.Context, r Rights) (scopes.Set, string, error) {
	switch {
	case r.Preset != "" && r.Scope != "":
		return scopes.Set{}, "", fmt.Errorf("%w: give a preset or a custom scope, not both", ErrInvalidScope)
	case r.Preset != "":
		set, err := scopes.Preset(r.Preset)
		if err != nil {
			return scopes.Set{}, "", fmt.Errorf("%w: %q (presets: %s)", ErrUnknownPreset, r.Preset, strings.Join(scopes.PresetNames(), ", "))
		}
		return set, r.Preset, nil
	case strings.TrimSpace(r.Scope) == "":
		return scopes.Set{}, "", fmt.Errorf("%w: give a preset or a custom scope", ErrInvalidScope)
	}
	set, err := CustomScope(ctx, r.Scope, s.cfg.Expander)
	if err != nil {
		return scopes.Set{}, "", err
	}
	if name, ok := scopes.PresetOf(set); ok {
		return set, name, nil
	}
	return set, store.PresetCustom, nil
}

// CustomScope parses a custom grant scope: every token must be valid
// (unlike an OAuth request, a grant is refused rather than silently
// narrowed), include: permission sets are expanded with exp (one that cannot
// be is an error), and the result must not include delegation management
// (ErrNotDelegable).
func CustomScope(ctx context.Context, scope string, exp scopes.Expander) (scopes.Set, error) {
	set, invalid, err := scopes.Parse(scope)
	if errors.Is(err, scopes.ErrNoAtproto) {
		return scopes.Set{}, fmt.Errorf(`%w: a scope must include "atproto"`, ErrInvalidScope)
	}
	if err != nil {
		return scopes.Set{}, fmt.Errorf("%w: %w", ErrInvalidScope, err)
	}
	if len(invalid) > 0 {
		parts := make([]string, len(invalid))
		for i, inv := range invalid {
			parts[i] = inv.Error()
		}
		return scopes.Set{}, fmt.Errorf("%w: %s", ErrInvalidScope, strings.Join(parts, "; "))
	}
	set, unexpanded := set.Expand(ctx, exp)
	if len(unexpanded) > 0 {
		return scopes.Set{}, fmt.Errorf("%w: unknown permission sets: %s", ErrInvalidScope, strings.Join(unexpanded, " "))
	}
	if _, removed := scopes.Delegable(set); len(removed) > 0 {
		return scopes.Set{}, fmt.Errorf("%w: %s", ErrNotDelegable, strings.Join(removed, " "))
	}
	return set, nil
}

// EffectiveScope returns what a controller holding grant may do when it
// asks for requested: the semantic intersection (scopes.Intersect), without
// anything a grant may never carry (scopes.Delegable), and the requested
// tokens that were dropped or narrowed, for the consent page. A revoked
// grant allows nothing. include: scopes in requested must be expanded
// first.
func EffectiveScope(requested scopes.Set, grant Grant) (scopes.Set, []string) {
	if !grant.Active() {
		return scopes.Set{}, requested.Tokens()
	}
	out, dropped := scopes.Intersect(requested, grant.Scope)
	out, removed := scopes.Delegable(out)
	return out, append(dropped, removed...)
}

// Preset is a named preset, its scope and what it allows in plain words.
type Preset struct {
	Name        string
	Scope       string
	Description []string
}

// Presets lists the presets, from most to least powerful.
func Presets() []Preset {
	names := scopes.PresetNames()
	out := make([]Preset, len(names))
	for i, name := range names {
		set, _ := scopes.Preset(name) // every listed name is a preset
		out[i] = Preset{Name: name, Scope: set.String(), Description: set.Describe()}
	}
	return out
}
