package repo

import (
	"errors"
	"fmt"
)

// Errors the XRPC layer maps to protocol errors.
var (
	// ErrRepoNotFound: no repo exists for the DID.
	ErrRepoNotFound = errors.New("repo not found")
	// ErrRecordNotFound: an update or delete names a record that does not
	// exist.
	ErrRecordNotFound = errors.New("record not found")
	// ErrRecordExists: a create names a record that already exists.
	ErrRecordExists = errors.New("record already exists")
	// ErrInvalidSwap: swapCommit or swapRecord does not match.
	ErrInvalidSwap = errors.New("invalid swap")
)

// InvalidWriteError reports a write that cannot be applied as given: a bad
// collection or record key, a record that fails its lexicon, or an oversized
// record. Message is meant for the client.
type InvalidWriteError struct {
	Index   int // position of the write in the request
	Message string
	// Err is the cause when there is one (a *lexicon.ValidationError
	// naming the offending field, for a record that fails its lexicon).
	Err error
}

func (e *InvalidWriteError) Error() string {
	return fmt.Sprintf("invalid write %d: %s", e.Index, e.Message)
}

// Unwrap returns the cause.
func (e *InvalidWriteError) Unwrap() error { return e.Err }

func invalidWrite(i int, format string, args ...any) error {
	return &InvalidWriteError{Index: i, Message: fmt.Sprintf(format, args...)}
}
