package scopes

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hearthpds/hearth/backend/lexicon"
)

// LexiconExpander resolves permission sets from the lexicons embedded in
// backend/lexicon. The copy of indigo's lexicons Hearth embeds holds no
// permission-set lexicon today, so every lookup fails with
// ErrUnknownPermissionSet until one is added (a dev.hearthpds.* set, or a
// newer indigo); resolving sets over the network is another Expander's job.
type LexiconExpander struct{}

var _ Expander = LexiconExpander{}

// PermissionSet returns the embedded permission set nsid.
func (LexiconExpander) PermissionSet(_ context.Context, nsid string) (PermissionSet, error) {
	b, ok := lexicon.Schema(nsid)
	if !ok {
		return PermissionSet{}, fmt.Errorf("%w: %s", ErrUnknownPermissionSet, nsid)
	}
	ps, err := DecodePermissionSet(b)
	if err != nil {
		return PermissionSet{}, fmt.Errorf("scopes: lexicon %s: %w", nsid, err)
	}
	return ps, nil
}

// DecodePermissionSet decodes a lexicon file whose main definition is a
// permission set. Entries with fields the spec does not define for their
// resource, or with values of the wrong type, are kept but marked Invalid so
// expansion ignores them, as the spec requires.
func DecodePermissionSet(b []byte) (PermissionSet, error) {
	var doc struct {
		Defs map[string]json.RawMessage `json:"defs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return PermissionSet{}, fmt.Errorf("decode lexicon: %w", err)
	}
	var main struct {
		Type        string            `json:"type"`
		Title       string            `json:"title"`
		Detail      string            `json:"detail"`
		Permissions []json.RawMessage `json:"permissions"`
	}
	raw, ok := doc.Defs["main"]
	if !ok {
		return PermissionSet{}, fmt.Errorf("lexicon has no main definition")
	}
	if err := json.Unmarshal(raw, &main); err != nil {
		return PermissionSet{}, fmt.Errorf("decode main definition: %w", err)
	}
	if main.Type != "permission-set" {
		return PermissionSet{}, fmt.Errorf("main definition is a %q, not a permission-set", main.Type)
	}
	ps := PermissionSet{Title: main.Title, Detail: main.Detail}
	for _, r := range main.Permissions {
		ps.Permissions = append(ps.Permissions, decodeEntry(r))
	}
	return ps, nil
}

// entryFields lists the fields a set entry may have, by resource.
var entryFields = map[string][]string{
	"repo": {"collection", "action"},
	"rpc":  {"lxm", "aud", "inheritAud"},
}

func decodeEntry(r json.RawMessage) SetPermission {
	var sp SetPermission
	if err := json.Unmarshal(r, &sp); err != nil {
		return SetPermission{Invalid: err.Error()}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(r, &fields); err != nil {
		return SetPermission{Invalid: err.Error()}
	}
	allowed := map[string]bool{"type": true, "resource": true, "description": true}
	for _, f := range entryFields[sp.Resource] {
		allowed[f] = true
	}
	for f := range fields {
		if !allowed[f] {
			sp.Invalid = fmt.Sprintf("unexpected field %q for resource %q", f, sp.Resource)
			break
		}
	}
	return sp
}
