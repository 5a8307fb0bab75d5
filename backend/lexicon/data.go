package lexicon

import (
	"fmt"
	"strings"

	"github.com/bluesky-social/indigo/atproto/lexicon"
)

// ValidateData checks v, a value in the atproto data model form of indigo's
// atdata package (an XRPC method's JSON input or output, or its query
// parameters as an object), against def, a definition taken from the schema
// file whose NSID is base (for local "#name" references), resolving
// references through cat. It uses the same validator and the same
// field-locating descent as [ValidateRecord], with the same leniency.
//
// It returns nil or a *[ValidationError] whose Path locates the offending
// value ("tags/2") when it could be found and whose Message reads
// "Invalid <what>: <path>: <cause>"; Collection is base.
func ValidateData(cat lexicon.Catalog, base string, def lexicon.SchemaDef, v any, what string) error {
	f := finder{cat: cat}
	err := f.check(def, v)
	if err == nil {
		return nil
	}
	path, cause := f.value(base, def.Inner, v, nil, err)
	p := strings.Join(path, "/")
	msg := fmt.Sprintf("Invalid %s: %v", what, cause)
	if p != "" {
		msg = fmt.Sprintf("Invalid %s: %s: %v", what, p, cause)
	}
	return &ValidationError{Collection: base, Path: p, Message: msg, Err: cause}
}
