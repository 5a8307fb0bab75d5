package lexicon

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/bluesky-social/indigo/atproto/lexicon"
)

// indigo's validator reports what is wrong but not where. When a record
// fails, locate finds where by validating its parts one at a time with the
// same validator: each value is wrapped in a one-field probe record whose
// schema is that value's definition, resolved through a catalog that knows the
// probe type and defers everything else to the real catalog. Descending into
// the first failing field (in sorted order), array item or union variant
// gives the deepest value that fails on its own, and its error.

// probeNSID names the made-up record type of a probe. It lives under Hearth's
// own authority and is never written anywhere.
const probeNSID = "dev.hearthpds.internal.probe"

// maxDepth bounds the descent; records nest far less than this in practice.
const maxDepth = 32

// errRequired is reported for a required field that is absent.
var errRequired = errors.New("required field missing")

// probeCatalog resolves probeNSID to a record with the single required field
// "v" of type field, and every other reference through inner.
type probeCatalog struct {
	inner lexicon.Catalog
	field lexicon.SchemaDef
}

var _ lexicon.Catalog = probeCatalog{}

// Resolve implements lexicon.Catalog.
func (c probeCatalog) Resolve(ref string) (*lexicon.Schema, error) {
	if ref != probeNSID {
		return c.inner.Resolve(ref)
	}
	obj := lexicon.SchemaObject{
		Type:       "object",
		Properties: map[string]lexicon.SchemaDef{"v": c.field},
		Required:   []string{"v"},
	}
	rec := lexicon.SchemaRecord{Type: "record", Key: "any", Record: obj}
	return &lexicon.Schema{ID: probeNSID + "#main", Def: rec}, nil
}

// finder walks a failing value alongside its schema.
type finder struct {
	cat lexicon.Catalog
}

// check validates v alone against def.
func (f finder) check(def lexicon.SchemaDef, v any) error {
	probe := map[string]any{"$type": probeNSID, "v": v}
	return lexicon.ValidateRecord(probeCatalog{inner: f.cat, field: def}, probe, probeNSID, validateFlags)
}

// locate returns the slash-separated path of the deepest value of record that
// fails validation on its own, and that value's error. It returns "" and nil
// when it cannot narrow the failure down below the record itself.
func locate(cat lexicon.Catalog, collection string, record map[string]any) (string, error) {
	s, err := cat.Resolve(collection)
	if err != nil {
		return "", nil
	}
	rec, ok := s.Def.(lexicon.SchemaRecord)
	if !ok {
		return "", nil
	}
	path, cause := finder{cat: cat}.object(collection, rec.Record, record, nil)
	return strings.Join(path, "/"), cause
}

// object finds the first missing required field or failing property of d.
func (f finder) object(base string, s lexicon.SchemaObject, d map[string]any, path []string) ([]string, error) {
	for _, k := range s.Required {
		if _, ok := d[k]; !ok {
			return append(path, k), errRequired
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Properties)) {
		v, ok := d[k]
		if !ok || (v == nil && s.IsNullable(k)) {
			continue
		}
		def := s.Properties[k]
		if err := f.check(def, v); err != nil {
			return f.value(base, def.Inner, v, append(path, k), err)
		}
	}
	return path, nil
}

// value descends into v, known to fail against def with err. base is the
// NSID of the schema file def appears in, for resolving local references.
func (f finder) value(base string, def any, v any, path []string, err error) ([]string, error) {
	if len(path) > maxDepth {
		return path, err
	}
	inner, innerErr := f.inner(base, def, v, path)
	if innerErr == nil {
		return path, err
	}
	return inner, innerErr
}

// inner looks one level down: through a reference or union variant, into an
// object's fields or an array's items. It returns a nil error when nothing
// below path fails on its own.
func (f finder) inner(base string, def any, v any, path []string) ([]string, error) {
	switch s := def.(type) {
	case lexicon.SchemaRef:
		return f.resolved(fullRef(base, s.Ref), v, path)
	case lexicon.SchemaUnion:
		if m, ok := v.(map[string]any); ok {
			if t, ok := m["$type"].(string); ok {
				return f.resolved(t, v, path)
			}
		}
	case lexicon.SchemaObject:
		if m, ok := v.(map[string]any); ok {
			return f.object(base, s, m, path)
		}
	case lexicon.SchemaArray:
		if arr, ok := v.([]any); ok {
			return f.array(base, s, arr, path)
		}
	}
	return path, nil
}

// resolved continues the descent in the definition ref names.
func (f finder) resolved(ref string, v any, path []string) ([]string, error) {
	target, err := f.cat.Resolve(ref)
	if err != nil {
		return path, nil
	}
	nsid, _, _ := strings.Cut(target.ID, "#")
	def := target.Def
	if rec, ok := def.(lexicon.SchemaRecord); ok {
		def = rec.Record
	}
	if err := f.check(lexicon.SchemaDef{Inner: def}, v); err != nil {
		return f.value(nsid, def, v, path, err)
	}
	return path, nil
}

// array finds the first item of arr that fails on its own.
func (f finder) array(base string, s lexicon.SchemaArray, arr []any, path []string) ([]string, error) {
	for i, item := range arr {
		if err := f.check(s.Items, item); err != nil {
			return f.value(base, s.Items.Inner, item, append(path, strconv.Itoa(i)), err)
		}
	}
	return path, nil
}

// fullRef expands a reference relative to the schema file base ("#replyRef")
// to a full one ("app.bsky.feed.post#replyRef").
func fullRef(base, ref string) string {
	if strings.HasPrefix(ref, "#") {
		return base + ref
	}
	return ref
}
