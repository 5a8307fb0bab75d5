package account

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/keys"
	"github.com/hearthpds/hearth/backend/repo"
	"github.com/hearthpds/hearth/backend/store"
)

// ErrInvalidDID: a DID given by the caller is malformed.
var ErrInvalidDID = errors.New("invalid DID")

// reservedKeyAD binds a sealed reserved key to its public key.
func reservedKeyAD(keyDID string) []byte { return []byte("reserved-key:" + keyDID) }

func (s *Service) setLifecycle(l *Lifecycle) { s.lc = l }

// createWithDID creates an account that brings its DID from another PDS.
func (s *Service) createWithDID(ctx context.Context, in CreateInput) (*Created, error) {
	if s.lc == nil {
		return nil, errors.New("account: accounts bringing a DID need the lifecycle service")
	}
	return s.lc.createMigrating(ctx, in)
}

// createMigrating creates an account for an existing DID, as the first step
// of a migration: the account starts deactivated, with an empty repo, a
// signing key (the one reserved for the DID, if any, else a new one) and a
// new rotation key of this server, which getRecommendedDidCredentials then
// offers for the DID document. No event is emitted until activation, and
// the PLC directory is not touched.
func (l *Lifecycle) createMigrating(ctx context.Context, in CreateInput) (*Created, error) {
	s := l.svc
	did, err := syntax.ParseDID(in.DID)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrInvalidDID, in.DID)
	}
	handle, email, err := l.checkMigrating(ctx, did, in)
	if err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	signing, reserved, err := l.migratingSigningKey(ctx, did.String())
	if err != nil {
		return nil, err
	}
	rotation, err := keys.GenerateSigningKey()
	if err != nil {
		return nil, err
	}
	acct, err := s.sealAccount(did.String(), handle, email, hash, signing, rotation)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	acct.Status, acct.DeactivatedAt, acct.InviteCode = store.StatusDeactivated, &now, in.InviteCode
	if err := l.landMigrating(ctx, acct, signing); err != nil {
		return nil, err
	}
	l.dropReserved(ctx, reserved)
	sess, err := s.cfg.Tokens.IssueSession(ctx, acct.DID, nil)
	if err != nil {
		return nil, fmt.Errorf("first session of %s: %w", acct.DID, err)
	}
	l.log.Info("account created for a migration", "did", acct.DID, "handle", handle)
	return &Created{Account: acct, Session: sess}, nil
}

// checkMigrating validates a migrating sign-up before any key is made.
func (l *Lifecycle) checkMigrating(ctx context.Context, did syntax.DID, in CreateInput) (handle, email string, err error) {
	s := l.svc
	if _, err := l.st.GetAccount(ctx, did.String()); err == nil {
		return "", "", fmt.Errorf("%w: %s", ErrAccountExists, did)
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", "", err
	}
	if handle, err = l.normalizeHandle(ctx, in.Handle, did); err != nil {
		return "", "", err
	}
	return s.checkSignUp(ctx, handle, in)
}

// migratingSigningKey returns the key reserved for the DID, or a new one.
func (l *Lifecycle) migratingSigningKey(ctx context.Context, did string) (atcrypto.PrivateKey, *store.ReservedKey, error) {
	k, err := l.st.GetReservedKeyForDID(ctx, did)
	if errors.Is(err, store.ErrNotFound) {
		key, err := keys.GenerateSigningKey()
		return key, nil, err
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reserved key of %s: %w", did, err)
	}
	key, err := keys.OpenPrivateKey(l.svc.cfg.Sealer, k.Sealed, reservedKeyAD(k.KeyDID))
	if err != nil {
		return nil, nil, fmt.Errorf("reserved key of %s: %w", did, err)
	}
	return key, &k, nil
}

// landMigrating stores the account with an empty genesis repo and no
// events (the account is not active yet).
func (l *Lifecycle) landMigrating(ctx context.Context, acct store.Account, signing atcrypto.PrivateKey) error {
	genesis, err := l.svc.cfg.Engine.Genesis(ctx, acct.DID, signing)
	if err != nil {
		return err
	}
	genesis.Event = nil
	_, err = l.st.CreateAccount(ctx, store.NewAccount{Account: acct, InviteCode: acct.InviteCode, Genesis: genesis})
	switch {
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("%w: %s", ErrHandleTaken, acct.Handle)
	case errors.Is(err, store.ErrRootMismatch):
		return fmt.Errorf("%w: %s", ErrAccountExists, acct.DID)
	case err != nil:
		return fmt.Errorf("store account %s: %w", acct.DID, err)
	}
	return nil
}

func (l *Lifecycle) dropReserved(ctx context.Context, k *store.ReservedKey) {
	if k == nil {
		return
	}
	if err := l.st.DeleteReservedKey(ctx, k.KeyDID); err != nil && !errors.Is(err, store.ErrNotFound) {
		l.log.Warn("delete used reserved key", "key", k.KeyDID, "err", err)
	}
}

// ImportRepo replaces the account's repo with the CAR read from r
// (com.atproto.repo.importRepo). The imported commit must be signed with
// the account's signing key here or the key its DID document currently
// names (the old PDS's, during a migration). maxBytes bounds the stream
// (repo.DefaultMaxImportSize when zero).
func (l *Lifecycle) ImportRepo(ctx context.Context, did string, r io.Reader, maxBytes int64) (*repo.CommitInfo, error) {
	acct, err := l.account(ctx, did)
	if err != nil {
		return nil, err
	}
	if acct.Status == store.StatusTakendown {
		return nil, ErrAccountTakendown
	}
	trusted := l.trustedKeys(ctx, did)
	info, err := l.svc.cfg.Engine.Import(ctx, did, r, repo.ImportOptions{Store: l.st, TrustedKeys: trusted, MaxBytes: maxBytes})
	if err != nil {
		return nil, err
	}
	l.log.Info("repo imported", "did", did, "rev", info.Rev)
	return info, nil
}

// trustedKeys are the account's signing key here and the key its DID
// document names now (resolved afresh).
func (l *Lifecycle) trustedKeys(ctx context.Context, did string) []atcrypto.PublicKey {
	var out []atcrypto.PublicKey
	if key, err := l.svc.SigningKey(ctx, did); err == nil {
		if pub, err := key.PublicKey(); err == nil {
			out = append(out, pub)
		}
	}
	if l.dir == nil {
		return out
	}
	l.purge(ctx, did)
	ident, err := l.dir.LookupDID(ctx, syntax.DID(did))
	if err != nil {
		l.log.Warn("import: resolve DID", "did", did, "err", err)
		return out
	}
	if pub, err := ident.PublicKey(); err == nil {
		out = append(out, pub)
	}
	return out
}

// normalizeHandle checks a handle an account is to use: under a service
// domain it must follow the local rules; any other handle must already
// resolve to the account's DID.
func (l *Lifecycle) normalizeHandle(ctx context.Context, raw string, did syntax.DID) (string, error) {
	domains := l.svc.cfg.HandleDomains
	if _, ok := identity.ServiceDomain(raw, domains); ok {
		h, err := identity.ValidateHandle(raw, domains)
		return h.String(), err
	}
	h, err := identity.ValidateUserDomainHandle(raw, domains)
	if err != nil {
		return "", err
	}
	resolver := l.handleResolver()
	if resolver == nil {
		return "", fmt.Errorf("%w: %s (no handle resolver)", ErrExternalHandle, h)
	}
	resolved, err := resolver.ResolveHandle(ctx, h)
	if err != nil || resolved != did {
		return "", fmt.Errorf("%w: %s", ErrExternalHandle, h)
	}
	return strings.ToLower(h.String()), nil
}
