package account

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bluesky-social/indigo/atproto/atcrypto"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
)

// Config configures the Service.
type Config struct {
	Store          store.Store
	Sealer         *keys.Sealer
	Engine         *repo.Engine
	PLC            *identity.PLCClient
	Tokens         *auth.Tokens
	HandleDomains  []string // e.g. [".test"]
	PublicURL      string   // the PDS endpoint written into DID documents
	InviteRequired bool
	// SignupClosed refuses every sign-up but the owner's (CreateInput.Owner):
	// a desktop install hosts its owner only.
	SignupClosed bool
	// LocalFirst keeps new accounts' did:plc genesis operations here, signed
	// but unsubmitted, until SubmitPendingPLC (the desktop, until the user
	// goes public); otherwise they are submitted at sign-up.
	LocalFirst bool
	Logger     *slog.Logger
	Now        func() time.Time
}

// Service manages accounts. It is safe for concurrent use.
type Service struct {
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	pepper []byte // keys the deterministic app-password hash

	mu      sync.Mutex
	signers map[string]atcrypto.PrivateKey // opened signing keys, by DID

	// lc creates accounts that bring their own DID (migrate.go); nil until
	// NewLifecycle runs.
	lc *Lifecycle
}

// New returns a Service. Call SetEngine before writes if the engine was
// built after the service (the engine needs the service as its KeySource).
func New(cfg Config) *Service {
	s := &Service{cfg: cfg, log: cfg.Logger, now: cfg.Now, signers: map[string]atcrypto.PrivateKey{}}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.pepper = cfg.Sealer.DeriveKey(keys.PurposeAppPasswordPepper, 32)
	return s
}

// SetEngine sets the repo engine (it and the service refer to each other).
func (s *Service) SetEngine(e *repo.Engine) { s.cfg.Engine = e }

var _ repo.KeySource = (*Service)(nil)

// SigningKey returns an account's repo signing key, opening it from the
// store once and caching it in memory.
func (s *Service) SigningKey(ctx context.Context, did string) (atcrypto.PrivateKey, error) {
	s.mu.Lock()
	key, ok := s.signers[did]
	s.mu.Unlock()
	if ok {
		return key, nil
	}
	acct, err := s.cfg.Store.GetAccount(ctx, did)
	if err != nil {
		return nil, fmt.Errorf("signing key of %s: %w", did, err)
	}
	key, err = keys.OpenPrivateKey(s.cfg.Sealer, acct.SigningKey, signingKeyAD(did))
	if err != nil {
		return nil, fmt.Errorf("signing key of %s: %w", did, err)
	}
	s.mu.Lock()
	s.signers[did] = key
	s.mu.Unlock()
	return key, nil
}

// forget drops a cached signing key (after key rotation or deletion).
func (s *Service) forget(did string) {
	s.mu.Lock()
	delete(s.signers, did)
	s.mu.Unlock()
}

// Sealed values are bound to their row with associated data, so a sealed
// key copied to another account does not open.
func signingKeyAD(did string) []byte  { return []byte("signing-key:" + did) }
func rotationKeyAD(did string) []byte { return []byte("rotation-key:" + did) }
