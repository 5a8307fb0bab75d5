package lexicon

import (
	"errors"
	"fmt"
	"maps"

	"github.com/bluesky-social/indigo/atproto/lexicon"
	"github.com/bluesky-social/indigo/atproto/syntax"
)

// Status is the outcome of validating a record that was not rejected. Its
// values are the strings the XRPC API reports as validationStatus.
type Status string

// Validation outcomes.
const (
	// Valid: the collection's lexicon is known and the record conforms.
	Valid Status = "valid"
	// Unknown: no embedded lexicon defines the collection, so the record
	// could not be checked.
	Unknown Status = "unknown"
)

// validateFlags mirror the reference PDS's leniency: legacy blob refs and
// loosely formatted datetimes pass; open-union data of unknown type is not
// checked (no StrictRecursiveValidation).
const validateFlags = lexicon.AllowLegacyBlob | lexicon.AllowLenientDatetime

// ValidationError reports a record that cannot be written: its collection is
// not a valid NSID, its $type names another collection, or it does not
// conform to the collection's lexicon. The XRPC layer answers it with
// InvalidRequest and Message.
type ValidationError struct {
	// Collection is the collection the record was validated for.
	Collection string
	// Path locates the offending value inside the record, e.g.
	// "embed/images/0/alt", when it could be found; it is empty for problems
	// with the record as a whole.
	Path string
	// Message is the human-readable text for the client, in the reference
	// PDS's style: "Invalid app.bsky.feed.post record: ...".
	Message string
	// Err is the underlying cause reported by indigo, if any.
	Err error
}

// Error returns Message.
func (e *ValidationError) Error() string { return e.Message }

// Unwrap returns the underlying cause.
func (e *ValidationError) Unwrap() error { return e.Err }

// ValidateRecord checks record for collection. record is in the atproto data
// model form produced by indigo's atdata package (see the package doc); it is
// not modified.
//
// A $type, when present, must equal collection; when absent, the record is
// validated as if it were set (the caller stores it with $type filled in, as
// the reference PDS does). It returns [Valid] when collection's lexicon is
// known and the record conforms, [Unknown] when no embedded lexicon defines
// collection, and a *[ValidationError] otherwise. The first validation of a
// known collection loads the catalog; an error loading it is returned
// wrapped.
func ValidateRecord(collection string, record map[string]any) (Status, error) {
	if _, err := syntax.ParseNSID(collection); err != nil {
		return "", &ValidationError{Collection: collection, Message: fmt.Sprintf("Invalid collection: %v", err), Err: err}
	}
	record, err := withType(collection, record)
	if err != nil {
		return "", err
	}
	kind, ok := kindOf(collection)
	if !ok {
		return Unknown, nil
	}
	if kind != KindRecord {
		return "", invalid(collection, "", fmt.Errorf("%s is a %s, not a record type", collection, kind))
	}
	cat, err := Catalog()
	if err != nil {
		return "", err
	}
	if err := lexicon.ValidateRecord(cat, record, collection, validateFlags); err != nil {
		if path, cause := locate(cat, collection, record); cause != nil {
			return "", invalid(collection, path, cause)
		}
		return "", invalid(collection, "", err)
	}
	if err := checkCreatedAt(record); err != nil {
		return "", invalid(collection, "createdAt", err)
	}
	return Valid, nil
}

// withType checks record's $type against collection and returns a record
// that has it set, copying record (shallowly) rather than modifying it.
func withType(collection string, record map[string]any) (map[string]any, error) {
	t, ok := record["$type"]
	if !ok {
		out := maps.Clone(record)
		if out == nil {
			out = map[string]any{}
		}
		out["$type"] = collection
		return out, nil
	}
	if s, isString := t.(string); !isString || s != collection {
		return nil, &ValidationError{
			Collection: collection,
			Path:       "$type",
			Message:    fmt.Sprintf("Invalid $type: expected %s, got %v", collection, t),
			Err:        errWrongType,
		}
	}
	return record, nil
}

// errWrongType is the cause of a ValidationError for a mismatched $type.
var errWrongType = errors.New("record $type does not match its collection")

// checkCreatedAt applies the reference PDS's extra rule: a string createdAt
// must be a strict atproto datetime, even where the lexicon is lenient.
func checkCreatedAt(record map[string]any) error {
	s, ok := record["createdAt"].(string)
	if !ok {
		return nil
	}
	if _, err := syntax.ParseDatetime(s); err != nil {
		return fmt.Errorf("must be a valid atproto datetime (both RFC-3339 and ISO-8601): %w", err)
	}
	return nil
}

// invalid builds the ValidationError for a record that breaks its lexicon.
func invalid(collection, path string, err error) *ValidationError {
	msg := fmt.Sprintf("Invalid %s record: %v", collection, err)
	if path != "" {
		msg = fmt.Sprintf("Invalid %s record: %s: %v", collection, path, err)
	}
	return &ValidationError{Collection: collection, Path: path, Message: msg, Err: err}
}
