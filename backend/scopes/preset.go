package scopes

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Delegation presets, from the delegation design. Each is a scope string a
// grant may hold instead of custom scopes.
const (
	PresetOwner  = "owner"
	PresetAdmin  = "admin"
	PresetEditor = "editor"
	PresetViewer = "viewer"
)

// presetScopes are the presets' scope strings as written; Preset parses them.
//
//   - owner: every record, every blob, full identity control, and every
//     account attribute managed ("account:*" is Hearth's shorthand for email,
//     repo and status; the spec has no account wildcard).
//   - admin: owner without identity, so the handle and DID document stay
//     with the account's own sessions.
//   - editor: create, update and delete any record (the spec writes several
//     actions as repeated "action" parameters, not "create|update|delete";
//     all three is the same as none), upload any blob, and read the hosting
//     status (as viewer does, so each preset includes the next). No other
//     account rights, no identity rights.
//   - viewer: "atproto" and account:status read. atproto has no repo read
//     scope: records and blobs are public and need no token, so a read-only
//     controller needs nothing to see them. What a token would add is private
//     account data (email, preferences through rpc, chat), which a viewer
//     should not get; the hosting status lets the controller's pages show
//     whether the account is active.
//
// No preset carries rpc: proxied appview calls (timelines, preferences) need
// rpc:<lxm>?aud=<service> for the service the deployment uses, which a
// grant's custom scopes can add.
var presetScopes = map[string]string{
	PresetOwner:  "atproto repo:* blob:*/* identity:* account:*?action=manage",
	PresetAdmin:  "atproto repo:* blob:*/* account:*?action=manage",
	PresetEditor: "atproto repo:*?action=create&action=update&action=delete blob:*/* account:status?action=read",
	PresetViewer: "atproto account:status?action=read",
}

// ErrUnknownPreset is returned by Preset for a name not in PresetNames.
var ErrUnknownPreset = errors.New("scopes: unknown preset")

// PresetNames returns the preset names, from most to least powerful.
func PresetNames() []string {
	return []string{PresetOwner, PresetAdmin, PresetEditor, PresetViewer}
}

// Preset returns the Set of the named preset.
func Preset(name string) (Set, error) {
	scope, ok := presetScopes[name]
	if !ok {
		return Set{}, fmt.Errorf("%w: %q", ErrUnknownPreset, name)
	}
	return MustParse(scope), nil
}

// PresetOf returns the name of the preset equal to s, if any, so a grant's
// custom scopes that match one can be shown by name.
func PresetOf(s Set) (string, bool) {
	for _, name := range PresetNames() {
		if p, _ := Preset(name); p.Equal(s) {
			return name, true
		}
	}
	return "", false
}

// DelegationNSIDPrefix is the namespace of the delegation management methods.
const DelegationNSIDPrefix = "dev.hearthpds.delegation."

// CanDelegate reports whether the method lxm may be called with delegated
// rights (an act-as token, or a grant's scopes). Grant management, the
// dev.hearthpds.delegation.* methods, never may: a controller must not be able
// to widen its own grant or add controllers, whatever its scopes say.
func CanDelegate(lxm string) bool {
	return !strings.HasPrefix(strings.ToLower(lxm), DelegationNSIDPrefix)
}

// Delegable returns s without the permissions a grant may not hold (rpc
// permissions naming dev.hearthpds.delegation.* methods) and the tokens
// removed. A legacy Set is never delegable: the result is the zero Set.
func Delegable(s Set) (Set, []string) {
	if s.legacy != NotLegacy {
		return Set{}, []string{s.String()}
	}
	out := s.clone()
	var removed []string
	for p := range s.rpc {
		if !CanDelegate(p.lxm) {
			delete(out.rpc, p)
			removed = append(removed, rpcToken([]string{p.lxm}, p.aud))
		}
	}
	slices.Sort(removed)
	return out, removed
}
