package oauth

import (
	"context"
	"crypto/hmac"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/store"
)

// deviceCookie names the browser ("device") for the account chooser. Its
// value is random; the store keeps its hash.
const deviceCookie = "hearth_oauth_device"

// pending is an authorization request being shown to the user.
type pending struct {
	req    store.OAuthRequest
	params authParams
	client *client
}

// loadPending reads the request named by request_uri and checks it still
// awaits the user. Its errors are shown as a page: without a valid
// request there is no redirect_uri to send them to.
func (s *Server) loadPending(ctx context.Context, clientID, requestURI string) (*pending, *Error) {
	id, ok := strings.CutPrefix(requestURI, requestURIPrefix)
	if !ok || id == "" || strings.Contains(id, ":") { // ':' marks the cross-PDS login's rows
		return nil, invalidRequest("request_uri is missing or malformed; this server only takes pushed requests (PAR)")
	}
	req, err := s.cfg.Store.GetOAuthRequest(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidRequest("this sign-in request is unknown or has expired")
	}
	if err != nil {
		s.log.Error("oauth: load request", "err", err)
		return nil, errorf(http.StatusInternalServerError, "server_error", "could not load the sign-in request")
	}
	switch {
	case !s.clock().Before(req.ExpiresAt):
		return nil, invalidRequest("this sign-in request has expired")
	case req.ClientID != clientID:
		return nil, invalidRequest("client_id does not match the sign-in request")
	case req.CodeHash != nil:
		return nil, invalidRequest("this sign-in request was already answered")
	}
	p, err := decodeParams(req)
	if err != nil {
		s.log.Error("oauth: load request", "err", err)
		return nil, errorf(http.StatusInternalServerError, "server_error", "could not load the sign-in request")
	}
	c, err := s.clients.get(ctx, req.ClientID)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, errorf(http.StatusBadGateway, "server_error", "could not load the client's metadata")
	}
	return &pending{req: req, params: p, client: c}, nil
}

// authorizeGet is GET /oauth/authorize: the account chooser, the login
// form or the consent page.
func (s *Server) authorizeGet(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pd, perr := s.loadPending(r.Context(), q.Get("client_id"), q.Get("request_uri"))
	if perr != nil {
		s.errorPage(w, perr.Status, "This sign-in cannot continue", perr.Description)
		return
	}
	device := s.device(w, r, true)
	if pd.params.Prompt == "none" {
		s.redirectError(w, r, pd, "login_required", "this server needs the user to sign in")
		return
	}
	accounts, err := s.deviceAccounts(r.Context(), device, pd)
	if err != nil {
		s.log.Error("oauth: device accounts", "err", err)
		s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.")
		return
	}
	base := s.basePage(pd, device)
	if err := s.offerControllers(r.Context(), &base, pd); err != nil {
		s.log.Error("oauth: list controllers", "err", err)
		s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.")
		return
	}
	switch {
	case pd.params.Prompt == "login" || len(accounts) == 0:
		base.View, base.Title, base.Identifier = "login", "Sign in", pd.params.LoginHint
	case len(accounts) == 1 && pd.params.LoginHint != "":
		s.consent(w, http.StatusOK, base, pd, accounts[0])
		return
	default:
		base.View, base.Title, base.Accounts = "choose", "Choose an account", accounts
	}
	s.render(w, http.StatusOK, base)
}

// authorizePost is POST /oauth/authorize: the forms' submissions.
func (s *Server) authorizePost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, http.StatusBadRequest, "This sign-in cannot continue", "The form could not be read.")
		return
	}
	f := r.PostForm
	pd, perr := s.loadPending(r.Context(), f.Get("client_id"), f.Get("request_uri"))
	if perr != nil {
		s.errorPage(w, perr.Status, "This sign-in cannot continue", perr.Description)
		return
	}
	device := s.device(w, r, false)
	if device == "" || !hmac.Equal([]byte(f.Get("csrf_token")), []byte(s.csrf(device, pd.req.ID))) {
		s.errorPage(w, http.StatusForbidden, "This sign-in cannot continue",
			"The form expired or was not sent from this page. Go back to the app and start again (cookies must be enabled).")
		return
	}
	base := s.basePage(pd, device)
	if err := s.offerControllers(r.Context(), &base, pd); err != nil {
		s.log.Error("oauth: list controllers", "err", err)
		s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.")
		return
	}
	action := f.Get("action")
	switch {
	case f.Get("choose") != "":
		action = "choose"
	case f.Get("signout") != "":
		action = "signout"
	case f.Get("remote") != "":
		action = "remote"
	case action == "approve" && f.Get("actor") != "":
		action = "approve_as"
	}
	switch action {
	case "login_controller":
		s.loginController(w, r, base, pd, device)
	case "remote":
		s.startRemote(w, r, base, pd, device, f.Get("remote"))
	case "approve_as":
		s.approveAs(w, r, pd, device, f.Get("did"), f.Get("actor"), f.Get("actor_ticket"), f["scope"])
	case "deny":
		if err := s.cfg.Store.DeleteOAuthRequest(r.Context(), pd.req.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("oauth: delete denied request", "err", err)
		}
		s.redirectError(w, r, pd, "access_denied", "the user denied the request")
	case "other":
		base.View, base.Title = "login", "Sign in"
		s.render(w, http.StatusOK, base)
	case "signout":
		s.signOut(w, r, base, pd, device, f.Get("signout"))
	case "login":
		s.login(w, r, base, pd, device)
	case "choose", "approve":
		did := f.Get("did")
		if action == "choose" {
			did = f.Get("choose")
		}
		acct, ok, err := s.signedIn(r.Context(), device, pd, did)
		if err != nil {
			s.log.Error("oauth: device accounts", "err", err)
			s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.")
			return
		}
		if !ok {
			base.View, base.Title, base.Error = "login", "Sign in", "Please sign in to that account first."
			s.render(w, http.StatusUnauthorized, base)
			return
		}
		if action == "choose" {
			s.consent(w, http.StatusOK, base, pd, acct)
			return
		}
		s.approve(w, r, pd, acct.DID, f["scope"])
	default:
		s.errorPage(w, http.StatusBadRequest, "This sign-in cannot continue", "Unknown action.")
	}
}

// basePage fills what every form view needs.
func (s *Server) basePage(pd *pending, device string) page {
	return page{ClientID: pd.client.ID, RequestURI: requestURIPrefix + pd.req.ID, CSRF: s.csrf(device, pd.req.ID)}
}

// consent shows the consent page for an account.
func (s *Server) consent(w http.ResponseWriter, status int, base page, pd *pending, acct pageAccount) {
	base.View, base.Title, base.Account = "consent", "Allow access", acct
	base.Scopes = describeScopes(pd.params.Scope)
	s.render(w, status, base)
}

// login checks the account password (app passwords are refused here),
// remembers the account on this device and shows the consent page.
func (s *Server) login(w http.ResponseWriter, r *http.Request, base page, pd *pending, device string) {
	ident := strings.TrimSpace(r.PostForm.Get("identifier"))
	base.View, base.Title, base.Identifier = "login", "Sign in", ident
	fail := func(status int, msg string) {
		base.Error = msg
		s.render(w, status, base)
	}
	acct, ok := s.authenticate(w, r, base, ident, r.PostForm.Get("password"))
	if !ok {
		return
	}
	if hint := s.hintDID(r.Context(), pd); hint != "" && hint != acct.DID {
		fail(http.StatusForbidden, "The app asked for another account ("+pd.params.LoginHint+").")
		return
	}
	now := s.clock()
	err := s.cfg.Store.AddOAuthDeviceAccount(r.Context(), store.OAuthDeviceAccount{
		DeviceHash: hashSecret(device), DID: acct.DID, CreatedAt: now, ExpiresAt: now.Add(deviceTTL),
	})
	if err != nil {
		s.log.Error("oauth: remember device account", "err", err)
		fail(http.StatusInternalServerError, "Something went wrong; please try again.")
		return
	}
	s.consent(w, http.StatusOK, base, pd, pageAccount{DID: acct.DID, Handle: acct.Handle})
}

// authenticate checks an account password, with the per-account throttle;
// on failure it renders base (a login view) with the reason and returns
// false.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, base page, ident, password string) (store.Account, bool) {
	fail := func(status int, msg string) (store.Account, bool) {
		base.Error = msg
		s.render(w, status, base)
		return store.Account{}, false
	}
	if ident == "" || password == "" || len(password) > 512 {
		return fail(http.StatusBadRequest, "Enter your handle or email and your password.")
	}
	acct, err := s.cfg.Accounts.Lookup(r.Context(), ident)
	if err != nil {
		s.dummy.verify(r.Context(), password)
		return fail(http.StatusUnauthorized, "Wrong handle, email or password.")
	}
	now := s.clock()
	if s.logins.blocked(acct.DID, now) {
		return fail(http.StatusTooManyRequests, "Too many failed sign-ins for this account. Wait a few minutes and try again.")
	}
	ok, err := auth.VerifyPassword(r.Context(), password, acct.PasswordHash)
	if err != nil {
		s.log.Error("oauth: verify password", "err", err)
		return fail(http.StatusInternalServerError, "Something went wrong; please try again.")
	}
	if !ok {
		s.logins.fail(acct.DID, now)
		msg := "Wrong handle, email or password."
		if auth.IsAppPasswordFormat(password) {
			msg = "App passwords cannot be used here: enter your account password."
		}
		return fail(http.StatusUnauthorized, msg)
	}
	switch {
	case acct.Status == store.StatusTakendown || acct.TakedownRef != "":
		return fail(http.StatusForbidden, "This account has been taken down.")
	case acct.Status == store.StatusDeactivated:
		return fail(http.StatusForbidden, "This account is deactivated; reactivate it before signing in to apps.")
	}
	s.logins.succeed(acct.DID)
	return acct, true
}

// approve issues the code for the ticked scopes (atproto always kept) and
// sends the browser back to the client.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, pd *pending, did string, ticked []string) {
	requested := strings.Fields(pd.params.Scope)
	granted := []string{"atproto"}
	for _, t := range requested {
		if t != "atproto" && slices.Contains(ticked, t) {
			granted = append(granted, t)
		}
	}
	s.issueCode(w, r, pd, store.OAuthCodeGrant{DID: did, Scope: strings.Join(granted, " ")})
}

// issueCode records the approval g (its code and expiry filled here) and
// sends the browser back to the client with the code.
func (s *Server) issueCode(w http.ResponseWriter, r *http.Request, pd *pending, g store.OAuthCodeGrant) {
	code := randomToken(32)
	g.CodeHash, g.ExpiresAt = hashSecret(code), s.clock().Add(codeTTL)
	err := s.cfg.Store.ApproveOAuthRequest(r.Context(), pd.req.ID, g)
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, http.StatusConflict, "This sign-in cannot continue", "This sign-in request was already answered.")
		return
	}
	if err != nil {
		s.log.Error("oauth: approve", "err", err)
		s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.")
		return
	}
	s.redirect(w, r, pd, url.Values{"code": {code}})
}

// redirectError sends an authorization error back to the client.
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, pd *pending, code, desc string) {
	s.redirect(w, r, pd, url.Values{"error": {code}, "error_description": {desc}})
}

// redirect sends the browser to the request's redirect_uri with vals,
// state and iss (RFC 9207), in the query or the fragment.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, pd *pending, vals url.Values) {
	vals.Set("state", pd.params.State)
	vals.Set("iss", s.cfg.Issuer)
	target := pd.params.RedirectURI
	if pd.params.ResponseMode == "fragment" {
		target += "#" + vals.Encode()
	} else if strings.Contains(target, "?") {
		target += "&" + vals.Encode()
	} else {
		target += "?" + vals.Encode()
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// signOut forgets an account on this device and shows the chooser again
// (or the login form when no account is left).
func (s *Server) signOut(w http.ResponseWriter, r *http.Request, base page, pd *pending, device, did string) {
	if err := s.cfg.Store.RemoveOAuthDeviceAccount(r.Context(), hashSecret(device), did); err != nil {
		s.log.Error("oauth: sign out of device", "err", err)
		s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.")
		return
	}
	accounts, err := s.deviceAccounts(r.Context(), device, pd)
	if err != nil {
		s.log.Error("oauth: device accounts", "err", err)
		s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.")
		return
	}
	base.View, base.Title, base.Accounts = "choose", "Choose an account", accounts
	if len(accounts) == 0 {
		base.View, base.Title, base.Identifier = "login", "Sign in", pd.params.LoginHint
	}
	s.render(w, http.StatusOK, base)
}
