package delegation

import (
	"context"
	"log/slog"
	"sync"
	"time"

	indigoid "github.com/bluesky-social/indigo/atproto/identity"

	"github.com/hearthpds/hearth/backend/scopes"
	"github.com/hearthpds/hearth/backend/store"
)

// Store is what the Service needs of the store.
type Store interface {
	store.Delegation
	GetAccount(ctx context.Context, did string) (store.Account, error)
	GetAccountByHandle(ctx context.Context, handle string) (store.Account, error)
}

// Config configures a Service.
type Config struct {
	Store Store
	// Directory resolves handles and DIDs of accounts not hosted here
	// (remote controllers). Nil: only local accounts and syntactically
	// valid DIDs are accepted.
	Directory indigoid.Directory
	// Expander expands include: permission sets in custom scopes; nil
	// uses the permission sets embedded in backend/lexicon.
	Expander scopes.Expander
	Logger   *slog.Logger     // slog.Default when nil
	Now      func() time.Time // time.Now when nil
}

// RevokeHook is called after the grant of (delegated, controller) was
// revoked, to revoke what the controller obtained for the account. Its
// context is not cancelled when the request that revoked the grant ends.
type RevokeHook func(ctx context.Context, delegated, controller string) error

// Service manages grants and the audit log. It is safe for concurrent use.
type Service struct {
	cfg Config
	log *slog.Logger

	mu    sync.RWMutex
	hooks []RevokeHook
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Expander == nil {
		cfg.Expander = scopes.LexiconExpander{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Service{cfg: cfg, log: log}
}

// OnRevoke adds a hook run, in the order added, after every revocation.
func (s *Service) OnRevoke(h RevokeHook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, h)
}

// revokeHooks returns the hooks registered so far.
func (s *Service) revokeHooks() []RevokeHook {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]RevokeHook(nil), s.hooks...)
}

// now returns the current time, truncated to the store's microseconds.
func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// Grant lets Controller act as Delegated within Scope.
type Grant struct {
	ID         int64
	Delegated  string
	Controller string
	Scope      scopes.Set
	Preset     string // a preset name, or store.PresetCustom
	GrantedAt  time.Time
	GrantedBy  string
	UpdatedAt  *time.Time
	UpdatedBy  string
	RevokedAt  *time.Time
	RevokedBy  string
}

// Active reports whether the grant has not been revoked.
func (g Grant) Active() bool { return g.RevokedAt == nil }

// grantOf converts a stored grant. A stored scope that no longer parses
// (written by a newer version, say) grants nothing rather than failing.
func grantOf(g store.DelegationGrant) Grant {
	set, _, err := scopes.Parse(g.Scope)
	if err != nil {
		set = scopes.Set{}
	}
	return Grant{
		ID: g.ID, Delegated: g.DelegatedDID, Controller: g.ControllerDID, Scope: set, Preset: g.Preset,
		GrantedAt: g.GrantedAt, GrantedBy: g.GrantedBy, UpdatedAt: g.UpdatedAt, UpdatedBy: g.UpdatedBy,
		RevokedAt: g.RevokedAt, RevokedBy: g.RevokedBy,
	}
}

// grantsOf converts stored grants.
func grantsOf(gs []store.DelegationGrant) []Grant {
	out := make([]Grant, len(gs))
	for i, g := range gs {
		out[i] = grantOf(g)
	}
	return out
}
