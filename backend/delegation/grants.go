package delegation

import (
	"context"
	"errors"
	"fmt"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/hearthpds/hearth/backend/store"
)

// AddController grants controller the rights to act as delegated, on the
// authority of by (the delegated account itself, or the operator). It
// refuses an account controlling itself (ErrSelf), a grant more than one
// level deep (ErrTooDeep), a pair that already has an active grant
// (ErrGrantExists: use UpdateController), an unknown preset, an invalid or
// over-reaching custom scope, and a delegated account not hosted here
// (ErrAccountNotFound). The grant and its audit entry are stored together.
func (s *Service) AddController(ctx context.Context, delegated, controller string, r Rights, by string) (Grant, error) {
	if err := checkPair(delegated, controller); err != nil {
		return Grant{}, err
	}
	set, preset, err := s.rights(ctx, r)
	if err != nil {
		return Grant{}, err
	}
	now := s.now()
	g, err := s.cfg.Store.CreateDelegationGrant(ctx, store.DelegationGrant{
		DelegatedDID: delegated, ControllerDID: controller, Scope: set.String(), Preset: preset,
		GrantedAt: now, GrantedBy: by,
	}, s.entry(now, delegated, controller, by, store.AuditGrantAdd, Detail{Scope: set.String(), Preset: preset}))
	switch {
	case errors.Is(err, store.ErrConflict):
		return Grant{}, fmt.Errorf("%w: %s", ErrGrantExists, controller)
	case errors.Is(err, store.ErrDelegationDepth):
		return Grant{}, s.depthError(ctx, delegated, controller)
	case errors.Is(err, store.ErrNotFound):
		return Grant{}, fmt.Errorf("%w: %s is not hosted here", ErrAccountNotFound, delegated)
	case err != nil:
		return Grant{}, fmt.Errorf("delegation: add controller: %w", err)
	}
	return grantOf(g), nil
}

// depthError says which side of the one-level rule a refused grant broke.
func (s *Service) depthError(ctx context.Context, delegated, controller string) error {
	controlled, err := s.cfg.Store.ListDelegationGrants(ctx, store.DelegationGrantFilter{DelegatedDID: controller})
	if err == nil && len(controlled) > 0 {
		return fmt.Errorf("%w: %s is itself controlled by another account, so it cannot control others", ErrTooDeep, controller)
	}
	return fmt.Errorf("%w: %s controls other accounts, so it cannot be controlled", ErrTooDeep, delegated)
}

// checkPair validates the two DIDs and refuses an account controlling
// itself.
func checkPair(delegated, controller string) error {
	for _, d := range []string{delegated, controller} {
		if _, err := syntax.ParseDID(d); err != nil {
			return fmt.Errorf("%w: %q is not a DID", ErrAccountNotFound, d)
		}
	}
	if delegated == controller {
		return ErrSelf
	}
	return nil
}

// UpdateController replaces the rights of the pair's active grant
// (ErrNoGrant if there is none). Setting the rights it already has changes
// nothing and writes no audit entry.
func (s *Service) UpdateController(ctx context.Context, delegated, controller string, r Rights, by string) (Grant, error) {
	if err := checkPair(delegated, controller); err != nil {
		return Grant{}, err
	}
	set, preset, err := s.rights(ctx, r)
	if err != nil {
		return Grant{}, err
	}
	old, err := s.ActiveGrant(ctx, delegated, controller)
	if err != nil {
		return Grant{}, err
	}
	if old.Scope.Equal(set) && old.Preset == preset {
		return old, nil
	}
	now := s.now()
	g, err := s.cfg.Store.UpdateDelegationGrant(ctx, store.DelegationGrantUpdate{
		DelegatedDID: delegated, ControllerDID: controller, Scope: set.String(), Preset: preset, At: now, By: by,
	}, s.entry(now, delegated, controller, by, store.AuditGrantUpdate,
		Detail{Scope: set.String(), Preset: preset, PreviousScope: old.Scope.String()}))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Grant{}, fmt.Errorf("%w: %s", ErrNoGrant, controller)
	case err != nil:
		return Grant{}, fmt.Errorf("delegation: update controller: %w", err)
	}
	return grantOf(g), nil
}

// RemoveController revokes the pair's active grant (ErrNoGrant if there is
// none): in one transaction the grant is marked revoked, the app passwords
// the controller created for the account are deleted with their refresh
// tokens, and the audit entry is written. The OnRevoke hooks then run, all
// of them even if one fails; a failure is logged and returned wrapped in
// ErrRevokeIncomplete, with the revoked grant.
func (s *Service) RemoveController(ctx context.Context, delegated, controller, by string) (Grant, error) {
	if err := checkPair(delegated, controller); err != nil {
		return Grant{}, err
	}
	now := s.now()
	old, err := s.ActiveGrant(ctx, delegated, controller)
	if err != nil {
		return Grant{}, err
	}
	g, appPasswords, err := s.cfg.Store.RevokeDelegationGrant(ctx, store.DelegationRevoke{
		DelegatedDID: delegated, ControllerDID: controller, At: now, By: by,
	}, s.entry(now, delegated, controller, by, store.AuditGrantRevoke, Detail{Scope: old.Scope.String(), Preset: old.Preset}))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Grant{}, fmt.Errorf("%w: %s", ErrNoGrant, controller)
	case err != nil:
		return Grant{}, fmt.Errorf("delegation: remove controller: %w", err)
	}
	s.log.Info("delegation grant revoked", "delegated", delegated, "controller", controller, "by", by,
		"app_passwords_deleted", len(appPasswords))
	return grantOf(g), s.runRevokeHooks(context.WithoutCancel(ctx), delegated, controller)
}

// runRevokeHooks runs every hook and joins their errors.
func (s *Service) runRevokeHooks(ctx context.Context, delegated, controller string) error {
	var errs []error
	for _, h := range s.revokeHooks() {
		if err := h(ctx, delegated, controller); err != nil {
			s.log.Error("delegation revoke hook failed", "delegated", delegated, "controller", controller, "err", err)
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrRevokeIncomplete, errors.Join(errs...))
	}
	return nil
}

// ActiveGrant returns the active grant of controller over delegated, or
// ErrNoGrant. Token issuance and every act-as request call it.
func (s *Service) ActiveGrant(ctx context.Context, delegated, controller string) (Grant, error) {
	g, err := s.cfg.Store.GetActiveDelegationGrant(ctx, delegated, controller)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Grant{}, fmt.Errorf("%w: %s over %s", ErrNoGrant, controller, delegated)
	case err != nil:
		return Grant{}, fmt.Errorf("delegation: active grant: %w", err)
	}
	return grantOf(g), nil
}

// ListControllers lists the active grants of an account, oldest first.
func (s *Service) ListControllers(ctx context.Context, delegated string) ([]Grant, error) {
	gs, err := s.cfg.Store.ListDelegationGrants(ctx, store.DelegationGrantFilter{DelegatedDID: delegated})
	if err != nil {
		return nil, fmt.Errorf("delegation: list controllers: %w", err)
	}
	return grantsOf(gs), nil
}

// ListControlled lists the active grants held by controller over accounts
// hosted here, oldest first.
func (s *Service) ListControlled(ctx context.Context, controller string) ([]Grant, error) {
	gs, err := s.cfg.Store.ListDelegationGrants(ctx, store.DelegationGrantFilter{ControllerDID: controller})
	if err != nil {
		return nil, fmt.Errorf("delegation: list controlled accounts: %w", err)
	}
	return grantsOf(gs), nil
}

// RevokeAllOf revokes every grant controller holds over accounts hosted
// here, as if each account had removed it (the revocation is recorded as
// done by the controller itself): for a controller whose account is
// deleted. Every grant is tried; the errors are joined.
func (s *Service) RevokeAllOf(ctx context.Context, controller string) error {
	gs, err := s.ListControlled(ctx, controller)
	if err != nil {
		return err
	}
	var errs []error
	for _, g := range gs {
		if _, err := s.RemoveController(ctx, g.Delegated, controller, controller); err != nil && !errors.Is(err, ErrNoGrant) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
