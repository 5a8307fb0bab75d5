package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hearthpds/hearth/backend/store"
)

// maxRotateAttempts bounds retries when concurrent refreshes of one token
// race (each retry finds the winner's successor and returns it).
const maxRotateAttempts = 3

// maxRevokeChain bounds the walk along a rotated token's successors.
const maxRevokeChain = 1000

// errRotateConflict: another refresh rotated the token first; retry.
var errRotateConflict = errors.New("auth: concurrent refresh")

// VerifyRefresh checks a refresh token, including that the server still
// honours it (it exists and is not past its expiry or rotation grace), and
// returns its claims. Errors: ErrInvalidToken, ErrExpiredToken,
// ErrRevokedToken, or a store failure.
func (t *Tokens) VerifyRefresh(ctx context.Context, token string) (Claims, error) {
	c, err := t.parse(token, refreshKind, true)
	if err != nil {
		return Claims{}, err
	}
	if _, err := t.liveToken(ctx, c.TokenID, c.DID, t.clock()); err != nil {
		return Claims{}, err
	}
	return c, nil
}

// Refresh exchanges a refresh token for a new session (com.atproto.server.
// refreshSession). The old token is rotated: it keeps working for the grace
// period (at most until its own expiry), and any use in that time returns the
// same successor token, so a client that lost the response can retry. After
// the grace period it fails with ErrRevokedToken.
func (t *Tokens) Refresh(ctx context.Context, refreshJwt string) (Session, error) {
	c, err := t.parse(refreshJwt, refreshKind, true)
	if err != nil {
		return Session{}, err
	}
	for range maxRotateAttempts {
		s, err := t.rotate(ctx, c)
		if !errors.Is(err, errRotateConflict) {
			return s, err
		}
	}
	return Session{}, fmt.Errorf("auth: refresh: %w", errRotateConflict)
}

// rotate makes one attempt at rotating the token c names.
func (t *Tokens) rotate(ctx context.Context, c Claims) (Session, error) {
	now := t.clock()
	old, err := t.liveToken(ctx, c.TokenID, c.DID, now)
	if err != nil {
		return Session{}, err
	}
	scope, err := t.tokenScope(ctx, old)
	if err != nil {
		return Session{}, err
	}
	if old.NextID != "" {
		// Reused within grace: hand out the same successor again.
		next, err := t.liveToken(ctx, old.NextID, old.DID, now)
		if err != nil {
			return Session{}, err
		}
		return t.session(now, scope, next)
	}
	next, err := t.successor(old, now)
	if err != nil {
		return Session{}, err
	}
	graceUntil := minTime(now.Add(t.grace), old.ExpiresAt)
	switch err := t.sessions.RotateRefreshToken(ctx, old.ID, graceUntil, next); {
	case errors.Is(err, store.ErrConflict):
		return Session{}, errRotateConflict
	case errors.Is(err, store.ErrNotFound):
		return Session{}, ErrRevokedToken
	case err != nil:
		return Session{}, fmt.Errorf("auth: rotate refresh token: %w", err)
	}
	return t.session(now, scope, next)
}

// successor is the refresh token that replaces old.
func (t *Tokens) successor(old store.RefreshToken, now time.Time) (store.RefreshToken, error) {
	id, err := newTokenID()
	if err != nil {
		return store.RefreshToken{}, err
	}
	return store.RefreshToken{
		ID: id, DID: old.DID, AppPasswordName: old.AppPasswordName, ExpiresAt: now.Add(t.refreshTTL),
	}, nil
}

// liveToken loads a refresh token row and checks that it belongs to did and
// has not expired (its expiry is shortened to the grace period on rotation).
func (t *Tokens) liveToken(ctx context.Context, id, did string, now time.Time) (store.RefreshToken, error) {
	rt, err := t.sessions.GetRefreshToken(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.RefreshToken{}, ErrRevokedToken
	}
	if err != nil {
		return store.RefreshToken{}, fmt.Errorf("auth: load refresh token: %w", err)
	}
	if rt.DID != did {
		return store.RefreshToken{}, fmt.Errorf("%w: token belongs to another account", ErrInvalidToken)
	}
	if !rt.ExpiresAt.After(now) {
		return store.RefreshToken{}, ErrRevokedToken
	}
	return rt, nil
}

// tokenScope is the access scope of sessions refreshed from rt: a full
// session, or that of the app password it was issued through (which must
// still exist).
func (t *Tokens) tokenScope(ctx context.Context, rt store.RefreshToken) (Scope, error) {
	if rt.AppPasswordName == "" {
		return ScopeAccess, nil
	}
	aps, err := t.sessions.ListAppPasswords(ctx, rt.DID)
	if err != nil {
		return "", fmt.Errorf("auth: load app passwords: %w", err)
	}
	for i := range aps {
		if aps[i].Name == rt.AppPasswordName {
			return ScopeFor(&aps[i]), nil
		}
	}
	return "", ErrRevokedToken
}

// Revoke ends the session a refresh token belongs to (com.atproto.server.
// deleteSession): it deletes the token and, if it was already rotated, its
// successors, so logging out with a token still in its grace period does not
// leave the newer one alive. The token must be correctly signed, but may be
// expired; revoking an unknown or already revoked token succeeds.
func (t *Tokens) Revoke(ctx context.Context, refreshJwt string) error {
	c, err := t.parse(refreshJwt, refreshKind, false)
	if err != nil {
		return err
	}
	id := c.TokenID
	for range maxRevokeChain {
		if id == "" {
			return nil
		}
		next, err := t.revokeOne(ctx, id, c.DID)
		if err != nil {
			return err
		}
		id = next
	}
	return errors.New("auth: revoke: refresh token chain too long")
}

// revokeOne deletes one token row and returns its successor's ID ("" when
// there is none or the row is already gone).
func (t *Tokens) revokeOne(ctx context.Context, id, did string) (string, error) {
	rt, err := t.sessions.GetRefreshToken(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("auth: load refresh token: %w", err)
	}
	if rt.DID != did {
		return "", fmt.Errorf("%w: token belongs to another account", ErrInvalidToken)
	}
	if err := t.sessions.DeleteRefreshToken(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("auth: delete refresh token: %w", err)
	}
	return rt.NextID, nil
}

// PruneExpired deletes refresh tokens that have expired (including rotated
// ones past their grace period) and returns how many. Run it periodically.
func (t *Tokens) PruneExpired(ctx context.Context) (int64, error) {
	n, err := t.sessions.DeleteExpiredRefreshTokens(ctx, t.clock())
	if err != nil {
		return 0, fmt.Errorf("auth: prune refresh tokens: %w", err)
	}
	return n, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
