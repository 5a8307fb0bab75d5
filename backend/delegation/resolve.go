package delegation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/store"
)

// ResolveAccount turns a handle or DID into a DID: accounts hosted here are
// found in the store, others through the directory. A DID that no directory
// knows, or a handle that resolves to no DID, is ErrAccountNotFound. Without
// a directory, a DID not hosted here is accepted as written.
func (s *Service) ResolveAccount(ctx context.Context, ident string) (string, error) {
	ident = strings.TrimPrefix(strings.TrimSpace(ident), "@")
	id, err := syntax.ParseAtIdentifier(ident)
	if err != nil {
		return "", fmt.Errorf("%w: %q is neither a handle nor a DID", ErrAccountNotFound, ident)
	}
	if did, err := id.AsDID(); err == nil {
		return s.resolveDID(ctx, did)
	}
	handle, _ := id.AsHandle()
	handle = handle.Normalize()
	acct, err := s.cfg.Store.GetAccountByHandle(ctx, handle.String())
	switch {
	case err == nil:
		return acct.DID, nil
	case !errors.Is(err, store.ErrNotFound):
		return "", fmt.Errorf("delegation: resolve %s: %w", handle, err)
	case s.cfg.Directory == nil:
		return "", fmt.Errorf("%w: no account has the handle %s", ErrAccountNotFound, handle)
	}
	who, err := s.cfg.Directory.LookupHandle(ctx, handle)
	if err != nil {
		return "", fmt.Errorf("%w: the handle %s does not resolve: %w", ErrAccountNotFound, handle, err)
	}
	return who.DID.String(), nil
}

// resolveDID checks that a DID names an account, here or in the directory.
func (s *Service) resolveDID(ctx context.Context, did syntax.DID) (string, error) {
	_, err := s.cfg.Store.GetAccount(ctx, did.String())
	switch {
	case err == nil:
		return did.String(), nil
	case !errors.Is(err, store.ErrNotFound):
		return "", fmt.Errorf("delegation: resolve %s: %w", did, err)
	case s.cfg.Directory == nil:
		return did.String(), nil
	}
	if _, err := s.cfg.Directory.LookupDID(ctx, did); err != nil {
		return "", fmt.Errorf("%w: %s does not resolve: %w", ErrAccountNotFound, did, err)
	}
	return did.String(), nil
}

// HandleOf returns the handle of an account, here or in the directory, or
// "" when it has none or cannot be resolved now (for display only).
func (s *Service) HandleOf(ctx context.Context, did string) string {
	if acct, err := s.cfg.Store.GetAccount(ctx, did); err == nil {
		return acct.Handle
	}
	d, err := syntax.ParseDID(did)
	if err != nil || s.cfg.Directory == nil {
		return ""
	}
	who, err := s.cfg.Directory.LookupDID(ctx, d)
	if err != nil || who.Handle == syntax.HandleInvalid {
		return ""
	}
	return who.Handle.String()
}
