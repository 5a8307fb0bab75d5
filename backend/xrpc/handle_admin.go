package xrpc

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/store"
)

// AccountAdmin is what the operator's account methods need of the account
// services.
type AccountAdmin interface {
	// UpdateHandle gives an account a new handle, in its DID document and
	// here, with an #identity event.
	UpdateHandle(ctx context.Context, did, handle string) error
	// UpdatePassword replaces an account's password and ends its sessions.
	UpdatePassword(ctx context.Context, did, password string) error
	// DeleteAccount deletes an account with its repo and blobs, with an
	// #account event (status deleted).
	DeleteAccount(ctx context.Context, did string) error
}

// AdminMailer sends the operator's email to an account's address.
type AdminMailer interface {
	SendAdminEmail(ctx context.Context, to, subject, content string) error
}

// AdminStore is the storage the admin methods read and change.
type AdminStore interface {
	store.Accounts
	store.Invites
	store.Repos
	store.Events
	store.Moderation
	store.AccountTokens
	DeleteAccountRefreshTokens(ctx context.Context, did string) (int64, error)
}

// AdminHandlers serves com.atproto.admin.* for the operator (HTTP Basic
// admin:<admin password>): account views and search, takedowns through
// subject status, invite codes, handle, email and password changes, email
// and account deletion. It also serves the user's own view of its invite
// codes, com.atproto.server.getAccountInviteCodes.
type AdminHandlers struct {
	Store    AdminStore
	Accounts AccountAdmin
	// Mailer sends sendEmail's messages; nil when this server sends no
	// email (sendEmail then answers sent: false).
	Mailer AdminMailer
	Log    *slog.Logger     // slog.Default when nil
	Now    func() time.Time // time.Now when nil
}

// Methods returns the methods to register.
func (h *AdminHandlers) Methods() []Method {
	const ns = "com.atproto.admin."
	return []Method{
		{NSID: ns + "getAccountInfo", Kind: Query, Auth: AdminAuth, Handler: h.getAccountInfo},
		{NSID: ns + "getAccountInfos", Kind: Query, Auth: AdminAuth, Handler: h.getAccountInfos},
		{NSID: ns + "searchAccounts", Kind: Query, Auth: AdminAuth, Handler: h.searchAccounts},
		{NSID: ns + "getSubjectStatus", Kind: Query, Auth: AdminAuth, Handler: h.getSubjectStatus},
		{NSID: ns + "updateSubjectStatus", Kind: Procedure, Auth: AdminAuth, Handler: h.updateSubjectStatus},
		{NSID: ns + "getInviteCodes", Kind: Query, Auth: AdminAuth, Handler: h.getInviteCodes},
		{NSID: ns + "disableInviteCodes", Kind: Procedure, Auth: AdminAuth, Handler: h.disableInviteCodes},
		{NSID: ns + "disableAccountInvites", Kind: Procedure, Auth: AdminAuth, Handler: h.setAccountInvites(true)},
		{NSID: ns + "enableAccountInvites", Kind: Procedure, Auth: AdminAuth, Handler: h.setAccountInvites(false)},
		{NSID: ns + "updateAccountHandle", Kind: Procedure, Auth: AdminAuth, Handler: h.updateAccountHandle},
		{NSID: ns + "updateAccountEmail", Kind: Procedure, Auth: AdminAuth, Handler: h.updateAccountEmail},
		{NSID: ns + "updateAccountPassword", Kind: Procedure, Auth: AdminAuth, Handler: h.updateAccountPassword},
		{NSID: ns + "sendEmail", Kind: Procedure, Auth: AdminAuth, Handler: h.sendEmail},
		{NSID: ns + "deleteAccount", Kind: Procedure, Auth: AdminAuth, Handler: h.deleteAccount},
		{NSID: "com.atproto.server.getAccountInviteCodes", Kind: Query, Auth: AccessAuth, Handler: h.getAccountInviteCodes},
	}
}

func (h *AdminHandlers) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *AdminHandlers) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

// adminNotFound is the reference PDS's answer for an unknown admin subject.
func adminNotFound(what string) *Error {
	return Errorf(http.StatusBadRequest, "NotFound", "%s not found", what)
}

// account returns an account, or 400 NotFound.
func (h *AdminHandlers) account(ctx context.Context, did string) (store.Account, error) {
	acct, err := h.Store.GetAccount(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return acct, adminNotFound("Account")
	}
	return acct, err
}

// didField checks a required DID field of a request body.
func didField(name, v string) (string, error) {
	if v == "" {
		return "", invalidRequest("Input must have the property %q", name)
	}
	if _, err := syntax.ParseDID(v); err != nil {
		return "", invalidRequest("%s must be a valid did: %q", name, v)
	}
	return v, nil
}

// accountView is com.atproto.admin.defs#accountView, as the reference
// PDS's formatAccountInfo fills it.
type accountView struct {
	DID              string           `json:"did"`
	Handle           string           `json:"handle"`
	Email            string           `json:"email,omitempty"`
	IndexedAt        string           `json:"indexedAt"`
	InvitedBy        *inviteCodeView  `json:"invitedBy,omitempty"`
	Invites          []inviteCodeView `json:"invites"`
	InvitesDisabled  bool             `json:"invitesDisabled"`
	EmailConfirmedAt string           `json:"emailConfirmedAt,omitempty"`
	DeactivatedAt    string           `json:"deactivatedAt,omitempty"`
}

// accountView builds an account's view with its invite codes and the code
// it signed up with.
func (h *AdminHandlers) accountView(ctx context.Context, a store.Account) (accountView, error) {
	v := accountView{DID: a.DID, Handle: a.Handle, Email: a.Email, IndexedAt: formatTime(a.CreatedAt),
		InvitesDisabled: a.InvitesDisabled, EmailConfirmedAt: formatOptTime(a.EmailConfirmedAt), DeactivatedAt: formatOptTime(a.DeactivatedAt)}
	if v.Handle == "" {
		v.Handle = syntax.HandleInvalid.String()
	}
	codes, err := h.Store.ListInviteCodes(ctx, a.DID)
	if err != nil {
		return v, err
	}
	v.Invites = toInviteViews(codes)
	if a.InviteCode == "" {
		return v, nil
	}
	used, err := h.Store.GetInviteCode(ctx, a.InviteCode)
	if err == nil {
		iv := toInviteView(used)
		v.InvitedBy = &iv
	} else if !errors.Is(err, store.ErrNotFound) {
		return v, err
	}
	return v, nil
}

func formatOptTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return formatTime(*t)
}

func (h *AdminHandlers) getAccountInfo(ctx context.Context, c *Call) (any, error) {
	did, err := c.DID("did", true)
	if err != nil {
		return nil, err
	}
	acct, err := h.account(ctx, did)
	if err != nil {
		return nil, err
	}
	return h.accountView(ctx, acct)
}

// maxAccountInfos bounds getAccountInfos, one lookup per DID.
const maxAccountInfos = 100

func (h *AdminHandlers) getAccountInfos(ctx context.Context, c *Call) (any, error) {
	dids := c.r.URL.Query()["dids"]
	if len(dids) == 0 {
		return nil, invalidRequest("Error: Params must have the property \"dids\"")
	}
	if len(dids) > maxAccountInfos {
		return nil, invalidRequest("at most %d dids at once", maxAccountInfos)
	}
	infos := make([]accountView, 0, len(dids))
	for _, did := range dids {
		if _, err := syntax.ParseDID(did); err != nil {
			return nil, invalidRequest("dids must be valid dids: %q", did)
		}
		acct, err := h.Store.GetAccount(ctx, did)
		if errors.Is(err, store.ErrNotFound) {
			continue // the reference PDS leaves unknown accounts out
		}
		if err != nil {
			return nil, err
		}
		v, err := h.accountView(ctx, acct)
		if err != nil {
			return nil, err
		}
		infos = append(infos, v)
	}
	return map[string]any{"infos": infos}, nil
}

type searchAccountsOut struct {
	Cursor   string        `json:"cursor,omitempty"`
	Accounts []accountView `json:"accounts"`
}

// searchAccounts pages accounts whose email (or handle) starts with the
// email parameter; all accounts without one.
func (h *AdminHandlers) searchAccounts(ctx context.Context, c *Call) (any, error) {
	limit, err := c.Int("limit", 50, 1, 100)
	if err != nil {
		return nil, err
	}
	cursor, _ := c.Str("cursor", false)
	if cursor != "" {
		if _, err := syntax.ParseDID(cursor); err != nil {
			return nil, invalidRequest("malformed cursor")
		}
	}
	query, _ := c.Str("email", false)
	accts, err := h.Store.SearchAccounts(ctx, query, cursor, limit)
	if err != nil {
		return nil, err
	}
	out := searchAccountsOut{Accounts: make([]accountView, 0, len(accts))}
	for _, a := range accts {
		v, err := h.accountView(ctx, a)
		if err != nil {
			return nil, err
		}
		out.Accounts = append(out.Accounts, v)
	}
	if len(accts) == limit {
		out.Cursor = accts[len(accts)-1].DID
	}
	return out, nil
}

type updateAccountHandleIn struct {
	DID    string `json:"did"`
	Handle string `json:"handle"`
}

func (h *AdminHandlers) updateAccountHandle(ctx context.Context, c *Call) (any, error) {
	var in updateAccountHandleIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	did, err := didField("did", in.DID)
	if err != nil {
		return nil, err
	}
	if _, err := syntax.ParseHandle(in.Handle); err != nil {
		return nil, Errorf(http.StatusBadRequest, "InvalidHandle", "Invalid handle: %q", in.Handle)
	}
	if _, err := h.account(ctx, did); err != nil {
		return nil, err
	}
	return nil, lifecycleError(h.Accounts.UpdateHandle(ctx, did, in.Handle))
}

type updateAccountEmailIn struct {
	Account string `json:"account"`
	Email   string `json:"email"`
}

// updateAccountEmail sets an account's email (unconfirmed) and forgets
// the tokens mailed to the old address.
func (h *AdminHandlers) updateAccountEmail(ctx context.Context, c *Call) (any, error) {
	var in updateAccountEmailIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	id, err := syntax.ParseAtIdentifier(in.Account)
	if err != nil {
		return nil, invalidRequest("account must be a valid handle or did: %q", in.Account)
	}
	email, err := adminEmail(in.Email)
	if err != nil {
		return nil, err
	}
	acct, err := lookupAccount(ctx, h.Store, id)
	if err != nil {
		return nil, invalidRequest("Account does not exist: %s", in.Account)
	}
	err = h.Store.UpdateEmail(ctx, acct.DID, email)
	if errors.Is(err, store.ErrConflict) {
		return nil, invalidRequest("Email already taken")
	}
	if err != nil {
		return nil, err
	}
	h.forgetEmailTokens(ctx, acct.DID)
	return nil, nil
}

// adminEmail normalizes a plain address (lower-case, no display name).
func adminEmail(raw string) (string, error) {
	a, err := mail.ParseAddress(raw)
	if err != nil || a.Address != raw || a.Name != "" || !strings.Contains(raw, "@") {
		return "", invalidRequest("email must be a plain email address: %q", raw)
	}
	return strings.ToLower(raw), nil
}

// forgetEmailTokens deletes the tokens mailed to an account's previous
// address.
func (h *AdminHandlers) forgetEmailTokens(ctx context.Context, did string) {
	for _, p := range []store.TokenPurpose{store.TokenConfirmEmail, store.TokenUpdateEmail, store.TokenResetPassword,
		store.TokenDeleteAccount, store.TokenPLCOperation} {
		if err := h.Store.DeleteAccountToken(ctx, p, did); err != nil && !errors.Is(err, store.ErrNotFound) {
			h.log().Warn("admin email change: forget token", "did", did, "purpose", p, "err", err)
		}
	}
}

type updateAccountPasswordIn struct {
	DID      string `json:"did"`
	Password string `json:"password"`
}

func (h *AdminHandlers) updateAccountPassword(ctx context.Context, c *Call) (any, error) {
	var in updateAccountPasswordIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	did, err := didField("did", in.DID)
	if err != nil {
		return nil, err
	}
	if err := auth.ValidatePassword(in.Password); err != nil {
		return nil, invalidRequest("Invalid password length.")
	}
	if _, err := h.account(ctx, did); err != nil {
		return nil, err
	}
	return nil, lifecycleError(h.Accounts.UpdatePassword(ctx, did, in.Password))
}

type sendEmailIn struct {
	RecipientDID string `json:"recipientDid"`
	Content      string `json:"content"`
	Subject      string `json:"subject"`
	SenderDID    string `json:"senderDid"`
	Comment      string `json:"comment"`
}

// sendEmail mails the operator's message to an account. Without a mail
// server it sends nothing and answers sent: false.
func (h *AdminHandlers) sendEmail(ctx context.Context, c *Call) (any, error) {
	var in sendEmailIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if _, err := didField("recipientDid", in.RecipientDID); err != nil {
		return nil, err
	}
	if _, err := didField("senderDid", in.SenderDID); err != nil {
		return nil, err
	}
	if in.Content == "" {
		return nil, invalidRequest("Input must have the property \"content\"")
	}
	acct, err := h.Store.GetAccount(ctx, in.RecipientDID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidRequest("Recipient not found")
	}
	if err != nil {
		return nil, err
	}
	if acct.Email == "" {
		return nil, invalidRequest("account does not have an email address")
	}
	if in.Subject == "" {
		in.Subject = "Message via your PDS"
	}
	if h.Mailer == nil {
		h.log().Warn("admin sendEmail: no mail server configured; nothing sent", "recipient", in.RecipientDID)
		return map[string]bool{"sent": false}, nil
	}
	if err := h.Mailer.SendAdminEmail(ctx, acct.Email, in.Subject, in.Content); err != nil {
		return nil, err
	}
	return map[string]bool{"sent": true}, nil
}

type didIn struct {
	DID string `json:"did"`
}

func (h *AdminHandlers) deleteAccount(ctx context.Context, c *Call) (any, error) {
	var in didIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	did, err := didField("did", in.DID)
	if err != nil {
		return nil, err
	}
	if _, err := h.account(ctx, did); err != nil {
		return nil, err
	}
	return nil, lifecycleError(h.Accounts.DeleteAccount(ctx, did))
}
