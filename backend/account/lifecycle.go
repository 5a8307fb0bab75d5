package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/firehose"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
)

// Errors of the lifecycle operations, mapped to protocol errors by the XRPC
// layer.
var (
	// ErrNoEmail: a token is to be mailed but the account has no email.
	ErrNoEmail = errors.New("account does not have an email address")
	// ErrMailNotConfigured: a token is to be mailed but the server has no
	// mailer (HEARTH_SMTP_URL is not set).
	ErrMailNotConfigured = errors.New("email is not configured on this server (set HEARTH_SMTP_URL)")
	// ErrTokenRequired: a method needs an emailed token and none was given.
	ErrTokenRequired = errors.New("email confirmation token required")
	// ErrTokenInvalid: the emailed token is wrong or was already used.
	ErrTokenInvalid = errors.New("token is invalid")
	// ErrTokenExpired: the emailed token is too old.
	ErrTokenExpired = errors.New("token is expired")
	// ErrInvalidDIDDoc: the account's DID document does not point at this
	// server with the account's keys (message says which part).
	ErrInvalidDIDDoc = errors.New("DID document is not set up for this server")
	// ErrAccountExists: an account with this DID is already hosted here.
	ErrAccountExists = errors.New("account already exists")
	// ErrAccountTakendown: the operation is refused to a taken-down account.
	ErrAccountTakendown = errors.New("account has been taken down")
	// ErrInvalidOperation: a PLC operation (or an edit of one) is refused;
	// the message says why.
	ErrInvalidOperation = errors.New("invalid PLC operation")
	// ErrExternalHandle: a handle outside the service domains does not
	// resolve to the account's DID.
	ErrExternalHandle = errors.New("external handle did not resolve to DID")
	// ErrBadExpiration: a requested service-auth expiry is in the past or
	// too far ahead.
	ErrBadExpiration = errors.New("bad expiration")
	// ErrMethodNotAllowed: no service-auth token is minted for this method
	// (or not for this session).
	ErrMethodNotAllowed = errors.New("method not allowed for service auth")
)

// EmailTokens issues and checks the single-use tokens mailed to an account
// (deleting it, signing a PLC operation). The account token service
// (tokens.go, over store.AccountTokens and the mailer) implements it.
type EmailTokens interface {
	// Issue makes a token of purpose for the account, stores its hash and
	// mails it to the account's address.
	Issue(ctx context.Context, purpose store.TokenPurpose, did string) (string, error)
	// Check verifies a token of purpose for the account (ErrTokenInvalid,
	// ErrTokenExpired) without using it up.
	Check(ctx context.Context, purpose store.TokenPurpose, did, token string) error
	// Consume checks a token like Check and deletes it.
	Consume(ctx context.Context, purpose store.TokenPurpose, did, token string) error
}

// HandleResolver resolves a handle to the DID it claims, one way (the DID
// document need not name the handle yet). indigo's directories implement
// it.
type HandleResolver interface {
	ResolveHandle(ctx context.Context, h syntax.Handle) (syntax.DID, error)
}

// LifecycleConfig configures a Lifecycle.
type LifecycleConfig struct {
	Accounts *Service
	Store    store.Store
	// Directory resolves DIDs and handles; lifecycle changes purge it.
	Directory indigoid.Directory
	// Handles resolves handles one way; nil uses Directory when it can.
	Handles HandleResolver
	// Tokens issues the emailed tokens; nil answers ErrMailNotConfigured.
	Tokens EmailTokens
	Logger *slog.Logger
	Now    func() time.Time
}

// Lifecycle is what happens to an account after sign-up: moving it in from
// another PDS (reserved keys, import, DID credentials), activation and
// deactivation, deletion, handle changes, PLC operations and service-auth
// tokens. It builds on the Service (keys, store, PLC client, repo engine).
// It is safe for concurrent use.
type Lifecycle struct {
	svc *Service
	st  store.Store
	dir indigoid.Directory
	log *slog.Logger
	now func() time.Time

	mu       sync.RWMutex // guards the fields below, which may be swapped while serving
	handles  HandleResolver
	tokens   EmailTokens
	onDelete []func(ctx context.Context, did string)
}

// NewLifecycle returns a Lifecycle and lets cfg.Accounts create accounts
// that bring their own DID (Create with CreateInput.DID).
func NewLifecycle(cfg LifecycleConfig) *Lifecycle {
	l := &Lifecycle{svc: cfg.Accounts, st: cfg.Store, dir: cfg.Directory, handles: cfg.Handles, tokens: cfg.Tokens, log: cfg.Logger, now: cfg.Now}
	if l.log == nil {
		l.log = cfg.Accounts.log
	}
	if l.now == nil {
		l.now = cfg.Accounts.now
	}
	if l.handles == nil {
		l.handles, _ = cfg.Directory.(HandleResolver)
	}
	cfg.Accounts.setLifecycle(l)
	return l
}

// SetTokens replaces the emailed-token service (the desktop shows tokens
// to its owner instead of mailing them; tests capture them).
func (l *Lifecycle) SetTokens(t EmailTokens) {
	l.mu.Lock()
	l.tokens = t
	l.mu.Unlock()
}

// emailTokens returns the current emailed-token service (nil when none).
func (l *Lifecycle) emailTokens() EmailTokens {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.tokens
}

// SetHandleResolver replaces how handles outside the service domains are
// resolved (tests and private deployments resolve them without DNS).
func (l *Lifecycle) SetHandleResolver(r HandleResolver) {
	l.mu.Lock()
	l.handles = r
	l.mu.Unlock()
}

// handleResolver returns the current handle resolver (nil when none).
func (l *Lifecycle) handleResolver() HandleResolver {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.handles
}

// OnDelete registers fn to run after an account is deleted (for example to
// remove its blob files). fn gets a background context.
func (l *Lifecycle) OnDelete(fn func(ctx context.Context, did string)) {
	l.mu.Lock()
	l.onDelete = append(l.onDelete, fn)
	l.mu.Unlock()
}

// deleteHooks returns the registered OnDelete functions.
func (l *Lifecycle) deleteHooks() []func(ctx context.Context, did string) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return append([]func(ctx context.Context, did string){}, l.onDelete...)
}

// account returns the hosted account with this DID (ErrAccountNotFound).
func (l *Lifecycle) account(ctx context.Context, did string) (store.Account, error) {
	acct, err := l.st.GetAccount(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		return acct, ErrAccountNotFound
	}
	if err != nil {
		return acct, fmt.Errorf("account %s: %w", did, err)
	}
	return acct, nil
}

// purge drops cached identities after a change this server made.
func (l *Lifecycle) purge(ctx context.Context, ids ...string) {
	if l.dir == nil {
		return
	}
	for _, id := range ids {
		atid, err := syntax.ParseAtIdentifier(id)
		if err != nil {
			continue
		}
		if err := l.dir.Purge(ctx, atid); err != nil {
			l.log.Warn("purge identity cache", "id", id, "err", err)
		}
	}
}

// Deactivate marks the account deactivated and emits its #account event.
// deleteAfter is the client's hint of when the server may delete the
// account; Hearth keeps deactivated accounts until they are deleted.
func (l *Lifecycle) Deactivate(ctx context.Context, did string, deleteAfter *time.Time) error {
	if _, err := l.account(ctx, did); err != nil {
		return err
	}
	now := l.now()
	if _, err := l.st.SetAccountStatus(ctx, did, store.StatusDeactivated, []store.Event{firehose.AccountEvent(did, store.StatusDeactivated, now)}); err != nil {
		return fmt.Errorf("deactivate %s: %w", did, err)
	}
	l.log.Info("account deactivated", "did", did, "delete_after", deleteAfter)
	return nil
}

// Activate checks that the account's DID document points at this server
// with the account's signing key (and, for did:plc, lists the account's
// rotation key), marks it active and emits #account, #identity and #sync,
// as the reference PDS does.
func (l *Lifecycle) Activate(ctx context.Context, did string) error {
	acct, err := l.account(ctx, did)
	if err != nil {
		return err
	}
	if acct.Status == store.StatusTakendown {
		return ErrAccountTakendown
	}
	if err := l.checkDIDDoc(ctx, acct); err != nil {
		return err
	}
	events, err := l.activationEvents(ctx, acct)
	if err != nil {
		return err
	}
	if _, err := l.st.SetAccountStatus(ctx, did, store.StatusActive, events); err != nil {
		return fmt.Errorf("activate %s: %w", did, err)
	}
	l.purge(ctx, did)
	l.log.Info("account activated", "did", did)
	return nil
}

// activationEvents are #account (active), #identity and #sync of the
// current commit.
func (l *Lifecycle) activationEvents(ctx context.Context, acct store.Account) ([]store.Event, error) {
	now := l.now()
	events := []store.Event{firehose.AccountEvent(acct.DID, store.StatusActive, now), firehose.IdentityEvent(acct.DID, acct.Handle, now)}
	root, err := l.st.GetRepoRoot(ctx, acct.DID)
	if errors.Is(err, store.ErrNotFound) {
		return events, nil
	}
	if err != nil {
		return nil, fmt.Errorf("activate %s: %w", acct.DID, err)
	}
	block, err := l.st.GetBlock(ctx, acct.DID, root.Commit)
	if err != nil {
		return nil, fmt.Errorf("activate %s: commit block: %w", acct.DID, err)
	}
	sync, err := repo.SyncEvent(now, root, block)
	if err != nil {
		return nil, fmt.Errorf("activate %s: %w", acct.DID, err)
	}
	return append(events, *sync), nil
}
