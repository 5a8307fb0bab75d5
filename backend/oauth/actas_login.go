package oauth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/hearthpds/hearth/backend/store"
)

// offerControllers adds the "sign in as a controller" part to the pages
// when the request's login_hint names an account here that has
// controllers.
func (s *Server) offerControllers(ctx context.Context, base *page, pd *pending) error {
	if s.cfg.ActAs == nil || pd.params.LoginHint == "" {
		return nil
	}
	acct, err := s.cfg.Accounts.Lookup(ctx, pd.params.LoginHint)
	if err != nil {
		return nil // not hosted here: nothing to offer
	}
	list, err := s.cfg.ActAs.Controllers(ctx, acct.DID)
	if err != nil || len(list) == 0 {
		return err
	}
	base.Delegated = pageAccount{DID: acct.DID, Handle: acct.Handle}
	for _, c := range list {
		switch {
		case c.Local:
			base.LocalControllers = true
		case s.cfg.Directory != nil:
			base.RemoteControllers = append(base.RemoteControllers, pageAccount{DID: c.DID, Handle: displayHandle(c)})
		}
	}
	if !base.LocalControllers && len(base.RemoteControllers) == 0 {
		base.Delegated = pageAccount{}
	}
	return nil
}

// displayHandle is a controller's handle, or its DID when unknown.
func displayHandle(c Controller) string {
	if c.Handle != "" {
		return c.Handle
	}
	return c.DID
}

// loginController signs a controller hosted here in with its password, for
// the login_hint account, and shows the consent page with the scope its
// grant allows.
func (s *Server) loginController(w http.ResponseWriter, r *http.Request, base page, pd *pending, device string) {
	ident := strings.TrimSpace(r.PostForm.Get("controller"))
	base.View, base.Title, base.Identifier, base.Controller = "login", "Sign in", pd.params.LoginHint, ident
	if base.Delegated.DID == "" || !base.LocalControllers {
		base.Error = "This account has no controllers who can sign in here."
		s.render(w, http.StatusForbidden, base)
		return
	}
	acct, ok := s.authenticate(w, r, base, ident, r.PostForm.Get("controller_password"))
	if !ok {
		return
	}
	delegated := base.Delegated
	granted, dropped, err := s.actAsScope(r.Context(), delegated.DID, acct.DID, pd.params.Scope)
	if err != nil {
		var oe *Error
		if !errors.As(err, &oe) {
			s.log.Error("oauth: controller grant", "err", err)
			base.Error = "Something went wrong; please try again."
			s.render(w, http.StatusInternalServerError, base)
			return
		}
		base.Error = acct.Handle + " is not a controller of " + delegated.Handle + ", or the grant allows none of what the app asks for."
		s.render(w, http.StatusForbidden, base)
		return
	}
	s.consentAs(w, base, pd, device, delegated, pageAccount{DID: acct.DID, Handle: acct.Handle}, granted, dropped)
}

// consentAs shows the consent page of a controller acting as an account:
// the scope the grant allows (each token can be unticked) and what the
// grant dropped from the request.
func (s *Server) consentAs(w http.ResponseWriter, base page, pd *pending, device string, delegated, actor pageAccount, granted string, dropped []string) {
	base.View, base.Title, base.Account, base.Actor = "consent", "Act as "+delegated.Handle, delegated, actor
	base.ActorTicket = s.actorTicket(device, pd.req.ID, delegated.DID, actor.DID)
	base.Scopes, base.Dropped = describeScopes(granted), dropped
	base.Delegated, base.LocalControllers, base.RemoteControllers = pageAccount{}, false, nil
	s.render(w, http.StatusOK, base)
}

// approveAs issues a code for a controller acting as did: the ticket proves
// the controller signed in for this request on this browser, and the grant
// is checked again; the ticked tokens are kept within it.
func (s *Server) approveAs(w http.ResponseWriter, r *http.Request, pd *pending, device, did, actor, ticket string, ticked []string) {
	if !s.validActorTicket(ticket, device, pd.req.ID, did, actor) {
		s.errorPage(w, http.StatusForbidden, "This sign-in cannot continue",
			"The controller's sign-in could not be confirmed. Go back to the app and start again.")
		return
	}
	granted, _, err := s.actAsScope(r.Context(), did, actor, pd.params.Scope)
	if err != nil {
		var oe *Error
		if !errors.As(err, &oe) {
			s.log.Error("oauth: controller grant", "err", err)
			s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.")
			return
		}
		s.errorPage(w, http.StatusForbidden, "This sign-in cannot continue", "The grant no longer allows this: "+oe.Description+".")
		return
	}
	scope := []string{"atproto"}
	for _, t := range strings.Fields(granted) {
		if t != "atproto" && slices.Contains(ticked, t) {
			scope = append(scope, t)
		}
	}
	s.issueCode(w, r, pd, store.OAuthCodeGrant{DID: did, ActorDID: actor, Scope: strings.Join(scope, " ")})
}
