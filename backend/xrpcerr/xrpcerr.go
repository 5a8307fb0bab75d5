// Package xrpcerr is the XRPC error value shared by the HTTP layer
// (backend/xrpc) and the proxy (backend/proxy), so an error crosses from one
// to the other without conversion. It knows nothing of routing or logging.
package xrpcerr

import "fmt"

// Error is a failure reported to the client as an XRPC error
// {"error": Name, "message": Message} with HTTP status Status. Cause, when
// set, is for logs and errors.Is/As; it is never sent.
type Error struct {
	Status  int
	Name    string
	Message string
	Cause   error
}

// Error returns the name and message, with the cause when there is one.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Name, e.Message, e.Cause)
	}
	return e.Name + ": " + e.Message
}

// Unwrap returns the error's cause, if any.
func (e *Error) Unwrap() error { return e.Cause }

// Errorf builds an Error.
func Errorf(status int, name, format string, args ...any) *Error {
	return &Error{Status: status, Name: name, Message: fmt.Sprintf(format, args...)}
}
