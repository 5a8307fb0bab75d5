package xrpc

import (
	"context"
	"errors"
	"net/http"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/auth"
)

// EmailHandlers serves the com.atproto.server methods built on emailed
// tokens: confirming and changing an account's email, and resetting a
// forgotten password. Auth levels follow the reference PDS: the email
// methods take any access token except updateEmail, which takes a full
// session only; the password-reset methods take none.
type EmailHandlers struct {
	Tokens *account.TokenService
}

// Methods returns the methods to register.
func (h *EmailHandlers) Methods() []Method {
	const ns = "com.atproto.server."
	return []Method{
		{NSID: ns + "requestEmailConfirmation", Kind: Procedure, Auth: AccessAuth, Handler: h.requestEmailConfirmation},
		{NSID: ns + "confirmEmail", Kind: Procedure, Auth: AccessAuth, Handler: h.confirmEmail},
		{NSID: ns + "requestEmailUpdate", Kind: Procedure, Auth: AccessAuth, Handler: h.requestEmailUpdate},
		{NSID: ns + "updateEmail", Kind: Procedure, Auth: FullAccessAuth, Handler: h.updateEmail},
		{NSID: ns + "requestPasswordReset", Kind: Procedure, Handler: h.requestPasswordReset},
		{NSID: ns + "resetPassword", Kind: Procedure, Handler: h.resetPassword},
	}
}

// emailError maps the account-token errors to their XRPC errors, with the
// reference PDS's names and messages.
func emailError(err error) error {
	switch {
	case errors.Is(err, account.ErrTokenInvalid):
		return Errorf(http.StatusBadRequest, "InvalidToken", "Token is invalid")
	case errors.Is(err, account.ErrTokenExpired):
		return Errorf(http.StatusBadRequest, "ExpiredToken", "Token is expired")
	case errors.Is(err, account.ErrTokenRequired):
		return Errorf(http.StatusBadRequest, "TokenRequired", "confirmation token required")
	case errors.Is(err, account.ErrTokenTooSoon):
		return Errorf(http.StatusTooManyRequests, "RateLimitExceeded", "%v", err)
	case errors.Is(err, account.ErrMailNotConfigured):
		return Errorf(http.StatusNotImplemented, "EmailNotConfigured", "%v", err)
	case errors.Is(err, account.ErrNoEmail):
		return invalidRequest("account does not have an email address")
	case errors.Is(err, account.ErrEmailMismatch):
		return Errorf(http.StatusBadRequest, "InvalidEmail", "invalid email")
	case errors.Is(err, account.ErrAccountNotFound):
		return Errorf(http.StatusBadRequest, "AccountNotFound", "Account not found")
	case errors.Is(err, account.ErrEmailTaken):
		return invalidRequest("This email address is already in use, please use a different email.")
	case errors.Is(err, account.ErrInvalidEmail):
		return invalidRequest("This email address is not supported, please use a different email.")
	case errors.Is(err, auth.ErrPasswordEmpty), errors.Is(err, auth.ErrPasswordTooLong):
		return invalidRequest("Invalid password length.")
	}
	return err
}

func (h *EmailHandlers) requestEmailConfirmation(ctx context.Context, c *Call) (any, error) {
	return nil, emailError(h.Tokens.RequestEmailConfirmation(ctx, c.Viewer.DID))
}

type confirmEmailIn struct {
	Email string `json:"email"`
	Token string `json:"token"`
}

func (h *EmailHandlers) confirmEmail(ctx context.Context, c *Call) (any, error) {
	var in confirmEmailIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Email == "" || in.Token == "" {
		return nil, invalidRequest("Input must have the properties \"email\" and \"token\"")
	}
	return nil, emailError(h.Tokens.ConfirmEmail(ctx, c.Viewer.DID, in.Email, in.Token))
}

type requestEmailUpdateOut struct {
	TokenRequired bool `json:"tokenRequired"`
}

func (h *EmailHandlers) requestEmailUpdate(ctx context.Context, c *Call) (any, error) {
	required, err := h.Tokens.RequestEmailUpdate(ctx, c.Viewer.DID)
	if err != nil {
		return nil, emailError(err)
	}
	return requestEmailUpdateOut{TokenRequired: required}, nil
}

type updateEmailIn struct {
	Email           string `json:"email"`
	EmailAuthFactor *bool  `json:"emailAuthFactor"`
	Token           string `json:"token"`
}

func (h *EmailHandlers) updateEmail(ctx context.Context, c *Call) (any, error) {
	if c.Viewer.AppPasswordName != "" {
		return nil, Errorf(http.StatusBadRequest, "InvalidToken", "app passwords cannot change the account's email")
	}
	var in updateEmailIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Email == "" {
		return nil, invalidRequest("Input must have the property \"email\"")
	}
	return nil, emailError(h.Tokens.UpdateEmail(ctx, c.Viewer.DID, in.Email, in.Token))
}

type requestPasswordResetIn struct {
	Email string `json:"email"`
}

func (h *EmailHandlers) requestPasswordReset(ctx context.Context, c *Call) (any, error) {
	var in requestPasswordResetIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Email == "" {
		return nil, invalidRequest("Input must have the property \"email\"")
	}
	return nil, emailError(h.Tokens.RequestPasswordReset(ctx, in.Email))
}

type resetPasswordIn struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func (h *EmailHandlers) resetPassword(ctx context.Context, c *Call) (any, error) {
	var in resetPasswordIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Token == "" || in.Password == "" {
		return nil, invalidRequest("Input must have the properties \"token\" and \"password\"")
	}
	_, err := h.Tokens.ResetPassword(ctx, in.Token, in.Password)
	return nil, emailError(err)
}
