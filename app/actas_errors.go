package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hearthpds/hearth/backend/delegation"
	"github.com/hearthpds/hearth/backend/oauth/actasclient"
)

// actAsError puts what went wrong while acting for an account in the
// user's words, with a name in brackets (uiError's form). The servers'
// own messages are kept where they help; tokens never appear in them.
func actAsError(err error) error {
	if err == nil {
		return nil
	}
	var xe *actasclient.XRPCError
	var ee *actasclient.ExchangeError
	switch {
	case errors.As(err, &xe) && xe.Name == "InsufficientScope":
		return errors.New("Your access does not allow that (InsufficientScope)")
	case errors.As(err, &xe) && errors.Is(err, actasclient.ErrTokenRejected):
		return fmt.Errorf("The account's server no longer accepts your access%s (%s)", colon(xe.Message), xe.Name)
	case errors.As(err, &xe):
		words := xe.Message
		if words == "" {
			words = "the account's server refused: " + xe.Name
		}
		return fmt.Errorf("%s (%s)", capitalize(words), xe.Name)
	case errors.Is(err, actasclient.ErrNoGrant):
		return errors.New("This account does not let you act for it: its owner has not given you access, or has taken it back (GrantNotFound)")
	case errors.Is(err, actasclient.ErrActorUnresolved):
		return errors.New("The account's server cannot check who you are because your DID is not in the PLC directory yet: publish it first, or if you just did, try again in a minute (ActorUnresolvable)")
	case errors.As(err, &ee):
		return fmt.Errorf("The account's server refused to let you act for it%s (ActAsRefused)", colon(ee.Description))
	case errors.Is(err, actasclient.ErrNotFound):
		return fmt.Errorf("No account was found%s (AccountNotFound)", colon(after(err, actasclient.ErrNotFound)))
	case errors.Is(err, delegation.ErrAccountNotFound):
		return fmt.Errorf("No account was found%s (AccountNotFound)", colon(after(err, delegation.ErrAccountNotFound)))
	case errors.Is(err, actasclient.ErrUnsupported):
		return fmt.Errorf("The account's server does not let you act for it from here%s (ActAsUnsupported)", colon(after(err, actasclient.ErrUnsupported)))
	case errors.Is(err, actasclient.ErrUnreachable):
		return fmt.Errorf("The account's server did not answer%s (UpstreamFailure)", colon(after(err, actasclient.ErrUnreachable)))
	}
	return uiError(err)
}

// notActing is the error of a call for an account not acted as.
func notActing(did string) error {
	return fmt.Errorf("You are not acting for %s: choose Act as first (NotActing)", did)
}

// after is the detail following sentinel's text in err's message.
func after(err, sentinel error) string {
	s := err.Error()
	if i := strings.Index(s, sentinel.Error()+": "); i >= 0 {
		return s[i+len(sentinel.Error())+2:]
	}
	return ""
}

// colon is ": s", or "" for an empty s.
func colon(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return ""
	}
	return ": " + s
}
