package account

import "errors"

// Errors the XRPC layer maps to protocol errors.
var (
	ErrHandleTaken     = errors.New("handle already taken")
	ErrEmailTaken      = errors.New("email already taken")
	ErrInvalidEmail    = errors.New("invalid email address")
	ErrInviteRequired  = errors.New("an invite code is required")
	ErrBadCredentials  = errors.New("invalid identifier or password")
	ErrAccountNotFound = errors.New("account not found")
	ErrAppPasswordName = errors.New("an app password with this name already exists")
	// ErrSignupClosed: the server takes no new accounts over the network
	// (a desktop install, once its owner exists).
	ErrSignupClosed = errors.New("this server does not accept new accounts")
)
