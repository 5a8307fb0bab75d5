package actasclient

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

var (
	// ErrNotFound: the DID does not resolve, or its document names no PDS.
	ErrNotFound = errors.New("actasclient: the account cannot be found")
	// ErrUnsupported: the account's PDS does not offer acting as an
	// account (no token exchange, no DPoP ES256, or metadata that does not
	// hold together).
	ErrUnsupported = errors.New("actasclient: the account's server does not let controllers act for it")
	// ErrUnreachable: the account's PDS or authorization server did not
	// answer usably.
	ErrUnreachable = errors.New("actasclient: the account's server did not answer")
	// ErrNoGrant is wrapped by an *ExchangeError when the account's server
	// says the controller has no active grant.
	ErrNoGrant = errors.New("actasclient: no active grant to act for the account")
	// ErrActorUnresolved is wrapped by an *ExchangeError when the
	// account's server could not resolve the controller's DID (a
	// local-first DID not yet published, for one).
	ErrActorUnresolved = errors.New("actasclient: the account's server cannot resolve the controller")
	// ErrTokenRejected is wrapped by an *XRPCError when the PDS refused
	// the act-as token itself (expired, revoked, grant gone): exchange a
	// new one before trying again.
	ErrTokenRejected = errors.New("actasclient: the act-as token was refused")
)

// ExchangeError is a refusal of the token endpoint (RFC 6749 section 5.2).
type ExchangeError struct {
	Status      int
	Code        string // invalid_grant, invalid_request, ...
	Description string
}

// Error says what the server answered.
func (e *ExchangeError) Error() string {
	return fmt.Sprintf("actasclient: token exchange refused (%d %s): %s", e.Status, e.Code, e.Description)
}

// Unwrap names the refusals callers treat apart. Hearth's token endpoint
// words them as backend/oauth's exchange does.
func (e *ExchangeError) Unwrap() error {
	d := strings.ToLower(e.Description)
	switch {
	case e.Code == "invalid_grant" && strings.Contains(d, "no active grant"):
		return ErrNoGrant
	case e.Code == "invalid_grant" && strings.Contains(d, "issuer could not be resolved"):
		return ErrActorUnresolved
	}
	return nil
}

// XRPCError is an XRPC error answer ({"error", "message"}) of the PDS.
type XRPCError struct {
	Status  int
	Name    string // InsufficientScope, InvalidRecord, ...
	Message string
}

// Error gives the status, the name and the message.
func (e *XRPCError) Error() string {
	return fmt.Sprintf("actasclient: %d %s: %s", e.Status, e.Name, e.Message)
}

// Unwrap is ErrTokenRejected for a 401 about the token (InvalidToken,
// ExpiredToken).
func (e *XRPCError) Unwrap() error {
	if e.Status == http.StatusUnauthorized && (e.Name == "InvalidToken" || e.Name == "ExpiredToken") {
		return ErrTokenRejected
	}
	return nil
}
