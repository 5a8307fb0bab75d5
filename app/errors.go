package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/importer"
	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/lexicon"
	"github.com/hearthpds/hearth/backend/xrpc"
)

// uiError turns err into what the window shows: the problem in the user's
// words, then the XRPC error name in brackets for support. A lexicon
// validation error names the field ("field text: ...") so the editor can
// show it next to the field. Unexpected errors keep their text, which
// never holds secrets (keys and passwords are never formatted into
// errors).
func uiError(err error) error {
	if err == nil {
		return nil
	}
	words, name := explain(err)
	return errors.New(words + " (" + name + ")")
}

func explain(err error) (words, name string) {
	var ve *lexicon.ValidationError
	switch {
	case errors.As(err, &ve):
		msg := ve.Message
		if ve.Path != "" {
			msg = "field " + ve.Path + ": " + msg
		}
		return "The record does not match its lexicon: " + msg, "InvalidRecord"
	case errors.Is(err, keys.ErrWrongPassphrase):
		return "That passphrase does not open the key file", "WrongPassphrase"
	case errors.Is(err, keys.ErrWeakPassphrase):
		return "Choose a passphrase of at least 8 characters", "WeakPassphrase"
	case errors.Is(err, keys.ErrKeychainUnavailable):
		return "The system keychain cannot be reached: " + err.Error(), "KeychainUnavailable"
	case errors.Is(err, identity.ErrInvalidHandle), errors.Is(err, identity.ErrUnsupportedDomain):
		return capitalize(err.Error()), "InvalidHandle"
	case errors.Is(err, account.ErrHandleTaken), errors.Is(err, identity.ErrHandleReserved):
		return "That handle is not available", "HandleNotAvailable"
	case errors.Is(err, auth.ErrPasswordEmpty), errors.Is(err, auth.ErrPasswordTooLong):
		return capitalize(err.Error()), "InvalidPassword"
	case errors.Is(err, account.ErrInvalidEmail):
		return "That email address is not valid", "InvalidEmail"
	case errors.Is(err, importer.ErrLogin):
		return capitalize(err.Error()), "AuthenticationRequired"
	case errors.Is(err, importer.ErrInvalidSource), errors.Is(err, importer.ErrResolve),
		errors.Is(err, importer.ErrAlreadyHosted), errors.Is(err, importer.ErrBusy), errors.Is(err, importer.ErrNoImport):
		return capitalize(err.Error()), "InvalidRequest"
	case errors.Is(err, importer.ErrSource):
		return capitalize(err.Error()), "UpstreamFailure"
	}
	if words, name, ok := explainDelegation(err); ok {
		return words, name
	}
	if e, ok := xrpc.ToError(err); ok {
		return capitalize(e.Message), e.Name
	}
	return capitalize(err.Error()), "InternalError"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// invalid is a bad-input error of the window's own checks.
func invalid(format string, args ...any) error {
	return fmt.Errorf(format+" (InvalidRequest)", args...)
}
