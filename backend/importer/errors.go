package importer

import (
	"errors"
	"fmt"
)

// Errors of the importer. Each is wrapped with what it is about.
var (
	// ErrInvalidSource: the Source is incomplete or malformed (the
	// message says which field).
	ErrInvalidSource = errors.New("invalid import source")
	// ErrLogin: the current PDS refused the identifier and password.
	ErrLogin = errors.New("could not sign in to the current PDS")
	// ErrResolve: the DID, handle or PDS of the account could not be
	// found.
	ErrResolve = errors.New("could not resolve the account")
	// ErrSource: the current PDS answered a request with an error.
	ErrSource = errors.New("the current PDS answered with an error")
	// ErrAlreadyHosted: this Hearth already hosts an account with the DID.
	ErrAlreadyHosted = errors.New("this account is already here")
	// ErrBusy: an import of the DID is running.
	ErrBusy = errors.New("an import of this account is running")
	// ErrNoImport: the DID has no import here to resume or discard.
	ErrNoImport = errors.New("no import of this account here")
	// ErrClosed: the importer was closed.
	ErrClosed = errors.New("importer is closed")
)

// remoteError is an XRPC error answered by the source PDS.
type remoteError struct {
	Method  string
	Status  int
	Name    string // the XRPC error name, "" when the body had none
	Message string
}

func (e *remoteError) Error() string {
	s := fmt.Sprintf("%s: %s answered HTTP %d", ErrSource, e.Method, e.Status)
	if e.Name != "" {
		s += " " + e.Name
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func (e *remoteError) Unwrap() error { return ErrSource }

// retryable reports whether trying the request again may help.
func (e *remoteError) retryable() bool {
	return e.Status >= 500 || e.Status == 429 || e.Status == 408
}
