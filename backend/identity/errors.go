package identity

import (
	"errors"
	"fmt"
	"strings"
)

// Errors about DIDs and PLC operations. Callers test for them with
// errors.Is; they arrive wrapped with context.
var (
	// ErrNotFound means the PLC directory has no active DID document for the
	// DID: it was never registered, or it is tombstoned (the directory
	// answers 404 in both cases; see ErrTombstoned).
	ErrNotFound = errors.New("DID not found in PLC directory")

	// ErrTombstoned means the DID's latest operation is a tombstone: the DID
	// was deleted and has no document. Such an error also matches
	// ErrNotFound when it comes from the directory's 404.
	ErrTombstoned = errors.New("DID is tombstoned")

	// ErrSignerNotRotationKey means an operation was to be signed by a key
	// that is not among the rotation keys allowed to sign it.
	ErrSignerNotRotationKey = errors.New("signer is not a rotation key of the DID")

	// ErrInvalidOperation means an operation, or the data it would carry,
	// breaks the did:plc rules (key syntax, field limits, chaining).
	ErrInvalidOperation = errors.New("invalid PLC operation")
)

// DirectoryError is a non-200 answer from a PLC directory. Message is the
// directory's own explanation: the "message" field of its JSON error body,
// or the start of the body when it is not JSON.
//
// A 404 matches ErrNotFound; a 404 whose message says the DID is "not
// available" (the directory's wording for a tombstone) also matches
// ErrTombstoned.
type DirectoryError struct {
	Method     string
	URL        string
	StatusCode int
	Message    string
}

// Error describes the failed request and the directory's message.
func (e *DirectoryError) Error() string {
	return fmt.Sprintf("PLC directory %s %s: HTTP %d: %s", e.Method, e.URL, e.StatusCode, e.Message)
}

// Is reports whether e is an instance of ErrNotFound or ErrTombstoned.
func (e *DirectoryError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == 404
	case ErrTombstoned:
		return e.StatusCode == 404 && strings.HasPrefix(e.Message, "DID not available")
	}
	return false
}
