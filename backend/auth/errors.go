package auth

import "errors"

// Sentinel errors. Callers test them with errors.Is; this package wraps them
// with a short reason, never with a password, a hash or a token.
var (
	// ErrPasswordEmpty: a new password is empty.
	ErrPasswordEmpty = errors.New("auth: password is empty")
	// ErrPasswordTooLong: a new password is longer than MaxPasswordLen bytes.
	ErrPasswordTooLong = errors.New("auth: password is too long")
	// ErrMalformedHash: a stored password hash is not a PHC string this
	// package can verify.
	ErrMalformedHash = errors.New("auth: malformed password hash")
	// ErrInvalidAppPasswordName: an app password name is empty, too long,
	// or contains control characters or invalid UTF-8.
	ErrInvalidAppPasswordName = errors.New("auth: invalid app password name")

	// ErrInvalidToken: a token is malformed, badly signed, of the wrong kind
	// (a refresh token used as an access token or the reverse), for another
	// audience, or carries an unexpected scope. XRPC: 400 InvalidToken.
	ErrInvalidToken = errors.New("auth: invalid token")
	// ErrExpiredToken: a token is well formed and correctly signed but past
	// its exp. XRPC: 400 ExpiredToken ("Token has expired"), which is what
	// makes clients refresh their session.
	ErrExpiredToken = errors.New("auth: token has expired")
	// ErrRevokedToken: a refresh token is correctly signed and unexpired,
	// but the server no longer honours it: it was revoked (deleteSession,
	// app password revoked) or rotated and its grace period is over. XRPC:
	// 400 ExpiredToken ("Token has been revoked"), as the reference PDS
	// answers.
	ErrRevokedToken = errors.New("auth: token has been revoked")
)
