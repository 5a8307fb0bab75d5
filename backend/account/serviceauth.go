package account

import (
	"context"
	"fmt"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/store"
)

// createAccountNSID is the one method a taken-down account may still get
// a service-auth token for (to move elsewhere).
const createAccountNSID = "com.atproto.server.createAccount"

// ServiceAuthRequest asks for a service-auth token
// (com.atproto.server.getServiceAuth).
type ServiceAuthRequest struct {
	DID      string     // the account the token speaks for
	Audience string     // the service's DID (optionally #service-id)
	Method   string     // lxm; "" binds the token to no method
	Expires  *time.Time // nil: auth.DefaultServiceAuthTTL from now
	// Privileged is set for a full session or a privileged app password.
	Privileged bool
}

// ServiceAuthToken mints a service-auth JWT signed with the account's
// signing key, under the reference PDS's rules: the expiry is in the
// future and at most an hour away (a minute without a method); protected
// account-management methods get no token; privileged methods (chat,
// createAccount) need a privileged session; a taken-down account gets a
// token only for createAccount.
func (l *Lifecycle) ServiceAuthToken(ctx context.Context, req ServiceAuthRequest) (string, error) {
	acct, err := l.account(ctx, req.DID)
	if err != nil {
		return "", err
	}
	if err := l.checkServiceAuth(acct, req); err != nil {
		return "", err
	}
	ttl, err := serviceAuthTTL(l.now(), req)
	if err != nil {
		return "", err
	}
	key, err := l.svc.SigningKey(ctx, req.DID)
	if err != nil {
		return "", err
	}
	return auth.SignServiceAuth(auth.ServiceAuthParams{
		Issuer: syntax.DID(req.DID), Audience: req.Audience, Method: req.Method, TTL: ttl, Key: key,
	})
}

func (l *Lifecycle) checkServiceAuth(acct store.Account, req ServiceAuthRequest) error {
	switch {
	case acct.Status == store.StatusTakendown && req.Method != createAccountNSID:
		return fmt.Errorf("%w: Bad token scope", ErrAccountTakendown)
	case req.Method != "" && auth.IsPrivilegedMethod(req.Method) && !req.Privileged:
		return fmt.Errorf("%w: insufficient access to request a service auth token for the following method: %s", ErrMethodNotAllowed, req.Method)
	case req.Method != "" && auth.IsProtectedMethod(req.Method):
		return fmt.Errorf("%w: cannot request a service auth token for the following protected method: %s", ErrMethodNotAllowed, req.Method)
	}
	return nil
}

// serviceAuthTTL checks a requested expiry and returns the lifetime.
func serviceAuthTTL(now time.Time, req ServiceAuthRequest) (time.Duration, error) {
	if req.Expires == nil {
		return auth.DefaultServiceAuthTTL, nil
	}
	ttl := req.Expires.Sub(now)
	switch {
	case ttl < 0:
		return 0, fmt.Errorf("%w: expiration is in past", ErrBadExpiration)
	case ttl > auth.MaxServiceAuthTTL:
		return 0, fmt.Errorf("%w: cannot request a token with an expiration more than an hour in the future", ErrBadExpiration)
	case req.Method == "" && ttl > auth.MaxMethodlessServiceAuthTTL:
		return 0, fmt.Errorf("%w: cannot request a method-less token with an expiration more than a minute in the future", ErrBadExpiration)
	}
	return ttl, nil
}
