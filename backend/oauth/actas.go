package oauth

import (
	"context"
	"crypto/hmac"
	"errors"
	"strings"
)

// ActAs is what the server needs to let controllers act as the accounts
// that granted them rights (backend/delegation, adapted by the server).
// Every scope it takes and returns is a space-separated scope string.
type ActAs interface {
	// Controllers lists the controllers with an active grant for the
	// account delegated, with whether each is hosted here.
	Controllers(ctx context.Context, delegated string) ([]Controller, error)
	// Scope returns what controller may do as delegated when it asks for
	// requested: requested (include: sets expanded) intersected with the
	// current grant, and the requested tokens dropped or narrowed; an
	// empty requested asks for everything the grant allows. It
	// returns an error wrapping ErrNoGrant when there is no active grant.
	// It is the check run on every request made with an act-as token
	// (requested is then the token's scope).
	Scope(ctx context.Context, delegated, controller, requested string) (granted string, dropped []string, err error)
	// Issued records an act-as token issued (the delegation audit log's
	// token.issued entry).
	Issued(ctx context.Context, delegated, controller, clientID, scope string) error
}

// Controller is an account allowed to act as another.
type Controller struct {
	DID    string
	Handle string // "" when unknown
	Local  bool   // hosted on this server
}

// ErrNoGrant is wrapped by ActAs.Scope when the controller has no active
// grant for the account.
var ErrNoGrant = errors.New("the controller has no active grant for this account")

// actAsScope is the per-request and per-issue check of a controller's
// grant: the scope it may use now, or an *Error.
func (s *Server) actAsScope(ctx context.Context, delegated, controller, requested string) (string, []string, error) {
	if s.cfg.ActAs == nil {
		return "", nil, invalidGrant("this server does not let controllers act as accounts")
	}
	granted, dropped, err := s.cfg.ActAs.Scope(ctx, delegated, controller, requested)
	if errors.Is(err, ErrNoGrant) {
		return "", nil, invalidGrant("%s has no active grant to act as %s", controller, delegated)
	}
	if err != nil {
		return "", nil, err
	}
	if !strings.Contains(" "+granted+" ", " atproto ") {
		return "", nil, invalidScope("the grant allows none of the requested scope")
	}
	return granted, dropped, nil
}

// auditIssued records an act-as token; a failure is logged, not returned
// (the token is already stored and revocable).
func (s *Server) auditIssued(ctx context.Context, delegated, controller, clientID, scope string) {
	if controller == "" || s.cfg.ActAs == nil {
		return
	}
	if err := s.cfg.ActAs.Issued(ctx, delegated, controller, clientID, scope); err != nil {
		s.log.Error("oauth: audit an act-as token", "did", delegated, "controller", controller, "client_id", clientID, "err", err)
	}
}

// actorTicket proves, on the consent page's form, that controller signed
// in (on this server, or at its own PDS through the cross-PDS callback)
// for this request on this browser.
func (s *Server) actorTicket(device, requestID, delegated, controller string) string {
	return b64.EncodeToString(hmacSHA256(s.cfg.NonceKey, "actor:"+device+":"+requestID+":"+delegated+":"+controller))
}

// validActorTicket checks a ticket from a submitted form.
func (s *Server) validActorTicket(ticket, device, requestID, delegated, controller string) bool {
	if device == "" || ticket == "" {
		return false
	}
	return hmac.Equal([]byte(ticket), []byte(s.actorTicket(device, requestID, delegated, controller)))
}
