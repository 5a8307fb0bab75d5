package xrpc

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/account"
	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/repo"
)

// LifecycleHandlers serves the account lifecycle methods of
// com.atproto.server (status, activation, deletion, service auth, reserved
// keys) and com.atproto.repo.importRepo.
type LifecycleHandlers struct {
	Lifecycle *account.Lifecycle
	// MaxImportSize bounds an importRepo body (repo.DefaultMaxImportSize
	// when zero).
	MaxImportSize int64
	// Log records importRepo failures (slog.Default when nil).
	Log *slog.Logger
}

// Methods returns the methods to register.
func (h *LifecycleHandlers) Methods() []Method {
	const ns = "com.atproto.server."
	return []Method{
		{NSID: ns + "checkAccountStatus", Kind: Query, Auth: AccessAuth, Handler: h.checkAccountStatus},
		{NSID: ns + "activateAccount", Kind: Procedure, Auth: AccessAuth, Handler: h.activateAccount},
		{NSID: ns + "deactivateAccount", Kind: Procedure, Auth: AccessAuth, Handler: h.deactivateAccount},
		{NSID: ns + "requestAccountDelete", Kind: Procedure, Auth: AccessAuth, Handler: h.requestAccountDelete},
		{NSID: ns + "deleteAccount", Kind: Procedure, Handler: h.deleteAccount},
		{NSID: ns + "getServiceAuth", Kind: Query, Auth: AccessAuth, Handler: h.getServiceAuth},
		{NSID: ns + "reserveSigningKey", Kind: Procedure, Handler: h.reserveSigningKey},
		{NSID: "com.atproto.repo.importRepo", Kind: Procedure, Auth: AccessAuth, Raw: h.importRepo},
	}
}

// requireFullSession refuses app-password sessions: the reference PDS lets
// only a full session (ACCESS_FULL) manage the account itself.
func requireFullSession(v *Viewer) error {
	if v == nil || v.Service || v.AppPasswordName != "" || v.Scope != string(auth.ScopeAccess) {
		return Errorf(http.StatusBadRequest, "InvalidToken", "Bad token scope")
	}
	return nil
}

// lifecycleError maps the lifecycle service's errors to protocol errors,
// then falls back to the account errors of sign-up and login.
func lifecycleError(err error) error {
	for _, m := range lifecycleErrors {
		if errors.Is(err, m.target) {
			return &Error{Status: m.status, Name: m.name, Message: messageOf(err, m.message), Cause: err}
		}
	}
	return accountError(err)
}

// messageOf returns msg, or err's own text when msg is empty.
func messageOf(err error, msg string) string {
	if msg != "" {
		return msg
	}
	return err.Error()
}

var lifecycleErrors = []struct {
	target  error
	status  int
	name    string
	message string // "" sends the error's text
}{
	{account.ErrNoEmail, http.StatusBadRequest, "InvalidRequest", "account does not have an email address"},
	{account.ErrMailNotConfigured, http.StatusNotImplemented, "EmailNotConfigured", ""},
	{account.ErrTokenTooSoon, http.StatusTooManyRequests, "RateLimitExceeded", ""},
	{account.ErrTokenRequired, http.StatusBadRequest, "InvalidRequest", "email confirmation token required"},
	{account.ErrTokenExpired, http.StatusBadRequest, "ExpiredToken", "Token is expired"},
	{account.ErrTokenInvalid, http.StatusBadRequest, "InvalidToken", "Token is invalid"},
	{account.ErrInvalidDIDDoc, http.StatusBadRequest, "InvalidRequest", ""},
	{account.ErrAccountExists, http.StatusBadRequest, "InvalidRequest", "an account with this DID already exists here"},
	{account.ErrAccountTakendown, http.StatusBadRequest, "AccountTakedown", "Account has been taken down"},
	{account.ErrInvalidOperation, http.StatusBadRequest, "InvalidRequest", ""},
	{account.ErrExternalHandle, http.StatusBadRequest, "InvalidRequest", ""},
	{account.ErrBadExpiration, http.StatusBadRequest, "BadExpiration", ""},
	{account.ErrMethodNotAllowed, http.StatusBadRequest, "InvalidRequest", ""},
	{account.ErrInvalidDID, http.StatusBadRequest, "InvalidRequest", ""},
	{repo.ErrInvalidRepo, http.StatusBadRequest, "InvalidRequest", ""},
	{repo.ErrImportTooLarge, http.StatusRequestEntityTooLarge, "PayloadTooLarge", ""},
}

type accountStatusOut struct {
	Activated          bool   `json:"activated"`
	ValidDid           bool   `json:"validDid"`
	RepoCommit         string `json:"repoCommit"`
	RepoRev            string `json:"repoRev"`
	RepoBlocks         int64  `json:"repoBlocks"`
	IndexedRecords     int64  `json:"indexedRecords"`
	PrivateStateValues int64  `json:"privateStateValues"`
	ExpectedBlobs      int64  `json:"expectedBlobs"`
	ImportedBlobs      int64  `json:"importedBlobs"`
}

func (h *LifecycleHandlers) checkAccountStatus(ctx context.Context, c *Call) (any, error) {
	st, err := h.Lifecycle.CheckStatus(ctx, c.Viewer.DID)
	if err != nil {
		return nil, lifecycleError(err)
	}
	out := accountStatusOut{
		Activated: st.Activated, ValidDid: st.ValidDID, RepoRev: st.RepoRev, RepoBlocks: st.RepoBlocks,
		IndexedRecords: st.IndexedRecords, ExpectedBlobs: st.ExpectedBlobs, ImportedBlobs: st.ImportedBlobs,
	}
	if st.RepoCommit.Defined() {
		out.RepoCommit = st.RepoCommit.String()
	}
	return out, nil
}

func (h *LifecycleHandlers) activateAccount(ctx context.Context, c *Call) (any, error) {
	if err := requireFullSession(c.Viewer); err != nil {
		return nil, err
	}
	return nil, lifecycleError(h.Lifecycle.Activate(ctx, c.Viewer.DID))
}

type deactivateAccountIn struct {
	DeleteAfter string `json:"deleteAfter"`
}

func (h *LifecycleHandlers) deactivateAccount(ctx context.Context, c *Call) (any, error) {
	if err := requireFullSession(c.Viewer); err != nil {
		return nil, err
	}
	var in deactivateAccountIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var deleteAfter *time.Time
	if in.DeleteAfter != "" {
		dt, err := syntax.ParseDatetimeLenient(in.DeleteAfter)
		if err != nil {
			return nil, invalidRequest("deleteAfter must be a datetime: %q", in.DeleteAfter)
		}
		t := dt.Time()
		deleteAfter = &t
	}
	return nil, lifecycleError(h.Lifecycle.Deactivate(ctx, c.Viewer.DID, deleteAfter))
}

func (h *LifecycleHandlers) requestAccountDelete(ctx context.Context, c *Call) (any, error) {
	if err := requireFullSession(c.Viewer); err != nil {
		return nil, err
	}
	return nil, lifecycleError(h.Lifecycle.RequestDelete(ctx, c.Viewer.DID))
}

type deleteAccountIn struct {
	DID      string `json:"did"`
	Password string `json:"password"`
	Token    string `json:"token"`
}

func (h *LifecycleHandlers) deleteAccount(ctx context.Context, c *Call) (any, error) {
	var in deleteAccountIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.DID == "" || in.Password == "" || in.Token == "" {
		return nil, invalidRequest("Input must have the properties \"did\", \"password\" and \"token\"")
	}
	if _, err := syntax.ParseDID(in.DID); err != nil {
		return nil, invalidRequest("did must be a valid did: %q", in.DID)
	}
	err := h.Lifecycle.Delete(ctx, in.DID, in.Password, in.Token)
	switch {
	case errors.Is(err, account.ErrAccountNotFound):
		return nil, invalidRequest("account not found")
	case errors.Is(err, account.ErrBadCredentials):
		return nil, Errorf(http.StatusUnauthorized, "AuthenticationRequired", "Invalid did or password")
	}
	return nil, lifecycleError(err)
}

func (h *LifecycleHandlers) getServiceAuth(ctx context.Context, c *Call) (any, error) {
	req, err := serviceAuthRequest(c)
	if err != nil {
		return nil, err
	}
	if c.Viewer.OAuth { // legacy credentials keep ServiceAuthToken's rules
		if err := c.RequireRPC(req.Method, req.Audience); err != nil {
			return nil, err
		}
	}
	token, err := h.Lifecycle.ServiceAuthToken(ctx, req)
	if errors.Is(err, account.ErrAccountTakendown) {
		return nil, Errorf(http.StatusBadRequest, "InvalidToken", "Bad token scope")
	}
	if err != nil {
		return nil, lifecycleError(err)
	}
	return map[string]string{"token": token}, nil
}

// serviceAuthRequest reads getServiceAuth's parameters.
func serviceAuthRequest(c *Call) (account.ServiceAuthRequest, error) {
	req := account.ServiceAuthRequest{DID: c.Viewer.DID, Privileged: c.Viewer.Privileged}
	aud, err := c.Str("aud", true)
	if err != nil {
		return req, err
	}
	if len(aud) > 2048 || auth.CheckAudience(aud) != nil {
		return req, invalidRequest("aud must be a DID, optionally with a #service fragment: %q", aud)
	}
	req.Audience = aud
	if req.Method, err = c.NSID("lxm", false); err != nil {
		return req, err
	}
	if raw, _ := c.Str("exp", false); raw != "" {
		secs, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || secs < 0 || secs > 1<<40 {
			return req, invalidRequest("exp must be an integer (Unix seconds): %q", raw)
		}
		t := time.Unix(secs, 0)
		req.Expires = &t
	}
	return req, nil
}

type reserveSigningKeyIn struct {
	DID string `json:"did"`
}

func (h *LifecycleHandlers) reserveSigningKey(ctx context.Context, c *Call) (any, error) {
	var in reserveSigningKeyIn
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.DID != "" {
		if _, err := syntax.ParseDID(in.DID); err != nil {
			return nil, invalidRequest("did must be a valid did: %q", in.DID)
		}
	}
	key, err := h.Lifecycle.ReserveSigningKey(ctx, in.DID)
	if err != nil {
		return nil, lifecycleError(err)
	}
	return map[string]string{"signingKey": key}, nil
}

// importRepo reads a CAR body (application/vnd.ipld.car) into the caller's
// repo.
func (h *LifecycleHandlers) importRepo(w http.ResponseWriter, r *http.Request) {
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	v := ViewerFrom(r.Context())
	if err := requireFullSession(v); err != nil {
		writeError(w, r, log, err)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/vnd.ipld.car" {
		writeError(w, r, log, invalidRequest("request body must be application/vnd.ipld.car (got %q)", r.Header.Get("Content-Type")))
		return
	}
	limit := h.MaxImportSize
	if limit <= 0 {
		limit = repo.DefaultMaxImportSize
	}
	if r.ContentLength > limit {
		writeError(w, r, log, Errorf(http.StatusRequestEntityTooLarge, "PayloadTooLarge", "repository is larger than %d bytes", limit))
		return
	}
	if _, err := h.Lifecycle.ImportRepo(r.Context(), v.DID, r.Body, limit); err != nil {
		writeError(w, r, log, lifecycleError(err))
		return
	}
	w.WriteHeader(http.StatusOK)
}
