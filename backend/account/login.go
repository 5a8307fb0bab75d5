package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/auth"
	"github.com/hearthpds/hearth/backend/identity"
	"github.com/hearthpds/hearth/backend/store"
)

// dummy is a password hash verified against when the identifier matches no
// account, so that a login for an unknown account costs as much as one for
// a known one. It is computed on first need.
var dummy struct {
	once sync.Once
	hash string
}

func dummyHash() string {
	dummy.once.Do(func() {
		dummy.hash, _ = auth.HashPassword(context.Background(), "hearth: no such account")
	})
	return dummy.hash
}

// LoggedIn is a successful login.
type LoggedIn struct {
	Account     store.Account
	Session     auth.Session
	AppPassword *store.AppPassword // set when an app password was used
}

// Login authenticates by handle, email or DID with the account password or
// an app password, and opens a session.
func (s *Service) Login(ctx context.Context, identifier, password string) (*LoggedIn, error) {
	acct, err := s.Lookup(ctx, identifier)
	if errors.Is(err, ErrAccountNotFound) {
		_, _ = auth.VerifyPassword(ctx, password, dummyHash())
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if acct.Status == store.StatusTakendown {
		return nil, fmt.Errorf("%w: account has been taken down", ErrBadCredentials)
	}
	ap, err := s.checkPassword(ctx, acct, password)
	if err != nil {
		return nil, err
	}
	sess, err := s.cfg.Tokens.IssueSession(ctx, acct.DID, ap)
	if err != nil {
		return nil, fmt.Errorf("session for %s: %w", acct.DID, err)
	}
	return &LoggedIn{Account: acct, Session: sess, AppPassword: ap}, nil
}

// checkPassword accepts the account password or one of its app passwords
// (found by their deterministic hash, so no per-password KDF runs).
func (s *Service) checkPassword(ctx context.Context, acct store.Account, password string) (*store.AppPassword, error) {
	if auth.IsAppPasswordFormat(password) {
		ap, err := s.cfg.Store.GetAppPasswordByHash(ctx, acct.DID, auth.AppPasswordHash(s.pepper, acct.DID, password))
		if err == nil {
			return &ap, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	ok, err := auth.VerifyPassword(ctx, password, acct.PasswordHash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrBadCredentials
	}
	return nil, nil
}

// Lookup finds an account by DID, handle or email.
func (s *Service) Lookup(ctx context.Context, identifier string) (store.Account, error) {
	identifier = strings.TrimSpace(identifier)
	var acct store.Account
	var err error
	switch {
	case strings.HasPrefix(identifier, "did:"):
		if _, perr := syntax.ParseDID(identifier); perr != nil {
			return acct, ErrAccountNotFound
		}
		acct, err = s.cfg.Store.GetAccount(ctx, identifier)
	case strings.Contains(identifier, "@"):
		acct, err = s.cfg.Store.GetAccountByEmail(ctx, strings.ToLower(identifier))
	default:
		acct, err = s.cfg.Store.GetAccountByHandle(ctx, identity.NormalizeHandle(identifier))
	}
	if errors.Is(err, store.ErrNotFound) {
		return acct, ErrAccountNotFound
	}
	return acct, err
}

// AppPasswordInfo describes an app password; Password is set only when it
// was just created.
type AppPasswordInfo struct {
	Name       string
	Password   string
	Privileged bool
	CreatedAt  time.Time
}

// CreateAppPassword makes a new app password for an account.
func (s *Service) CreateAppPassword(ctx context.Context, did, name string, privileged bool) (AppPasswordInfo, error) {
	if err := auth.ValidateAppPasswordName(name); err != nil {
		return AppPasswordInfo{}, err
	}
	pw, err := auth.GenerateAppPassword()
	if err != nil {
		return AppPasswordInfo{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	err = s.cfg.Store.CreateAppPassword(ctx, store.AppPassword{DID: did, Name: name, Hash: auth.AppPasswordHash(s.pepper, did, pw), Privileged: privileged, CreatedAt: now})
	if errors.Is(err, store.ErrConflict) {
		return AppPasswordInfo{}, ErrAppPasswordName
	}
	if err != nil {
		return AppPasswordInfo{}, fmt.Errorf("create app password: %w", err)
	}
	return AppPasswordInfo{Name: name, Password: pw, Privileged: privileged, CreatedAt: now}, nil
}
