package repo

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// Every authenticated request reads its account (is it still there, is it
// taken down?): a twelfth of a sequential write's CPU. The store that
// CacheRecords returns therefore also keeps the accounts it read by DID,
// each with the accounts version read before it (see AccountsVersioner):
// an entry is served only while no account has changed since, and every
// store method that changes an accounts row bumps the version after it
// returns. accountcache_test.go checks that every method of store.Store is
// classified, so that a new method that changes accounts cannot be missed.

// maxCachedAccounts bounds the account cache; past it the cache starts over.
const maxCachedAccounts = 10_000

type accountEntry struct {
	acct    store.Account
	version uint64
}

// accountCache maps DIDs to accounts.
type accountCache struct {
	mu sync.Mutex
	m  map[string]accountEntry
}

// GetAccount serves the account from the cache while no account changed
// since it was read, or reads it and caches it.
func (s *cachingStore) GetAccount(ctx context.Context, did string) (store.Account, error) {
	if s.accts == nil {
		return s.Store.GetAccount(ctx, did)
	}
	version := s.accounts.Load()
	s.accts.mu.Lock()
	e, ok := s.accts.m[did]
	s.accts.mu.Unlock()
	if ok && e.version == version {
		return cloneAccount(e.acct), nil
	}
	acct, err := s.Store.GetAccount(ctx, did)
	if err != nil {
		return acct, err
	}
	s.accts.mu.Lock()
	if len(s.accts.m) >= maxCachedAccounts {
		clear(s.accts.m)
	}
	s.accts.m[did] = accountEntry{acct: cloneAccount(acct), version: version}
	s.accts.mu.Unlock()
	return acct, nil
}

// cloneAccount copies the account's pointer and slice fields, so that a
// caller changing what it got cannot change the cache.
func cloneAccount(a store.Account) store.Account {
	a.SigningKey = bytes.Clone(a.SigningKey)
	a.RotationKey = bytes.Clone(a.RotationKey)
	if a.EmailConfirmedAt != nil {
		t := *a.EmailConfirmedAt
		a.EmailConfirmedAt = &t
	}
	if a.DeactivatedAt != nil {
		t := *a.DeactivatedAt
		a.DeactivatedAt = &t
	}
	return a
}

// The methods below change accounts rows: each bumps the version once it
// has returned, whatever its outcome.

// UpdateEmail changes the email, then bumps the accounts version.
func (s *cachingStore) UpdateEmail(ctx context.Context, did, email string) error {
	defer s.accounts.Add(1)
	return s.Store.UpdateEmail(ctx, did, email)
}

// ConfirmEmail records the confirmation, then bumps the accounts version.
func (s *cachingStore) ConfirmEmail(ctx context.Context, did string, at time.Time) error {
	defer s.accounts.Add(1)
	return s.Store.ConfirmEmail(ctx, did, at)
}

// UpdatePassword changes the password hash, then bumps the accounts version.
func (s *cachingStore) UpdatePassword(ctx context.Context, did, passwordHash string) error {
	defer s.accounts.Add(1)
	return s.Store.UpdatePassword(ctx, did, passwordHash)
}

// SetInvitesDisabled changes the flag, then bumps the accounts version.
func (s *cachingStore) SetInvitesDisabled(ctx context.Context, did string, disabled bool) error {
	defer s.accounts.Add(1)
	return s.Store.SetInvitesDisabled(ctx, did, disabled)
}

// UpdateSigningKey replaces the sealed key, then bumps the accounts version.
func (s *cachingStore) UpdateSigningKey(ctx context.Context, did string, sealed []byte) error {
	defer s.accounts.Add(1)
	return s.Store.UpdateSigningKey(ctx, did, sealed)
}
