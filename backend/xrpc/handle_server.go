package xrpc

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/scopes"
	"github.com/hearthpds/hearth/backend/store"
)

// ServerInfo is what describeServer reports.
type ServerInfo struct {
	DID            string
	HandleDomains  []string
	InviteRequired bool
	Host           string // public host, used in invite codes
}

// ServerHandlers serves com.atproto.server.* (accounts, sessions, app
// passwords, invite codes).
type ServerHandlers struct {
	Info     ServerInfo
	Store    store.Store
	Accounts *account.Service
	Tokens   *auth.Tokens
	Docs     DIDDocuments // may be nil
}

// Methods returns the methods to register.
func (h *ServerHandlers) Methods() []Method {
	const ns = "com.atproto.server."
	return []Method{
		{NSID: ns + "describeServer", Kind: Query, Handler: h.describeServer},
		{NSID: ns + "createAccount", Kind: Procedure, Auth: ServiceAuthOptional, Handler: h.createAccount},
		{NSID: ns + "createSession", Kind: Procedure, Handler: h.createSession},
		{NSID: ns + "refreshSession", Kind: Procedure, Auth: RefreshAuth, Handler: h.refreshSession},
		{NSID: ns + "getSession", Kind: Query, Auth: AccessAuth, Handler: h.getSession},
		{NSID: ns + "deleteSession", Kind: Procedure, Auth: RefreshAuth, Handler: h.deleteSession},
		{NSID: ns + "createAppPassword", Kind: Procedure, Auth: FullAccessAuth, Handler: h.createAppPassword},
		{NSID: ns + "listAppPasswords", Kind: Query, Auth: AccessAuth, Handler: h.listAppPasswords},
		{NSID: ns + "revokeAppPassword", Kind: Procedure, Auth: FullAccessAuth, Handler: h.revokeAppPassword},
		{NSID: ns + "createInviteCode", Kind: Procedure, Auth: AdminAuth, Handler: h.createInviteCode},
		{NSID: ns + "createInviteCodes", Kind: Procedure, Auth: AdminAuth, Handler: h.createInviteCodes},
	}
}

type describeServerOut struct {
	DID                       string            `json:"did"`
	AvailableUserDomains      []string          `json:"availableUserDomains"`
	InviteCodeRequired        bool              `json:"inviteCodeRequired"`
	PhoneVerificationRequired bool              `json:"phoneVerificationRequired"`
	Links                     map[string]string `json:"links"`
	Contact                   map[string]string `json:"contact"`
}

func (h *ServerHandlers) describeServer(context.Context, *Call) (any, error) {
	return describeServerOut{
		DID: h.Info.DID, AvailableUserDomains: h.Info.HandleDomains, InviteCodeRequired: h.Info.InviteRequired,
		Links: map[string]string{}, Contact: map[string]string{},
	}, nil
}

type createAccountIn struct {
	Email      string `json:"email"`
	Handle     string `json:"handle"`
	DID        string `json:"did"`
	InviteCode string `json:"inviteCode"`
	Password   string `json:"password"`
	PLCOp      any    `json:"plcOp"`
}

type sessionOut struct {
	AccessJwt       string `json:"accessJwt,omitempty"`
	RefreshJwt      string `json:"refreshJwt,omitempty"`
	Handle          string `json:"handle"`
	DID             string `json:"did"`
	DIDDoc          any    `json:"didDoc,omitempty"`
	Email           string `json:"email,omitempty"`
	EmailConfirmed  *bool  `json:"emailConfirmed,omitempty"`
	EmailAuthFactor *bool  `json:"emailAuthFactor,omitempty"`
	Active          *bool  `json:"active,omitempty"`
	Status          string `json:"status,omitempty"`
}

// accountErrors maps the account service's errors for sign-up and login.
func accountError(err error) error {
	switch {
	case errors.Is(err, account.ErrHandleTaken):
		return Errorf(http.StatusBadRequest, "HandleNotAvailable", "Handle already taken")
	case errors.Is(err, identity.ErrHandleReserved):
		return Errorf(http.StatusBadRequest, "HandleNotAvailable", "%v", err)
	case errors.Is(err, identity.ErrInvalidHandle), errors.Is(err, identity.ErrUnsupportedDomain):
		return Errorf(http.StatusBadRequest, "InvalidHandle", "%v", err)
	case errors.Is(err, account.ErrEmailTaken):
		return invalidRequest("Email already taken")
	case errors.Is(err, account.ErrInvalidEmail):
		return invalidRequest("%v", err)
	case errors.Is(err, account.ErrSignupClosed):
		return Errorf(http.StatusForbidden, "SignupClosed", "%v", err)
	case errors.Is(err, account.ErrInviteRequired):
		return Errorf(http.StatusBadRequest, "InvalidInviteCode", "No invite code provided")
	case errors.Is(err, store.ErrInviteUnavailable):
		return Errorf(http.StatusBadRequest, "InvalidInviteCode", "Provided invite code not available")
	case errors.Is(err, auth.ErrPasswordEmpty), errors.Is(err, auth.ErrPasswordTooLong):
		return Errorf(http.StatusBadRequest, "InvalidPassword", "%v", err)
	case errors.Is(err, account.ErrBadCredentials):
		return Errorf(http.StatusUnauthorized, "AuthenticationRequired", "Invalid identifier or password")
	case errors.Is(err, account.ErrAccountNotFound):
		return Errorf(http.StatusBadRequest, "AccountNotFound", "Account not found")
	case errors.Is(err, account.ErrAppPasswordName):
		return invalidRequest("an app password with this name already exists")
	case errors.Is(err, auth.ErrInvalidAppPasswordName):
		return invalidRequest("%v", err)
	}
	return err
}

func (h *ServerHandlers) createAccount(ctx context.Context, c *Call) (any, error) {
	var in createAccountIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Handle == "" {
		return nil, invalidRequest("Input must have the property \"handle\"")
	}
	if in.PLCOp != nil {
		return nil, invalidRequest("Unsupported input: \"plcOp\"")
	}
	if in.DID != "" && (c.Viewer == nil || c.Viewer.DID != in.DID) {
		return nil, authRequired("Missing auth to create account with did: %s", in.DID)
	}
	created, err := h.Accounts.Create(ctx, account.CreateInput{Handle: in.Handle, Email: in.Email, Password: in.Password, InviteCode: in.InviteCode, DID: in.DID})
	if err != nil {
		return nil, lifecycleError(err)
	}
	out := sessionOut{AccessJwt: created.Session.AccessJwt, RefreshJwt: created.Session.RefreshJwt, Handle: created.Account.Handle, DID: created.Account.DID}
	out.DIDDoc = h.didDoc(ctx, created.Account.DID)
	return out, nil
}

func (h *ServerHandlers) didDoc(ctx context.Context, did string) any {
	if h.Docs == nil {
		return nil
	}
	doc, err := h.Docs.DIDDocument(ctx, did)
	if err != nil {
		return nil
	}
	return doc
}

type createSessionIn struct {
	Identifier string `json:"identifier"`
	Password   string `json:"password"`
}

func (h *ServerHandlers) createSession(ctx context.Context, c *Call) (any, error) {
	var in createSessionIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Identifier == "" || in.Password == "" {
		return nil, invalidRequest("Input must have the properties \"identifier\" and \"password\"")
	}
	li, err := h.Accounts.Login(ctx, in.Identifier, in.Password)
	if err != nil {
		return nil, accountError(err)
	}
	out := h.describeSession(ctx, li.Account, li.AppPassword == nil)
	out.AccessJwt, out.RefreshJwt = li.Session.AccessJwt, li.Session.RefreshJwt
	return out, nil
}

// describeSession fills the account fields of a session response; email
// is shown only to full sessions, as the reference PDS does.
func (h *ServerHandlers) describeSession(ctx context.Context, acct store.Account, full bool) sessionOut {
	active := acct.Status == store.StatusActive
	out := sessionOut{Handle: acct.Handle, DID: acct.DID, Active: &active, DIDDoc: h.didDoc(ctx, acct.DID)}
	if !active {
		out.Status = string(acct.Status)
	}
	if full && acct.Email != "" {
		confirmed, factor := acct.EmailConfirmedAt != nil, false
		out.Email, out.EmailConfirmed, out.EmailAuthFactor = acct.Email, &confirmed, &factor
	}
	return out
}

func (h *ServerHandlers) refreshSession(ctx context.Context, c *Call) (any, error) {
	token, _ := bearer(c.r)
	sess, err := h.Tokens.Refresh(ctx, token)
	if err != nil {
		return nil, tokenError(err)
	}
	acct, err := h.Store.GetAccount(ctx, sess.DID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Errorf(http.StatusBadRequest, "AccountNotFound", "Account not found")
	}
	if err != nil {
		return nil, err
	}
	out := h.describeSession(ctx, acct, false)
	out.AccessJwt, out.RefreshJwt = sess.AccessJwt, sess.RefreshJwt
	return out, nil
}

func (h *ServerHandlers) getSession(ctx context.Context, c *Call) (any, error) {
	acct, err := h.Store.GetAccount(ctx, c.Viewer.DID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Errorf(http.StatusBadRequest, "AccountNotFound", "Account not found")
	}
	if err != nil {
		return nil, err
	}
	// The email is hidden from app passwords and from OAuth tokens without
	// account:email (or transition:email), as in the reference PDS.
	email := c.Viewer.AppPasswordName == "" && c.Viewer.Permissions().AllowsAccount(scopes.AccountEmail, scopes.AccountRead)
	return h.describeSession(ctx, acct, email), nil
}

func (h *ServerHandlers) deleteSession(ctx context.Context, c *Call) (any, error) {
	token, _ := bearer(c.r)
	if err := h.Tokens.Revoke(ctx, token); err != nil {
		return nil, tokenError(err)
	}
	return nil, nil
}

type createAppPasswordIn struct {
	Name       string `json:"name"`
	Privileged bool   `json:"privileged"`
}

type appPasswordOut struct {
	Name       string `json:"name"`
	Password   string `json:"password,omitempty"`
	CreatedAt  string `json:"createdAt"`
	Privileged bool   `json:"privileged"`
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (h *ServerHandlers) createAppPassword(ctx context.Context, c *Call) (any, error) {
	var in createAppPasswordIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if c.Viewer.AppPasswordName != "" {
		return nil, Errorf(http.StatusBadRequest, "InvalidToken", "app passwords cannot create app passwords")
	}
	info, err := h.Accounts.CreateAppPassword(ctx, c.Viewer.DID, in.Name, in.Privileged)
	if err != nil {
		return nil, accountError(err)
	}
	return appPasswordOut{Name: info.Name, Password: info.Password, CreatedAt: formatTime(info.CreatedAt), Privileged: info.Privileged}, nil
}

type listAppPasswordsOut struct {
	Passwords []appPasswordOut `json:"passwords"`
}

func (h *ServerHandlers) listAppPasswords(ctx context.Context, c *Call) (any, error) {
	aps, err := h.Store.ListAppPasswords(ctx, c.Viewer.DID)
	if err != nil {
		return nil, err
	}
	out := listAppPasswordsOut{Passwords: make([]appPasswordOut, 0, len(aps))}
	for _, ap := range aps {
		out.Passwords = append(out.Passwords, appPasswordOut{Name: ap.Name, CreatedAt: formatTime(ap.CreatedAt), Privileged: ap.Privileged})
	}
	return out, nil
}

type revokeAppPasswordIn struct {
	Name string `json:"name"`
}

func (h *ServerHandlers) revokeAppPassword(ctx context.Context, c *Call) (any, error) {
	var in revokeAppPasswordIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Name == "" {
		return nil, invalidRequest("Input must have the property \"name\"")
	}
	err := h.Store.RevokeAppPassword(ctx, c.Viewer.DID, in.Name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidRequest("no app password named %q", in.Name)
	}
	return nil, err
}

type createInviteCodeIn struct {
	UseCount   int    `json:"useCount"`
	ForAccount string `json:"forAccount"`
}

func (h *ServerHandlers) createInviteCode(ctx context.Context, c *Call) (any, error) {
	var in createInviteCodeIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	codes, err := h.inviteCodes(ctx, 1, in.UseCount, []string{in.ForAccount})
	if err != nil {
		return nil, err
	}
	return map[string]string{"code": codes[0].Codes[0]}, nil
}

type createInviteCodesIn struct {
	CodeCount   int      `json:"codeCount"`
	UseCount    int      `json:"useCount"`
	ForAccounts []string `json:"forAccounts"`
}

type accountCodes struct {
	Account string   `json:"account"`
	Codes   []string `json:"codes"`
}

func (h *ServerHandlers) createInviteCodes(ctx context.Context, c *Call) (any, error) {
	var in createInviteCodesIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.CodeCount == 0 {
		in.CodeCount = 1
	}
	codes, err := h.inviteCodes(ctx, in.CodeCount, in.UseCount, in.ForAccounts)
	if err != nil {
		return nil, err
	}
	return map[string][]accountCodes{"codes": codes}, nil
}

func (h *ServerHandlers) inviteCodes(ctx context.Context, count, uses int, forAccounts []string) ([]accountCodes, error) {
	if uses < 1 || uses > 1000 || count < 1 || count > 1000 {
		return nil, invalidRequest("useCount and codeCount must be between 1 and 1000")
	}
	if len(forAccounts) == 0 {
		forAccounts = []string{"admin"}
	}
	for i, a := range forAccounts {
		if a == "" {
			forAccounts[i] = "admin"
		}
	}
	byAccount, err := h.Accounts.CreateInviteCodes(ctx, h.Info.Host, count, uses, forAccounts, "admin")
	if err != nil {
		return nil, err
	}
	out := make([]accountCodes, 0, len(forAccounts))
	for _, a := range forAccounts {
		out = append(out, accountCodes{Account: a, Codes: byAccount[a]})
	}
	return out, nil
}

// tokenError maps token verification errors to their XRPC errors. All are
// 401, so clients such as @atproto/api refresh or re-authenticate.
func tokenError(err error) error {
	switch {
	case errors.Is(err, auth.ErrExpiredToken):
		return Errorf(http.StatusUnauthorized, "ExpiredToken", "Token has expired")
	case errors.Is(err, auth.ErrRevokedToken):
		return Errorf(http.StatusUnauthorized, "ExpiredToken", "Token has been revoked")
	case errors.Is(err, auth.ErrInvalidToken):
		return Errorf(http.StatusUnauthorized, "InvalidToken", "Token could not be verified")
	}
	return err
}

// TokenAuth is the Authenticator over Hearth's session tokens.
type TokenAuth struct {
	Tokens *auth.Tokens
	Admin  func() string // the admin password, "" when disabled
	// Accounts, when set, is consulted on every access so that a taken-down
	// or deleted account's unexpired access tokens stop working at once.
	Accounts store.Accounts
}

// Access verifies an access token.
func (a *TokenAuth) Access(ctx context.Context, token string) (*Viewer, error) {
	cl, err := a.Tokens.VerifyAccess(token)
	if err != nil {
		return nil, tokenError(err)
	}
	acct, err := a.checkAccount(ctx, cl.DID)
	if err != nil {
		return nil, err
	}
	v := &Viewer{DID: cl.DID, Scope: string(cl.Scope), Privileged: cl.Scope.Privileged(), account: acct}
	if cl.Scope != auth.ScopeAccess {
		v.AppPasswordName = "(app password)"
	}
	return v, nil
}

// checkAccount refuses tokens of accounts that are gone or taken down, as
// the reference PDS does (AccountTakedown), and returns the account (nil
// when no account store is configured).
func (a *TokenAuth) checkAccount(ctx context.Context, did string) (*store.Account, error) {
	if a.Accounts == nil {
		return nil, nil
	}
	acct, err := a.Accounts.GetAccount(ctx, did)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, Errorf(http.StatusUnauthorized, "InvalidToken", "the token's account no longer exists")
	case err != nil:
		return nil, err
	case acct.Status == store.StatusTakendown || acct.TakedownRef != "":
		return nil, Errorf(http.StatusUnauthorized, "AccountTakedown", "Account has been taken down")
	}
	return &acct, nil
}

// Refresh verifies a refresh token.
func (a *TokenAuth) Refresh(ctx context.Context, token string) (*Viewer, error) {
	cl, err := a.Tokens.VerifyRefresh(ctx, token)
	if err != nil {
		return nil, tokenError(err)
	}
	return &Viewer{DID: cl.DID, Scope: string(cl.Scope), TokenID: cl.TokenID}, nil
}

// AdminPassword returns the admin password.
func (a *TokenAuth) AdminPassword() string {
	if a.Admin == nil {
		return ""
	}
	return a.Admin()
}
